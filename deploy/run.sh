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
# The press side of the demo (issue 18, docs/press-guide.md): the public accreditation form and
# the press office (signed in as the organizer above, or as a press officer).
demo_event=stockholm-tillsammans-2027
echo "run: press: the accreditation form is at #accredit/$demo_event, the press office (signed in) at #press-office/$demo_event"
# A demo journalist's personal press link (the press page: the press meeting's stream and chat,
# seminar C before its embargo ends), issued by `samling press grant` when this build has it.
# A link is signed with auth.secret, which the demo config leaves empty (random per start, so a
# link would die with the next start): the demo then keeps one secret in var/demo-auth-secret
# (created once, readable by this user only) and hands it to the server too.
if build/bin/samling press --help >/dev/null 2>&1; then
  if [[ -z "${SAMLING_AUTH_SECRET:-}" ]]; then
    mkdir -p var
    if [[ ! -s var/demo-auth-secret ]]; then
      (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >var/demo-auth-secret)
    fi
    SAMLING_AUTH_SECRET=$(cat var/demo-auth-secret)
    export SAMLING_AUTH_SECRET
  fi
  # Valid from now for a week (by default a link covers the event's days, which are in 2027).
  press_link=$(build/bin/samling press grant --config config/samling.toml --event "$demo_event" \
    --name "Demo-journalist" --outlet "Demotidningen" --valid-from "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --valid-until "$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)" 2>/dev/null | grep -m1 -o 'http[^ ]*#press=[^ ]*' || true)
  if [[ -n "$press_link" ]]; then
    echo "run: press: a demo journalist's personal link (new each start; revoke it in the press office): $press_link"
  fi
fi
echo "run: starting Samling; open the URL printed below (Ctrl-C stops it)"
exec build/bin/samling serve --config config/samling.toml "$@"
