#!/usr/bin/env bash
# Samling benchmarks against peers (issue 5), one command:
#
#   bash tests/bench/run.sh
#
# (a) installs the Node.js peers (npm ci in tests/bench/peers) and, when missing, the Debian
# packages of the two compiled peers (libwebsockets-dev, golang-go,
# golang-github-gorilla-websocket-dev; apt-get install --no-install-recommends), (b) builds
# samling, the load generator and the raw floor in build-bench/ (Release) and the two hubs into
# build-bench/bin/ (lws-hub: cc -O2 on libwebsockets; gorilla-hub: go build in GOPATH mode from
# Debian's Go sources in /usr/share/gocode, offline), (c) runs each scenario against every target
# ALTERNATELY (samling, ws, socketio, raw, lws, gorilla; then again, BENCH_REPEATS times), each run
# with a fresh server process on 127.0.0.1 that this script starts and stops by its pid, (d)
# collects the load generator's JSON lines into build-bench/bench-results/<stamp>/results.jsonl
# and (e) writes docs/benchmarks.md (medians, min-max spread, ratios to each peer, machine and
# steal).
#
# Targets: samling; ws and socketio (Node.js, peers/ws-server.mjs, peers/socketio-server.mjs); raw
# (raw_floor.cpp, one write per delivery: the machine's floor); lws (peers/lws-hub/, C on
# libwebsockets, written as lws's minimal examples) and gorilla (peers/gorilla-hub/, Go on
# gorilla/websocket, written as its examples/chat). The two hubs run in the scenarios of
# BENCH_HUB_SCENARIOS only (default S1 S2 S5 S9: S3, S4 and S8 against them would add ~15 min).
#
# Scenarios (parameters in scenario_args below; the report repeats them):
#   S1  1 room x 1000 subscribers, 1 publisher at 100 msg/s, 64 B
#   S2  S1 with the rate stepped up (BENCH_S2_RATES, then BENCH_S2_REFINE bisection steps) until
#       delivered/expected < 0.98 or p99 > 100 ms: the saturation rate. Every step is its own run
#       (fresh server, BENCH_STEP_DURATION s); in each round the steps alternate the targets
#       (rate 1 for every target, then rate 2, ...), and a target stops climbing at its first
#       failed step.
#   S3  20 rooms x 100 subscribers, 1 publisher per room at 50 msg/s (same 100,000 offered
#       deliveries/s as S1)
#   S4  1 room x 1000 subscribers of which 100 publish at 1 msg/s each (a distinct user each)
#   S8  S1 with 1 % of the subscribers (10) no longer reading after the warm-up, measured for
#       BENCH_S8_DURATION s; Samling runs with its default send-queue bound (BENCH_S8_SEND_QUEUE)
#       so slow consumers are closed (4008)
#   S9  10,000 idle connections
#   S5  request/response latency on a quiet server: one client sends a request, waits for its
#       reply, sends the next (no pacing timer): pings, then posts; then 100 clients (each its own
#       user, each alone in its own room) doing the same concurrently. Samling: ping -> its ack,
#       post -> the post's ack; peers: {"type":"ping","id":N} -> {"type":"pong","id":N}, post ->
#       the sender's own message back. Median, p99 and count of each of the four.
#
# Knobs (environment):
#   BENCH_SCENARIOS="S1 S2 S3 S4 S5 S8 S9"   scenarios to run, in this order (S8 compares with S1)
#   BENCH_TARGETS="samling ws socketio raw lws gorilla"
#   BENCH_HUB_SCENARIOS="S1 S2 S5 S9"   the scenarios lws and gorilla take part in
#   BENCH_REPEATS=3           rounds of the alternation
#   BENCH_DURATION=20         measured seconds per run (S9 uses BENCH_IDLE_DURATION, default 5)
#   BENCH_WARMUP=3            seconds before measuring
#   BENCH_STEP_DURATION=5     S2: measured seconds per step (warm-up BENCH_STEP_WARMUP=2)
#   BENCH_S2_RATES="10 20 40 80 160 320 640 1000"   S2: msg/s ladder (Samling's per-user token
#                             bucket is raised to 1000 posts/s, so keep the ladder <= 1000)
#   BENCH_S2_REFINE=2         S2: bisection steps between the last passed and first failed rate
#   BENCH_S8_DURATION=60      S8: measured seconds (the stopped readers' server-side kernel send
#                             buffers, up to about 1 MB here, fill first: an estimated ~35 s at
#                             S1's rate before any server queue grows)
#   BENCH_S8_SEND_QUEUE="256 1048576"   S8: Samling's ws.send_queue_messages and _bytes (its
#                             defaults; the other scenarios raise them to 10000 / 16 MiB)
#   BENCH_S5_REQUESTS="800,100"   S5: measured requests per client with 1 and with 100 clients
#   BENCH_S5_WARMUP="100,10"      S5: unmeasured requests per client before those (Samling's
#                             per-user bucket holds 1000 posts: keep warm-up + measured below that)
#   BENCH_QUICK=1             a short smoke of the whole pipeline: 5 s runs, 1 s warm-up, 1 repeat,
#                             3 s S2 steps, 20 s S8 (too short for any slow-consumer close), S5
#                             with 400,40 requests after 20,5
#   BENCH_SKIP_INSTALL=1 / BENCH_SKIP_BUILD=1
#   BENCH_OUT=docs/benchmarks.md   where the report goes ("-" = only the results directory)
#   BENCH_VOTE_STORM=1        at the end, tests/bench/vote_storm.sh (issue 17) with the same build,
#                             writing its own section of BENCH_OUT; 0 skips it
#   BENCH_PRESS_GATE=1        then tests/bench/press_gate.sh (issue 18: the grant check per gated
#                             segment against nginx's secure_link, revocation), its own section; 0 skips it
#   BENCH_PORT_BASE=18400     servers listen on BENCH_PORT_BASE + run number (ports in use skipped)
#   BENCH_LOADGEN_ARGS=""     extra load generator flags for every run (e.g. --source-addresses 1);
#                             they come after the scenario's, so they override them (dev checks)
set -euo pipefail

