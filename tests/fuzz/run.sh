#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-15, its own build directory) and runs each for SECONDS
# (default 30) from its seeds. usage: tests/fuzz/run.sh [SECONDS] [BUILD_DIR]
#   BUILD_DIR defaults to build/fuzz; compiled once and reused.
# Each target works on a temporary copy of tests/fuzz/corpus/<name>/, so the seeds in the
# repository are never modified. A crash, a sanitizer report or a broken property (FUZZ_CHECK)
# fails the run and names the input that caused it (kept in BUILD_DIR/artifacts/<name>/).
# Reproduce one: BUILD_DIR/<name>_fuzz BUILD_DIR/artifacts/<name>/crash-…
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=${1:-30}
build=${2:-$top/build/fuzz}
werror=${SAMLING_WERROR:-OFF}
[ "${CI:-}" = "true" ] && werror=ON

if ! command -v clang++-15 >/dev/null; then
  echo "fuzz: clang++-15 is missing (bash deploy/install-deps.sh installs clang-15 and libfuzzer-15-dev)" >&2
  exit 1
fi
echo "fuzz: building into $build"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-15 -DCMAKE_BUILD_TYPE= \
  -DSAMLING_WERROR="$werror" >/dev/null
cmake --build "$build" -j "$(nproc)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for source in "$here"/*_fuzz.cpp; do
  target=$(basename "$source" .cpp)
  name=${target%_fuzz}
  seeds=$here/corpus/$name
  if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
    echo "fuzz: $name has no seeds: add tests/fuzz/corpus/$name/ with a few valid inputs" >&2
    failed+=("$name")
    continue
  fi
  corpus=$work/$name
  artifacts=$build/artifacts/$name
  mkdir -p "$corpus" "$artifacts"
  cp "$seeds"/* "$corpus"/
  log=$work/$name.log
  echo "fuzz: $name for ${seconds}s"
  # -timeout: one input taking over 10 s is a hang, reported like a crash; -rss_limit_mb: the
  # parsers' memory is bounded, so 2 GiB means a leak or an unbounded allocation.
  status=0
  "$build/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  echo "fuzz: $name: ${execs:-?} executions; ${last:-no progress line}"
  if [ "$status" != 0 ]; then
    echo "fuzz: $name FAILED (exit $status); its output:" >&2
    tail -60 "$log" >&2
    found=$(grep -o "Test unit written to .*" "$log" | sed 's/Test unit written to //' || true)
    echo "fuzz: $name: the input that failed: ${found:-see $artifacts}" >&2
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: every target ran ${seconds}s without a finding"
