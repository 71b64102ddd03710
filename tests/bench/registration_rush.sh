#!/usr/bin/env bash
# Registration rush (issue 16), one command:
#
#   bash tests/bench/registration_rush.sh
#
# Two runs, each on a fresh server (the bench event, tests/bench/bench-event.json) that this
# script starts and stops by its pid:
#   alone  200 attendees chat (loadgen: 1 room x 200 subscribers, 1 publisher at
#          RUSH_CHAT_RATE msg/s) for RUSH_SECONDS s: the chat's p99 without the rush;
#   rush   the same chat, and beside it registration_rush: RUSH_SIGNUPS sign-ups within
#          RUSH_SECONDS s, paced evenly, the last 10 seats raced by 50 clients at once.
# registration_rush checks every sign-up answered (201), none lost or doubled (distinct ids,
# stored rows), seats never oversold (stored registered = capacity, the race seated exactly 10);
# this script then checks every confirmation in the outbox (one per registration, of the right
# kind, none extra); either failing exits non-zero. Prints a Markdown table; the JSON lines are
# kept in $BUILD_DIR/registration-rush/<stamp>/.
#
# Knobs: RUSH_SIGNUPS=1000 RUSH_SECONDS=60 RUSH_CHATTERS=200 RUSH_CHAT_RATE=10
#        BENCH_BUILD_DIR=build-bench BENCH_SKIP_BUILD=1
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
log() { echo "[registration_rush] $*" >&2; }
die() {
  log "$*"
  exit 1
}
BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
CMAKE_BENCH_FLAGS="${BENCH_CMAKE_FLAGS:--DSAMLING_BENCH=ON}"
SIGNUPS="${RUSH_SIGNUPS:-1000}"
SECONDS_BUDGET="${RUSH_SECONDS:-60}"
CHATTERS="${RUSH_CHATTERS:-200}"
CHAT_RATE="${RUSH_CHAT_RATE:-10}"
EVENT=samling-bench
KEY_ID=bench
SECRET="bench-only-secret-not-for-production-0123456789"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT_DIR="$BUILD_DIR/registration-rush/$STAMP"
mkdir -p "$OUT_DIR"
WORK="$OUT_DIR"
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"
trap stop_all_pids EXIT

if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  bench_configure
  for t in samling loadgen registration_rush; do bench_build "$t" || die "build of $t failed"; done
fi
BIN="$BUILD_DIR/bin"

# start_server DIR: a fresh server on a free port; sets SERVER_PID and SERVER_PORT.
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

# run MODE (alone|rush): one run; the loadgen JSON goes to chat-MODE.json, the rush's to rush.json.
run() {
  local mode="$1" dir="$OUT_DIR/$1"
  start_server "$dir"
  "$BIN/loadgen" --proto samling --secret "$SECRET" --key-id "$KEY_ID" --event "$EVENT" \
    --port "$SERVER_PORT" --rooms 1 --subscribers "$CHATTERS" --publishers 1 --rate "$CHAT_RATE" \
    --warmup 3 --duration "$SECONDS_BUDGET" --server-pid "$SERVER_PID" >"$OUT_DIR/chat-$mode.json" 2>"$dir/loadgen.err" &
  local chat=$!
  PIDS+=("$chat")
  local rush_rc=0
  if [[ "$mode" == rush ]]; then
    # The chat's warm-up (connects, joins) first, so the sign-ups fall in its measured window.
    sleep 4
    "$BIN/registration_rush" --port "$SERVER_PORT" --secret "$SECRET" --key-id "$KEY_ID" --event "$EVENT" \
      --signups "$SIGNUPS" --seconds "$((SECONDS_BUDGET - 5))" >"$OUT_DIR/rush.json" || rush_rc=$?
  fi
  wait "$chat" || die "loadgen failed: $(tail -5 "$dir/loadgen.err")"
  forget_pid "$chat"
  stop_pid "$SERVER_PID"
  return "$rush_rc"
}

log "run 1: chat alone ($CHATTERS attendees, ${SECONDS_BUDGET} s)"
run alone
log "run 2: chat with $SIGNUPS sign-ups"
rush_rc=0
run rush || rush_rc=$?

# Every confirmation in the outbox: one registration_confirmed or registration_waitlisted
# message per registration, to its own address, none missing and none twice (read from the
# stopped server's database with Python's sqlite3; the store keeps them in one transaction
# with the registration, so a mismatch is a bug, not a race).
OUTBOX_CHECK="$(/usr/bin/python3 - "$OUT_DIR/rush/samling.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
regs = dict(db.execute("SELECT email, status FROM registrations WHERE status != 'cancelled'").fetchall())
mails = db.execute("SELECT to_address, kind FROM outbox WHERE kind IN "
                   "('registration_confirmed', 'registration_waitlisted')").fetchall()
want = {'registered': 'registration_confirmed', 'waitlisted': 'registration_waitlisted'}
seen = {}
for to, kind in mails:
    seen.setdefault(to, []).append(kind)
missing = [e for e, st in regs.items() if seen.get(e) != [want[st]]]
extra = [to for to in seen if to not in regs]
ok = not missing and not extra
print(f"confirmations={len(mails)} registrations={len(regs)} missing_or_wrong={len(missing)} "
      f"unexpected={len(extra)} ok={'true' if ok else 'false'}")
PY
)" || OUTBOX_CHECK="outbox check failed to run ok=false"
log "outbox: $OUTBOX_CHECK"
[[ "$OUTBOX_CHECK" == *"ok=true"* ]] || rush_rc=1

# field FILE KEY: a value of a one-line JSON object; numbers with one decimal.
field() {
  local v
  v="$(sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" "$1")"
  if [[ "$v" =~ ^-?[0-9.]+([eE][-+]?[0-9]+)?$ && "$v" =~ [.eE] ]]; then awk -v x="$v" 'BEGIN { printf "%.1f", x }'; else echo "$v"; fi
}
{
  echo "| run | chat p50 ms | chat p99 ms | sign-up p50 ms | sign-up p99 ms (all) | paced p99 ms | race p50 / p99 ms | answered | registered | waitlisted | oversold | ok |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  echo "| chat alone | $(field "$OUT_DIR/chat-alone.json" p50_ms) | $(field "$OUT_DIR/chat-alone.json" p99_ms) | | | | | | | | | |"
  echo "| chat + rush | $(field "$OUT_DIR/chat-rush.json" p50_ms) | $(field "$OUT_DIR/chat-rush.json" p99_ms) | $(field "$OUT_DIR/rush.json" signup_p50_ms) | $(field "$OUT_DIR/rush.json" signup_p99_ms) | $(field "$OUT_DIR/rush.json" paced_p99_ms) | $(field "$OUT_DIR/rush.json" race_p50_ms) / $(field "$OUT_DIR/rush.json" race_p99_ms) | $(field "$OUT_DIR/rush.json" answered) | $(field "$OUT_DIR/rush.json" stored_registered) | $(field "$OUT_DIR/rush.json" stored_waitlisted) | $(field "$OUT_DIR/rush.json" oversold) | $(field "$OUT_DIR/rush.json" ok) |"
  echo
  echo "Outbox after the rush: $OUTBOX_CHECK"
} | tee "$OUT_DIR/summary.md"
log "results in $OUT_DIR"
exit "$rush_rc"
