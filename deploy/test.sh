#!/usr/bin/env bash
# The second command of the README: the same set-up as deploy/run.sh, but compiling every test
# too, then every test (unit, integration against the real binary, and the browser tests in
# chromium), in parallel.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash deploy/build.sh   # everything: the server and every test
# SAMLING_WERROR is for the build only: the server refuses SAMLING_* variables it does not know.
unset SAMLING_WERROR
echo
echo "test: running every test"
cd build
ctest -j "$(nproc)" --output-on-failure --timeout 300 "$@"
