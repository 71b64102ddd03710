#!/usr/bin/env bash
# Samling's media benchmarks against peers (issue 5), standalone or called from run.sh:
#
#   bash tests/bench/media.sh [RESULTS.jsonl]
#
# HLS    segment requests per second over 200 keep-alive HTTP/1.1 connections: Samling serving a
#        running passthrough stage's HLS (/live/<stage>/...), then nginx (sendfile, its own
#        process, -p <tmpdir>) serving a copy of the SAME files under the same paths. The load
#        generator is tests/bench/http_load.cpp.
# RELAY  CPU per passthrough RTMP destination: Samling's CPU with 0 and with N destinations of a
#        stage looping a file ((cpu_N - cpu_0) / N), then N `ffmpeg -re -i <same file> -c copy
#        -f flv rtmp://...` processes (what datarhei Restreamer runs: one ffmpeg per destination),
#        their summed CPU / N. The destination platform is nginx with libnginx-mod-rtmp; the bytes
#        it received per stream (rtmp_stat) prove that both sides deliver.
#
# Every round runs the targets alternately (HLS: samling, nginx; RELAY: samling with 0, samling
# with N, ffmpeg), each with fresh processes this script starts and stops by their pids, only on
# 127.0.0.1. One JSON line per run goes to RESULTS (default
# build-bench/bench-results/<stamp>/media.jsonl), a machine/steal summary beside it
# (<RESULTS without .jsonl>.machine.json), and the markdown section of
# tests/bench/peers/report-media.mjs to <RESULTS without .jsonl>.md (and stdout).
#
# Samling's exit status after SIGTERM is recorded per run (exit_statuses; 0 = a clean shutdown);
# the report counts the runs where it was not 0.
#
# Knobs (environment), in the style of run.sh:
#   BENCH_MEDIA_SCENARIOS="HLS RELAY"
#   BENCH_REPEATS=3               rounds of the alternation
#   BENCH_HLS_DURATION=10         measured seconds per HLS run (BENCH_DURATION if set)
#   BENCH_HLS_WARMUP=2            seconds of load before measuring (BENCH_WARMUP if set)
#   BENCH_HLS_CONNECTIONS=200     concurrent keep-alive viewers
#   BENCH_HLS_THREADS=1           load generator threads (each an epoll loop)
#   BENCH_HLS_SEGMENTS=5          wait until the stage lists this many segments; all listed then
#                                 are the URL set (each requested after one playlist request)
#   BENCH_HLS_MIX=both            both (playlist, segment, playlist, ...), segments or playlists
#                                 only: to see which of the two a difference comes from
#   BENCH_NGINX_WORKERS=auto      nginx worker_processes for HLS (auto = one per CPU, like
#                                 Samling's server.threads = 0)
#   BENCH_SAMLING_THREADS=0       Samling's server.threads (0 = one per CPU)
#   BENCH_HLS_FILES=link          how nginx gets the segments: link (hard links: the very same
#                                 files, inodes and page cache) or copy (cp: new files, laid out
#                                 in the page cache by cp's large writes, which makes every
#                                 sendfile of them cheaper than of the files as the muxer wrote
#                                 them; measured: nginx 45-48 vs 57 us per request)
#   BENCH_RELAY_DESTINATIONS=4    N
#   BENCH_RELAY_DURATION=20       measured seconds per RELAY run
#   BENCH_RELAY_WARMUP=5          seconds after start before measuring (relays connect)
#   BENCH_MEDIA_SIZE=1280x720 BENCH_MEDIA_KBPS=2500 BENCH_MEDIA_SECONDS=60
#                                 the source file (H.264 High, 30 fps, keyframe every 2 s, CBR;
#                                 AAC 128 kbit/s), generated once with ffmpeg into
#                                 build-bench/bench-media/ and reused
#   BENCH_QUICK=1                 a short smoke: 5 s HLS / 8 s relay windows, 1 round
#   BENCH_SKIP_BUILD=1            use build-bench/bin/{samling,http_load} as they are
#   BENCH_BUILD_DIR=build-bench   BENCH_PORT_BASE=18600
#   BENCH_MEDIA_RESULTS=FILE      the results file (the first argument wins)
set -euo pipefail

BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
CMAKE_BENCH_FLAGS="${BENCH_CMAKE_FLAGS:--DSAMLING_BENCH=ON}"
BIN_DIR="$BUILD_DIR/bin"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PEERS="$ROOT/tests/bench/peers"

SCENARIOS="${BENCH_MEDIA_SCENARIOS:-HLS RELAY}"
REPEATS="${BENCH_REPEATS:-3}"
HLS_DURATION="${BENCH_HLS_DURATION:-${BENCH_DURATION:-10}}"
HLS_WARMUP="${BENCH_HLS_WARMUP:-${BENCH_WARMUP:-2}}"
RELAY_DURATION="${BENCH_RELAY_DURATION:-20}"
RELAY_WARMUP="${BENCH_RELAY_WARMUP:-5}"
if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  HLS_DURATION="${BENCH_HLS_DURATION:-5}"
  HLS_WARMUP="${BENCH_HLS_WARMUP:-1}"
  RELAY_DURATION="${BENCH_RELAY_DURATION:-8}"
  RELAY_WARMUP="${BENCH_RELAY_WARMUP:-4}"
  REPEATS="${BENCH_REPEATS:-1}"
fi
CONNECTIONS="${BENCH_HLS_CONNECTIONS:-200}"
LOAD_THREADS="${BENCH_HLS_THREADS:-1}"
MIN_SEGMENTS="${BENCH_HLS_SEGMENTS:-5}"
HLS_MIX="${BENCH_HLS_MIX:-both}"
case "$HLS_MIX" in both | segments | playlists) ;; *) echo "BENCH_HLS_MIX: both, segments or playlists" >&2; exit 2 ;; esac
NGINX_WORKERS="${BENCH_NGINX_WORKERS:-auto}"
SAMLING_THREADS="${BENCH_SAMLING_THREADS:-0}"
HLS_FILES="${BENCH_HLS_FILES:-link}"
case "$HLS_FILES" in link | copy) ;; *) echo "BENCH_HLS_FILES: link or copy" >&2; exit 2 ;; esac
DESTINATIONS="${BENCH_RELAY_DESTINATIONS:-4}"
MEDIA_SIZE="${BENCH_MEDIA_SIZE:-1280x720}"
MEDIA_KBPS="${BENCH_MEDIA_KBPS:-2500}"
MEDIA_SECONDS="${BENCH_MEDIA_SECONDS:-60}"
PORT_BASE="${BENCH_PORT_BASE:-18600}"
HOST=127.0.0.1
STAGE=bench
RTMP_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so
CLK_TCK="$(getconf CLK_TCK)"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="${1:-${BENCH_MEDIA_RESULTS:-$BUILD_DIR/bench-results/$STAMP/media.jsonl}}"
mkdir -p "$(dirname "$RESULTS")"
RESULTS="$(cd "$(dirname "$RESULTS")" && pwd)/$(basename "$RESULTS")"
MACHINE="${RESULTS%.jsonl}.machine.json"
SECTION="${RESULTS%.jsonl}.md"
: >"$RESULTS"

