#!/usr/bin/env bash
# Optimal anonymisation, phiguard vs ARX 3.9.2, on ARX's adult data set in one run: for k = 2, 5,
# 10, 25 without suppression and k = 5 with 2 % suppression (Loss metric), ARX's median
# anonymize() time (5 runs after 2 warm-ups, loading excluded) and phiguard's search time
# (bench/risk_bench.cc, encoding excluded, best of 5 repetitions), with both transformations.
# usage: bench/risk_vs_arx.sh [BUILD_DIR=build]   (run from the repository root; needs Java 17)
set -euo pipefail
build=${1:-build}
arx=../shared/tools/peers/arx/run.sh
data=../shared/data/arx-adult
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$build/bench/risk_bench" --benchmark_filter=BM_AdultOptimalLoss --benchmark_repetitions=5 \
  --benchmark_format=json > "$out/phiguard.json"
for cfg in "2 0.0" "5 0.0" "10 0.0" "25 0.0" "5 0.02"; do
  set -- $cfg
  bash "$arx" "$data" "$2" loss "$1" > "$out/arx_$1_$2.txt"
done

python3 - "$out" <<'PY'
import json, re, sys, os
out = sys.argv[1]
runs = json.load(open(os.path.join(out, "phiguard.json")))["benchmarks"]
best = {}
for b in runs:
    if b.get("run_type") != "iteration":
        continue
    k, supp = re.match(r"BM_AdultOptimalLoss/(\d+)/(\d+)", b["name"]).groups()
    key = (int(k), int(supp) / 1000)
    if key not in best or b["real_time"] < best[key]["real_time"]:
        best[key] = b
print("| k | suppression | ARX transformation | ARX ms (median) | phiguard transformation | phiguard ms (best of 5) | nodes checked | speed-up | same |")
print("|---:|---:|---|---:|---|---:|---:|---:|---|")
for k, supp in [(2, 0.0), (5, 0.0), (10, 0.0), (25, 0.0), (5, 0.02)]:
    text = open(os.path.join(out, f"arx_{k}_{supp}.txt")).read()
    arx_ms = int(re.search(r"median = (\d+)", text).group(1))
    arx_t = re.search(r"Transformation vector[^:]*: (\[[^\]]*\])", text).group(1).replace(" ", "")
    b = best[(k, supp)]
    ms = b["real_time"] if b["time_unit"] == "ms" else b["real_time"] / 1e6
    ours = b["label"].split()[0]
    print(f"| {k} | {supp:.0%} | {arx_t} | {arx_ms} | {ours} | {ms:.1f} | {int(b['nodes_checked'])} | "
          f"{arx_ms / ms:.1f}x | {'yes' if ours == arx_t else 'NO'} |")
PY
