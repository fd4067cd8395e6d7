#!/usr/bin/env bash
# Side-by-side free-text de-identification benchmark: phiguard vs redact-pii, openredaction (npm) and the
# PhysioNet deid.pl, on the PhysioNet gold-standard nursing notes. Prints one markdown table
# (| tool | MB/s | recall | precision |) with footnotes, the date and the machine. See README.md.
#
#   bash bench/peers/bench_text.sh            # from the repo root
#
# env: BENCH_MB   MB (10^6 bytes) of note text for the throughput runs (default 100)
#      PHIGUARD   phiguard binary (default build/cli/phiguard under the repo root)
#      SHARED     shared data/tools folder (default ../shared relative to the repo root)
#      SKIP_DEIDPL=1  skip deid.pl (it takes about a minute and a half on the dev set)
# Progress goes to stderr, the table to stdout. Needs python3, node (npm ci in bench/peers) and perl.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
SHARED=$(realpath -m "${SHARED:-$root/../shared}")
BENCH_MB=${BENCH_MB:-100}
PHIGUARD=$(realpath -m "${PHIGUARD:-$root/build/cli/phiguard}")
SKIP_DEIDPL=${SKIP_DEIDPL:-0}

corpus=$SHARED/data/physionet-deid/dev
id_text=$corpus/id.text
gold=$corpus/id-phi.phrase
deid_dir=$SHARED/tools/peers/deid
for f in "$id_text" "$gold"; do [[ -f $f ]] || { echo "missing $f" >&2; exit 1; }; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/phiguard-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log() { echo "[bench] $*" >&2; }
rows=()
notes=()
# row TOOL MB/S_IN_CALLS MB/S_WHOLE_RUN RECALL PRECISION
row() { rows+=("| $1 | $2 | $3 | $4 | $5 |"); }

# json_get FILE KEY... : print value of a (nested) key of the JSON object on FILE's last non-empty line
json_get() {
  python3 - "$@" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1], encoding='utf-8', errors='replace') if l.strip()]
v = json.loads(lines[-1])
for k in sys.argv[2:]:
    v = v[k]
print(v)
PY
}

# mbps BYTES SECONDS : MB/s (10^6 bytes) with 3 significant digits, no exponent
mbps() {
  python3 -c 'import math,sys; b,s=float(sys.argv[1]),float(sys.argv[2]); x=b/s/1e6 if s>0 else float("inf")
print("inf" if math.isinf(x) else f"{x:.{max(0, 2 - math.floor(math.log10(x))) if x > 0 else 0}f}")' "$1" "$2"
}

# fmt3 VALUE : 3 decimals, or n/a for None
fmt3() { python3 -c 'import sys; v=sys.argv[1]; print("n/a" if v == "None" else f"{float(v):.3f}")' "$1"; }

# score NAME REDACTED.jsonl : run the scorer on the dev set; sets $recall $precision, appends a DateYear note
dateyears=()
score() {
  python3 "$here/score_redaction.py" --json "$tmp/dev.jsonl" "$2" "$gold" > "$tmp/$1.score.json" || return 1
  recall=$(fmt3 "$(json_get "$tmp/$1.score.json" recall)")
  precision=$(fmt3 "$(json_get "$tmp/$1.score.json" precision)")
  dateyears+=("$1 $(json_get "$tmp/$1.score.json" dateyear redacted)/$(json_get "$tmp/$1.score.json" dateyear n)")
}

