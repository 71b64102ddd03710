#!/usr/bin/env bash
# Vote storm (issue 17), one command:
#
#   bash tests/bench/vote_storm.sh
#
# STORM_ROUNDS rounds of two runs, each on a fresh server (the bench event, tests/bench/bench-event.json, room r1) that
# this script starts and stops by its pid:
#   alone  STORM_PARTICIPANTS attendees in one room, STORM_CHATTERS of them posting at
#          STORM_CHAT_RATE msg/s each, STORM_QUESTIONS questions asked by a moderator, no votes:
#          the chat's p99 and the server's CPU without the storm;
#   storm  the same, and every participant votes on every question at random times within
#          STORM_SECONDS s (1,000 x 20 = 20,000 votes in 10 s by default).
# vote_storm checks every vote acked exactly once, the final counts (a fresh join's qa snapshot
# and export.json) = participants for every question, and every connection's last `votes` event
# showing them; a failed check exits non-zero. This script adds the chat p99 ratio (storm ÷ alone,
# target ≤ 1.5) and the server CPU per vote (the storm run's server CPU over the measured window
# minus the chat's, from the run alone, over the same window, ÷ votes). Prints a Markdown table;
# with STORM_OUT=docs/benchmarks.md it also replaces that file's "Vote storm (issue 17)" section
# (run.sh keeps the section when it rewrites the file). JSON lines in $BUILD_DIR/vote-storm/<stamp>/.
#
# Knobs: STORM_PARTICIPANTS=1000 STORM_QUESTIONS=20 STORM_SECONDS=10 STORM_CHATTERS=50
#        STORM_CHAT_RATE=1 STORM_WARMUP=3 STORM_THREADS=2 STORM_ROUNDS=1 (pairs alone, storm;
#        the p99 ratio and CPU per vote are the rounds' medians) STORM_OUT= (empty: print only)
#        BENCH_BUILD_DIR=build-bench BENCH_SKIP_BUILD=1 BENCH_BUILD_TYPE=RelWithDebInfo
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
log() { echo "[vote_storm] $*" >&2; }
die() {
  log "$*"
  exit 1
}
BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
CMAKE_BENCH_FLAGS="${BENCH_CMAKE_FLAGS:--DSAMLING_BENCH=ON}"
BUILD_TYPE="${BENCH_BUILD_TYPE:-RelWithDebInfo}"
PARTICIPANTS="${STORM_PARTICIPANTS:-1000}"
QUESTIONS="${STORM_QUESTIONS:-20}"
STORM_S="${STORM_SECONDS:-10}"
CHATTERS="${STORM_CHATTERS:-50}"
CHAT_RATE="${STORM_CHAT_RATE:-1}"
WARMUP="${STORM_WARMUP:-3}"
THREADS="${STORM_THREADS:-2}"
OUT="${STORM_OUT:-}"
ROUNDS="${STORM_ROUNDS:-1}"
EVENT=samling-bench
KEY_ID=bench
SECRET="bench-only-secret-not-for-production-0123456789"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT_DIR="$BUILD_DIR/vote-storm/$STAMP"
mkdir -p "$OUT_DIR"
WORK="$OUT_DIR"
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"
trap stop_all_pids EXIT

# 1,000 participants and the server's own descriptors on one machine: raise the soft limit.
hard_nofile="$(ulimit -Hn)"
want_nofile=8192
[[ "$hard_nofile" != unlimited && "$hard_nofile" -lt "$want_nofile" ]] && want_nofile="$hard_nofile"
ulimit -n "$want_nofile" || log "warning: could not raise ulimit -n to $want_nofile"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  log "configuring $BUILD_DIR ($BUILD_TYPE, $CMAKE_BENCH_FLAGS)"
  # shellcheck disable=SC2086
  timeout 600 cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" $CMAKE_BENCH_FLAGS \
    >"$WORK/cmake.log" 2>&1 || { tail -30 "$WORK/cmake.log" >&2; die "cmake failed"; }
  for t in samling vote_storm; do bench_build "$t" || die "build of $t failed"; done
