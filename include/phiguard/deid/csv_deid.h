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
#include "phiguard/deid/text_pipeline.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::deid {

struct StructuredReport {
  size_t records = 0;
  // column -> transform applied -> values changed (empty values are left empty and not counted).
  std::map<std::string, std::map<std::string, size_t>> by_field;
  PipelineStats text;  // PHI found inside text columns, by type
};

// `transformer` must have been built with policy.text_profile.
absl::StatusOr<StructuredReport> DeidentifyCsv(const phi::Detector& detector,
                                               const Transformer& transformer,
                                               const FieldPolicy& policy,
                                               const std::string& input_path,
                                               AtomicFileWriter& out,
                                               const CsvOptions& options = {});

// The report as JSON: policy name, records, per-column counts, PHI types found in text. No values.
std::string StructuredReportJson(const StructuredReport& report, const FieldPolicy& policy);

}  // namespace phiguard::deid
