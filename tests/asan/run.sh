#!/usr/bin/env bash
# Builds the server and every unit and integration test with AddressSanitizer and
# UndefinedBehaviorSanitizer (its own build directory, compiled once and reused) and runs them
# all there: the integration tests start this build's server (SAMLING_BINARY is compiled in).
# usage: tests/asan/run.sh SOURCE_DIR BUILD_DIR
# Fails when a test fails, or when any process of the run (a test, or a server it started and
# stopped without looking at its exit status) wrote a sanitizer report: the reports go to
# files (log_path) and are printed here.
set -euo pipefail
src=$1
build=$2
jobs=$(nproc)

# Warnings are the main build's gate (-Werror in CI); GCC's flow analysis on instrumented code
# gives false positives, so this build does not turn them into errors. -O1 -g1 instead of
# -O2 -g: the instrumented build of everything is the longest compile of CI on 2 cores, and
# line tables are all a report needs (file:line in every frame); NDEBUG as in the main build.
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAMLING_ASAN=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DSAMLING_WERROR=OFF >/dev/null
cmake --build "$build" -j "$jobs"

reports=$build/sanitizer-reports
rm -rf "$reports" && mkdir -p "$reports"
# detect_leaks: LeakSanitizer at every exit, our own leaks included; the suppressions name only
# the third-party libraries whose one-time allocations it cannot tell from leaks (see the file).
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:log_path=$reports/asan"
export LSAN_OPTIONS="suppressions=$src/tests/asan/lsan_suppressions.txt:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"

# Left out here, and only here (they run in the main build): the tests that bound the server's
# resident memory. Under AddressSanitizer RSS is mostly its quarantine (freed memory is held
# back, up to 256 MiB, to catch a use after free) and its allocator, which keeps what it freed:
# measured 2026-12-02, +180 to +290 MiB against bounds of 8 to 32 MiB. Each of them runs in
# the main build's ctest.
excluded='^(ws_delivery\.the_closing_paths_repeated_leave_fds_threads_and_memory_where_they_were'
excluded+='|ws_slow_consumer\.a_client_that_stops_reading_is_closed_with_4008_and_memory_stays_bounded'
excluded+='|RecordingDownload\.LargeFileOverTlsStreamsWithFlatMemory'
excluded+='|MediaRelayLeak\.hundreds_of_failed_attempts_leave_fds_threads_and_memory_at_their_baseline'
# And one wall-clock test: a produced stage looping a file must not show the slate, i.e. the
# file's restart at its end must take under input_timeout_ms (700 ms). Instrumented, on a
# loaded 2-core machine, it once took longer (one slate switch; it passed in the run before).
excluded+='|MediaInputs\.a_looping_file_plays_on_past_its_end_in_both_modes)$'

status=0
ctest --test-dir "$build" -L '^(unit|integration)$' -E "$excluded" -j "$jobs" --output-on-failure \
  --timeout 600 || status=$?

# A report fails the run, except LeakSanitizer's own crash ("Tracer caught signal 11 ...
# LeakSanitizer has encountered a fatal error"): its tracer thread died in one process of the
# first clean-clone CI run (2026-12-02), which says nothing about our code and must not fail
# CI; it is printed, so it stays visible.
for f in "$reports"/*; do
  [ -e "$f" ] || continue
  echo "---- $f" >&2
  cat "$f" >&2
  if grep -q 'LeakSanitizer has encountered a fatal error' "$f" &&
     ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer: detected)|runtime error' "$f"; then
    echo "asan: (LeakSanitizer's own crash, not a finding)" >&2
  else
    status=1
  fi
done
exit "$status"