# --- Names of the C++ side (tests/bench/CMakeLists.txt). Change here if they move. ---------------
BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
CMAKE_BENCH_FLAGS="${BENCH_CMAKE_FLAGS:--DSAMLING_BENCH=ON}"
SAMLING_TARGET=samling
LOADGEN_TARGET=loadgen
RAW_TARGET=raw_floor
BIN_DIR="$BUILD_DIR/bin"
RAW_PROTO=ws # the raw floor speaks the peers' join/post protocol
LWS_HUB=lws-hub         # build-bench/bin/lws-hub from tests/bench/peers/lws-hub/lws-hub.c
GORILLA_HUB=gorilla-hub # build-bench/bin/gorilla-hub from tests/bench/peers/gorilla-hub/
# Debian packages the two hubs need (installed by (a) when missing).
HUB_PACKAGES="libwebsockets-dev pkg-config gcc golang-go golang-github-gorilla-websocket-dev"
# Paths: the load generator's defaults (/ws for samling and ws, /socket.io/... for socketio); the
# ws peer and the raw floor accept any path.
# -------------------------------------------------------------------------------------------------

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PEERS="$ROOT/tests/bench/peers"

SCENARIOS="${BENCH_SCENARIOS:-S1 S2 S3 S4 S5 S8 S9}"
TARGETS="${BENCH_TARGETS:-samling ws socketio raw lws gorilla}"
HUB_SCENARIOS="${BENCH_HUB_SCENARIOS:-S1 S2 S5 S9}"
REPEATS="${BENCH_REPEATS:-3}"
DURATION="${BENCH_DURATION:-20}"
IDLE_DURATION="${BENCH_IDLE_DURATION:-5}"
WARMUP="${BENCH_WARMUP:-3}"
STEP_DURATION="${BENCH_STEP_DURATION:-5}"
STEP_WARMUP="${BENCH_STEP_WARMUP:-2}"
S8_DURATION="${BENCH_S8_DURATION:-60}"
S5_REQUESTS="${BENCH_S5_REQUESTS:-800,100}"
S5_WARMUP="${BENCH_S5_WARMUP:-100,10}"
if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  S5_REQUESTS="${BENCH_S5_REQUESTS:-400,40}"
  S5_WARMUP="${BENCH_S5_WARMUP:-20,5}"
  DURATION="${BENCH_DURATION:-5}"
  IDLE_DURATION="${BENCH_IDLE_DURATION:-3}"
  WARMUP="${BENCH_WARMUP:-1}"
  REPEATS="${BENCH_REPEATS:-1}"
  STEP_DURATION="${BENCH_STEP_DURATION:-3}"
  STEP_WARMUP="${BENCH_STEP_WARMUP:-1}"
  S8_DURATION="${BENCH_S8_DURATION:-20}"