now() { echo "$EPOCHREALTIME"; }
elapsed() { python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$1" "$2"; }

# ---------------------------------------------------------------------------------------------- inputs
log "building inputs in $tmp"
python3 "$here/to_jsonl.py" "$id_text" -o "$tmp/dev.jsonl" 2> "$tmp/dev.info"
python3 "$here/to_jsonl.py" "$id_text" --repeat-to-mb "$BENCH_MB" -o "$tmp/big.jsonl" 2> "$tmp/big.info"
bytes_of() { sed -n 's/^to_jsonl: \([0-9]*\) notes, \([0-9]*\) bytes of text$/\2/p' "$1"; }
notes_of() { sed -n 's/^to_jsonl: \([0-9]*\) notes, \([0-9]*\) bytes of text$/\1/p' "$1"; }
dev_bytes=$(bytes_of "$tmp/dev.info"); big_bytes=$(bytes_of "$tmp/big.info")
dev_notes=$(notes_of "$tmp/dev.info"); big_notes=$(notes_of "$tmp/big.info")
log "dev set: $dev_notes notes, $dev_bytes bytes; throughput set: $big_notes notes, $big_bytes bytes"

# -------------------------------------------------------------------------------------------- phiguard
bench_phiguard() {
  if [[ ! -x $PHIGUARD ]]; then
    log "phiguard: $PHIGUARD not found"
    row phiguard "not built" "-" "-" "-"
    return 0
  fi
  log "phiguard: throughput on $big_bytes bytes"
  local t0 t1
  t0=$(now)
  "$PHIGUARD" deid text --timing --format jsonl --profile redact --threads 1 \
    -o "$tmp/phiguard.big.jsonl" "$tmp/big.jsonl" > "$tmp/phiguard.big.log" 2>&1 \
    || { tail -5 "$tmp/phiguard.big.log" >&2; return 1; }
  t1=$(now)
  rm -f "$tmp/phiguard.big.jsonl"
  local secs calls
  secs=$(elapsed "$t0" "$t1")
  # "phiguard: timing: detect D s, transform T s, ...": the time in detection and redaction.
  calls=$(sed -n 's/^phiguard: timing: detect \([0-9.]*\) s, transform \([0-9.]*\) s.*/\1 \2/p' \
    "$tmp/phiguard.big.log" | awk '{print $1 + $2}')
  [[ -n $calls ]] || { log "phiguard: no timing line"; return 1; }
  log "phiguard: $secs s wall, $calls s in detection and redaction"
  log "phiguard: accuracy on the dev set"
  "$PHIGUARD" deid text --format jsonl --profile redact --threads 1 -o "$tmp/phiguard.dev.jsonl" \
    "$tmp/dev.jsonl" > "$tmp/phiguard.dev.log" 2>&1 || { tail -5 "$tmp/phiguard.dev.log" >&2; return 1; }
  score phiguard "$tmp/phiguard.dev.jsonl" || return 1
  row phiguard "$(mbps "$big_bytes" "$calls")" "$(mbps "$big_bytes" "$secs")" "$recall" "$precision"
}

# ------------------------------------------------------------------------------------------ node peers
pkg_version() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$here/node_modules/$1/package.json" 2>/dev/null || echo "?"
}

bench_node() {  # bench_node NAME SCRIPT NPM_PACKAGE
  local name=$1 script=$2 pkg=$3
  if ! command -v node > /dev/null; then row "$name" "node not found" "-" "-" "-"; return 0; fi
  if [[ ! -d $here/node_modules/$pkg ]]; then
    log "$name: not installed (run: cd bench/peers && npm ci)"
    row "$name" "not installed" "-" "-" "-"
    return 0
  fi
  log "$name $(pkg_version "$pkg"): throughput on $big_bytes bytes"
  local t0 t1
  t0=$(now)
  node "$here/$script" < "$tmp/big.jsonl" > /dev/null 2> "$tmp/$name.big.err" \
    || { tail -5 "$tmp/$name.big.err" >&2; return 1; }
  t1=$(now)
  local bytes secs wall
  wall=$(elapsed "$t0" "$t1")
  bytes=$(json_get "$tmp/$name.big.err" bytes) && secs=$(json_get "$tmp/$name.big.err" seconds) || return 1
  log "$name: $secs s in redaction calls ($(json_get "$tmp/$name.big.err" loop_seconds) s with JSON and I/O)"
  log "$name: accuracy on the dev set"
  node "$here/$script" < "$tmp/dev.jsonl" > "$tmp/$name.dev.jsonl" 2> "$tmp/$name.dev.err" \
    || { tail -5 "$tmp/$name.dev.err" >&2; return 1; }
  score "$name" "$tmp/$name.dev.jsonl" || return 1
  row "$name $(pkg_version "$pkg")" "$(mbps "$bytes" "$secs")" "$(mbps "$bytes" "$wall")" "$recall" "$precision"
}

