#!/usr/bin/env bash
# Quick start: install, build, and de-identify the bundled sample notes (data/samples/) with the
# Safe Harbor profile, printing the result and a summary of what was found.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
echo "== data/samples/note.txt, Safe Harbor profile ==" >&2
build/cli/phiguard deid text --profile safe-harbor data/samples/note.txt
echo "== data/samples/notes.jsonl, pseudonymize profile (keyed pseudonyms, per-patient date shift) ==" >&2
mkdir -p "${PHIGUARD_HOME:-$HOME/.local/share/phiguard}"
key="${PHIGUARD_HOME:-$HOME/.local/share/phiguard}/demo.key"
[ -f "$key" ] || build/cli/phiguard keygen -o "$key" 2>/dev/null
build/cli/phiguard deid text --profile pseudonymize --key-file "$key" data/samples/notes.jsonl
echo "== data/samples/patients.csv, field policy data/samples/patients-policy.yaml ==" >&2
build/cli/phiguard deid csv --policy data/samples/patients-policy.yaml --key-file "$key" data/samples/patients.csv
