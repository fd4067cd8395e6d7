// Runs records through worker threads in batches and writes the results in input order: the
// shared driver of the line- and message-oriented structured formats (FHIR NDJSON, JSONL, HL7v2).
// Each record is processed on its own (no record sees another), so output does not depend on the
// thread count. Bad records stop the run or go to quarantine per StructuredOptions::on_error.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "deid/internal/field_deidentifier.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/deid/structured_report.h"

namespace phiguard::deid::internal {

// One record on its way through a worker. Workers append the record's output to `output` and set
// `status` (a reason without the file or line, and without any value from the record), `dropped`
// and the counts.
struct BatchRecord {
  size_t line = 0;     // 1-based line where the record starts
  std::string input;   // raw bytes (without the final line break)
  // What gets written (with its line break), appended: with one worker, `output` is the sink's
  // buffer holding earlier records' output (the driver cuts it back if the record fails or is
  // dropped), so records are written in place instead of copied.
  std::string output;
  absl::Status status;
  size_t error_line = 0;  // the line of the fault when the worker knows it (else `line`)
  bool dropped = false;  // the policy removes the whole record: nothing written, counted
  RecordCounts counts;
};

// `next(record)` fills the next record's line and input and returns false at the end of input
// (`source_status()` then says whether it ended cleanly). `process(worker, record)` runs on the
// worker's thread. REQUIRES: workers.size() >= 1.
template <typename Worker>
absl::Status RunRecordBatches(const std::function<bool(BatchRecord&)>& next,
                              const std::function<absl::Status()>& source_status,
                              std::vector<Worker>& workers,
                              const std::function<void(Worker&, BatchRecord&)>& process,
                              const StructuredOptions& opt, const std::string& display,
                              RecordSink& sink, StructuredReport& report) {
  const size_t threads = workers.size();
  CounterSlots slots;  // the report's counters, shared by the batch's records
  std::vector<BatchRecord> batch(std::max<size_t>(1, opt.batch_records));
  bool eof = false;
  while (!eof) {
    size_t n = 0;
    while (n < batch.size()) {
      BatchRecord& r = batch[n];
      r.output.clear();
      r.status = absl::OkStatus();
      r.error_line = 0;
      r.dropped = false;
      r.counts.Clear();
      if (!next(r)) {
        if (absl::Status s = source_status(); !s.ok()) return s;
        eof = true;
        break;
      }
      ++n;
    }
    // One worker writes each record straight into the sink's buffer, in order; several write
    // into their records' own buffers, copied into the sink in order below.
    const bool direct = threads == 1;
    if (!direct) {
      auto work = [&](size_t t) {
        for (size_t i = t; i < n; i += threads) process(workers[t], batch[i]);
      };
      std::vector<std::thread> pool;
      for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
    }
    for (size_t i = 0; i < n; ++i) {
      BatchRecord& r = batch[i];
      const size_t start = sink.buffer().size();
      if (direct) {
        r.output.swap(sink.buffer());
        process(workers[0], r);
        r.output.swap(sink.buffer());
        if (!r.status.ok() || r.dropped) sink.buffer().resize(start);
      }
      report.bytes += r.input.size() + 1;
      if (!r.status.ok()) {
        const size_t line = r.error_line != 0 ? r.error_line : r.line;
        if (opt.on_error == OnError::kStop) {
          return absl::Status(r.status.code(), Cat(display, ":", line, ": ", r.status.message()));
        }
        report.AddError({display, line, std::string(r.status.message())});
        if (opt.quarantine != nullptr) {
          r.input.push_back('\n');
          if (absl::Status s = opt.quarantine->Write(r.input); !s.ok()) return s;
        }
        continue;
      }
      r.counts.CommitTo(report, &slots);
      if (r.dropped) {
        ++report.dropped;
        continue;
      }
      if (!direct) sink.buffer() += r.output;
      if (absl::Status s = sink.EndRecord(report); !s.ok()) return s;
    }
    if (opt.progress) {
      std::fprintf(stderr, "\r%s: %zu records, %.1f MB", display.c_str(), report.records,
                   report.bytes / 1e6);
    }
  }
  if (opt.progress) std::fputc('\n', stderr);
  return sink.Flush();
}

// RunRecordBatches over the non-blank lines of `path` (NDJSON, JSONL): one record per line.
template <typename Worker>
absl::Status RunLineRecords(const std::string& path, std::vector<Worker>& workers,
                            const std::function<void(Worker&, BatchRecord&)>& process,
                            const StructuredOptions& opt, const std::string& display,
                            RecordSink& sink, StructuredReport& report) {
  auto reader = LineReader::Open(path, opt.max_record_bytes);
  if (!reader.ok()) return reader.status();
  auto next = [&](BatchRecord& r) {
    while ((*reader)->Next(r.input)) {
      if (StripAscii(r.input).empty()) continue;  // blank lines carry no record
      r.line = (*reader)->line_number();
      return true;
    }
    return false;
  };
  return RunRecordBatches<Worker>(next, [&] { return (*reader)->status(); }, workers, process,
                                  opt, display, sink, report);
}

}  // namespace phiguard::deid::internal
