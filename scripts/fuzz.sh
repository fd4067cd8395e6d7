#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) into build-fuzz/ (or $FUZZ_BUILD_DIR, any
# build configured with -DPHIGUARD_FUZZ=ON) and runs each for N seconds (default 20) from its seed
# corpus under fuzz/corpus/. A crash fails the script and leaves the reproducer in that directory.
# usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
dir=${FUZZ_BUILD_DIR:-build-fuzz}
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPHIGUARD_FUZZ=ON -DBUILD_TESTING=OFF -DPHIGUARD_BENCH=OFF >/dev/null
fi
ninja -C "$dir" --quiet phiguard_fuzzers
for f in "$dir"/fuzz/*_fuzz; do
  name=$(basename "$f")
  corpus=$dir/corpus/$name
  mkdir -p "$corpus"
  cp -n fuzz/corpus/"${name%_fuzz}"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $name for ${secs}s" >&2
  (cd "$dir" && "./fuzz/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
     -print_final_stats=0 "corpus/$name" >"$name.log" 2>&1) || { tail -40 "$dir/$name.log"; exit 1; }
done
echo "fuzz: all targets ran clean" >&2
