#include "phiguard/core/csv.h"

#include "phiguard/core/strings.h"

namespace phiguard {

absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path,
                                                           const CsvOptions& options) {
  auto lines = LineReader::Open(path, options.max_record_bytes);
  if (!lines.ok()) return lines.status();
  std::unique_ptr<CsvReader> r(new CsvReader(std::move(*lines), path == "-" ? "<stdin>" : path,
                                             options));
  if (!r->ReadRecord(r->header_)) {
    if (r->status_.ok()) return absl::InvalidArgumentError(Cat(r->path_, ": empty CSV, no header"));
    return r->status_;
  }
  if (!r->header_.empty() && r->header_[0].starts_with("\xEF\xBB\xBF")) {
    r->header_[0].erase(0, 3);  // a UTF-8 byte order mark from spreadsheet exports
  }
  return r;
}

bool CsvReader::Next(std::vector<std::string>& fields) {
  if (!ReadRecord(fields)) return false;
  if (fields.size() != header_.size()) {
    status_ = absl::InvalidArgumentError(Cat(path_, ":", record_line_, ": ", fields.size(),
                                             " fields, the header has ", header_.size()));
    recoverable_ = true;  // the record ended where it should: the next one is intact
    return false;
  }
  return true;
}

bool CsvReader::SkipBadRecord() {
  if (status_.ok() || !recoverable_) return false;
  status_ = absl::OkStatus();
  recoverable_ = false;
  return true;
}

void CsvReader::FinishBadRecord(std::string& line, size_t i) {
  bool in_quotes = false;
  for (;;) {
    for (; i < line.size(); ++i) {
      if (line[i] == '"') in_quotes = !in_quotes;  // a doubled quote toggles twice
    }
    if (!in_quotes) break;
    if (!lines_->Next(line)) {
      if (!lines_->status().ok()) return;  // a read error: not recoverable
      break;                                // the bad record runs to the end of input
    }
    if (raw_.size() + line.size() + 1 > options_.max_record_bytes) return;
    raw_.push_back('\n');
    raw_ += line;
    i = 0;
  }
  recoverable_ = true;
}

bool CsvReader::ReadRecord(std::vector<std::string>& fields) {
  fields.clear();
  raw_.clear();
  if (!status_.ok()) return false;
  std::string& line = line_;
  // Skip blank lines between records.
  do {
    if (!lines_->Next(line)) {
      status_ = lines_->status();
      return false;
    }
  } while (line.empty());
  record_line_ = lines_->line_number();
  raw_ = line;
  const char d = options_.delimiter;
  std::string field;
  bool in_quotes = false, quoted = false, after_quote = false;
  size_t record_bytes = 0;
  for (;;) {
    record_bytes += line.size() + 1;
    if (record_bytes > options_.max_record_bytes) {
      status_ = absl::ResourceExhaustedError(Cat(path_, ":", record_line_, ": record longer than ",
                                                 options_.max_record_bytes, " bytes"));
      return false;
    }
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (in_quotes) {
        if (c == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            ++i;
          } else {
            in_quotes = false;
            after_quote = true;
          }
        } else {
          field.push_back(c);
        }
        continue;
      }
      if (c == d) {
        fields.push_back(std::move(field));
        field.clear();
        quoted = after_quote = false;
      } else if (c == '"' && field.empty() && !quoted) {
        in_quotes = quoted = true;
      } else if (after_quote) {
        status_ = absl::InvalidArgumentError(Cat(path_, ":", lines_->line_number(),
                                                 ": text after a closing quote in field ",
                                                 fields.size() + 1));
        FinishBadRecord(line, i);
        return false;
      } else {
        field.push_back(c);
      }
    }
    if (!in_quotes) break;
    // A quoted field continues on the next line: keep the line break inside it.
    field.push_back('\n');
    if (!lines_->Next(line)) {
      status_ = lines_->status().ok()
                    ? absl::InvalidArgumentError(
                          Cat(path_, ":", record_line_, ": quoted field never closed"))
                    : lines_->status();
      recoverable_ = lines_->status().ok();  // the bad record runs to the end of input
      return false;
    }
    raw_.push_back('\n');
    raw_ += line;
  }
  fields.push_back(std::move(field));
  return true;
}

void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields, char delimiter) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(delimiter);
    const std::string& f = fields[i];
    bool needs = f.find_first_of(std::string{delimiter, '"', '\n', '\r'}) != std::string::npos ||
                 (!f.empty() && (f.front() == ' ' || f.back() == ' '));
    if (!needs) {
      out += f;
      continue;
    }
    out.push_back('"');
    for (char c : f) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('\n');
}

}  // namespace phiguard
