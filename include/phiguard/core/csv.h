// CSV reading and writing (RFC 4180 plus the delimiters real extracts use): quoted fields with
// doubled quotes, delimiters and line breaks inside quotes, CRLF or LF line ends. Rows are read one
// record at a time with a cap on record size, so a 20 GB extract needs bounded memory. Ragged rows
// (a field count different from the header's) are errors naming the line. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "phiguard/core/file_io.h"

namespace phiguard {

struct CsvOptions {
  char delimiter = ',';
  // Longest record accepted, in bytes (all its lines together). Larger is ResourceExhausted.
  size_t max_record_bytes = 16u << 20;
};

class CsvReader {
 public:
  // Opens `path` ("-" = stdin) and reads the header row. NotFound / InvalidArgument (empty file,
  // malformed header) naming the path.
  static absl::StatusOr<std::unique_ptr<CsvReader>> Open(const std::string& path,
                                                         const CsvOptions& options = {});
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::vector<std::string>& header() const { return header_; }

  // Reads the next record into `fields`. Returns false at end of input; on a malformed record
  // (unterminated quote, text after a closing quote, wrong field count, too long) returns false
  // and status() names the line where the record starts.
  bool Next(std::vector<std::string>& fields);
  const absl::Status& status() const { return status_; }
  // 1-based input line where the last record returned starts.
  size_t line_number() const { return record_line_; }

 private:
  CsvReader(std::unique_ptr<LineReader> lines, std::string path, CsvOptions options)
      : lines_(std::move(lines)), path_(std::move(path)), options_(options) {}
  // Parses one record that may span several physical lines.
  bool ReadRecord(std::vector<std::string>& fields);

  std::unique_ptr<LineReader> lines_;
  std::string path_;
  CsvOptions options_;
  std::vector<std::string> header_;
  size_t record_line_ = 0;
  absl::Status status_;
};

// Appends `fields` as one CSV record (quoting only where needed) and a "\n".
void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields, char delimiter = ',');

}  // namespace phiguard
