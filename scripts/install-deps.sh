#!/usr/bin/env bash
# Installs the Debian 12 packages phiguard needs to build and test. Idempotent and quiet when
# everything is already there. Runs apt-get as root (or via sudo when available).
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config clang
  libabsl-dev libssl-dev libvectorscan-dev libre2-dev libsimdjson-dev nlohmann-json3-dev
  libyaml-cpp-dev libcli11-dev libfmt-dev libspdlog-dev libsqlite3-dev libpq-dev postgresql libargon2-dev
  libboost-dev libgtest-dev libgmock-dev libbenchmark-dev
  chromium  # headless: renders the Expert Determination report to PDF (`risk report --pdf`)
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "phiguard: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
rm -f "$log"
