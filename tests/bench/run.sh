#!/usr/bin/env bash
# Samling benchmarks against peers (issue 5), one command:
#
#   bash tests/bench/run.sh
#
# (a) installs the Node.js peers (npm ci in tests/bench/peers), (b) builds samling, the load
# generator and the raw floor in build-bench/ (Release), (c) runs each scenario against every
# target ALTERNATELY (samling, ws, socketio, raw; then again, BENCH_REPEATS times), each run with a
# fresh server process on 127.0.0.1 that this script starts and stops by its pid, (d) collects the
# load generator's JSON lines into build-bench/bench-results/<stamp>/results.jsonl and (e) writes
# docs/benchmarks.md (medians, min-max spread, ratios to each peer, machine and steal).
#
# Knobs (environment):
#   BENCH_SCENARIOS="S1 S9"   scenarios to run (see scenario_args below)
#   BENCH_TARGETS="samling ws socketio raw"
#   BENCH_REPEATS=3           rounds of the alternation
#   BENCH_DURATION=20         measured seconds per run (S9 uses BENCH_IDLE_DURATION, default 5)
#   BENCH_WARMUP=3            seconds before measuring
#   BENCH_QUICK=1             a short smoke of the whole pipeline: 5 s runs, 1 s warm-up, 1 repeat
#   BENCH_SKIP_INSTALL=1 / BENCH_SKIP_BUILD=1
#   BENCH_OUT=docs/benchmarks.md   where the report goes ("-" = only the results directory)
#   BENCH_PORT_BASE=18400     servers listen on BENCH_PORT_BASE + run number
#   BENCH_LOADGEN_ARGS=""     extra load generator flags for every run (e.g. --source-addresses 1)
set -euo pipefail

# --- Names of the C++ side (tests/bench/CMakeLists.txt). Change here if they move. ---------------
BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
CMAKE_BENCH_FLAGS="${BENCH_CMAKE_FLAGS:--DSAMLING_BENCH=ON}"
SAMLING_TARGET=samling
LOADGEN_TARGET=loadgen
RAW_TARGET=raw_floor
BIN_DIR="$BUILD_DIR/bin"
RAW_PROTO=ws # the raw floor speaks the peers' join/post protocol
# Paths: the load generator's defaults (/ws for samling and ws, /socket.io/... for socketio); the
# ws peer and the raw floor accept any path.
# -------------------------------------------------------------------------------------------------

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PEERS="$ROOT/tests/bench/peers"

SCENARIOS="${BENCH_SCENARIOS:-S1 S9}"
TARGETS="${BENCH_TARGETS:-samling ws socketio raw}"
REPEATS="${BENCH_REPEATS:-3}"
DURATION="${BENCH_DURATION:-20}"
IDLE_DURATION="${BENCH_IDLE_DURATION:-5}"
WARMUP="${BENCH_WARMUP:-3}"
if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  DURATION="${BENCH_DURATION:-5}"
  IDLE_DURATION="${BENCH_IDLE_DURATION:-3}"
  WARMUP="${BENCH_WARMUP:-1}"
  REPEATS="${BENCH_REPEATS:-1}"
fi
OUT="${BENCH_OUT:-docs/benchmarks.md}"
PORT_BASE="${BENCH_PORT_BASE:-18400}"
HOST=127.0.0.1

# Samling: the demo program supplies the event and its rooms; tokens are minted by the load
# generator with this key (it never leaves the machine and is not a real secret).
SAMLING_EVENT=stockholm-tillsammans-2027
SAMLING_ROOMS="main,seminar-housing,seminar-health,seminar-work,seminar-civil-society"
BENCH_KEY_ID=bench
BENCH_SECRET="bench-only-secret-not-for-production-0123456789"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- Limits: open files for 10,000+ connections (servers and load generator inherit it). -------
hard_nofile="$(ulimit -Hn)"
if [[ "$hard_nofile" == unlimited ]]; then hard_nofile=1048576; fi
want_nofile=200000
if ((hard_nofile < want_nofile)); then want_nofile="$hard_nofile"; fi
ulimit -n "$want_nofile" || log "warning: could not raise ulimit -n to $want_nofile"
NOFILE="$(ulimit -n)"
log "ulimit -n = $NOFILE"
MAX_CONN=$((NOFILE - 1000))
if ((MAX_CONN > 1000000)); then MAX_CONN=1000000; fi

