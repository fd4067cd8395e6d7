#!/usr/bin/env bash
# Prints ARX 3.9.2's risk figures for the raw adult data (bench/arx/ArxRisk.java), compiled against
# the ARX jar in ../shared/tools/peers/arx.
# usage: bench/arx/run.sh [DATA_DIR=../shared/data/arx-adult] [THRESHOLD=0.2] [POPULATION_SIZES=318857056,100000]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
arx=$(readlink -f "$here/../../../shared/tools/peers/arx")
data=$(readlink -f "${1:-$here/../../../shared/data/arx-adult}")
cp="$arx/arx-3.9.2.jar:$(ls "$arx"/lib/*.jar | tr '\n' ':')"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
javac -nowarn -cp "$cp" -d "$out" "$here/ArxRisk.java"
java -Xmx2g -cp "$out:$cp" ArxRisk "$data" "${2:-0.2}" "${3:-318857056,100000}"
