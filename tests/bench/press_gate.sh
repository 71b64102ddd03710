#!/usr/bin/env bash
# The press gate benchmark (issue 18), one command:
#
#   bash tests/bench/press_gate.sh
#
# Three parts (PRESS_PARTS="micro serve revoke"):
#
# micro   ns per check of what the gate does per request (build-bench/bin/press_gate micro: a
#         timed loop on one thread over press::verify_grant, verify_viewer, the registry's
#         is_revoked / admit_device / count, sign_viewer and rewrite_playlist). The binary links
#         the press module and auth only, no store: a check cannot hide a database round trip.
# serve   gated HLS segments per second, Samling against nginx with secure_link, side by side:
#         the SAME segment files (PRESS_SEGMENTS .ts files of ~PRESS_SEGMENT_KBPS x 2 s, generated
#         once with ffmpeg into build-bench/bench-media/, hard-linked into both servers' trees)
#         (a) by Samling: a stage with visibility "press" (autostart = false: nothing encodes, the
#             files stay as they are); PRESS_VIEWERS grants (press_gate sign, the server's key)
#             each fetch the playlist with ?grant=&device=, and the segment URIs of those
#             playlists, each with its viewer's ?v= token, are the URL set;
#         (b) by nginx (its own process, tests/bench/peers/nginx-secure-link.conf): the same
#             paths with ?md5=&expires= (secure_link_md5 "$secure_link_expires$uri $secret"), one
#             expiry per viewer, as many URLs;
#         both with tests/bench/http_load.cpp (PRESS_CONNECTIONS keep-alive connections, the same
#         warm-up and window), PRESS_ROUNDS rounds, the order alternating (odd rounds Samling
#         first, even rounds nginx first), a fresh server process each run. Before each run the
#         gate is shown to be on: no token → 403, a tampered one → 403 (both servers).
#         Reported: requests/s of each, Samling ÷ nginx per round and the median of the rounds.
# revoke  revocation propagation (tests/bench/press_gate.mjs revoke): PRESS_REVOKE_RUNS grants
#         issued through the API (POST /api/v1/events/{e}/grants, an organizer's join token);
#         each one's viewer fetches segments in a loop and has a WebSocket session (hello with
#         the grant); then POST …/grants/{id}/revoke: the time from its answer to the first
#         refused segment and to the WebSocket's close 4012.
#
# Only 127.0.0.1; every process it starts is stopped by its pid (also on error or Ctrl-C); each
# run is bounded by `timeout`. JSON lines in build-bench/press-gate/<stamp>/results.jsonl, the
# Markdown section beside them (printed); with PRESS_OUT=docs/benchmarks.md it replaces that
# file's "Press gate (issue 18)" section (run.sh keeps the section when it rewrites the file).
#
# Knobs: PRESS_PARTS="micro serve revoke" PRESS_ROUNDS=5 PRESS_DURATION=8 PRESS_WARMUP=2
#        PRESS_CONNECTIONS=200 PRESS_THREADS=1 (http_load's epoll threads) PRESS_VIEWERS=20
#        PRESS_SEGMENTS=8 PRESS_SEGMENT_KBPS=1200 PRESS_TOKEN_SECONDS=120 (Samling's
#        press.segment_token_seconds and nginx's expiry) PRESS_REVOKE_RUNS=5
#        PRESS_NGINX_WORKERS=auto PRESS_SAMLING_THREADS=0 (one per CPU, as nginx's auto)
#        PRESS_PUBLIC_TOO=1 (each round also Samling with the same stage public, the same URLs:
#        no gate, so the gate's own cost shows; not part of the ratio)
#        PRESS_OUT= (empty: print only) BENCH_QUICK=1 (2 rounds of 3 s, 3 revocations)
#        BENCH_BUILD_DIR=build-bench BENCH_SKIP_BUILD=1 BENCH_PORT_BASE=18700
set -euo pipefail

BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
CMAKE_BENCH_FLAGS="${BENCH_CMAKE_FLAGS:--DSAMLING_BENCH=ON}"
BIN_DIR="$BUILD_DIR/bin"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PEERS="$ROOT/tests/bench/peers"

PARTS="${PRESS_PARTS:-micro serve revoke}"
ROUNDS="${PRESS_ROUNDS:-5}"
DURATION="${PRESS_DURATION:-8}"
WARMUP="${PRESS_WARMUP:-2}"
REVOKE_RUNS="${PRESS_REVOKE_RUNS:-5}"
if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  ROUNDS="${PRESS_ROUNDS:-2}"
  DURATION="${PRESS_DURATION:-3}"
  WARMUP="${PRESS_WARMUP:-1}"
  REVOKE_RUNS="${PRESS_REVOKE_RUNS:-3}"
