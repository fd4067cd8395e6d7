#!/usr/bin/env python3
"""Score any redaction tool's output against the PhysioNet gold PHI spans.

  score_redaction.py ORIGINAL.jsonl REDACTED.jsonl GOLD_id-phi.phrase [--json]

ORIGINAL.jsonl and REDACTED.jsonl hold {"id": "<pid>-<note>", "text": ...} lines (see to_jsonl.py); the
tool may replace, delete or insert text anywhere. Gold lines are `<pid> <note> <start> <end> <type> <text>`
with character offsets into the note text (end exclusive); the gold file is read as latin-1, and JSONL is
JSON (UTF-8; to_jsonl.py writes it ASCII-only with \\u escapes, so each character is the latin-1 one).

Alignment: each note's original and redacted texts are split into tokens (maximal runs of letters/digits,
maximal runs of whitespace, and single other characters) and aligned with
difflib.SequenceMatcher(autojunk=False) over the token lists. Original characters in tokens that the
alignment reports as replaced or deleted are "changed". Tokens rather than characters, because a character
diff pairs letters of a placeholder with letters of the PHI it replaced (CALVERT -> [LOCATION] keeps the
"L", "A" and "T"). A consequence: a partly masked word (j***@..., 12** ) counts as wholly changed.

Recall: a gold PHI is found only if ALL its alphanumeric characters are changed. Type DateYear (a bare
year, which Safe Harbor permits) is left out of recall and reported apart as how many were redacted.
Precision: changed regions of the original (maximal runs of changed characters, two runs merged when
separated by a single non-alphanumeric character) that contain at least one alphanumeric character are the
tool's detections; precision = regions overlapping any gold span (DateYear included) / all such regions.
"""
import argparse
import difflib
import json
import re
import sys
from collections import defaultdict

TOKEN = re.compile(r'[^\W_]+|\s+|.', re.S)   # alnum runs | whitespace runs | any other single char
EXCLUDED_FROM_RECALL = {'DateYear'}


def isalnum(c):
    return c.isalnum()


def load_jsonl(path):
    notes = {}
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f'{path}:{n}: bad JSON: {e}')
            text = rec.get('text')
            notes[str(rec.get('id'))] = text if isinstance(text, str) else ''
    return notes


def load_gold(path):
    gold = defaultdict(list)
    with open(path, encoding='latin-1') as f:
        for line in f:
            p = line.rstrip('\r\n').split(' ', 5)
            if len(p) < 5:
                continue
            gold[f'{p[0]}-{p[1]}'].append((int(p[2]), int(p[3]), p[4]))
    return gold


def tokens(text):
    return [m.group() for m in TOKEN.finditer(text)]


def changed_mask(orig, red):
    """Per original character: True if the redacted text replaced or deleted it."""
    mask = [False] * len(orig)
    if orig == red:
        return mask
    a, b = tokens(orig), tokens(red)
    starts, pos = [], 0
    for t in a:
        starts.append(pos)
        pos += len(t)
    starts.append(pos)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, _j1, _j2 in sm.get_opcodes():
        if op in ('replace', 'delete'):
            for k in range(starts[i1], starts[i2]):
                mask[k] = True
    return mask


def regions(orig, mask):
    """Changed regions [s, e) with at least one alphanumeric character (runs merged over 1 non-alnum)."""
    runs, i, n = [], 0, len(orig)
    while i < n:
        if mask[i]:
            j = i
            while j < n and mask[j]:
                j += 1
            if runs and i - runs[-1][1] == 1 and not isalnum(orig[i - 1]):
                runs[-1][1] = j
            else:
                runs.append([i, j])
            i = j
        else:
            i += 1
    return [(s, e) for s, e in runs if any(isalnum(c) for c in orig[s:e])]


def score(original, redacted, gold):
    per_type = defaultdict(lambda: [0, 0])     # type -> [n, found]
    n_regions = n_regions_gold = 0
    missing = [nid for nid in original if nid not in redacted]
    for nid, orig in original.items():
        red = redacted.get(nid, orig)          # a note the tool dropped counts as left unredacted
        mask = changed_mask(orig, red)
        spans = gold.get(nid, [])
        for s, e, typ in spans:
            alnum = [k for k in range(s, min(e, len(orig))) if isalnum(orig[k])]
            idx = alnum if alnum else range(s, min(e, len(orig)))
            found = bool(idx) and all(mask[k] for k in idx)
            per_type[typ][0] += 1
            per_type[typ][1] += found
        for rs, re_ in regions(orig, mask):
            n_regions += 1
            n_regions_gold += any(s < re_ and rs < e for s, e, _t in spans)
    n = sum(v[0] for t, v in per_type.items() if t not in EXCLUDED_FROM_RECALL)
    found = sum(v[1] for t, v in per_type.items() if t not in EXCLUDED_FROM_RECALL)
    dy = [0, 0]
    for t in EXCLUDED_FROM_RECALL:
        dy[0] += per_type[t][0]
        dy[1] += per_type[t][1]
    return {
        'notes': len(original),
        'notes_missing_in_output': len(missing),
        'gold_phi': n,
        'found': found,
        'recall': found / n if n else None,
        'regions': n_regions,
        'regions_on_gold': n_regions_gold,
        'precision': n_regions_gold / n_regions if n_regions else None,
        'dateyear': {'n': dy[0], 'redacted': dy[1]},
        'per_type': {t: {'n': v[0], 'found': v[1], 'recall': v[1] / v[0] if v[0] else None}
                     for t, v in sorted(per_type.items()) if t not in EXCLUDED_FROM_RECALL},
    }


def fmt(x):
    return 'n/a' if x is None else f'{x:.3f}'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('original')
    ap.add_argument('redacted')
    ap.add_argument('gold')
    ap.add_argument('--json', action='store_true', help='print the result as one JSON object')
    args = ap.parse_args()

    original = load_jsonl(args.original)
    redacted = load_jsonl(args.redacted)
    gold = load_gold(args.gold)
    stray = [nid for nid in gold if nid not in original]
    if stray:
        print(f'warning: {len(stray)} gold notes are not in {args.original}; ignored', file=sys.stderr)
    r = score(original, redacted, gold)
    if r['notes_missing_in_output']:
        print(f"warning: {r['notes_missing_in_output']} notes missing from {args.redacted}; scored as "
              'unredacted', file=sys.stderr)
    if args.json:
        print(json.dumps(r))
        return
    print(f"notes {r['notes']}, gold PHI {r['gold_phi']} (DateYear excluded)")
    print(f"recall    {fmt(r['recall'])}  ({r['found']}/{r['gold_phi']})")
    print(f"precision {fmt(r['precision'])}  ({r['regions_on_gold']}/{r['regions']} changed regions "
          'overlap gold)')
    print(f"DateYear redacted {r['dateyear']['redacted']}/{r['dateyear']['n']} (not counted in recall)")
    print('per type:')
    for t, v in r['per_type'].items():
        print(f"  {t:<18} {fmt(v['recall'])}  ({v['found']}/{v['n']})")


if __name__ == '__main__':
    main()
