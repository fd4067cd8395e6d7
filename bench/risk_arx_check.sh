#!/usr/bin/env bash
# phiguard's optimum vs ARX 3.9.2's on ARX's adult data (9 quasi-identifiers, ARX's hierarchies),
# one configuration per line: every utility metric at k = 5 without suppression, and population
# uniqueness as a privacy model. ARX runs bench/arx/ArxAnonymize.java (compiled against
# ../shared/tools/peers/arx); phiguard runs `build/cli/phiguard risk anonymize`. Prints a
# Markdown table: both transformations, both metric values, whether they agree, and both times
# (ARX: one anonymize() call; phiguard: the search, from --report-json).
# usage: bench/risk_arx_check.sh [BUILD_DIR=build] [CONFIG...]
#   CONFIG: "METRIC K SUPPRESSION [PU_THRESHOLD PU_MODEL POPULATION_SIZE]"
#   ARX_CACHE=DIR keeps ARX's output per configuration there and reuses it (ARX takes minutes
#   with population uniqueness).
set -euo pipefail
build=${1:-build}
shift || true
arx=$(readlink -f ../shared/tools/peers/arx)
data=$(readlink -f ../shared/data/arx-adult)
cp="$arx/arx-3.9.2.jar:$(ls "$arx"/lib/*.jar | tr '\n' ':')"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
javac -nowarn -cp "$cp" -d "$out" bench/arx/ArxAnonymize.java
configs=("$@")
if [ ${#configs[@]} -eq 0 ]; then
  configs=("loss 5 0.0" "discernibility 5 0.0" "aecs 5 0.0" "entropy 5 0.0" "precision 5 0.0"
           "loss 1 0.0 0.01 dankar 318857056" "loss 1 0.0 0.001 pitman 318857056"
           "loss 1 0.0 0.05 zayatz 100000" "loss 5 0.0 0.001 dankar 318857056")
fi
qi=sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| metric | k | supp. | population uniqueness | ARX transformation | ARX value | phiguard transformation | phiguard value | same | ARX ms | phiguard ms |"
echo "|---|---:|---:|---|---|---:|---|---:|---|---:|---:|"
for cfg in "${configs[@]}"; do
  set -- $cfg
  metric=$1 k=$2 supp=$3
  pu=() pu_text="-"
  if [ $# -ge 6 ]; then
    pu=(--population-uniqueness "$4" --uniqueness-model "$5" --population-size "$6")
    pu_text="$4 ($5, N=$6)"
  fi
  cached="${ARX_CACHE:-}/$(echo "$cfg" | tr ' ' '_').txt"
  if [ -n "${ARX_CACHE:-}" ] && [ -s "$cached" ]; then
    cp "$cached" "$out/arx.txt"
  else
    java -Xmx2g -cp "$out:$cp" ArxAnonymize "$data" "$@" > "$out/arx.txt"
    if [ -n "${ARX_CACHE:-}" ]; then mkdir -p "$ARX_CACHE" && cp "$out/arx.txt" "$cached"; fi
  fi
  "$build/cli/phiguard" risk anonymize "$data/adult.csv" --delimiter ';' --qi "$qi" \
    --hierarchy-dir "$data" --k "$k" --suppression "$supp" --metric "$metric" "${pu[@]}" \
    -o "$out/p.csv" --report-json "$out/p.json" > /dev/null
  python3 - "$out" "$metric" "$k" "$supp" "$pu_text" <<'PY'
import json, re, sys
out, metric, k, supp, pu = sys.argv[1:]
text = open(out + "/arx.txt").read()
arx_ms = re.search(r"ms=(\d+)", text).group(1)
m = re.search(r"transformation=(\S+) score=(\S+)", text)
arx_t, arx_v = (m.group(1), float(m.group(2))) if m else ("none", float("nan"))
j = json.load(open(out + "/p.json"))
order = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
         "occupation", "salary-class"]
ours = "[" + ",".join(str(j["transformation"][c]) for c in order) + "]"
value = j["utility"]["value"]
same = "yes" if ours == arx_t else ("tie" if abs(value - arx_v) <= 1e-9 * max(1, abs(arx_v)) else "NO")
print(f"| {metric} | {k} | {float(supp):.0%} | {pu} | {arx_t} | {arx_v:.10g} | {ours} | {value:.10g} | "
      f"{same} | {arx_ms} | {j['search']['milliseconds']:.1f} |")
PY
done
