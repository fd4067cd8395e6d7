// De-identifies a CSV extract under a FieldPolicy in one streaming pass: each column gets its
// policy's transform (dropped columns leave the header too), free-text columns go through the
// Detector, and a report counts what was done per column without holding any value. Bad input
// (ragged rows, unclosed quotes, invalid UTF-8) is an error naming file and line; the caller then
// discards the output, so nothing is half-written.
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

// `transformer` must have been built with policy.text_profile. Under OnError::kSkip a row with
// a bad value (invalid UTF-8) is quarantined; framing errors the reader cannot resynchronise after
// (ragged row, unclosed quote, over-long record) still stop the run.
absl::StatusOr<StructuredReport> DeidentifyCsv(const phi::Detector& detector,
                                               const Transformer& transformer,
                                               const FieldPolicy& policy,
                                               const std::string& input_path,
                                               AtomicFileWriter& out,
                                               const CsvOptions& options = {},
                                               const StructuredOptions& run = {});

}  // namespace phiguard::deid
