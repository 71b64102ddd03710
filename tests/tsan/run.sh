#!/usr/bin/env bash
# Builds the server with ThreadSanitizer (its own build directory, compiled once and reused)
# and runs the multi-room chat load against it. Any ThreadSanitizer report fails the test:
# the server exits with 66 (exitcode below) and its stderr carries the report.
set -euo pipefail
src=$1
build=$2
tests=$3
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAMLING_TSAN=ON \
  -DSAMLING_TESTS=OFF >/dev/null
cmake --build "$build" --target samling -j "$(nproc)"
export TSAN_OPTIONS="exitcode=66 second_deadlock_stack=1 suppressions=$src/tests/tsan/suppressions.txt"
SAMLING_TEST_BINARY="$build/bin/samling" exec "$tests" --gtest_filter='chat_load.*'
