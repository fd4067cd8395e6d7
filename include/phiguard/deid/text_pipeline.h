// The free-text pipeline behind `phiguard detect` and `phiguard deid text`: read documents (a plain
// text file is one document; a JSONL file holds one {"id": ..., "text": ...} per line, other
// fields passed through), detect PHI on several threads, transform or report it, and write the
// results in input order. Any bad record (invalid JSON or UTF-8, missing text, over-long line)
// stops the run with an error naming file and line; the caller then discards the output, so
// nothing is half-written.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "phiguard/core/file_io.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::deid {

enum class TextFormat { kText, kJsonl };

struct PipelineOptions {
  TextFormat format = TextFormat::kText;
  std::string text_field = "text";          // JSONL field holding the free text
  std::string id_field = "id";              // JSONL field naming the document
  std::string patient_field = "patient_id"; // JSONL field keying per-patient date shifts
  int threads = 1;                          // worker threads over documents
  size_t max_record_bytes = 64u << 20;      // longest document / JSONL line accepted
  size_t batch_records = 512;               // documents handed to the workers at once
  bool progress = false;                    // "\rN documents, X MB" on stderr
  bool include_text_in_detect = false;      // detect output carries the PHI text itself
  bool time_stages = false;                 // measure PipelineStats::detect/transform_seconds
};

struct PipelineStats {
  size_t documents = 0;
  size_t bytes = 0;
  size_t spans = 0;
  std::array<size_t, phi::kNumPhiTypes + 1> by_type{};  // spans per PhiType
  // With PipelineOptions::time_stages: time inside PHI detection, and inside the transform of
  // the text (with its JSON escaping), summed over threads. Reading, parsing, the rest of the
  // output and writing are outside both.
  double detect_seconds = 0;
  double transform_seconds = 0;
  void Add(const PipelineStats& o);
};

// Detects and writes one JSON line per document, {"id": ..., "spans": [{"start", "end", "type",
// "confidence"}]}, offsets in code points. `transformer` null: detect only; else de-identify and
// write the document back in its input format.
absl::StatusOr<PipelineStats> RunTextPipeline(const phi::Detector& detector,
                                              const Transformer* transformer,
                                              const std::string& input_path,
                                              AtomicFileWriter& out,
                                              const PipelineOptions& options);

// "NAME 12, DATE 3, ..." in PhiType order, only types that occur. Holds no PHI.
std::string SummarizeStats(const PipelineStats& stats);

}  // namespace phiguard::deid