# --- Every process this script starts is stopped by its pid, also on error or Ctrl-C. ---------
SERVER_PID=""
WORK="$(mktemp -d "${TMPDIR:-/tmp}/samling-bench.XXXXXX")"
stop_server() {
  local pid="$SERVER_PID"
  SERVER_PID=""
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "server $pid did not stop in 5 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- (a) the peers ------------------------------------------------------------------------------
command -v node >/dev/null || die "node is not installed (deploy/install-deps.sh)"
if [[ "${BENCH_SKIP_INSTALL:-0}" != 1 ]]; then
  log "npm ci in tests/bench/peers"
  (cd "$PEERS" && timeout 600 npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
fi

# --- (b) the C++ tools --------------------------------------------------------------------------
HAVE_RAW=1
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  log "configuring $BUILD_DIR (Release, $CMAKE_BENCH_FLAGS)"
  # shellcheck disable=SC2086
  timeout 600 cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release $CMAKE_BENCH_FLAGS \
    >"$WORK/cmake.log" 2>&1 || { tail -30 "$WORK/cmake.log" >&2; die "cmake failed"; }
  for t in "$SAMLING_TARGET" "$LOADGEN_TARGET"; do
    log "building $t"
    timeout 3000 ninja -C "$BUILD_DIR" "$t" >"$WORK/build-$t.log" 2>&1 ||
      { tail -30 "$WORK/build-$t.log" >&2; die "building $t failed"; }
  done
  log "building $RAW_TARGET"
  if ! timeout 1200 ninja -C "$BUILD_DIR" "$RAW_TARGET" >"$WORK/build-raw.log" 2>&1; then
    tail -10 "$WORK/build-raw.log" >&2
    log "warning: $RAW_TARGET did not build: the raw floor is left out"
    HAVE_RAW=0
  fi
fi
SAMLING_BIN="$BIN_DIR/$SAMLING_TARGET"
LOADGEN_BIN="$BIN_DIR/$LOADGEN_TARGET"
RAW_BIN="$BIN_DIR/$RAW_TARGET"
[[ -x "$SAMLING_BIN" ]] || die "$SAMLING_BIN not found"
[[ -x "$LOADGEN_BIN" ]] || die "$LOADGEN_BIN not found"
[[ -x "$RAW_BIN" ]] || HAVE_RAW=0
if [[ "$HAVE_RAW" == 0 ]]; then TARGETS="$(echo " $TARGETS " | sed 's/ raw / /g')"; fi

# --- Scenarios: load generator arguments (parameters are written into the report too). ---------
scenario_args() {
  case "$1" in
  S1) echo "--rooms 1 --subscribers 1000 --publishers 1 --rate 100 --size 64 --warmup $WARMUP --duration $DURATION" ;;
  S9) echo "--rooms 1 --subscribers 10000 --publishers 0 --rate 1 --size 64 --warmup 1 --duration $IDLE_DURATION" ;;
  *) die "unknown scenario $1" ;;
  esac
}
scenario_what() {
  case "$1" in
  S1) echo "1 room x 1000 subscribers, 1 publisher at 100 msg/s, 64 B messages" ;;
  S9) echo "10,000 idle connections (each joined to one room, no publisher): server RSS per connection" ;;
  esac
}

# --- Servers ------------------------------------------------------------------------------------
# start_server TARGET PORT: starts it, waits for "listening on", sets SERVER_PID and BASE_RSS_KB.
start_server() {
  local target="$1" port="$2"
  local dir="$WORK/run-$port"
  mkdir -p "$dir"
  case "$target" in
  samling)
    cat >"$dir/samling.toml" <<EOF
[server]
listen = "$HOST"
port = $port
web_root = "$dir/no-web"
[server.limits]
max_connections = $MAX_CONN
[store]
path = "$dir/samling.db"
[log]
level = "warn"
access_log = false
[demo]
seed = true
file = "$ROOT/config/demo/stockholm-tillsammans.json"
[media]
enabled = false
dir = "$dir/media"
EOF
    SAMLING_AUTH_KEY_ID="$BENCH_KEY_ID" SAMLING_AUTH_SECRET="$BENCH_SECRET" \
      SAMLING_ROOMS_RATE_PER_MINUTE=60000 SAMLING_ROOMS_RATE_BURST=1000 \
      SAMLING_WS_SEND_QUEUE_MESSAGES=10000 SAMLING_WS_SEND_QUEUE_BYTES=16777216 \
      SAMLING_LOG_ACCESS_LOG=false \
      "$SAMLING_BIN" serve --config "$dir/samling.toml" >"$dir/stdout" 2>"$dir/stderr" &
    ;;
  ws) node "$PEERS/ws-server.mjs" --host "$HOST" --port "$port" >"$dir/stdout" 2>"$dir/stderr" & ;;
  socketio) node "$PEERS/socketio-server.mjs" --host "$HOST" --port "$port" >"$dir/stdout" 2>"$dir/stderr" & ;;
  raw) "$RAW_BIN" --port "$port" >"$dir/stdout" 2>"$dir/stderr" & ;;
  *) die "unknown target $target" ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 1 150); do
    if grep -q "listening on" "$dir/stdout" 2>/dev/null; then
      sleep 0.3 # let start-up work (demo seeding, JIT warm-up of module loading) settle
      BASE_RSS_KB="$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "$target did not start on port $port:"
  tail -5 "$dir/stdout" "$dir/stderr" >&2 || true
  stop_server
  return 1
}

loadgen_proto_args() {
  case "$1" in
  samling) echo "--proto samling --secret $BENCH_SECRET --key-id $BENCH_KEY_ID --event $SAMLING_EVENT --room-names $SAMLING_ROOMS" ;;
  ws) echo "--proto ws" ;;
  socketio) echo "--proto socketio" ;;
  raw) echo "--proto $RAW_PROTO" ;;
  esac
}

