#!/usr/bin/env bash
# The first command of the README: installs what is missing, builds, and runs the server on
# embedded defaults (SQLite under var/, the demo program) with config/samling.toml. Compiles
# only the server binary (and builds the web app); the tests are compiled by deploy/test.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash deploy/build.sh samling
# SAMLING_WERROR is for the build only: the server refuses SAMLING_* variables it does not know.
unset SAMLING_WERROR
echo
echo "run: starting Samling; open the URL printed below (Ctrl-C stops it)"
exec build/bin/samling serve --config config/samling.toml "$@"
