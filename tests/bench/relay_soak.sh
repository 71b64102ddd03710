#!/usr/bin/env bash
# Relay soak (issue 13, "media that runs all day"): does a server whose destinations keep failing
# stay flat? Not part of CI; it runs for half an hour by default.
#
#   bash tests/bench/relay_soak.sh [RESULTS.csv]
#
# One Samling server with a produced stage (the built-in test source, small encoder settings, so
# the program flows without a sender) and two RTMP destinations:
#   refused   127.0.0.1:<a port nothing listens on>: every attempt is refused, all run long
#   flapping  nginx with the RTMP module (single process), SIGKILLed once a minute and started
#             again BENCH_SOAK_DOWN_SECONDS later on the same port: the destination goes live,
#             loses its platform, retries against a dead port, goes live again
# Every BENCH_SOAK_INTERVAL seconds the server's open descriptors (/proc/PID/fd), threads
# (/proc/PID/task) and VmRSS go to a CSV with the relay attempts and lives so far (counted in
# the server's log); at the end a summary (first, last, max) and a verdict: flat when the last
# sample is within 10 fds, 4 threads and 16 MiB of the sample taken after the first minute
# (the warm-up), else exit status 1.
#
# Knobs (environment):
#   BENCH_SOAK_MINUTES=30          how long (a short run: 2)
#   BENCH_SOAK_INTERVAL=10         seconds between samples
#   BENCH_SOAK_DOWN_SECONDS=20     how long the flapping platform stays down each minute
#   BENCH_SOAK_BACKOFF_INITIAL_MS=100 BENCH_SOAK_BACKOFF_MAX_MS=1000
#                                  the server's relay backoff (fast: many attempts)
#   BENCH_SAMLING_BIN=PATH         use this samling binary as it is (no build), e.g. build/bin/samling
#   BENCH_BUILD_DIR=build-bench    otherwise: configured (Release) and built here
#   BENCH_PORT_BASE=18700          the server's HTTP port; nginx uses the next two
#   BENCH_SOAK_RESULTS=FILE        the CSV (the first argument wins); default
#                                  $BUILD_DIR/bench-results/<stamp>/relay_soak.csv
set -euo pipefail

BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
CMAKE_BENCH_FLAGS="${BENCH_CMAKE_FLAGS:--DSAMLING_BENCH=ON}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

MINUTES="${BENCH_SOAK_MINUTES:-30}"
INTERVAL="${BENCH_SOAK_INTERVAL:-10}"
DOWN_SECONDS="${BENCH_SOAK_DOWN_SECONDS:-20}"
BACKOFF_INITIAL_MS="${BENCH_SOAK_BACKOFF_INITIAL_MS:-100}"
BACKOFF_MAX_MS="${BENCH_SOAK_BACKOFF_MAX_MS:-1000}"
PORT_BASE="${BENCH_PORT_BASE:-18700}"
HOST=127.0.0.1
RTMP_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so
((DOWN_SECONDS > 0 && DOWN_SECONDS < 60)) || { echo "BENCH_SOAK_DOWN_SECONDS: 1..59" >&2; exit 2; }

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="${1:-${BENCH_SOAK_RESULTS:-$BUILD_DIR/bench-results/$STAMP/relay_soak.csv}}"
mkdir -p "$(dirname "$RESULTS")"
RESULTS="$(cd "$(dirname "$RESULTS")" && pwd)/$(basename "$RESULTS")"

