// CSV reading and writing (RFC 4180 plus the delimiters real extracts use): quoted fields with
// doubled quotes, delimiters and line breaks inside quotes, CRLF or LF line ends. Rows are read one
// record at a time with a cap on record size, so a 20 GB extract needs bounded memory. Ragged rows
// (a field count different from the header's) are errors naming the line. After a bad record the
// reader knows where it ends (the next line break outside quotes), so a caller that quarantines
// bad records can SkipBadRecord() and read on. Not thread-safe.
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
  // 1-based input line where the last record returned (or the bad one) starts.
  size_t line_number() const { return record_line_; }
  // The bytes of the last record read, good or bad: its lines joined by "\n", without line ends
  // (CRLF becomes LF). What a quarantine file should hold.
  const std::string& raw_record() const { return raw_; }

  // After Next() returned false on a bad record (wrong field count, text after a closing quote,
  // a quote never closed before the end of input), clears status() so that Next() reads the
  // record after it. Returns false, leaving status() as it is, when there is nothing to skip
  // (status() is OK), or the error is not one a reader can go on after (a read error, an
  // over-long record).
  bool SkipBadRecord();

 private:
  CsvReader(std::unique_ptr<LineReader> lines, std::string path, CsvOptions options)
      : lines_(std::move(lines)), path_(std::move(path)), options_(options) {}
  // Parses one record that may span several physical lines.
  bool ReadRecord(std::vector<std::string>& fields);
  // After a syntax error at line[i] (outside quotes): reads on to the record's end, the next line
  // break outside quotes (or the end of input), so SkipBadRecord() can resume after it.
  void FinishBadRecord(std::string& line, size_t i);

  std::unique_ptr<LineReader> lines_;
  std::string path_;
  CsvOptions options_;
  std::vector<std::string> header_;
  size_t record_line_ = 0;
  std::string line_;  // the physical line being parsed (its buffer is reused)
  std::string raw_;
  absl::Status status_;
  bool recoverable_ = false;  // status_ is a bad record the reader has read to its end
};

// Appends `fields` as one CSV record (quoting only where needed) and a "\n".
void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields, char delimiter = ',');

}  // namespace phiguard