fi
CONNECTIONS="${PRESS_CONNECTIONS:-200}"
LOAD_THREADS="${PRESS_THREADS:-1}"
VIEWERS="${PRESS_VIEWERS:-20}"
SEGMENTS="${PRESS_SEGMENTS:-8}"
SEGMENT_KBPS="${PRESS_SEGMENT_KBPS:-1200}"
TOKEN_SECONDS="${PRESS_TOKEN_SECONDS:-120}"
NGINX_WORKERS="${PRESS_NGINX_WORKERS:-auto}"
PUBLIC_TOO="${PRESS_PUBLIC_TOO:-1}"
SAMLING_THREADS="${PRESS_SAMLING_THREADS:-0}"
OUT="${PRESS_OUT:-}"
PORT_BASE="${BENCH_PORT_BASE:-18700}"
HOST=127.0.0.1
STAGE=press-bench
# The bench event (tests/bench/bench-event.json, seeded as the demo program); the key signs the
# grants here and in the server. Neither leaves the machine; neither is a real secret.
EVENT=samling-bench
EVENT_FILE="$ROOT/tests/bench/bench-event.json"
KEY_ID=bench
SECRET="bench-only-secret-not-for-production-0123456789"
NGINX_SECRET="bench-only-nginx-secure-link-secret"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT_DIR="$ROOT/$BUILD_DIR/press-gate/$STAMP"
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/results.jsonl"
MACHINE="$OUT_DIR/machine.json"
SECTION="$OUT_DIR/section.md"
: >"$RESULTS"
# Scratch files beside the results (same file system as the fixture: hard links work there).
WORK="$OUT_DIR/work"
mkdir -p "$WORK"