log() { printf '[soak %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"

for tool in nginx curl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (deploy/install-deps.sh)"
done
[[ -r "$RTMP_MODULE" ]] || die "$RTMP_MODULE missing (libnginx-mod-rtmp)"

# --- Processes: every one started here is stopped by its pid, also on error or Ctrl-C. ---------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/samling-relay-soak.XXXXXX")"
cleanup() {
  stop_all_pids  # tests/bench/lib.sh
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Build ----------------------------------------------------------------------------------------
if [[ -n "${BENCH_SAMLING_BIN:-}" ]]; then
  SAMLING_BIN="$(cd "$(dirname "$BENCH_SAMLING_BIN")" && pwd)/$(basename "$BENCH_SAMLING_BIN")"
else
  bench_configure
  bench_build samling || die "building samling failed"
  SAMLING_BIN="$ROOT/$BUILD_DIR/bin/samling"
fi
[[ -x "$SAMLING_BIN" ]] || die "$SAMLING_BIN not found"

# --- The flapping platform: nginx-rtmp as one process, so one pid is the whole server ----------
HTTP_PORT="$PORT_BASE"
RTMP_PORT=$((PORT_BASE + 1))
NGINX_HTTP_PORT=$((PORT_BASE + 2))
REFUSED_PORT=9  # discard: nothing listens on 127.0.0.1:9 on a normal machine; checked below
if (exec 3<>"/dev/tcp/$HOST/$REFUSED_PORT") 2>/dev/null; then die "something listens on $HOST:$REFUSED_PORT"; fi
ND="$WORK/nginx"
mkdir -p "$ND/logs" "$ND/tmp"
cat >"$ND/nginx.conf" <<EOF
load_module $RTMP_MODULE;
error_log $ND/logs/error.log warn;
pid $ND/logs/nginx.pid;
events { worker_connections 256; }
rtmp {
  server {
    listen $HOST:$RTMP_PORT;
    chunk_size 4096;
    application live { live on; record off; }
  }
}
http {
  access_log off;
  client_body_temp_path $ND/tmp/body;
  proxy_temp_path $ND/tmp/proxy;
  fastcgi_temp_path $ND/tmp/fastcgi;
  uwsgi_temp_path $ND/tmp/uwsgi;
  scgi_temp_path $ND/tmp/scgi;
  server { listen $HOST:$NGINX_HTTP_PORT; location / { return 204; } }
}
EOF
NGINX_PID=""
start_platform() {
  nginx -p "$ND/" -c "$ND/nginx.conf" -g "daemon off; master_process off;" >>"$ND/logs/nginx.out" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  for _ in $(seq 1 100); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$HOST:$NGINX_HTTP_PORT/" 2>/dev/null)" == 204 ]] && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -5 "$ND/logs/nginx.out" "$ND/logs/error.log" >&2 2>/dev/null || true
  die "nginx did not start"
}
kill_platform() { # a crash: connections reset, no goodbye
  [[ -n "$NGINX_PID" ]] || return 0
  kill -KILL "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  forget_pid "$NGINX_PID"
  NGINX_PID=""
}

# --- The server -----------------------------------------------------------------------------------
SD="$WORK/samling"
mkdir -p "$SD"
cat >"$SD/samling.toml" <<EOF
[server]
listen = "$HOST"
port = $HTTP_PORT
threads = 2
web_root = "$SD/no-web"
[store]
path = "$SD/samling.db"
[log]
level = "info"
access_log = false
[demo]
seed = false
[media]
enabled = true
dir = "$SD/media"
relay_backoff_initial_ms = $BACKOFF_INITIAL_MS
relay_backoff_max_ms = $BACKOFF_MAX_MS

[[stages]]
id = "soak"
name = "Soak"
mode = "produced"
input = "test"
width = 320
height = 180
fps = 15
video_kbps = 400
preset = "ultrafast"
keyframe_seconds = 1
hls_segment_seconds = 2
hls_window_seconds = 20
record = false

[[stages.outputs]]
id = "refused"
name = "Refused"
url = "rtmp://$HOST:$REFUSED_PORT/live"
key = "soak-refused"

[[stages.outputs]]
id = "flapping"
name = "Flapping"
url = "rtmp://$HOST:$RTMP_PORT/live"
key = "soak-flapping"
EOF

start_platform
"$SAMLING_BIN" serve --config "$SD/samling.toml" >"$SD/stdout" 2>"$SD/stderr" &
SAMLING_PID=$!
PIDS+=("$SAMLING_PID")
for _ in $(seq 1 150); do
  grep -q "listening on" "$SD/stdout" 2>/dev/null && break
  kill -0 "$SAMLING_PID" 2>/dev/null || break
  sleep 0.1
