#!/usr/bin/env python3
"""Builds phiguard's bundled lexicons (data/lexicons/) from public-domain / permissive sources.

Sources (see ../shared/data/lexicons/README.md): US Census 2010 surnames, SSA baby names, CC0 US
places and states, CMS hospital names, SCOWL English words. None is derived from a clinical corpus.
Output files are one lower-case entry per line, sorted; `names_*` carry a frequency column so the
detector can tell common names from rare ones.

usage: scripts/build_lexicons.py [SOURCE_DIR] [OUT_DIR]
"""
import collections
import os
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/lexicons"
out = sys.argv[2] if len(sys.argv) > 2 else "data/lexicons"
os.makedirs(out, exist_ok=True)

# Rare entries add noise (abbreviation-like strings) far more than coverage.
MIN_SURNAME_COUNT = 100
MIN_FIRST_NAME_COUNT = 50


def write(name, rows):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(r + "\n")


surnames = {}
with open(os.path.join(src, "surnames_census2010.txt"), encoding="utf-8") as f:
    next(f)
    for line in f:
        name, count = line.rstrip("\n").split(",")
        if int(count) >= MIN_SURNAME_COUNT and re.fullmatch(r"[A-Z][A-Z'\-]+", name):
            surnames[name.lower()] = int(count)
write("surnames.tsv", [f"{n}\t{c}" for n, c in sorted(surnames.items())])

first = collections.Counter()
with open(os.path.join(src, "first_names_ssa.txt"), encoding="utf-8") as f:
    next(f)
    for line in f:
        name, _sex, count = line.rstrip("\n").split(",")
        first[name.lower()] += int(count)
write("first_names.tsv",
      [f"{n}\t{c}" for n, c in sorted(first.items()) if c >= MIN_FIRST_NAME_COUNT and len(n) > 1])

with open(os.path.join(src, "english_words.txt"), encoding="utf-8") as f:
    words = sorted({w.strip().lower() for w in f if w.strip()})
write("english_words.txt", words)

places = set()
with open(os.path.join(src, "us_places.txt"), encoding="utf-8") as f:
    for line in f:
        name = line.split("\t")[0].strip().lower()
        if re.fullmatch(r"[a-z][a-z .'\-]+", name):
            places.add(name)
write("us_places.txt", sorted(places))

states = []
with open(os.path.join(src, "us_states.txt"), encoding="utf-8") as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 2:
            states.append(f"{parts[0].strip().lower()}\t{parts[1].strip().lower()}")
write("us_states.tsv", sorted(states))

# Hospital names: keep the full name and its city; the detector learns each name's distinctive
# words (the ones that are not generic facility words) from these.
hospitals = set()
with open(os.path.join(src, "us_hospitals.txt"), encoding="utf-8") as f:
    next(f)
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if parts and parts[0].strip():
            hospitals.add(parts[0].strip().lower())
write("us_hospitals.txt", sorted(hospitals))
print(f"surnames {len(surnames)}, first names {sum(1 for c in first.values() if c >= MIN_FIRST_NAME_COUNT)}, "
      f"english {len(words)}, places {len(places)}, states {len(states)}, hospitals {len(hospitals)}")
