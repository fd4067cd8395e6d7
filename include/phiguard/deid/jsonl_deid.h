// De-identifies JSON Lines records under a FieldPolicy: fields are addressed by JSON pointer
// ("/patient/name") or, at the top level, by key ("name"). Every string the policy does not name
// goes through the default rule (text engine unless the policy says otherwise; a field whose key
// says what it holds, like "zip" or "dob", gets the matching Safe Harbor rule); numbers and
// booleans are kept unless a rule names them. Streaming, one record per line; a malformed line
// is an error naming file and line, and the caller then discards the output.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "phiguard/core/file_io.h"
#include "phiguard/deid/structured_report.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::deid {

// `transformer` must have been built with policy.text_profile. Records longer than
// run.max_record_bytes are ResourceExhausted (the reader cannot go on after one). A line that is
// not a JSON object (or holds invalid UTF-8) is InvalidArgument "<file>:<line>: <reason>", or under
// OnError::kSkip goes to run.quarantine and the report. run.threads workers share the records;
// the output is the same for any thread count.
absl::StatusOr<StructuredReport> DeidentifyJsonl(const phi::Detector& detector,
                                                 const Transformer& transformer,
                                                 const FieldPolicy& policy,
                                                 const std::string& input_path,
                                                 AtomicFileWriter& out,
                                                 const StructuredOptions& run = {});

}  // namespace phiguard::deid