done
grep -q "listening on" "$SD/stdout" 2>/dev/null || { tail -20 "$SD/stderr" >&2; die "samling did not start"; }
log "samling pid $SAMLING_PID ($SAMLING_BIN), nginx pid $NGINX_PID; $MINUTES min, a sample every $INTERVAL s -> $RESULTS"

# --- Sampling -------------------------------------------------------------------------------------
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
thread_count() { find "/proc/$1/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
logged() { grep -c "$1" "$SD/stderr" 2>/dev/null || true; }

echo "elapsed_s,fds,threads,rss_kb,platform_up,attempts,lives,failures" >"$RESULTS"
START="$(date +%s)"
END=$((START + MINUTES * 60))
next_sample="$START"
minute_started="$START"
while :; do
  now="$(date +%s)"
  ((now < END)) || break
  kill -0 "$SAMLING_PID" 2>/dev/null || { tail -20 "$SD/stderr" >&2; die "samling exited during the soak"; }
  # The flapping platform: up for (60 - DOWN_SECONDS) s, then killed, then started again.
  in_minute=$(((now - minute_started) % 60))
  if [[ -n "$NGINX_PID" ]] && ((in_minute >= 60 - DOWN_SECONDS)); then
    kill_platform
  elif [[ -z "$NGINX_PID" ]] && ((in_minute < 60 - DOWN_SECONDS)); then
    start_platform
  fi
  if ((now >= next_sample)); then
    printf '%s,%s,%s,%s,%s,%s,%s,%s\n' $((now - START)) "$(fd_count "$SAMLING_PID")" "$(thread_count "$SAMLING_PID")" \
      "$(rss_kb "$SAMLING_PID")" "$([[ -n "$NGINX_PID" ]] && echo 1 || echo 0)" "$(logged relay_connecting)" \
      "$(logged relay_live)" "$(logged relay_retrying)" >>"$RESULTS"
    next_sample=$((next_sample + INTERVAL))
  fi
  sleep 1
done

# --- Summary ---------------------------------------------------------------------------------------
stop_pid "$SAMLING_PID"
kill_platform
log "samling's exit status after SIGTERM: $STOP_RC"
awk -F, -v interval="$INTERVAL" '
  NR == 1 { next }
  {
    n++
    if (n == 1) { f_fd = $2; f_th = $3; f_rss = $4 }
    if ($1 >= 60 && !warm) { warm = 1; w_fd = $2; w_th = $3; w_rss = $4 }
    if ($2 > m_fd) m_fd = $2; if ($3 > m_th) m_th = $3; if ($4 > m_rss) m_rss = $4
    l_t = $1; l_fd = $2; l_th = $3; l_rss = $4; att = $6; lives = $7; fails = $8
  }
  END {
    if (!warm) { w_fd = f_fd; w_th = f_th; w_rss = f_rss }
    printf "samples: %d over %d s (every %d s)\n", n, l_t, interval
    printf "relay attempts: %d, went live: %d, failed attempts: %d\n", att, lives, fails
    printf "%-8s %10s %10s %10s %10s\n", "", "first", "after 60s", "last", "max"
    printf "%-8s %10d %10d %10d %10d\n", "fds", f_fd, w_fd, l_fd, m_fd
    printf "%-8s %10d %10d %10d %10d\n", "threads", f_th, w_th, l_th, m_th
    printf "%-8s %10.1f %10.1f %10.1f %10.1f\n", "RSS MiB", f_rss / 1024, w_rss / 1024, l_rss / 1024, m_rss / 1024
    flat = (l_fd <= w_fd + 10 && l_th <= w_th + 4 && l_rss <= w_rss + 16 * 1024)
    printf "verdict: %s (last vs after 60 s: %+d fds, %+d threads, %+.1f MiB)\n", flat ? "flat" : "GROWING",
      l_fd - w_fd, l_th - w_th, (l_rss - w_rss) / 1024
    exit flat ? 0 : 1
  }' "$RESULTS"