log() { printf '[press %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"

for tool in nginx ffmpeg curl node openssl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (deploy/install-deps.sh)"
done

cleanup() {
  stop_all_pids # tests/bench/lib.sh
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Build ----------------------------------------------------------------------------------------
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  bench_configure
  for t in samling http_load; do bench_build "$t" || die "building $t failed"; done
  bench_build press_gate || die "building press_gate failed (it needs the press module, samling_press)"
fi
SAMLING_BIN="$ROOT/$BIN_DIR/samling"
LOAD_BIN="$ROOT/$BIN_DIR/http_load"
PRESS_BIN="$ROOT/$BIN_DIR/press_gate"
for b in "$SAMLING_BIN" "$LOAD_BIN" "$PRESS_BIN"; do [[ -x "$b" ]] || die "$b not found"; done

row() { printf '%s\n' "$1" >>"$RESULTS"; tail -1 "$RESULTS" >&2; }
run_no=0
next_port() { run_no=$((run_no + 1)); PORT=$((PORT_BASE + run_no)); }

# --- The segment files (generated once; encoding is not part of any measurement) -----------------
FIXTURE="$ROOT/$BUILD_DIR/bench-media/press-fixture-${SEGMENT_KBPS}k-$SEGMENTS"
if [[ ! -s "$FIXTURE/index.m3u8" ]]; then
  log "generating $SEGMENTS segments of 2 s at $SEGMENT_KBPS kbit/s into $FIXTURE (once)"
  rm -rf "$FIXTURE.tmp"
  mkdir -p "$FIXTURE.tmp"
  timeout 600 nice -n 5 ffmpeg -hide_banner -nostdin -loglevel error -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -t $((SEGMENTS * 2)) -map 0:v -map 1:a -c:v libx264 -preset veryfast -pix_fmt yuv420p \
    -b:v "${SEGMENT_KBPS}k" -maxrate "${SEGMENT_KBPS}k" -bufsize "${SEGMENT_KBPS}k" -g 60 -keyint_min 60 \
    -sc_threshold 0 -c:a aac -b:a 96k -ac 2 \
    -f hls -hls_time 2 -hls_list_size 0 -hls_playlist_type vod \
    -hls_segment_filename "$FIXTURE.tmp/fixture-%05d.ts" "$FIXTURE.tmp/index.m3u8" ||
    die "ffmpeg could not generate the segments"
  rm -rf "$FIXTURE"
  mv "$FIXTURE.tmp" "$FIXTURE"
fi
SEGMENT_NAMES="$(grep -v '^#' "$FIXTURE/index.m3u8" | grep '\.ts$')"
SEGMENT_COUNT="$(echo "$SEGMENT_NAMES" | wc -l)"
# shellcheck disable=SC2086 # one name per word
SEGMENT_BYTES="$(( $(cd "$FIXTURE" && cat $SEGMENT_NAMES | wc -c) / SEGMENT_COUNT ))"
log "fixture: $SEGMENT_COUNT segments of ~$((SEGMENT_BYTES / 1024)) KiB in $FIXTURE"
# The same inodes under both trees: Samling's media dir (hls/<stage>/) and nginx's root (live/<stage>/).
mkdir -p "$WORK/media/hls/$STAGE" "$WORK/www/live/$STAGE"
for f in $SEGMENT_NAMES index.m3u8; do
  ln "$FIXTURE/$f" "$WORK/media/hls/$STAGE/$f"
  ln "$FIXTURE/$f" "$WORK/www/live/$STAGE/$f"
done

# --- Samling ----------------------------------------------------------------------------------------
# samling_config DIR PORT: the bench event, one press-only stage that never starts (its files are
# the fixture's), the bench key.
samling_config() {
  local dir="$1" port="$2" visibility="${3:-press}"
  mkdir -p "$dir"
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
seed = true
file = "$EVENT_FILE"
[auth]
key_id = "$KEY_ID"
secret = "$SECRET"
dev_tokens = false
[media]
enabled = true
dir = "$WORK/media"
[press]
segment_token_seconds = $TOKEN_SECONDS

[[stages]]
id = "$STAGE"
name = { sv = "Pressbänk", en = "Press bench" }
event = "$EVENT"
visibility = "$visibility"
autostart = false   # nothing encodes: the fixture's files are served as they are
mode = "produced"
input = "test"
EOF
}
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true; }

# samling_run ROUND [public]: one measured run against a fresh Samling; with "public" the same
# stage public (no gate: what the gate costs, for reading the figures), the same URLs.
samling_run() {
  local round="$1" public="${2:-}" dir port base k g status list rc alive e="" gated="" target=samling
  [[ -z "$public" ]] || target=samling-public
  next_port
  port=$PORT
  dir="$WORK/$target-$round"
  base="\"part\": \"serve\", \"round\": $round, \"target\": \"$target\", \"segment_files\": $SEGMENT_COUNT, \"segment_bytes_avg\": $SEGMENT_BYTES, \"viewers\": $VIEWERS"
  samling_config "$dir" "$port" "$([[ -z "$public" ]] && echo press || echo public)"
  log "serve round $round/$ROUNDS: $target on port $port"
  if ! bench_start_samling "$dir" "$port"; then
    row "{$base, \"error\": \"samling did not start\"}"
    return 0
  fi
  "$PRESS_BIN" sign --key-id "$KEY_ID" --secret "$SECRET" --event "$EVENT" --stage "$STAGE" --count "$VIEWERS" \
    >"$dir/grants.txt"
  # Each viewer's playlist (its own grant and device): the segment URIs carry its ?v= token.
  : >"$dir/urls.txt"
  k=0
  while read -r g; do
    k=$((k + 1))
    list="$dir/playlist-$k.m3u8"
    status="$(curl -s -o "$list" -w '%{http_code}' --max-time 5 \
      "http://$HOST:$port/live/$STAGE/index.m3u8?grant=$g&device=bench-device-$(printf '%04d' "$k")" || true)"
    if [[ "$status" != 200 ]]; then
      e="a playlist with a grant: HTTP $status ($(head -c 200 "$list" 2>/dev/null | tr -d '"\n'))"
      break
    fi
    [[ -n "$public" ]] || grep -v '^#' "$list" | grep -q '?v=' || { e="the playlist's segment URIs carry no ?v= token"; break; }
    grep -v '^#' "$list" | grep '\.ts' | sed "s|^|/live/$STAGE/|" >"$dir/urls-$k.txt"
  done <"$dir/grants.txt"
  if [[ -z "$e" ]]; then
    # Interleaved: segment 1 of every viewer, then segment 2, ... (round-robin over connections).
    paste -d '\n' "$dir"/urls-*.txt | grep . >"$dir/urls.txt"
    local one tampered
    one="$(head -1 "$dir/urls.txt")"
    tampered="${one%?}$([[ "${one: -1}" == A ]] && echo B || echo A)"
    [[ -n "$public" ]] || gated="\"no_token_status\": $(http_status "http://$HOST:$port${one%%\?*}"), \"tampered_status\": $(http_status "http://$HOST:$port$tampered"), \"token_status\": $(http_status "http://$HOST:$port$one")"
    set +e
    timeout --kill-after=10 $((WARMUP + DURATION + 60)) "$LOAD_BIN" --host "$HOST" --port "$port" \
      --urls "$dir/urls.txt" --connections "$CONNECTIONS" --threads "$LOAD_THREADS" \
      --warmup "$WARMUP" --duration "$DURATION" --server-pid "$SAMLING_PID" >"$dir/load.out" 2>"$dir/load.err"
    rc=$?
    set -e
    ((rc == 0)) || e="http_load exit $rc"
  fi
  alive=1
  kill -0 "$SAMLING_PID" 2>/dev/null || alive=0
  ((alive == 1)) || e="${e:+$e; }samling died during the run"
  stop_pid "$SAMLING_PID"
  local load
  load="$(tail -1 "$dir/load.out" 2>/dev/null || true)"
  [[ "$load" == "{"* ]] || load="{}"
  [[ -z "$e" ]] || tail -3 "$dir/stderr" >&2 || true
  row "{$base, \"urls\": $(wc -l <"$dir/urls.txt"), \"exit_status\": $STOP_RC${gated:+, $gated}${e:+, \"error\": $(json_str "$e")}, \"load\": $load}"
}

# --- nginx with secure_link --------------------------------------------------------------------------
# secure_link_md5 "$secure_link_expires$uri $secret", as nginx's documentation builds the link.
nginx_md5() { printf '%s' "$1$2 $NGINX_SECRET" | openssl md5 -binary | openssl base64 | tr '+/' '-_' | tr -d '='; }

nginx_run() {
  local round="$1" dir port base k s uri expires rc alive e="" gated="" workers nw
  next_port
  port=$PORT
  dir="$WORK/nginx-$round"
  mkdir -p "$dir/logs" "$dir/tmp"
  base="\"part\": \"serve\", \"round\": $round, \"target\": \"nginx\", \"segment_files\": $SEGMENT_COUNT, \"segment_bytes_avg\": $SEGMENT_BYTES, \"viewers\": $VIEWERS"
  sed -e "s|@WORKERS@|$NGINX_WORKERS|" -e "s|@DIR@|$dir|g" -e "s|@HOST@|$HOST|" -e "s|@PORT@|$port|" \
    -e "s|@ROOT@|$WORK/www|" -e "s|@SECRET@|$NGINX_SECRET|" -e "s|@TOKEN_SECONDS@|$TOKEN_SECONDS|" \
    "$PEERS/nginx-secure-link.conf" >"$dir/nginx.conf"
  # One expiry per viewer (the same count of distinct URLs as Samling's).
  local now
  now="$(date +%s)"
  for ((k = 1; k <= VIEWERS; k++)); do
    expires=$((now + TOKEN_SECONDS + k))
    for s in $SEGMENT_NAMES; do
      uri="/live/$STAGE/$s"
      printf '%s?md5=%s&expires=%s\n' "$uri" "$(nginx_md5 "$expires" "$uri")" "$expires"
    done >"$dir/urls-$k.txt"
  done
  paste -d '\n' "$dir"/urls-*.txt | grep . >"$dir/urls.txt"
  log "serve round $round/$ROUNDS: nginx (secure_link) on port $port"
  if ! start_nginx "$dir" "$dir/nginx.conf" "$port"; then
    row "{$base, \"error\": \"nginx did not start\"}"
    return 0
  fi
  workers="$(nginx_workers "$NGINX_PID")"
  local one tampered expired_uri
  one="$(head -1 "$dir/urls.txt")"
  tampered="${one/md5=/md5=x}"
  expired_uri="/live/$STAGE/$(echo "$SEGMENT_NAMES" | head -1)"
  expired_uri="$expired_uri?md5=$(nginx_md5 $((now - 10)) "$expired_uri")&expires=$((now - 10))"
  gated="\"no_token_status\": $(http_status "http://$HOST:$port${one%%\?*}"), \"tampered_status\": $(http_status "http://$HOST:$port$tampered"), \"expired_status\": $(http_status "http://$HOST:$port$expired_uri"), \"token_status\": $(http_status "http://$HOST:$port$one")"
  set +e
  timeout --kill-after=10 $((WARMUP + DURATION + 60)) "$LOAD_BIN" --host "$HOST" --port "$port" \
    --urls "$dir/urls.txt" --connections "$CONNECTIONS" --threads "$LOAD_THREADS" \
    --warmup "$WARMUP" --duration "$DURATION" --server-pid "$NGINX_PID${workers:+,$workers}" >"$dir/load.out" 2>"$dir/load.err"
  rc=$?
  set -e
  ((rc == 0)) || e="http_load exit $rc"
  alive=1
  kill -0 "$NGINX_PID" 2>/dev/null || alive=0
  ((alive == 1)) || e="${e:+$e; }nginx died during the run"
  stop_pid "$NGINX_PID"
  nw="$(echo "$workers" | tr ',' '\n' | grep -c . || true)"
  local load
  load="$(tail -1 "$dir/load.out" 2>/dev/null || true)"
  [[ "$load" == "{"* ]] || load="{}"
  row "{$base, \"urls\": $(wc -l <"$dir/urls.txt"), \"nginx_workers\": $nw, $gated${e:+, \"error\": $(json_str "$e")}, \"load\": $load}"
}

# --- Revocation propagation -----------------------------------------------------------------------
revoke_part() {
  local dir port token rc
  next_port
  port=$PORT
  dir="$WORK/revoke"
  samling_config "$dir" "$port"
  log "revoke: $REVOKE_RUNS revocations on samling at port $port"
  bench_start_samling "$dir" "$port" || { row '{"part": "revoke", "error": "samling did not start"}'; return 0; }
  token="$("$SAMLING_BIN" token --config "$dir/samling.toml" --event "$EVENT" --name "Bench press officer" \
    --role organizer --ttl 3600 2>"$dir/token.err")" || { row '{"part": "revoke", "error": "samling token failed"}'; stop_pid "$SAMLING_PID"; return 0; }
  set +e
  timeout --kill-after=5 $((REVOKE_RUNS * 30 + 30)) node "$ROOT/tests/bench/press_gate.mjs" revoke \
    --base "http://$HOST:$port" --event "$EVENT" --stage "$STAGE" --token "$token" --runs "$REVOKE_RUNS" \
    >>"$RESULTS" 2>"$dir/revoke.err"
  rc=$?
  set -e
  ((rc == 0)) || { log "the revocation probe exited with $rc:"; tail -5 "$dir/revoke.err" >&2; }
  stop_pid "$SAMLING_PID"
}

# --- Runs -----------------------------------------------------------------------------------------
read -r TOTAL0 STEAL0 <<<"$(machine_ticks)"
START_ISO="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
log "load average at start: $LOAD0 on $(nproc) CPUs (other work on the machine skews every figure)"
for part in $PARTS; do
  case "$part" in
  micro)
    log "micro: ns per check (press_gate micro)"
    "$PRESS_BIN" micro | sed 's/^{/{"part": "micro", /' >>"$RESULTS"
    ;;
  serve)
    for round in $(seq 1 "$ROUNDS"); do
      if ((round % 2)); then samling_run "$round"; nginx_run "$round"; else nginx_run "$round"; samling_run "$round"; fi
      [[ "$PUBLIC_TOO" != 1 ]] || samling_run "$round" public
    done
    ;;
  revoke) revoke_part ;;
  *) die "unknown part $part (micro, serve, revoke)" ;;
  esac
