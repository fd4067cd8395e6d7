// Record sources for risk analysis: each record is reduced to the named fields (quasi-identifiers,
// then sensitive attributes) as text. CSV (any delimiter, its header names the columns) and JSONL
// (one JSON object per line; fields are top-level keys or RFC 6901 JSON pointers such as
// "/patient/zip"). Both read one record at a time, so input size does not bound memory. The output
// of phiguard's structured de-identification is CSV or JSONL and reads the same way.
// Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "phiguard/core/csv.h"

namespace phiguard::risk {

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Sets `fields` to the next record's selected fields, in the order they were named. Returns
  // false at end of input, or on a malformed record with status() naming the file and line.
  virtual bool Next(std::vector<std::string>& fields) = 0;
  virtual const absl::Status& status() const = 0;
};

// The `columns` of the records of `reader` (which must outlive the source). InvalidArgument naming
// a column that is not in the header.
absl::StatusOr<std::unique_ptr<RecordSource>> CsvRecords(CsvReader& reader,
                                                         const std::vector<std::string>& columns);

// The `fields` of each line of the JSONL file `path` ("-" = stdin); blank lines are skipped.
// Strings are taken as they are, numbers and booleans as their JSON text, null as "", objects and
// arrays as compact JSON. A line that is not a JSON object, or that lacks a field, is
// InvalidArgument naming the path, line and field (never a value). A line longer than
// `max_line_bytes` is ResourceExhausted.
absl::StatusOr<std::unique_ptr<RecordSource>> JsonlRecords(const std::string& path,
                                                           const std::vector<std::string>& fields,
                                                           size_t max_line_bytes = 16u << 20);

}  // namespace phiguard::risk
