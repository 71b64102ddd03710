#!/usr/bin/env bash
# Installs what is missing, then builds the server (CMake + Ninja into build/) and the web app
# (Vite into web/dist). Used by deploy/run.sh and deploy/test.sh. Set CI=true (or
# SAMLING_WERROR=ON) to turn warnings into errors.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash deploy/install-deps.sh --web

werror=${SAMLING_WERROR:-OFF}
[ "${CI:-}" = "true" ] && werror=ON
jobs=$(nproc)

echo "build: configuring (build type RelWithDebInfo, warnings as errors: $werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAMLING_WERROR="$werror" >/dev/null
echo "build: compiling the server with $jobs jobs"
cmake --build build -j "$jobs"

echo "build: building the web app"
(cd web && npm run build --silent)
