#!/usr/bin/env python3
"""Turn deid.pl's PHI locations (id.phi, written in its comparison mode) into redacted JSONL.

  deidpl_to_jsonl.py ORIGINAL.jsonl ID_PHI > REDACTED.jsonl

id.phi holds a `Patient <pid>\\tNote <note>` line per note followed by `<start>\\t<start>\\t<end>` lines
(character offsets into the note text, end exclusive, as in the gold file). Each detected span (overlaps
merged) is replaced by "[PHI]", so score_redaction.py can score deid.pl exactly like the other tools.
deid.pl's own output mode (id.res) is not used because it shifts dates instead of removing them.
"""
import json
import re
import sys
from collections import defaultdict


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    orig_path, phi_path = sys.argv[1:]
    spans, cur = defaultdict(list), None
    with open(phi_path, encoding='latin-1') as f:
        for line in f:
            m = re.match(r'Patient\s+(\S+)\s+Note\s+(\S+)', line)
            if m:
                cur = f'{m.group(1)}-{m.group(2)}'
                continue
            p = line.split()
            if len(p) == 3 and cur is not None:
                spans[cur].append((int(p[0]), int(p[2])))
    out = sys.stdout
    with open(orig_path, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            text, merged = rec['text'], []
            for s, e in sorted(spans.get(rec['id'], [])):
                if merged and s <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], e)
                else:
                    merged.append([s, e])
            for s, e in reversed(merged):
                text = text[:s] + '[PHI]' + text[e:]
            out.write(json.dumps({'id': rec['id'], 'text': text}) + '\n')


if __name__ == '__main__':
    main()
