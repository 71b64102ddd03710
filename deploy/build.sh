#!/usr/bin/env bash
# Installs what is missing, then builds the server (CMake + Ninja into build/) and the web app
# (Vite into web/dist). Used by deploy/run.sh and deploy/test.sh. Set CI=true (or
# SAMLING_WERROR=ON) to turn warnings into errors.
# usage: build.sh [TARGET...]   CMake targets to compile; none = everything (the server and
#                               every test). deploy/run.sh passes `samling`: running needs only
#                               the server binary; the tests are compiled by deploy/test.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash deploy/install-deps.sh --web

werror=${SAMLING_WERROR:-OFF}
[ "${CI:-}" = "true" ] && werror=ON
jobs=$(nproc)
targets=()
for t in "$@"; do targets+=(--target "$t"); done

echo "build: configuring (build type RelWithDebInfo, warnings as errors: $werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAMLING_WERROR="$werror" >/dev/null
if [ $# -gt 0 ]; then
  echo "build: compiling $* with $jobs jobs"
else
  echo "build: compiling the server and the tests with $jobs jobs"
fi
cmake --build build -j "$jobs" "${targets[@]}"

echo "build: building the web app"
(cd web && npm run build --silent)