done
read -r TOTAL1 STEAL1 <<<"$(machine_ticks)"

cat >"$MACHINE" <<EOF
{"start": "$START_ISO", "end": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "nproc": $(nproc),
 "cpu": $(json_str "$({ grep -m1 'model name' /proc/cpuinfo || echo ": unknown"; } | cut -d: -f2- | sed 's/^ *//')"),
 "load_start": $LOAD0, "load_end": $(cut -d' ' -f1 /proc/loadavg), "steal_pct": $(steal_between "$TOTAL0" "$STEAL0" "$TOTAL1" "$STEAL1"),
 "nginx": $(json_str "$(nginx -v 2>&1 | sed 's/^nginx version: nginx\///')"),
 "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- server 2>/dev/null || echo '+dirty')",
 "build": "Release", "quick": $([[ "${BENCH_QUICK:-0}" == 1 ]] && echo true || echo false),
 "rounds": $ROUNDS, "duration_s": $DURATION, "warmup_s": $WARMUP, "connections": $CONNECTIONS, "load_threads": $LOAD_THREADS,
 "viewers": $VIEWERS, "segments": $SEGMENT_COUNT, "segment_bytes_avg": $SEGMENT_BYTES, "segment_kbps": $SEGMENT_KBPS,
 "token_seconds": $TOKEN_SECONDS, "nginx_workers": "$NGINX_WORKERS", "samling_threads": $SAMLING_THREADS,
 "revoke_runs": $REVOKE_RUNS, "parts": "$PARTS", "results": $(json_str "$RESULTS")}
EOF

node "$ROOT/tests/bench/press_gate.mjs" report --results "$RESULTS" --machine "$MACHINE" >"$SECTION"
cat "$SECTION"
if [[ -n "$OUT" ]]; then
  bench_replace_section "$OUT" "Press gate (issue 18)" "$SECTION"
  log "wrote the section into $OUT"
fi
log "results in $RESULTS"