fi
S2_RATES="${BENCH_S2_RATES:-10 20 40 80 160 320 640 1000}"
S2_REFINE="${BENCH_S2_REFINE:-2}"
S2_MIN_RATIO=0.98 # the saturation criteria (issue 5)
S2_MAX_P99_MS=100
read -r S8_QUEUE_MESSAGES S8_QUEUE_BYTES <<<"${BENCH_S8_SEND_QUEUE:-256 1048576}"
OUT="${BENCH_OUT:-docs/benchmarks.md}"
PORT_BASE="${BENCH_PORT_BASE:-18400}"
HOST=127.0.0.1

# Samling: a bench-only event (tests/bench/bench-event.json, seeded as the demo program) supplies
# 100 joinable rooms r1..r100, the names the load generator uses by default for every target; tokens
# are minted by the load generator with this key (it never leaves the machine and is not a real
# secret).
SAMLING_EVENT=samling-bench
SAMLING_EVENT_FILE="$ROOT/tests/bench/bench-event.json"
BENCH_KEY_ID=bench
BENCH_SECRET="bench-only-secret-not-for-production-0123456789"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"

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
  bench_stop_pid "$pid"
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
# The hubs' Debian packages, only those missing (and only when a hub is a target).
if [[ "${BENCH_SKIP_INSTALL:-0}" != 1 ]] && [[ " $TARGETS " == *" lws "* || " $TARGETS " == *" gorilla "* ]]; then
  missing=()
  for pkg in $HUB_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    sudo=()
    if ((EUID != 0)); then sudo=(sudo -n); fi
    log "apt-get install ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive timeout 900 "${sudo[@]}" apt-get install -y --no-install-recommends \
      "${missing[@]}" >"$WORK/apt.log" 2>&1; then
      # The package lists may be stale: refresh them once and try again.
      DEBIAN_FRONTEND=noninteractive timeout 900 "${sudo[@]}" apt-get update >>"$WORK/apt.log" 2>&1 || true
      DEBIAN_FRONTEND=noninteractive timeout 900 "${sudo[@]}" apt-get install -y --no-install-recommends \
        "${missing[@]}" >>"$WORK/apt.log" 2>&1 ||
        { tail -5 "$WORK/apt.log" >&2; log "warning: apt-get install failed: the hubs may be left out"; }
    fi
  fi
fi

# --- (b) the C++ tools --------------------------------------------------------------------------
HAVE_RAW=1
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  bench_configure
  for t in "$SAMLING_TARGET" "$LOADGEN_TARGET"; do
    bench_build "$t" || die "building $t failed"
  done
  if ! bench_build "$RAW_TARGET" 1200; then
    log "warning: $RAW_TARGET did not build: the raw floor is left out"
    HAVE_RAW=0
  fi
