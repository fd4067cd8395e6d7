#!/usr/bin/env bash
# 1 million rows through `phiguard risk analyze` next to ARX 3.9.2's risk estimator on the same
# file (bench/arx/ArxRiskFile.java): wall time, CPU time and peak RSS (GNU time) of each of RUNS runs.
# The data set is generated (fixed seed): age 0-99, sex, 900 ZIP3s, 5 races as quasi-identifiers
# (about 600k classes), a 20-value diagnosis and a 1-30 length of stay as sensitive attributes.
# usage: bench/risk_analyze_bench.sh [ROWS=1000000] [RUNS=3]   (after ninja -C build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
rows=${1:-1000000}
runs=${2:-3}
phiguard="$root/build/cli/phiguard"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
data="$work/data.csv"
python3 - "$rows" "$data" <<'PY'
import random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261201)
races = ["White", "Black", "Asian", "Amer-Indian", "Other"]
with open(path, "w") as f:
    f.write("age,sex,zip3,race,dx,los\n")
    for _ in range(rows):
        f.write(f"{min(99, int(rng.expovariate(1 / 38)))},{rng.choice('FM')},{rng.randrange(100, 1000):03d},"
                f"{rng.choices(races, [60, 13, 6, 1, 20])[0]},D{rng.randrange(20):02d},{rng.randrange(1, 31)}\n")
PY
echo "data: $rows rows, $(du -h "$data" | cut -f1); machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u)"

for i in $(seq "$runs"); do
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$phiguard" risk analyze --qi age,sex,zip3,race \
      --sensitive dx,los --population-size 330000000 -o "$work/r.json" "$data" > "$work/out.txt"
  read -r secs kb user sys < "$work/time"
  echo "phiguard run $i: wall s = $secs, CPU s = $(awk "BEGIN{print $user + $sys}"), peak RSS MiB = $((kb / 1024))"
done
grep -E "equivalence classes|sample uniques|prosecutor risk, average|records at risk|Dankar" "$work/out.txt"

arx=$(readlink -f "$root/../shared/tools/peers/arx")
if [ -f "$arx/arx-3.9.2.jar" ] && command -v javac > /dev/null; then
  cp="$arx/arx-3.9.2.jar:$(ls "$arx"/lib/*.jar | tr '\n' ':')"
  javac -nowarn -cp "$cp" -d "$work" "$here/arx/ArxRiskFile.java"
  for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" java -Xmx8g -cp "$work:$cp" ArxRiskFile "$data" , \
        age,sex,zip3,race 330000000 > "$work/arx.txt"
    read -r secs kb user sys < "$work/time"
    echo "ARX run $i: wall s = $secs, CPU s = $(awk "BEGIN{print $user + $sys}"), peak RSS MiB = $((kb / 1024));" \
         "$(tail -1 "$work/arx.txt")"
  done
  head -1 "$work/arx.txt"
else
  echo "ARX baseline skipped: ../shared/tools/peers/arx or javac missing"
fi
