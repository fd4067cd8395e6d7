// De-identifies a CSV extract under a FieldPolicy in one streaming pass: each column gets its
// policy's transform (dropped columns leave the header too), free-text columns go through the
// Detector, and a report counts what was done per column without holding any value. Bad input
// (ragged rows, unclosed quotes, invalid UTF-8) is an error naming file and line (the caller then
// discards the output, so nothing is half-written) or, under OnError::kSkip, quarantined.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "phiguard/core/csv.h"
#include "phiguard/core/file_io.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/structured_report.h"
#include "phiguard/deid/text_pipeline.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::deid {

// `transformer` must have been built with policy.text_profile. A bad row (wrong field count,
// text after a closing quote, a quote never closed, invalid UTF-8) is InvalidArgument
// "<file>:<line>: <reason>" (the caller discards the output), or under OnError::kSkip goes byte
// for byte to run.quarantine (a CSV with the input's header) and into the report, and the run
// goes on after it. A record over options.max_record_bytes or a read error still stops the run.
absl::StatusOr<StructuredReport> DeidentifyCsv(const phi::Detector& detector,
                                               const Transformer& transformer,
                                               const FieldPolicy& policy,
                                               const std::string& input_path,
                                               AtomicFileWriter& out,
                                               const CsvOptions& options = {},
                                               const StructuredOptions& run = {});

}  // namespace phiguard::deid