fi
SAMLING_BIN="$BIN_DIR/$SAMLING_TARGET"
LOADGEN_BIN="$BIN_DIR/$LOADGEN_TARGET"
RAW_BIN="$BIN_DIR/$RAW_TARGET"
LWS_BIN="$BIN_DIR/$LWS_HUB"
GORILLA_BIN="$BIN_DIR/$GORILLA_HUB"
# The hubs: plain compiler runs, each a few seconds; a hub that does not build is left out.
build_lws_hub() {
  log "building $LWS_HUB"
  local flags
  flags="$(pkg-config --cflags --libs libwebsockets 2>"$WORK/build-lws.log")" || return 1
  # shellcheck disable=SC2086 # pkg-config's flags are words
  timeout 300 cc -O2 -Wall -o "$LWS_BIN" "$PEERS/lws-hub/lws-hub.c" $flags >>"$WORK/build-lws.log" 2>&1
}
build_gorilla_hub() {
  log "building $GORILLA_HUB"
  mkdir -p "$BUILD_DIR/go-cache"
  # GOPATH mode over Debian's Go sources (golang-github-gorilla-websocket-dev): no module proxy,
  # no network. Go's compiler always optimizes (-O2 has no Go equivalent).
  (cd "$PEERS/gorilla-hub" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS='' GOPROXY=off \
    GOCACHE="$(cd "$ROOT" && realpath -m "$BUILD_DIR/go-cache")" timeout 600 go build \
    -o "$(cd "$ROOT" && realpath -m "$GORILLA_BIN")" .) >"$WORK/build-gorilla.log" 2>&1
}
for hub in lws gorilla; do
  [[ " $TARGETS " == *" $hub "* ]] || continue
  if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]] && ! "build_${hub}_hub"; then
    tail -20 "$WORK/build-$hub.log" >&2 || true
    log "warning: the $hub hub did not build: it is left out"
    rm -f "$BIN_DIR/$([[ $hub == lws ]] && echo "$LWS_HUB" || echo "$GORILLA_HUB")"
  fi
done
[[ -x "$SAMLING_BIN" ]] || die "$SAMLING_BIN not found"
[[ -x "$LOADGEN_BIN" ]] || die "$LOADGEN_BIN not found"
[[ -x "$RAW_BIN" ]] || HAVE_RAW=0
if [[ "$HAVE_RAW" == 0 ]]; then TARGETS="$(echo " $TARGETS " | sed 's/ raw / /g')"; fi
[[ -x "$LWS_BIN" ]] || TARGETS="$(echo " $TARGETS " | sed 's/ lws / /g')"
[[ -x "$GORILLA_BIN" ]] || TARGETS="$(echo " $TARGETS " | sed 's/ gorilla / /g')"
# The targets of one scenario: the hubs only in HUB_SCENARIOS.
targets_for() {
  local t out=""
  for t in $TARGETS; do
    if [[ "$t" == lws || "$t" == gorilla ]] && [[ " $HUB_SCENARIOS " != *" $1 "* ]]; then continue; fi
    out+="$t "
  done
  echo "$out"
}

