#!/usr/bin/env node
// Peer for phiguard's text benchmark: redact-pii (npm) with its default configuration (SyncRedactor,
// all built-in redactors: names, addresses, phone numbers, emails, SSNs, credit cards, URLs, IPs,
// zip codes, digits, credentials...). Single thread.
// stdin: JSONL {"id","text"}; stdout: JSONL {"id","text"} with redacted text;
// stderr (last line): {"tool","notes","bytes","seconds","loop_seconds"} where bytes = UTF-8 bytes of input
// text, seconds = time spent inside redact() only (no node startup, library init, JSON or I/O), and
// loop_seconds = time from the first input line to the last output line (JSON and I/O included).
'use strict';
const { SyncRedactor } = require('redact-pii');
const { runJsonl } = require('./jsonl_runner');

const redactor = new SyncRedactor();
runJsonl('redact-pii', (text) => redactor.redact(text));
