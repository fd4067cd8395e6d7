#!/usr/bin/env python3
"""Convert a PhysioNet deid corpus file (id.text) to JSONL for the side-by-side text benchmark.

Records are `START_OF_RECORD=<pid>||||<note>||||` + newline + text + `||||END_OF_RECORD`. The note text
starts right after the header line's newline and ends right before `||||END_OF_RECORD`; gold offsets in
id-phi.phrase count characters from that first character. The file is ASCII/latin-1 and is read as
latin-1, so one character is one code point U+0000..U+00FF.

Output: one JSON object per line, {"id": "<pid>-<note>", "text": "..."}, written with ensure_ascii=True
(pure ASCII; any non-ASCII character becomes a \\u escape, so every JSON reader agrees on it).

  to_jsonl.py ID_TEXT [-o OUT.jsonl]                     # each note once (the accuracy set)
  to_jsonl.py ID_TEXT --repeat-to-mb 100 [-o OUT.jsonl]  # repeat the notes (ids suffixed #k) until at
                                                         # least 100 MB (10^6 bytes) of note text
"""
import argparse
import json
import re
import sys

HEADER = re.compile(r'START_OF_RECORD=([^|]*)\|\|\|\|([^|]*)\|\|\|\|\n')
TRAILER = '||||END_OF_RECORD'


def read_notes(path):
    """Yield (id, text) for each record of an id.text file, read as latin-1."""
    with open(path, encoding='latin-1', newline='') as f:
        data = f.read()
    pos = 0
    while True:
        m = HEADER.search(data, pos)
        if not m:
            break
        end = data.find(TRAILER, m.end())
        if end < 0:
            raise SystemExit(f'{path}: record {m.group(1)}-{m.group(2)} has no {TRAILER}')
        yield f'{m.group(1)}-{m.group(2)}', data[m.end():end]
        pos = end + len(TRAILER)


def text_bytes(text):
    """Bytes of the text as the tools receive it (UTF-8; equal to the character count for ASCII)."""
    return len(text.encode('utf-8'))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('id_text')
    ap.add_argument('-o', '--output', help='output JSONL (default stdout)')
    ap.add_argument('--repeat-to-mb', type=float, metavar='N',
                    help='repeat the notes until at least N MB (10^6 bytes) of text')
    args = ap.parse_args()

    notes = list(read_notes(args.id_text))
    if not notes:
        raise SystemExit(f'{args.id_text}: no records found')
    out = open(args.output, 'w', encoding='ascii', newline='\n') if args.output else sys.stdout
    count = total = 0

    def emit(nid, text):
        nonlocal count, total
        out.write(json.dumps({'id': nid, 'text': text}) + '\n')
        count += 1
        total += text_bytes(text)

    if args.repeat_to_mb is None:
        for nid, text in notes:
            emit(nid, text)
    else:
        target, k = args.repeat_to_mb * 1e6, 0
        while total < target:
            for nid, text in notes:
                emit(f'{nid}#{k}', text)
                if total >= target:
                    break
            k += 1
    if args.output:
        out.close()
    print(f'to_jsonl: {count} notes, {total} bytes of text', file=sys.stderr)

if __name__ == '__main__':
    main()
