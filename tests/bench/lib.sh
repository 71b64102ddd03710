# Shared by run.sh, media.sh, relay_soak.sh, vote_storm.sh and press_gate.sh (sourced; they define
# log, die, WORK, BUILD_DIR and CMAKE_BENCH_FLAGS first).

# bench_stop_pid PID: SIGTERM, up to 5 s to exit, then SIGKILL; reaps it. STOP_RC is its exit
# status (128+signal when killed).
bench_stop_pid() {
  local pid="$1"
  STOP_RC=0
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "process $pid did not stop in 5 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || STOP_RC=$?
}

# A script's own processes: each one it starts goes into PIDS; stop_pid stops one by its pid and
# forgets it, forget_pid only forgets it (the script ended it itself), stop_all_pids stops the
# rest (from the EXIT trap, so also on error or Ctrl-C).
PIDS=()
forget_pid() {
  local keep=() p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}
stop_pid() {
  local pid="$1"
  [[ -n "$pid" ]] || return 0
  bench_stop_pid "$pid"
  forget_pid "$pid"
}
stop_all_pids() {
  local p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do stop_pid "$p"; done
}

# bench_configure: the Release build directory with the bench targets (dies on failure).
bench_configure() {
  log "configuring $BUILD_DIR (Release, $CMAKE_BENCH_FLAGS)"
  # shellcheck disable=SC2086
  timeout 600 cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release $CMAKE_BENCH_FLAGS \
    >"$WORK/cmake.log" 2>&1 || { tail -30 "$WORK/cmake.log" >&2; die "cmake failed"; }
}

# bench_build TARGET [TIMEOUT_S]: builds one target; on failure shows the log's tail and
# returns non-zero (the caller decides whether that is fatal).
bench_build() {
  local t="$1" limit="${2:-3000}"
  log "building $t"
  timeout "$limit" ninja -C "$BUILD_DIR" "$t" >"$WORK/build-$t.log" 2>&1 && return 0
  tail -30 "$WORK/build-$t.log" >&2
  return 1
}

# --- Shared by media.sh and press_gate.sh (they set HOST, SAMLING_BIN first) ------------------------
machine_ticks() { # "total steal"
  local _ u n s i w q sq st
  read -r _ u n s i w q sq st _ </proc/stat
  echo "$((u + n + s + i + w + q + sq + st)) $st"
}
# steal % between two machine_ticks outputs
steal_between() { awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" 'BEGIN { printf "%.2f", (c - a > 0 ? 100 * (d - b) / (c - a) : 0) }'; }
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.3f", b - a }'; }
json_str() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }

# bench_start_samling DIR PORT: `samling serve --config DIR/samling.toml`, output in DIR/stdout and
# DIR/stderr; sets SAMLING_PID once it listens (returns non-zero, the process stopped, otherwise).
bench_start_samling() {
  local dir="$1" port="$2"
  "$SAMLING_BIN" serve --config "$dir/samling.toml" >"$dir/stdout" 2>"$dir/stderr" &
  SAMLING_PID=$!
  PIDS+=("$SAMLING_PID")
  for _ in $(seq 1 150); do
    grep -q "listening on" "$dir/stdout" 2>/dev/null && return 0
    kill -0 "$SAMLING_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "samling did not start on port $port:"
  tail -5 "$dir/stdout" "$dir/stderr" >&2 || true
  stop_pid "$SAMLING_PID"
  return 1
}
# start_nginx DIR CONF PORT [PORT2] [-g extra]: sets NGINX_PID (the master) once the ports accept.
start_nginx() {
  local d="$1" conf="$2" port="$3" port2="${4:-}" extra="${5:-}"
  nginx -p "$d/" -c "$conf" -g "daemon off;$extra" >"$d/logs/nginx.out" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  for _ in $(seq 1 100); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$HOST:${port2:-$port}/" 2>/dev/null)" != 000 ]] && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "nginx did not start:"
  tail -5 "$d/logs/nginx.out" "$d/logs/error.log" >&2 2>/dev/null || true
  stop_pid "$NGINX_PID"
  return 1
}
nginx_workers() { pgrep -P "$1" 2>/dev/null | paste -sd, -; }

# bench_replace_section FILE HEADING SECTION: replaces FILE's "## HEADING" section (to the next
# "## " heading) with the file SECTION, which starts with that heading; appends it when FILE has
# none. The rest of FILE stays as it is (vote_storm.sh, press_gate.sh).
bench_replace_section() {
  local out="$1" heading="$2" section="$3" tmp
  [[ -f "$out" ]] || touch "$out"
  tmp="$(mktemp "${TMPDIR:-/tmp}/bench-section.XXXXXX")"
  awk -v section="$section" -v heading="## $heading" '
    /^## / { if (skip) skip = 0 }
    $0 == heading { while ((getline line < section) > 0) print line; done = 1; skip = 1; next }
    !skip { print }
    END { if (!done) { print ""; while ((getline line < section) > 0) print line } }' "$out" >"$tmp"
  cp "$tmp" "$out"
  rm -f "$tmp"
}
