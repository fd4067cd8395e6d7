#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) into build-fuzz/ and runs each for N seconds
# (default 20) from its seed corpus under fuzz/corpus/. A crash fails the script and leaves the
# reproducer in build-fuzz/.
# usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPHIGUARD_FUZZ=ON -DBUILD_TESTING=OFF -DPHIGUARD_BENCH=OFF >/dev/null
fi
ninja -C build-fuzz --quiet phiguard_fuzzers
for f in build-fuzz/fuzz/*_fuzz; do
  name=$(basename "$f")
  corpus=build-fuzz/corpus/$name
  mkdir -p "$corpus"
  cp -n fuzz/corpus/"${name%_fuzz}"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $name for ${secs}s" >&2
  (cd build-fuzz && "./fuzz/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
     -print_final_stats=0 "corpus/$name" >"$name.log" 2>&1) || { tail -40 "build-fuzz/$name.log"; exit 1; }
done
echo "fuzz: all targets ran clean" >&2
