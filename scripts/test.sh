#!/usr/bin/env bash
# Installs, builds and runs every test: the normal build, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a short run of each libFuzzer target.
# SKIP_SANITIZE=1 / SKIP_FUZZ=1 skip those stages (CI runs them all).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
scripts/build.sh build
ctest_log=$(mktemp)
trap 'rm -f "$ctest_log"' EXIT
ctest --test-dir build --output-on-failure -j"$jobs" | tee "$ctest_log"
passed=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$ctest_log")
# One clang build serves both remaining stages: the tests under ASan+UBSan and the libFuzzer
# targets (every object carries the fuzzer's coverage hooks, which the tests simply ignore).
# Compiling the library once instead of twice keeps CI inside its budget.
if [ "${SKIP_SANITIZE:-0}" != 1 ] || [ "${SKIP_FUZZ:-0}" != 1 ]; then
  if [ ! -f build-san/build.ninja ]; then
    CC=clang CXX=clang++ cmake -S . -B build-san -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DPHIGUARD_SANITIZE=ON -DPHIGUARD_FUZZ=ON -DPHIGUARD_BENCH=OFF >/dev/null
  fi
  scripts/build.sh build-san
fi
if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  # One process per core, each running a shard of the suite: under ASan, a process per test
  # (ctest) spends most of its time loading the lexicons again and again.
  pids=()
  for ((shard = 0; shard < jobs; shard++)); do
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 GTEST_TOTAL_SHARDS=$jobs \
      GTEST_SHARD_INDEX=$shard build-san/tests/phiguard_tests --gtest_brief=1 &
    pids+=($!)
  done
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { echo "phiguard: sanitizer tests failed" >&2; exit 1; }
fi
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  # 11 targets: 8 s each keeps the whole run inside the CI budget; run longer locally.
  FUZZ_BUILD_DIR=build-san scripts/fuzz.sh "${FUZZ_SECONDS:-8}"
fi
# The closing line CI reads: every stage above exits non-zero on any failure (set -e).
echo "phiguard: ${passed:-0} passed, 0 failed"