log() { printf '[media %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"

for tool in nginx ffmpeg ffprobe node curl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (deploy/install-deps.sh)"
done

# --- Processes: every one started here is stopped by its pid, also on error or Ctrl-C. ---------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/samling-media-bench.XXXXXX")"
chmod 755 "$WORK"
cleanup() {
  stop_all_pids  # tests/bench/lib.sh
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Build --------------------------------------------------------------------------------------
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  bench_configure
  for t in samling http_load; do
    bench_build "$t" || die "building $t failed"
  done
fi
SAMLING_BIN="$ROOT/$BIN_DIR/samling"
LOAD_BIN="$ROOT/$BIN_DIR/http_load"
[[ -x "$SAMLING_BIN" ]] || die "$SAMLING_BIN not found"
[[ -x "$LOAD_BIN" ]] || die "$LOAD_BIN not found"

# --- The source file (generated once; encoding is not part of any measurement) -----------------
MEDIA_DIR="$ROOT/$BUILD_DIR/bench-media"
SOURCE="$MEDIA_DIR/source-${MEDIA_SIZE}-${MEDIA_KBPS}k-${MEDIA_SECONDS}s.mp4"
if [[ ! -s "$SOURCE" ]]; then
  mkdir -p "$MEDIA_DIR"
  log "generating $SOURCE (once)"
  timeout 1200 nice -n 5 ffmpeg -hide_banner -nostdin -loglevel error -y \
    -f lavfi -i "testsrc2=size=${MEDIA_SIZE}:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -t "$MEDIA_SECONDS" -map 0:v -map 1:a \
    -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
    -b:v "${MEDIA_KBPS}k" -minrate "${MEDIA_KBPS}k" -maxrate "${MEDIA_KBPS}k" -bufsize "${MEDIA_KBPS}k" \
    -x264-params nal-hrd=cbr -g 60 -keyint_min 60 -sc_threshold 0 \
    -c:a aac -b:a 128k -ac 2 -movflags +faststart "$SOURCE.tmp.mp4" ||
    die "ffmpeg could not generate the source file"
  mv "$SOURCE.tmp.mp4" "$SOURCE"
fi
SOURCE_KBPS="$(ffprobe -v error -show_entries format=bit_rate -of default=nw=1:nk=1 "$SOURCE" | awk '{printf "%.0f", $1 / 1000}')"
log "source: $SOURCE ($SOURCE_KBPS kbit/s)"

# --- /proc readers --------------------------------------------------------------------------------
# CPU ticks (utime + stime, all threads) summed over the given pids.
cpu_ticks() {
  local sum=0 pid line rest
  for pid in "$@"; do
    [[ -r "/proc/$pid/stat" ]] || continue
    read -r line <"/proc/$pid/stat" || continue
    rest="${line##*) }"
    # shellcheck disable=SC2086
    set -- $rest
    sum=$((sum + ${12} + ${13}))
  done
  echo "$sum"
}
rss_kb() {
  local sum=0 pid v
  for pid in "$@"; do
    v="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}
thread_count() { find "/proc/$1/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# percent of one core from ticks over seconds
pct() { awk -v t="$1" -v s="$2" -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", (s > 0 ? 100 * t / hz / s : 0) }'; }

# --- Samling --------------------------------------------------------------------------------------
# samling_config DIR PORT OUTPUTS: a stage looping $SOURCE in passthrough, OUTPUTS RTMP destinations
# (keys in BENCH_RELAY_KEY_<i>) at $RTMP_URL.
samling_config() {
  local dir="$1" port="$2" outputs="$3" i
  cat >"$dir/samling.toml" <<EOF
[server]
listen = "$HOST"
port = $port
threads = $SAMLING_THREADS
web_root = "$dir/no-web"
[store]
path = "$dir/samling.db"
[log]
level = "warn"
access_log = false
[demo]
seed = false
[media]
enabled = true
dir = "$dir/media"

[[stages]]
id = "$STAGE"
name = "Bench"
mode = "passthrough"
input = "file"
file = "$SOURCE"
hls_segment_seconds = 2.0
hls_window_seconds = 120.0
record = false
EOF
  for ((i = 1; i <= outputs; i++)); do
    cat >>"$dir/samling.toml" <<EOF

[[stages.outputs]]
id = "d$i"
name = "Destination $i"
url = "$RTMP_URL"
key_env = "BENCH_RELAY_KEY_$i"
EOF
  done
}
# start_samling DIR PORT: sets SAMLING_PID once it listens (tests/bench/lib.sh), with the relay
# destinations' stream keys in its environment.
start_samling() {
  local i
  for ((i = 1; i <= DESTINATIONS; i++)); do export "BENCH_RELAY_KEY_$i=sd$i"; done
  bench_start_samling "$1" "$2"
}
# Segment names listed in a playlist.
playlist_segments() { grep -v '^#' "$1" 2>/dev/null | grep '\.ts$' || true; }
# wait_segments PLAYLIST N SECONDS: until the playlist lists N segments.
wait_segments() {
  local list="$1" want="$2" limit="$3" t0
  t0="$(now_s)"
  while awk -v e="$(elapsed "$t0")" -v l="$limit" 'BEGIN { exit !(e < l) }'; do
    (($(playlist_segments "$list" | wc -l) >= want)) && return 0
    kill -0 "$SAMLING_PID" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}

# --- nginx ------------------------------------------------------------------------------------------
nginx_common() { # DIR: paths nginx -p needs writable
  local d="$1"
  mkdir -p "$d/logs" "$d/tmp"
  cat <<EOF
error_log $d/logs/error.log warn;
pid $d/logs/nginx.pid;
EOF
}
nginx_temp_paths() {
  local d="$1"
  cat <<EOF
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
EOF
}

# --- Rows -------------------------------------------------------------------------------------------
# row JSON-FIELDS [LOADGEN-JSON]: one line into $RESULTS (the load generator's object merged in).
row() {
  local fields="$1" more="${2:-}"
  if [[ -n "$more" && "$more" == "{"* ]]; then
    printf '{%s, %s\n' "$fields" "${more#\{}" >>"$RESULTS"
  else
    printf '{%s}\n' "$fields" >>"$RESULTS"
  fi
  tail -1 "$RESULTS" >&2
}

run_no=0
next_port() { run_no=$((run_no + 1)); PORT=$((PORT_BASE + 3 * run_no)); }

# --- HLS ------------------------------------------------------------------------------------------
hls_round() {
  local repeat="$1" dir port out err list segs n bg0 bg1 t0 m0 m1 threads base
  next_port
  port=$PORT
  dir="$WORK/hls-$repeat"
  mkdir -p "$dir"
  base="\"scenario\": \"HLS\", \"repeat\": $repeat, \"mix\": \"$HLS_MIX\", \"files\": \"$HLS_FILES\", \"source_kbps\": $SOURCE_KBPS"
  log "HLS round $repeat/$REPEATS: samling on port $port"
  samling_config "$dir" "$port" 0
  if ! start_samling "$dir" "$port"; then
    row "$base, \"target\": \"samling\", \"error\": \"samling did not start\""
    return 0
  fi
  list="$dir/media/hls/$STAGE/index.m3u8"
  if ! wait_segments "$list" "$MIN_SEGMENTS" $((MIN_SEGMENTS * 2 * 3 + 30)); then
    row "$base, \"target\": \"samling\", \"error\": \"the stage listed no $MIN_SEGMENTS segments in time\""
    tail -5 "$dir/stdout" "$dir/stderr" >&2 || true
    stop_pid "$SAMLING_PID"
    return 0
  fi
  # The stage's own CPU with no viewers (a passthrough mux to .ts files): subtracted in the report.
  bg0="$(cpu_ticks "$SAMLING_PID")"
  t0="$(now_s)"
  sleep 3
  bg1="$(cpu_ticks "$SAMLING_PID")"
  local bg_pct
  bg_pct="$(pct $((bg1 - bg0)) "$(elapsed "$t0")")"
  # The URL set: every segment listed now, each after one playlist request.
  cp "$list" "$dir/index.m3u8.snapshot"
  segs="$(playlist_segments "$dir/index.m3u8.snapshot")"
  n="$(echo "$segs" | wc -l)"
  mkdir -p "$dir/www/live/$STAGE"
  : >"$dir/urls.txt"
  for s in $segs; do
    if [[ "$HLS_FILES" == link ]]; then
      ln "$dir/media/hls/$STAGE/$s" "$dir/www/live/$STAGE/$s"
    else
      cp "$dir/media/hls/$STAGE/$s" "$dir/www/live/$STAGE/$s"
    fi
    case "$HLS_MIX" in
    segments) printf '/live/%s/%s\n' "$STAGE" "$s" ;;
    playlists) printf '/live/%s/index.m3u8\n' "$STAGE" ;;
    *) printf '/live/%s/index.m3u8\n/live/%s/%s\n' "$STAGE" "$STAGE" "$s" ;;
    esac >>"$dir/urls.txt"
  done
  cp "$dir/index.m3u8.snapshot" "$dir/www/live/$STAGE/index.m3u8"
  local seg_bytes
  # shellcheck disable=SC2086 # one name per word
  seg_bytes="$(cd "$dir/www/live/$STAGE" && cat $segs | wc -c)"
  seg_bytes=$((seg_bytes / n))
  threads="$(thread_count "$SAMLING_PID")"
  out="$dir/samling.out"
  err="$dir/samling.err"
  set +e
  timeout --kill-after=10 $((HLS_WARMUP + HLS_DURATION + 60)) "$LOAD_BIN" --host "$HOST" --port "$port" \
    --urls "$dir/urls.txt" --connections "$CONNECTIONS" --threads "$LOAD_THREADS" \
    --warmup "$HLS_WARMUP" --duration "$HLS_DURATION" --server-pid "$SAMLING_PID" >"$out" 2>"$err"
  local rc=$?
  set -e
  local alive=1
  kill -0 "$SAMLING_PID" 2>/dev/null || alive=0
  local tasks_after
  tasks_after="$(thread_count "$SAMLING_PID")"
  stop_pid "$SAMLING_PID"
  local exit_status=$STOP_RC
  local e=""
  ((rc == 0)) || e="http_load exit $rc"
  ((alive == 1)) || e="${e:+$e; }samling died during the run"
  row "$base, \"target\": \"samling\", \"segment_files\": $n, \"segment_bytes_avg\": $seg_bytes, \"background_cpu_pct\": $bg_pct, \"server_threads\": ${tasks_after:-$threads}, \"network_threads\": $(nproc), \"exit_statuses\": [$exit_status]${e:+, \"error\": $(json_str "$e")}" "$(tail -1 "$out" 2>/dev/null)"

  # nginx on a copy of the same files, same paths.
  next_port
  port=$PORT
  local nd="$dir/nginx"
  mkdir -p "$nd"
  {
    echo "worker_processes $NGINX_WORKERS;"
    nginx_common "$nd"
    cat <<EOF
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
EOF
    nginx_temp_paths "$nd"
    cat <<EOF
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server {
    listen $HOST:$port;
    root $dir/www;
    location ~ \.m3u8\$ { add_header Cache-Control no-cache; }
    location ~ \.ts\$ { add_header Cache-Control "public, max-age=86400, immutable"; }
  }
}
EOF
  } >"$nd/nginx.conf"
  log "HLS round $repeat/$REPEATS: nginx on port $port ($n segments of ~$((seg_bytes / 1024)) KiB, same files)"
  if ! start_nginx "$nd" "$nd/nginx.conf" "$port"; then
    row "$base, \"target\": \"nginx\", \"error\": \"nginx did not start\""
    return 0
  fi
  local workers
  workers="$(nginx_workers "$NGINX_PID")"
  out="$dir/nginx.out"
  set +e
  timeout --kill-after=10 $((HLS_WARMUP + HLS_DURATION + 60)) "$LOAD_BIN" --host "$HOST" --port "$port" \
    --urls "$dir/urls.txt" --connections "$CONNECTIONS" --threads "$LOAD_THREADS" \
    --warmup "$HLS_WARMUP" --duration "$HLS_DURATION" --server-pid "$NGINX_PID${workers:+,$workers}" >"$out" 2>"$dir/nginx.err"
  rc=$?
  set -e
  alive=1
  kill -0 "$NGINX_PID" 2>/dev/null || alive=0
  stop_pid "$NGINX_PID"
  e=""
  ((rc == 0)) || e="http_load exit $rc"
  ((alive == 1)) || e="${e:+$e; }nginx died during the run"
  local nw
  nw="$(echo "${workers}" | tr ',' '\n' | grep -c . || true)"
  row "$base, \"target\": \"nginx\", \"segment_files\": $n, \"segment_bytes_avg\": $seg_bytes, \"background_cpu_pct\": 0, \"nginx_workers\": $nw${e:+, \"error\": $(json_str "$e")}" "$(tail -1 "$out" 2>/dev/null)"
}

# --- RELAY ----------------------------------------------------------------------------------------
# The platform: nginx-rtmp accepting every stream under /live, rtmp_stat over HTTP for the bytes.
start_platform() {
  local d="$1" rport="$2" hport="$3"
  mkdir -p "$d"
  {
    echo "load_module $RTMP_MODULE;"
    nginx_common "$d"
    cat <<EOF
events { worker_connections 1024; }
rtmp {
  server {
    listen $HOST:$rport;
    chunk_size 4096;
    application live {
      live on;
      record off;
    }
  }
}
http {
  access_log off;
EOF
    nginx_temp_paths "$d"
    cat <<EOF
  server {
    listen $HOST:$hport;
    location /stat { rtmp_stat all; }
    location / { return 204; }
  }
}
EOF
  } >"$d/nginx.conf"
  start_nginx "$d" "$d/nginx.conf" "$rport" "$hport" " master_process off;"
  PLATFORM_PID=$NGINX_PID
  STAT_URL="http://$HOST:$hport/stat"
}
# stream_bytes PREFIX: "name bytes_in" per stream whose name starts with PREFIX.
stream_bytes() {
  curl -s --max-time 3 "$STAT_URL" | tr -d '\r' | sed 's/></>\n</g' | awk -v p="$1" '
    /<stream>/ { s = 1; name = "" }
    /<\/stream>/ { s = 0 }
    s && /<name>/ && name == "" { name = $0; gsub(/<\/?name>/, "", name) }
    s && /<bytes_in>/ && index(name, p) == 1 { v = $0; gsub(/<\/?bytes_in>/, "", v); print name, v }'
}
streams_at_least() { (($(stream_bytes "$1" | wc -l) >= $2)); }
# wait_until SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds (false after SECONDS).
wait_until() {
  local limit="$1" t0
  shift
  t0="$(now_s)"
  while awk -v e="$(elapsed "$t0")" -v l="$limit" 'BEGIN { exit !(e < l) }'; do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}
# delivery B0FILE B1FILE SECONDS N: sets DELIVERED_MIN_KBPS, DELIVERED_STREAMS (streams that grew).
delivery() {
  local r
  r="$(awk -v s="$3" 'NR == FNR { b0[$1] = $2; next } { k = 8 * ($2 - b0[$1]) / 1000 / s; n++; if (min == "" || k < min) min = k; if (k > 0) up++ }
    END { printf "%.1f %d", (n ? min : 0), up }' "$1" "$2")"
  DELIVERED_MIN_KBPS="${r% *}"
  DELIVERED_STREAMS="${r#* }"
  if (($(wc -l <"$2") < $4)); then DELIVERED_MIN_KBPS=0; fi
}
# measure_window PIDS...: sleeps RELAY_DURATION; sets WIN_PCT (CPU % of one core), WIN_RSS_KB, WIN_STEAL, WIN_S.
measure_window() {
  local c0 c1 t0 m0 m1
  c0="$(cpu_ticks "$@")"
  m0="$(machine_ticks)"
  t0="$(now_s)"
  sleep "$RELAY_DURATION"
  c1="$(cpu_ticks "$@")"
  m1="$(machine_ticks)"
  WIN_S="$(elapsed "$t0")"
  WIN_PCT="$(pct $((c1 - c0)) "$WIN_S")"
  WIN_RSS_KB="$(rss_kb "$@")"
  # shellcheck disable=SC2086
  WIN_STEAL="$(steal_between $m0 $m1)"
}

relay_round() {
  local repeat="$1" dir rport hport base i
  next_port
  rport=$PORT
  hport=$((PORT + 1))
  dir="$WORK/relay-$repeat"
  mkdir -p "$dir"
  base="\"scenario\": \"RELAY\", \"repeat\": $repeat, \"destinations\": $DESTINATIONS, \"source_kbps\": $SOURCE_KBPS, \"window_s\": $RELAY_DURATION"
  log "RELAY round $repeat/$REPEATS: platform nginx-rtmp on $rport (stat on $hport)"
  if ! start_platform "$dir/platform" "$rport" "$hport"; then
    row "$base, \"target\": \"samling\", \"error\": \"the nginx-rtmp platform did not start\""
    row "$base, \"target\": \"ffmpeg\", \"error\": \"the nginx-rtmp platform did not start\""
    return 0
  fi
  RTMP_URL="rtmp://$HOST:$rport/live"

  # Samling with 0, then with N destinations (fresh processes, same stage).
  local cpu0="" steal0="" rss0="" e="" wrote=0 exits=""
  for outputs in 0 "$DESTINATIONS"; do
    next_port
    local sd="$dir/samling-$outputs"
    mkdir -p "$sd"
    samling_config "$sd" "$PORT" "$outputs"
    log "RELAY round $repeat/$REPEATS: samling with $outputs destination(s)"
    if ! start_samling "$sd" "$PORT"; then
      e="samling did not start"
      break
    fi
    # Live (the first HLS segment listed) and, with destinations, every one publishing; then the
    # warm-up.
    if ! wait_until 30 test -s "$sd/media/hls/$STAGE/index.m3u8"; then
      e="the stage is not live after 30 s (no playlist)"
    elif ((outputs > 0)) && ! wait_until 30 streams_at_least sd "$outputs"; then
      e="not every destination was publishing after 30 s"
    fi
    sleep "$RELAY_WARMUP"
    stream_bytes sd >"$sd/bytes0"
    measure_window "$SAMLING_PID"
    stream_bytes sd >"$sd/bytes1"
    kill -0 "$SAMLING_PID" 2>/dev/null || e="${e:+$e; }samling died during the run"
    local tasks
    tasks="$(thread_count "$SAMLING_PID")"
    stop_pid "$SAMLING_PID"
    exits="${exits:+$exits, }$STOP_RC"
    if ((outputs == 0)); then
      cpu0="$WIN_PCT"
      steal0="$WIN_STEAL"
      rss0="$WIN_RSS_KB"
      [[ -z "$e" ]] || break
    else
      delivery "$sd/bytes0" "$sd/bytes1" "$WIN_S" "$outputs"
      if awk -v k="$DELIVERED_MIN_KBPS" -v s="$SOURCE_KBPS" 'BEGIN { exit !(k < 0.5 * s) }'; then
        e="${e:+$e; }a destination received $DELIVERED_MIN_KBPS kbit/s (source $SOURCE_KBPS): not delivering"
      fi
      wrote=1
      local per
      per="$(awk -v a="$cpu0" -v b="$WIN_PCT" -v n="$outputs" 'BEGIN { printf "%.3f", (b - a) / n }')"
      row "$base, \"target\": \"samling\", \"cpu0_pct\": $cpu0, \"cpuN_pct\": $WIN_PCT, \"cpu_per_destination_pct\": $per, \"rss0_kb\": $rss0, \"rss_kb\": $WIN_RSS_KB, \"rss_per_destination_kb\": $(((WIN_RSS_KB - rss0) / outputs)), \"delivered_min_kbps\": $DELIVERED_MIN_KBPS, \"delivering_streams\": $DELIVERED_STREAMS, \"server_threads\": $tasks, \"exit_statuses\": [$exits], \"steal0_pct\": $steal0, \"steal_pct\": $WIN_STEAL${e:+, \"error\": $(json_str "$e")}"
    fi
  done
  if ((wrote == 0)); then
    row "$base, \"target\": \"samling\", \"error\": $(json_str "$e")"
  fi

  # ffmpeg: one process per destination, each reading the same file at its own pace (-re).
  log "RELAY round $repeat/$REPEATS: $DESTINATIONS x ffmpeg -c copy"
  local fpids=()
  e=""
  for ((i = 1; i <= DESTINATIONS; i++)); do
    ffmpeg -hide_banner -nostdin -loglevel warning -re -stream_loop -1 -i "$SOURCE" -map 0 -c copy \
      -f flv "$RTMP_URL/fd$i" >"$dir/ffmpeg-$i.log" 2>&1 &
    fpids+=($!)
    PIDS+=($!)
  done
  wait_until 30 streams_at_least fd "$DESTINATIONS" || e="not every ffmpeg was publishing after 30 s"
  sleep "$RELAY_WARMUP"
  stream_bytes fd >"$dir/fbytes0"
  measure_window "${fpids[@]}"
  stream_bytes fd >"$dir/fbytes1"
  for p in "${fpids[@]}"; do kill -0 "$p" 2>/dev/null || e="an ffmpeg exited during the run"; done
  for p in "${fpids[@]}"; do stop_pid "$p"; done
  delivery "$dir/fbytes0" "$dir/fbytes1" "$WIN_S" "$DESTINATIONS"
  if awk -v k="$DELIVERED_MIN_KBPS" -v s="$SOURCE_KBPS" 'BEGIN { exit !(k < 0.5 * s) }'; then
    e="${e:+$e; }a destination received $DELIVERED_MIN_KBPS kbit/s (source $SOURCE_KBPS): not delivering"
  fi
  local fper
  fper="$(awk -v b="$WIN_PCT" -v n="$DESTINATIONS" 'BEGIN { printf "%.3f", b / n }')"
  row "$base, \"target\": \"ffmpeg\", \"cpuN_pct\": $WIN_PCT, \"cpu_per_destination_pct\": $fper, \"rss_kb\": $WIN_RSS_KB, \"rss_per_destination_kb\": $((WIN_RSS_KB / DESTINATIONS)), \"delivered_min_kbps\": $DELIVERED_MIN_KBPS, \"delivering_streams\": $DELIVERED_STREAMS, \"processes\": $DESTINATIONS, \"steal_pct\": $WIN_STEAL${e:+, \"error\": $(json_str "$e")}"
  stop_pid "$PLATFORM_PID"
}

# --- Runs, alternating ------------------------------------------------------------------------------
read -r TOTAL0 STEAL0 <<<"$(machine_ticks)"
START_ISO="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
log "load average at start: $LOAD0 on $(nproc) CPUs (other work on the machine skews every figure)"
for scenario in $SCENARIOS; do
  for repeat in $(seq 1 "$REPEATS"); do
    case "$scenario" in
    HLS) hls_round "$repeat" ;;
    RELAY) relay_round "$repeat" ;;
    *) die "unknown scenario $scenario (HLS, RELAY)" ;;
    esac
  done
