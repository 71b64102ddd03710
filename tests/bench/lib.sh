# Shared by run.sh, media.sh and relay_soak.sh (sourced; they define log, die, WORK, BUILD_DIR
# and CMAKE_BENCH_FLAGS first).

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