# --- Scenarios: load generator arguments (parameters are written into the report too). ---------
# scenario_args SCENARIO [RATE]: RATE is an S2 step's rate (msg/s); without it, S2's is "RATE".
scenario_args() {
  case "$1" in
  S1) echo "--rooms 1 --subscribers 1000 --publishers 1 --rate 100 --size 64 --warmup $WARMUP --duration $DURATION" ;;
  S2) echo "--rooms 1 --subscribers 1000 --publishers 1 --rate ${2:-RATE} --size 64 --warmup $STEP_WARMUP --duration $STEP_DURATION" ;;
  S3) echo "--rooms 20 --subscribers 100 --publishers 1 --rate 50 --size 64 --warmup $WARMUP --duration $DURATION" ;;
  S4) echo "--rooms 1 --subscribers 1000 --publishers 100 --rate 1 --size 64 --warmup $WARMUP --duration $DURATION" ;;
  S8) echo "--rooms 1 --subscribers 1000 --publishers 1 --rate 100 --size 64 --warmup $WARMUP --duration $S8_DURATION --drain 10 --stop-reading-fraction 0.01 --stop-reading-mss 1448 --stop-reading-rcvbuf 16384" ;;
  S9) echo "--rooms 1 --subscribers 10000 --publishers 0 --rate 1 --size 64 --warmup 1 --duration $IDLE_DURATION" ;;
  # --duration is S5's time budget (the load generator stops at the end of its phases).
  S5) echo "--rooms 100 --subscribers 1 --publishers 0 --rate 1 --size 64 --warmup 0 --duration 300 --rtt-clients 1,100 --rtt-requests $S5_REQUESTS --rtt-warmup-requests $S5_WARMUP --rtt-kinds ping,post" ;;
  *) die "unknown scenario $1" ;;
  esac
}
scenario_what() {
  case "$1" in
  S1) echo "1 room x 1000 subscribers, 1 publisher at 100 msg/s, 64 B messages" ;;
  S2) echo "saturation rate: S1 with the publisher's rate stepped up until delivered/expected < $S2_MIN_RATIO or p99 > $S2_MAX_P99_MS ms" ;;
  S3) echo "20 rooms x 100 subscribers, 1 publisher per room at 50 msg/s, 64 B (100,000 offered deliveries/s, as S1)" ;;
  S4) echo "1 room x 1000 subscribers, 100 of them publishing at 1 msg/s each, 64 B (100,000 offered deliveries/s, as S1)" ;;
  S8) echo "S1 with 1 % of the subscribers (10) no longer reading after the warm-up" ;;
  S9) echo "10,000 idle connections (each joined to one room, no publisher): server RSS per connection" ;;
  S5) echo "request/response latency on a quiet server: sequential pings, then sequential posts, from 1 client and from 100 clients at once" ;;
  esac
}
# Notes on a scenario for the report (how it is run).
scenario_notes() {
  case "$1" in
  S2) echo "Ladder $S2_RATES msg/s (1 publisher, 1000 members: deliveries/s = 1000 x rate), then $S2_REFINE bisection step(s) between the highest passed and the lowest failed rate. Each step is one run with a fresh server: $STEP_WARMUP s warm-up, $STEP_DURATION s measured. In each round the targets alternate at every rate; a target stops climbing at its first failed step. A step passes when delivered/expected >= $S2_MIN_RATIO and p99 <= $S2_MAX_P99_MS ms (and the run had no error); the saturation rate is the highest rate that passed." ;;
  S3) echo "Rates chosen so the offered deliveries equal S1's: 20 rooms x 100 members x 50 msg/s = 100,000/s." ;;
  S4) echo "Every connection is its own user (Samling: a token with its own sub), so each publisher has its own token bucket; 1 msg/s is far below the raised limit." ;;
  S5) echo "100 connections, each its own user (Samling: its own token) and alone in its own room (r1..r100), so a post is delivered to its sender only. Each client sends a request, waits for its reply, sends the next (no pacing timer, no other traffic). Phases in order: 1 client (the first connection) pings, then posts; then all 100 ping concurrently, then all 100 post; every phase starts when the previous one has finished. Requests per client: $S5_WARMUP unmeasured, then $S5_REQUESTS measured (1 client, 100 clients). Round trip: Samling's {id, type: ping} to its ack, and its post to the post's ack (its message event to the sender is ignored); the peers' {type: ping, id: N} to {type: pong, id: N}, and a post to the sender's own message coming back (matched by a counter in the text); socket.io: the events ping/pong and post/message. Samling's per-user bucket (60,000/min, burst 1,000) holds every client's posts: warm-up + measured stay below 1,000." ;;
  S8) echo "10 of the 999 pure subscribers (spread over the connections) stop reading at the end of the warm-up: their sockets stay open but are never read again. They connect as slow WAN clients (TCP MSS 1448, SO_RCVBUF 16 KiB) so the server sees a WAN-sized MSS and window, not loopback's 64 KiB MSS; even so the kernel gives each of their server-side sockets a send buffer of about 1 MB (cwnd grows per small packet acked in the warm-up), which fills first: at S1's rate a server's own queue starts growing only after ~35 s, hence the $S8_DURATION s measured period. Latency and delivered/expected are the reading subscribers' only. After the measured period the stopped readers read again (drain up to 10 s): one that then finds its connection closed counts as closed by the server; one that reads up to the last post sent to its room was kept. Samling runs with send queue $S8_QUEUE_MESSAGES messages / $S8_QUEUE_BYTES bytes (its defaults are 256 / 1048576; BENCH_S8_SEND_QUEUE); its own count of 4008 closes is read from its /metrics." ;;
  esac
}
# Samling's send-queue bound for a scenario (the bench raises it except where the bound is tested).
samling_queue() {
  case "$1" in
  S8) echo "$S8_QUEUE_MESSAGES $S8_QUEUE_BYTES" ;;
  *) echo "10000 16777216" ;;
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
file = "$SAMLING_EVENT_FILE"
[media]
enabled = false
dir = "$dir/media"
EOF
    SAMLING_AUTH_KEY_ID="$BENCH_KEY_ID" SAMLING_AUTH_SECRET="$BENCH_SECRET" \
      SAMLING_ROOMS_RATE_PER_MINUTE=60000 SAMLING_ROOMS_RATE_BURST=1000 \
      SAMLING_WS_SEND_QUEUE_MESSAGES="$QUEUE_MESSAGES" SAMLING_WS_SEND_QUEUE_BYTES="$QUEUE_BYTES" \
      SAMLING_LOG_ACCESS_LOG=false \
      "$SAMLING_BIN" serve --config "$dir/samling.toml" >"$dir/stdout" 2>"$dir/stderr" &
    ;;
  ws) node "$PEERS/ws-server.mjs" --host "$HOST" --port "$port" >"$dir/stdout" 2>"$dir/stderr" & ;;
  socketio) node "$PEERS/socketio-server.mjs" --host "$HOST" --port "$port" >"$dir/stdout" 2>"$dir/stderr" & ;;
  raw) "$RAW_BIN" --port "$port" >"$dir/stdout" 2>"$dir/stderr" & ;;
  lws) "$LWS_BIN" --host "$HOST" --port "$port" >"$dir/stdout" 2>"$dir/stderr" & ;;
  gorilla) "$GORILLA_BIN" --host "$HOST" --port "$port" >"$dir/stdout" 2>"$dir/stderr" & ;;
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
  tail -n 5 "$dir/stdout" "$dir/stderr" >&2 || true
  stop_server
  return 1
}

