'use strict';
// Shared JSONL driver for the peer scripts: reads {"id","text"} lines from stdin, calls redact(text)
// (which may return a string or a Promise of one), writes {"id","text"} lines to stdout in input order,
// and prints timing JSON to stderr at the end. Timing covers only the redact calls ("seconds") and the
// whole read-process-write loop from the first line ("loop_seconds").
const readline = require('readline');
const fs = require('fs');

function runJsonl(tool, redact) {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let notes = 0, bytes = 0, ns = 0n, loopStart = null;
  const out = [];
  let outLen = 0;
  const flush = () => {
    if (out.length) { fs.writeSync(1, out.join('')); out.length = 0; outLen = 0; }
  };
  (async () => {
    for await (const line of rl) {
      if (loopStart === null) loopStart = process.hrtime.bigint();
      if (!line.trim()) continue;
      const rec = JSON.parse(line);
      const text = typeof rec.text === 'string' ? rec.text : '';
      const t0 = process.hrtime.bigint();
      let red = redact(text);
      if (red && typeof red.then === 'function') red = await red;
      ns += process.hrtime.bigint() - t0;
      notes += 1;
      bytes += Buffer.byteLength(text, 'utf8');
      const s = JSON.stringify({ id: rec.id, text: red }) + '\n';
      out.push(s); outLen += s.length;
      if (outLen > (1 << 20)) flush();
    }
    flush();
    const loopNs = loopStart === null ? 0n : process.hrtime.bigint() - loopStart;
    process.stderr.write(JSON.stringify({
      tool, notes, bytes, seconds: Number(ns) / 1e9, loop_seconds: Number(loopNs) / 1e9,
    }) + '\n');
  })().catch((e) => { console.error(e); process.exit(1); });
}

module.exports = { runJsonl };