# --------------------------------------------------------------------------------------------- deid.pl
bench_deidpl() {
  if [[ $SKIP_DEIDPL == 1 ]]; then row "deid.pl 1.1" "skipped" "-" "-" "-"; return 0; fi
  if ! command -v perl > /dev/null; then row "deid.pl 1.1" "perl not found" "-" "-" "-"; return 0; fi
  if [[ ! -f $deid_dir/run.sh ]]; then row "deid.pl 1.1" "not found" "-" "-" "-"; return 0; fi
  log "deid.pl: dev set only ($dev_bytes bytes; takes a minute or two)"
  # PERL5LIB=. : deid.pl does `require "stat.pm"` from its work dir, and perl >= 5.26 has no "." in @INC.
  PERL5LIB=".${PERL5LIB:+:$PERL5LIB}" bash "$deid_dir/run.sh" "$id_text" "$gold" "$tmp/deidpl" \
    > "$tmp/deidpl.out" 2>&1 || { tail -5 "$tmp/deidpl.out" >&2; return 1; }
  local secs
  secs=$(sed -n 's/^deid\.pl: [0-9]* bytes in \([0-9.]*\) s = .*/\1/p' "$tmp/deidpl.out")
  [[ -n $secs ]] || { log "deid.pl: no timing line in run.sh output"; return 1; }
  log "deid.pl: $secs s wall"
  if [[ -s $tmp/deidpl/id.phi ]] \
    && python3 "$here/deidpl_to_jsonl.py" "$tmp/dev.jsonl" "$tmp/deidpl/id.phi" > "$tmp/deidpl.dev.jsonl" \
    && score deid.pl "$tmp/deidpl.dev.jsonl"; then
    row "deid.pl 1.1 ¹" "-" "$(mbps "$dev_bytes" "$secs")" "$recall" "$precision"
  else  # fall back to the package's own scorer (sensitivity / PPV over its own PHI matching)
    recall=$(sed -n 's/^Sensitivity\/Recall = \([0-9.]*\).*/\1/p' "$tmp/deidpl.out")
    precision=$(sed -n 's/^PPV\/Specificity = \([0-9.]*\).*/\1/p' "$tmp/deidpl.out")
    row "deid.pl 1.1 ¹ ²" "-" "$(mbps "$dev_bytes" "$secs")" "${recall:-?} ²" "${precision:-?} ²"
    notes+=("² deid.pl's own scorer (runStat.pl sensitivity / PPV), not score_redaction.py: its PHI locations could not be converted.")
  fi
  own_recall=$(sed -n 's/^Sensitivity\/Recall = \([0-9.]*\).*/\1/p' "$tmp/deidpl.out")
  own_ppv=$(sed -n 's/^PPV\/Specificity = \([0-9.]*\).*/\1/p' "$tmp/deidpl.out")
  notes+=("¹ deid.pl is measured on the dev set only ($dev_bytes bytes of note text; wall time of \`perl deid.pl\`, dictionary loading included), as it runs at a few tens of kB/s. Accuracy: its detected PHI locations (id.phi) replaced by \`[PHI]\` and scored like the others; its own scorer gives sensitivity ${own_recall:-?}, PPV ${own_ppv:-?}.")
}

bench_phiguard || row phiguard "failed" "-" "-" "-"
bench_node redact-pii redact_pii.js redact-pii || row redact-pii "failed" "-" "-" "-"
bench_node openredaction openredaction.js @openredaction/openredaction || row openredaction "failed" "-" "-" "-"
bench_deidpl || row "deid.pl 1.1" "failed" "-" "-" "-"

# --------------------------------------------------------------------------------------------- report
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
dev_gold=$(python3 "$here/score_redaction.py" --json "$tmp/dev.jsonl" "$tmp/dev.jsonl" "$gold" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["gold_phi"], r["dateyear"]["n"])')
echo
echo "Free-text de-identification, PhysioNet deid gold standard (dev: $dev_notes notes)."
echo "$(date '+%Y-%m-%d %H:%M %Z'); ${cpu:-unknown CPU}, nproc $(nproc); single thread."
echo
echo "| tool | MB/s in detection + redaction | MB/s whole run | recall | precision |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "- MB/s: 10^6 bytes of note text per second, single thread, on $big_notes notes ($big_bytes bytes, the dev notes repeated). In detection + redaction: the time inside detection and redaction only, the same measure for every tool (phiguard: its \`--timing\` report of the detect and transform stages, JSON escaping of the text included; npm peers: their redact/detect calls, as the scripts report it). Whole run: wall time of the whole command (process start, library or lexicon loading, JSON parsing and file I/O included)."
echo "- recall: share of the ${dev_gold% *} gold PHI of the dev set (DateYear excluded) whose letters and digits were all replaced or deleted; precision: share of the tool's changed regions of the original text that overlap a gold PHI span. See bench/peers/README.md."
echo "- bare years (DateYear, kept by Safe Harbor, not in recall) redacted: $(IFS=';'; echo "${dateyears[*]:-none}" | sed 's/;/, /g') (of ${dev_gold#* })."
for n in "${notes[@]}"; do echo "- $n"; done
