#!/usr/bin/env node
// Peer for phiguard's text benchmark: @openredaction/openredaction (npm) with its default configuration
// (`new OpenRedaction()`: all built-in patterns, names/addresses/phones/emails on, context analysis on,
// placeholder mode). Only the on-disk "learning store" is switched off (enableLearning: false) so the run
// does not read or write .openredaction/learnings.json in the working directory; with an empty store
// this changes no detection. detect() is synchronous in 1.0.x; an async result is awaited anyway.
// Single thread.
// stdin: JSONL {"id","text"}; stdout: JSONL {"id","text"} with redacted text;
// stderr (last line): {"tool","notes","bytes","seconds","loop_seconds"} where bytes = UTF-8 bytes of input
// text, seconds = time spent inside detect() only (no node startup, library init, JSON or I/O), and
// loop_seconds = time from the first input line to the last output line (JSON and I/O included).
'use strict';
const { OpenRedaction } = require('@openredaction/openredaction');
const { runJsonl } = require('./jsonl_runner');

const shield = new OpenRedaction({ enableLearning: false });
runJsonl('openredaction', (text) => {
  const r = shield.detect(text);
  return r && typeof r.then === 'function' ? r.then((x) => x.redacted) : r.redacted;
});