loadgen_proto_args() {
  case "$1" in
  samling) echo "--proto samling --secret $BENCH_SECRET --key-id $BENCH_KEY_ID --event $SAMLING_EVENT" ;;
  ws) echo "--proto ws" ;;
  socketio) echo "--proto socketio" ;;
  raw) echo "--proto $RAW_PROTO" ;;
  lws | gorilla) echo "--proto ws" ;; # the peers' join/post protocol, no subprotocol
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

# run_one SCENARIO TARGET REPEAT ARGS [report.mjs record flags...]: one run with a fresh server;
# appends one JSON line to $RESULTS.
run_no=0
run_one() {
  local scenario="$1" target="$2" repeat="$3" sargs="$4"
  shift 4
  run_no=$((run_no + 1))
  # Skip ports something else listens on (another checkout's bench may be running).
  while [[ -n "$(ss -Hltn "sport = :$((PORT_BASE + run_no))" 2>/dev/null)" ]]; do run_no=$((run_no + 1)); done
  local port=$((PORT_BASE + run_no))
  local tag="$scenario-$target-$repeat${S2_TAG:-}"
  log "$scenario round $repeat/$REPEATS${S2_TAG:+ step ${S2_TAG#-} msg/s}: $target on port $port"
  read -r QUEUE_MESSAGES QUEUE_BYTES <<<"$(samling_queue "$scenario")"
  if ! start_server "$target" "$port"; then
    node "$PEERS/report.mjs" record --scenario "$scenario" --target "$target" --repeat "$repeat" \
      "$@" --error "server did not start" </dev/null >>"$RESULTS"
    return 0
  fi
  local out="$RESULTS_DIR/$tag.out"
  # connect (<= 20 s) + warm-up + measured + drain (<= 3 s) + the load generator's own slack (30 s)
  local limit
  limit="$(awk -v a="$sargs" 'BEGIN { n = split(a, f, " "); t = 90
    for (i = 1; i < n; i++) if (f[i] == "--warmup" || f[i] == "--duration") t += f[i + 1]
    printf "%d", t }')"
  set +e
  # shellcheck disable=SC2046,SC2086 # word splitting of the argument lists is intended
  timeout --kill-after=10 "$limit" "$LOADGEN_BIN" $(loadgen_proto_args "$target") \
    --host "$HOST" --port "$port" $sargs ${BENCH_LOADGEN_ARGS:-} --server-pid "$SERVER_PID" \
    >"$out" 2>"$RESULTS_DIR/$tag.err"
  local rc=$?
  set -e
  local alive=1
  kill -0 "$SERVER_PID" 2>/dev/null || alive=0
  # Samling counts the sessions it closed as slow consumers (4008) on /metrics.
  local extra=()
  if [[ "$target" == samling && "$alive" == 1 ]]; then
    local closes
    closes="$(curl -s --max-time 3 "http://$HOST:$port/metrics" |
      awk '$1 == "samling_ws_slow_consumer_closes_total" { print $2 }' || true)"
    if [[ -n "$closes" ]]; then extra+=(--set "server_slow_consumer_closes=$closes"); fi
  fi
  stop_server
  local err=""
  ((rc == 0)) || err="loadgen exit $rc"
  ((alive == 1)) || err="${err:+$err; }server died during the run"
  node "$PEERS/report.mjs" record --scenario "$scenario" --target "$target" --repeat "$repeat" \
    --base-rss-kb "${BASE_RSS_KB:-0}" "${extra[@]}" "$@" ${err:+--error "$err"} <"$out" >>"$RESULTS"
  tail -1 "$RESULTS" | cut -c1-400 >&2
}

