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
#include "phiguard/deid/csv_deid.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::deid {

// `transformer` must have been built with policy.text_profile. Records longer than
// `max_record_bytes` are ResourceExhausted.
absl::StatusOr<StructuredReport> DeidentifyJsonl(const phi::Detector& detector,
                                                 const Transformer& transformer,
                                                 const FieldPolicy& policy,
                                                 const std::string& input_path,
                                                 AtomicFileWriter& out,
                                                 size_t max_record_bytes = 64u << 20);

}  // namespace phiguard::deid