done
read -r TOTAL1 STEAL1 <<<"$(machine_ticks)"
END_ISO="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD1="$(cut -d' ' -f1 /proc/loadavg)"

# --- Summary and section ---------------------------------------------------------------------------
{
  echo "{"
  echo "\"start\": \"$START_ISO\", \"end\": \"$END_ISO\","
  echo "\"nproc\": $(nproc),"
  echo "\"cpu\": $(json_str "$({ grep -m1 'model name' /proc/cpuinfo || echo ": unknown"; } | cut -d: -f2- | sed 's/^ *//')"),"
  echo "\"kernel\": \"$(uname -sr)\","
  echo "\"load_start\": $LOAD0, \"load_end\": $LOAD1,"
  echo "\"mem_kb\": $(awk '/^MemTotal:/ {print $2}' /proc/meminfo),"
  echo "\"steal_pct\": $(steal_between "$TOTAL0" "$STEAL0" "$TOTAL1" "$STEAL1"),"
  echo "\"nginx\": $(json_str "$(nginx -v 2>&1 | sed 's/^nginx version: nginx\///')"),"
  echo "\"ffmpeg\": $(json_str "$(ffmpeg -hide_banner -version 2>/dev/null | head -1 | awk '{print $3}')"),"
  echo "\"gstreamer\": $(json_str "$(gst-launch-1.0 --version 2>/dev/null | sed -n 2p | awk '{print $2}' || true)"),"
  echo "\"commit\": \"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- server media 2>/dev/null || echo '+dirty')\","
  echo "\"quick\": $([[ "${BENCH_QUICK:-0}" == 1 ]] && echo true || echo false),"
  echo "\"repeats\": $REPEATS, \"scenarios\": \"$SCENARIOS\","
  echo "\"hls\": {\"duration_s\": $HLS_DURATION, \"warmup_s\": $HLS_WARMUP, \"connections\": $CONNECTIONS, \"load_threads\": $LOAD_THREADS, \"min_segments\": $MIN_SEGMENTS, \"mix\": \"$HLS_MIX\", \"segment_s\": 2, \"nginx_workers\": \"$NGINX_WORKERS\", \"samling_threads\": \"server.threads = $SAMLING_THREADS$( ((SAMLING_THREADS == 0)) && echo " (one per CPU: $(nproc))")\"},"
  echo "\"relay\": {\"duration_s\": $RELAY_DURATION, \"warmup_s\": $RELAY_WARMUP, \"destinations\": $DESTINATIONS},"
  echo "\"source\": {\"file\": $(json_str "$(basename "$SOURCE")"), \"size\": \"$MEDIA_SIZE\", \"video_kbps\": $MEDIA_KBPS, \"kbps\": $SOURCE_KBPS, \"seconds\": $MEDIA_SECONDS},"
  echo "\"results\": $(json_str "$RESULTS")"
  echo "}"
} >"$MACHINE"

node "$PEERS/report-media.mjs" --results "$RESULTS" --machine "$MACHINE" >"$SECTION"
cat "$SECTION"
log "results in $RESULTS, summary in $MACHINE, section in $SECTION"