fi
BIN="$BUILD_DIR/bin"
[[ -x "$BIN/samling" && -x "$BIN/vote_storm" ]] || die "$BIN/samling or $BIN/vote_storm missing"

# start_server DIR: a fresh server on a free port; sets SERVER_PID and SERVER_PORT. Posting
# limits and send queues raised as in run.sh (the benchmark is not about them).
start_server() {
  local dir="$1"
  mkdir -p "$dir"
  cat >"$dir/samling.toml" <<TOML
[server]
listen = "127.0.0.1"
port = 0
web_root = "$dir/no-web"
[store]
path = "$dir/samling.db"
[log]
level = "warn"
access_log = false
[demo]
seed = true
file = "$ROOT/tests/bench/bench-event.json"
[media]
enabled = false
dir = "$dir/media"
TOML
  SAMLING_AUTH_KEY_ID="$KEY_ID" SAMLING_AUTH_SECRET="$SECRET" \
    SAMLING_ROOMS_RATE_PER_MINUTE=60000 SAMLING_ROOMS_RATE_BURST=1000 \
    SAMLING_WS_SEND_QUEUE_MESSAGES=10000 SAMLING_WS_SEND_QUEUE_BYTES=16777216 \
    "$BIN/samling" serve --config "$dir/samling.toml" >"$dir/stdout" 2>"$dir/stderr" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_PORT=""
  for _ in $(seq 1 200); do
    SERVER_PORT="$(sed -n 's#^samling: listening on http://127.0.0.1:\([0-9]*\)/$#\1#p' "$dir/stdout" 2>/dev/null)"
    [[ -n "$SERVER_PORT" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05 # polling the server's stdout for its port, with a 10 s deadline
  done
  cat "$dir/stderr" >&2
  die "the server did not start"
}

# run MODE K (alone|storm, round K): one run on a fresh server; vote_storm's JSON goes to MODE-K.json.
run() {
  local mode="$1" k="$2" dir="$OUT_DIR/$1-$2" rc=0 extra=()
  [[ "$mode" == alone ]] && extra=(--no-storm)
  start_server "$dir"
  timeout $((120 + 3 * STORM_S)) "$BIN/vote_storm" --port "$SERVER_PORT" --secret "$SECRET" --key-id "$KEY_ID" \
    --event "$EVENT" --room r1 --participants "$PARTICIPANTS" --questions "$QUESTIONS" \
    --storm-seconds "$STORM_S" --chatters "$CHATTERS" --chat-rate "$CHAT_RATE" --warmup "$WARMUP" \
    --threads "$THREADS" --server-pid "$SERVER_PID" "${extra[@]}" >"$OUT_DIR/$mode-$k.json" 2>"$dir/vote_storm.err" || rc=$?
  stop_pid "$SERVER_PID"
  [[ "$STOP_RC" == 0 ]] || log "the server of run $mode-$k exited with $STOP_RC"
  [[ -s "$OUT_DIR/$mode-$k.json" ]] || { tail -5 "$dir/vote_storm.err" >&2; die "vote_storm ($mode-$k) printed nothing (exit $rc)"; }
  return "$rc"
}

START_ISO="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
ok_all=yes
for k in $(seq 1 "$ROUNDS"); do
  log "round $k of $ROUNDS: chat alone ($PARTICIPANTS participants, $CHATTERS chatting at $CHAT_RATE msg/s)"
  run alone "$k" || ok_all=no
  log "round $k of $ROUNDS: chat with the storm ($PARTICIPANTS x $QUESTIONS votes within $STORM_S s)"
  run storm "$k" || ok_all=no
done
LOAD1="$(cut -d' ' -f1 /proc/loadavg)"

# field FILE KEY: a value of vote_storm's one-line JSON object.
field() { sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" "$1"; }
f1() { awk -v x="$1" 'BEGIN { if (x == "" || x == "?") print "?"; else printf "%.1f", x }'; }
f2() { awk -v x="$1" 'BEGIN { if (x == "" || x == "?") print "?"; else printf "%.2f", x }'; }
median() { tr ' ' '\n' | grep -v '^$' | grep -v '?' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "?"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { tr ' ' '\n' | grep -v '^$' | grep -v '?' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR > 1) printf " (%.2f–%.2f)", lo, hi }'; }

rows="" ratios="" cpu_nets="" counted="" rate_rows="" worst_ts=0 first_errors=""
for k in $(seq 1 "$ROUNDS"); do
  A="$OUT_DIR/alone-$k.json"
  S="$OUT_DIR/storm-$k.json"
  p99_alone="$(field "$A" chat_p99_ms)"
  p99_storm="$(field "$S" chat_p99_ms)"
  ratios+=" $(awk -v a="$p99_alone" -v b="$p99_storm" 'BEGIN { if (a > 0) printf "%.3f", b / a; else print "?" }')"
  votes="$(field "$S" votes_planned)"
  # The storm's CPU minus the chat's over the same time (the run alone, scaled to the same length).
  cpu_nets+=" $(awk -v s="$(field "$S" server_cpu_until_drained_s)" -v sw="$(field "$S" until_drained_s)" \
    -v a="$(field "$A" server_cpu_window_s)" -v aw="$(field "$A" window_s)" -v v="$votes" \
    'BEGIN { if (v > 0 && aw > 0) printf "%.1f", (s - a / aw * sw) / v * 1e6; else print "?" }')"
  max_ts="$(field "$S" votes_events_per_conn_max_1s_by_ts)"
  [[ -n "$max_ts" && "$max_ts" -gt "$worst_ts" ]] && worst_ts="$max_ts"
  rows+="| $k, chat alone | $(f1 "$(field "$A" chat_p50_ms)") | $(f1 "$p99_alone") | $(field "$A" chat_delivered) / $(field "$A" chat_expected) | | | $(f2 "$(field "$A" server_cpu_window_s)") ($(f1 "$(field "$A" window_s)") s) | $(f2 "$(field "$A" client_cpu_window_s)") | $(field "$A" ok) |"$'\n'
  rows+="| $k, storm | $(f1 "$(field "$S" chat_p50_ms)") | $(f1 "$p99_storm") | $(field "$S" chat_delivered) / $(field "$S" chat_expected) | $(f1 "$(field "$S" vote_ack_p50_ms)") / $(f1 "$(field "$S" vote_ack_p99_ms)") | $max_ts / $(field "$S" votes_events_per_conn_max_1s) / $(f2 "$(field "$S" votes_events_per_conn_mean_per_s)") (gap ≥ $(field "$S" votes_events_min_gap_ms) ms) | $(f2 "$(field "$S" server_cpu_until_drained_s)") ($(f1 "$(field "$S" until_drained_s)") s) | $(f2 "$(field "$S" client_cpu_window_s)") | $(field "$S" ok) |"$'\n'
  one="$(field "$S" votes_acked) of $votes acked, $(field "$S" votes_duplicate_acks) twice, $(field "$S" vote_errors) errors; counts in a fresh join's snapshot $(field "$S" snapshot_min)–$(field "$S" snapshot_max), in export.json $(field "$S" export_min)–$(field "$S" export_max) (HTTP $(field "$S" export_status))"
  # The same outcome in every round is said once.
  if [[ -z "$counted" ]]; then counted="$one"; elif [[ "$counted" != "$one" && "$counted" != *"round "* ]]; then counted="round 1: $counted; round $k: $one"; elif [[ "$counted" == *"round "* || "$counted" != "$one" ]]; then counted+="; round $k: $one"; fi
  for f in "$A" "$S"; do
    e="$(field "$f" first_error | tr -d '"')"
    [[ -n "$e" ]] && first_errors+="$(basename "$f" .json): $e; "
  done
done
ratio="$(f2 "$(echo "$ratios" | median)")"
ratio_met="$(awk -v r="$ratio" 'BEGIN { print (r != "?" && r <= 1.5) ? "yes" : "**no**" }')"
rate_met="$(awk -v m="$worst_ts" 'BEGIN { print (m > 0 && m <= 4) ? "yes" : "**no**" }')"

SECTION="$OUT_DIR/section.md"
{
  echo "## Vote storm (issue 17)"
  echo
  echo "<!-- Written by tests/bench/vote_storm.sh (STORM_OUT=docs/benchmarks.md), not by run.sh: run.sh keeps this section when it rewrites the file. -->"
  echo
  echo "\`bash tests/bench/vote_storm.sh\`: $ROUNDS round(s) of two runs, each on a fresh server (the bench"
  echo "event, room r1, $PARTICIPANTS participants, each its own attendee; $QUESTIONS questions asked by a"
  echo "moderator). **Chat alone**: $CHATTERS of the participants post at $CHAT_RATE msg/s each; every"
  echo "participant measures each message's latency against its intended send time; no votes. **Storm**:"
  echo "the same chat, and every participant votes on every question at random times within $STORM_S s"
  echo "($((PARTICIPANTS * QUESTIONS)) votes). Checks: every vote acked exactly once; the final counts from a fresh"
  echo "join's \`qa\` snapshot and from \`export.json\` = $PARTICIPANTS for every question; every connection's"
  echo "last \`votes\` event shows them. The \`votes\` rate per connection is counted in 1 s windows of"
  echo "the events' own \`ts\` (the server's clock: what its coalescing controls) and of their arrival"
  echo "here (delivery jitter included, so a 5th event 250 ms after the 4th can fall in the same"
  echo "second). Server CPU is utime+stime from \`/proc/PID/stat\` over the measured window (the storm:"
  echo "until every vote was acked and every count seen); CPU per vote subtracts the chat's CPU rate"
  echo "from the run alone. The load generator runs on the same machine (its CPU in the table)."
  echo
  echo "Run of $START_ISO, $(nproc) CPUs ($({ grep -m1 'model name' /proc/cpuinfo || echo ': unknown'; } | cut -d: -f2- | sed 's/^ *//')),"
  echo "load average $LOAD0 before, $LOAD1 after; samling commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $BUILD_TYPE build."
  echo
  echo "| round, run | chat p50 ms | chat p99 ms | chat delivered / expected | vote ack p50 / p99 ms | \`votes\` events per connection: max in 1 s by \`ts\` / by arrival / mean per s | server CPU s (over) | load generator CPU s (measured window) | all checks |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$rows"
  echo
  echo "| target | this run | met |"
  echo "| --- | ---: | :---: |"
  echo "| every vote counted exactly once | $([[ "$counted" == *"round "* ]] || [[ "$ROUNDS" == 1 ]] || echo "every round: ")$counted | $([[ "$ok_all" == yes ]] && echo yes || echo '**no**') |"
  echo "| the audience's \`votes\` events: at most 4 per connection in any 1 s (by \`ts\`) | max $worst_ts | $rate_met |"
  echo "| chat p99 with the storm ≤ 1.5× without (median of the rounds' ratios) | ${ratio}×$(echo "$ratios" | spread) | $ratio_met |"
  echo "| server CPU per vote, net of the chat (reported; median) | $(f1 "$(echo "$cpu_nets" | median)") µs$(echo "$cpu_nets" | spread) | |"
  echo
  [[ -n "$first_errors" ]] && echo "First errors: ${first_errors%; }" && echo
} >"$SECTION"
cat "$SECTION"

# STORM_OUT: replace (or append) this section in the report, leaving the rest as it is.
if [[ -n "$OUT" ]]; then
  bench_replace_section "$OUT" "Vote storm (issue 17)" "$SECTION"
  log "wrote the section into $OUT"
fi
log "results in $OUT_DIR"
[[ "$ok_all" == yes ]]
