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
# The demo's organizer account: created on the first run; every start gives it a new password,
# printed here (the database keeps only its Argon2id hash), so the credentials below always work.
demo_email=arrangor@example.org
account_out=$(build/bin/samling account add --config config/samling.toml --email "$demo_email" \
  --name "Demo-arrangör" --role organizer --event '*' --reset-password)
demo_password=$(printf '%s\n' "$account_out" | sed -n 's/^password: //p')
echo
echo "run: organizer sign-in for the demo: $demo_email / $demo_password"
echo "run: (sign in at the URL printed below + #sign-in, e.g. http://127.0.0.1:8080/#sign-in; the console is at #console)"
echo "run: (signed in, moderate the main stage's questions, polls and chat at #moderate/stockholm-tillsammans-2027/main)"
echo "run: starting Samling; open the URL printed below (Ctrl-C stops it)"
exec build/bin/samling serve --config config/samling.toml "$@"