# One S2 step: a run at RATE; succeeds when the step passed the saturation criteria.
s2_step() { # repeat target rate
  S2_TAG="-$3" run_one S2 "$2" "$1" "$(scenario_args S2 "$3")" --set "step_rate=$3" \
    --pass-ratio "$S2_MIN_RATIO" --pass-p99-ms "$S2_MAX_P99_MS"
  tail -1 "$RESULTS" | node -e 'process.exit(JSON.parse(require("fs").readFileSync(0, "utf8")).step_pass ? 0 : 1)'
}

# S2, one round: the rate ladder with the targets alternating at every rate (a target leaves the
# ladder at its first failed step), then bisection steps between passed and failed rates.
run_s2_round() {
  local repeat="$1" rate target i mid
  declare -A lo=() hi=() climbing=()
  local targets
  targets="$(targets_for S2)"
  for target in $targets; do climbing[$target]=1; done
  for rate in $S2_RATES; do
    for target in $targets; do
      [[ "${climbing[$target]}" == 1 ]] || continue
      if s2_step "$repeat" "$target" "$rate"; then
        lo[$target]=$rate
      else
        hi[$target]=$rate
        climbing[$target]=0
      fi
    done
  done
  for i in $(seq 1 "$S2_REFINE"); do
    for target in $targets; do
      [[ -n "${hi[$target]:-}" ]] || continue
      mid=$(((${lo[$target]:-0} + ${hi[$target]}) / 2))
      ((mid > ${lo[$target]:-0} && mid < ${hi[$target]})) || continue
      if s2_step "$repeat" "$target" "$mid"; then lo[$target]=$mid; else hi[$target]=$mid; fi
    done
  done
}

for scenario in $SCENARIOS; do
  scenario_args "$scenario" >/dev/null # dies on an unknown scenario
  for repeat in $(seq 1 "$REPEATS"); do
    if [[ "$scenario" == S2 ]]; then
      run_s2_round "$repeat"
      continue
    fi
    for target in $(targets_for "$scenario"); do
      run_one "$scenario" "$target" "$repeat" "$(scenario_args "$scenario")"
    done
  done
done

# --- Media: HLS serving vs nginx, relay CPU per destination vs ffmpeg -c copy (media.sh) --------
if [[ "${BENCH_MEDIA:-1}" == 1 ]]; then
  log "media benchmarks (tests/bench/media.sh)"
  BENCH_REPEATS="$REPEATS" BENCH_SKIP_BUILD="${BENCH_SKIP_BUILD:-0}" bash "$ROOT/tests/bench/media.sh" \
    "$RESULTS_DIR/media.jsonl" >/dev/null ||
    log "warning: the media benchmarks failed (see $RESULTS_DIR/media.*)"
