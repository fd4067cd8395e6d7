#!/usr/bin/env bash
# Configures and builds phiguard into build/ (or $1 with extra CMake args after it). Quiet when
# everything is up to date; prints the compiler output and fails when the build fails.
# usage: scripts/build.sh [BUILD_DIR [CMAKE_ARGS...]]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! ninja -C "$dir" --quiet >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
grep -v '^ninja: no work to do' "$log" || true