# --- (c) runs, alternating ----------------------------------------------------------------------
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS_DIR="$BUILD_DIR/bench-results/$STAMP"
mkdir -p "$RESULTS_DIR"
RESULTS="$RESULTS_DIR/results.jsonl"
: >"$RESULTS"

read -r _ u n s i w q sq st _ </proc/stat
STEAL0=$st
TOTAL0=$((u + n + s + i + w + q + sq + st))
START_ISO="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
log "load average at start: $LOAD0 on $(nproc) CPUs (other work on the machine skews every figure)"

run_no=0
for scenario in $SCENARIOS; do
  sargs="$(scenario_args "$scenario")"
  for repeat in $(seq 1 "$REPEATS"); do
    for target in $TARGETS; do
      run_no=$((run_no + 1))
      port=$((PORT_BASE + run_no))
      log "$scenario round $repeat/$REPEATS: $target on port $port"
      if ! start_server "$target" "$port"; then
        node "$PEERS/report.mjs" record --scenario "$scenario" --target "$target" --repeat "$repeat" \
          --error "server did not start" </dev/null >>"$RESULTS"
        continue
      fi
      out="$RESULTS_DIR/$scenario-$target-$repeat.out"
      limit=$((WARMUP + DURATION + IDLE_DURATION + 180))
      set +e
      # shellcheck disable=SC2046,SC2086 # word splitting of the argument lists is intended
      timeout --kill-after=10 "$limit" "$LOADGEN_BIN" $(loadgen_proto_args "$target") \
        --host "$HOST" --port "$port" $sargs ${BENCH_LOADGEN_ARGS:-} --server-pid "$SERVER_PID" \
        >"$out" 2>"$RESULTS_DIR/$scenario-$target-$repeat.err"
      rc=$?
      set -e
      alive=1
      kill -0 "$SERVER_PID" 2>/dev/null || alive=0
      stop_server
      err=""
      ((rc == 0)) || err="loadgen exit $rc"
      ((alive == 1)) || err="${err:+$err; }server died during the run"
      node "$PEERS/report.mjs" record --scenario "$scenario" --target "$target" --repeat "$repeat" \
        --base-rss-kb "${BASE_RSS_KB:-0}" ${err:+--error "$err"} <"$out" >>"$RESULTS"
      tail -1 "$RESULTS" >&2
    done
  done
done

read -r _ u n s i w q sq st _ </proc/stat
STEAL1=$st
TOTAL1=$((u + n + s + i + w + q + sq + st))
END_ISO="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD1="$(cut -d' ' -f1 /proc/loadavg)"

# --- (d)+(e) summary and report -----------------------------------------------------------------
{
  echo "{"
  echo "\"start\": \"$START_ISO\", \"end\": \"$END_ISO\","
  echo "\"nproc\": $(nproc),"
  echo "\"cpu\": $({ grep -m1 'model name' /proc/cpuinfo || echo ": unknown"; } | cut -d: -f2- | node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(0,"utf8").trim()))'),"
  echo "\"kernel\": \"$(uname -sr)\","
  echo "\"load_start\": $LOAD0, \"load_end\": $LOAD1,"
  echo "\"mem_kb\": $(awk '/^MemTotal:/ {print $2}' /proc/meminfo),"
  echo "\"steal_pct\": $(awk -v a=$((STEAL1 - STEAL0)) -v b=$((TOTAL1 - TOTAL0)) 'BEGIN { printf "%.2f", (b > 0 ? 100 * a / b : 0) }'),"
  echo "\"node\": \"$(node --version)\","
  echo "\"ws\": \"$(node -p "require('$PEERS/node_modules/ws/package.json').version")\","
  echo "\"socketio\": \"$(node -p "require('$PEERS/node_modules/socket.io/package.json').version")\","
  echo "\"commit\": \"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- server 2>/dev/null || echo '+dirty')\","
  echo "\"quick\": $([[ "${BENCH_QUICK:-0}" == 1 ]] && echo true || echo false),"
  echo "\"repeats\": $REPEATS, \"duration_s\": $DURATION, \"idle_duration_s\": $IDLE_DURATION, \"warmup_s\": $WARMUP,"
  echo "\"targets\": \"$TARGETS\", \"results\": \"$RESULTS\","
  echo "\"scenarios\": {"
  first=1
  for scenario in $SCENARIOS; do
    ((first)) || echo ","
    first=0
    printf '"%s": {"what": "%s", "args": "%s"}' "$scenario" "$(scenario_what "$scenario")" "$(scenario_args "$scenario")"
  done
  echo "}}"
} >"$RESULTS_DIR/machine.json"

node "$PEERS/report.mjs" report --results "$RESULTS" --machine "$RESULTS_DIR/machine.json" \
  >"$RESULTS_DIR/benchmarks.md"
if [[ "$OUT" != "-" ]]; then
  cp "$RESULTS_DIR/benchmarks.md" "$OUT"
  log "wrote $OUT"
fi
log "results in $RESULTS_DIR"
