#!/usr/bin/env bash
# Installs exactly the Debian packages (and, with --web, the npm packages pinned by
# web/package-lock.json) that Samling needs to build, run and test. Idempotent: only what is
# missing is installed, so a second run is a few dpkg queries.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

# Build: compiler, CMake, Ninja, ccache (makes rebuilds of a clean clone cheap), pkg-config.
# Libraries: Boost 1.81 (Asio, Beast, JSON, URL), OpenSSL 3, SQLite 3, GStreamer 1.22, toml++,
# libsodium (Argon2id password hashes for staff accounts), Howard Hinnant's date/tz on the
# system's tzdata (event time zones), libcurl (SMTP), libqrencode (the projector's QR code).
# Media (docs/streaming.md): GStreamer's plugin sets for SRT, RTMP, MPEG-TS/HLS, x264, AAC
# (libav) and text overlays (the slate, the demo clock).
# Tests: GoogleTest, curl (smoke checks), chromium (browser tests), Node.js + npm (web build),
# nginx with the RTMP module (stands in for YouTube), ffmpeg/ffprobe (stands in for OBS, reads
# recordings back), stunnel4 (an RTMPS ingest with the test's own certificate authority),
# sslscan (checks which TLS suites the server accepts), clang-15 and libFuzzer (the fuzz
# targets in tests/fuzz/; GCC has no libFuzzer), python3-aiosmtpd (a real SMTP server on
# 127.0.0.1 for the e-mail tests), python3-icalendar (parses the calendars the server writes),
# librsvg2-bin and zbar-tools (render the QR code's SVG and decode it back: rsvg-convert, zbarimg).
packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev openssl libsqlite3-dev libsodium-dev
  libhowardhinnant-date-dev tzdata libcurl4-openssl-dev libqrencode-dev
  python3 python3-aiosmtpd python3-icalendar
  librsvg2-bin zbar-tools
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-x gstreamer1.0-tools
  libtomlplusplus-dev
  googletest libgtest-dev
  curl ca-certificates
  chromium fonts-dejavu-core
  nginx libnginx-mod-rtmp ffmpeg stunnel4 sslscan
  clang-15 libfuzzer-15-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js and npm may come from Debian or be present already (e.g. from NodeSource): only
# install Debian's when there is no working node/npm at all.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: these Debian packages are missing: ${missing[*]}" >&2
    echo "install-deps: run this script as root (or: sudo $0) to install them." >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # nginx is only a test peer (each test starts its own on 127.0.0.1): keep Debian from
  # starting the system nginx on port 80 while installing it (policy-rc.d 101 = "do not
  # start"), and from starting it at boot.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
  fi
  status=0
  apt-get install -y -q --no-install-recommends "${missing[@]}" || status=$?
  if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi
  [ "$status" = 0 ] || exit "$status"
  if printf '%s\n' "${missing[@]}" | grep -qx nginx && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
else
  echo "install-deps: all Debian packages present"
fi

if [ "${1:-}" = "--web" ] || [ "${1:-}" = "--all" ]; then
  # The web build tools (Vite 6, TypeScript 5, playwright-core 1.61) run on Node.js 18, Debian
  # 12's own nodejs, and on anything newer.
  # npm ci installs exactly what package-lock.json pins; skip when node_modules matches it.
  cd "$top/web"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "install-deps: installing npm packages from web/package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error
  else
    echo "install-deps: npm packages present"
  fi
fi