fi

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
  echo "\"lws\": \"$(dpkg-query -W -f='${Version}' libwebsockets-dev 2>/dev/null || echo unknown)\","
  echo "\"gorilla\": \"$(dpkg-query -W -f='${Version}' golang-github-gorilla-websocket-dev 2>/dev/null || echo unknown)\","
  echo "\"go\": \"$({ go version 2>/dev/null || echo unknown; } | awk '{print $3}')\","
  echo "\"hub_scenarios\": \"$HUB_SCENARIOS\","
  echo "\"s5_requests\": \"$S5_REQUESTS\", \"s5_warmup\": \"$S5_WARMUP\","
  echo "\"commit\": \"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- server 2>/dev/null || echo '+dirty')\","
  echo "\"quick\": $([[ "${BENCH_QUICK:-0}" == 1 ]] && echo true || echo false),"
  echo "\"repeats\": $REPEATS, \"duration_s\": $DURATION, \"idle_duration_s\": $IDLE_DURATION, \"warmup_s\": $WARMUP,"
  echo "\"step_duration_s\": $STEP_DURATION, \"step_warmup_s\": $STEP_WARMUP, \"s2_rates\": \"$S2_RATES\", \"s2_refine\": $S2_REFINE,"
  echo "\"s2_min_ratio\": $S2_MIN_RATIO, \"s2_max_p99_ms\": $S2_MAX_P99_MS,"
  echo "\"s8_queue_messages\": $S8_QUEUE_MESSAGES, \"s8_queue_bytes\": $S8_QUEUE_BYTES, \"s8_duration_s\": $S8_DURATION,"
  echo "\"targets\": \"$TARGETS\", \"results\": \"$RESULTS\","
  echo "\"scenarios\": {"
  first=1
  for scenario in $SCENARIOS; do
    ((first)) || echo ","
    first=0
    printf '"%s": {"what": "%s", "args": "%s", "notes": "%s"}' "$scenario" "$(scenario_what "$scenario")" \
      "$(scenario_args "$scenario")" "$(scenario_notes "$scenario")"
  done
  echo "}}"
} >"$RESULTS_DIR/machine.json"

node "$PEERS/report.mjs" report --results "$RESULTS" --machine "$RESULTS_DIR/machine.json" \
  >"$RESULTS_DIR/benchmarks.md"
if [[ "$OUT" != "-" ]]; then
  # Sections written by other benchmark scripts (marked "<!-- Written by hand …" under their
  # heading, e.g. the registration rush of tests/bench/registration_rush.sh) are kept: copied
  # from the old file to the end of the new one, heading to the next "## " heading.
  if [[ -f "$OUT" ]]; then
    awk '/^## /{keep=0; head=$0; next} /^<!-- Written by (hand|tests\/bench\/)/{keep=1; print ""; print head; print ""} keep' "$OUT" \
      >>"$RESULTS_DIR/benchmarks.md"
  fi
  cp "$RESULTS_DIR/benchmarks.md" "$OUT"
  log "wrote $OUT"
fi

# --- (f) the vote storm (issue 17): its own script, which replaces its own section of $OUT ---------
if [[ "${BENCH_VOTE_STORM:-1}" == 1 ]]; then
  log "vote storm (tests/bench/vote_storm.sh; BENCH_VOTE_STORM=0 skips it)"
  STORM_OUT="$([[ "$OUT" != "-" ]] && echo "$OUT" || true)" BENCH_BUILD_DIR="$BUILD_DIR" BENCH_BUILD_TYPE=Release \
    bash "$ROOT/tests/bench/vote_storm.sh" || log "warning: the vote storm failed a check (its section says which)"
fi

# --- (g) the press gate (issue 18): its own script, which replaces its own section of $OUT --------
if [[ "${BENCH_PRESS_GATE:-1}" == 1 ]]; then
  log "press gate (tests/bench/press_gate.sh; BENCH_PRESS_GATE=0 skips it)"
  PRESS_OUT="$([[ "$OUT" != "-" ]] && echo "$OUT" || true)" BENCH_BUILD_DIR="$BUILD_DIR" \
    bash "$ROOT/tests/bench/press_gate.sh" || log "warning: the press gate benchmark failed (its output says where)"
fi
log "results in $RESULTS_DIR"
