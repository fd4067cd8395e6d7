#include "phiguard/risk/records.h"

#include <simdjson.h>

#include <algorithm>

#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"

namespace phiguard::risk {
namespace {

class CsvSource : public RecordSource {
 public:
  CsvSource(CsvReader& reader, std::vector<size_t> index)
      : reader_(reader), index_(std::move(index)) {}
  bool Next(std::vector<std::string>& fields) override {
    if (!reader_.Next(row_)) return false;
    fields.resize(index_.size());
    for (size_t i = 0; i < index_.size(); ++i) fields[i].swap(row_[index_[i]]);
    return true;
  }
  const absl::Status& status() const override { return reader_.status(); }

 private:
  CsvReader& reader_;
  std::vector<size_t> index_;
  std::vector<std::string> row_;
};

class JsonlSource : public RecordSource {
 public:
  JsonlSource(std::unique_ptr<LineReader> lines, std::string path, std::vector<std::string> names)
      : lines_(std::move(lines)), path_(std::move(path)), names_(std::move(names)) {}

  bool Next(std::vector<std::string>& fields) override {
    if (!status_.ok()) return false;
    std::string line;
    while (lines_->Next(line)) {
      if (StripAscii(line).empty()) continue;
      return Parse(line, fields);
    }
    status_ = lines_->status();
    return false;
  }
  const absl::Status& status() const override { return status_; }

 private:
  bool Fail(std::string_view why) {
    status_ = absl::InvalidArgumentError(Cat(path_, ":", lines_->line_number(), ": ", why));
    return false;
  }

  bool Parse(const std::string& line, std::vector<std::string>& fields) {
    simdjson::dom::element doc;
    if (parser_.parse(line).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
      return Fail("not a JSON object");
    }
    fields.resize(names_.size());
    for (size_t i = 0; i < names_.size(); ++i) {
      // A JSON pointer, or a top-level key (which may itself contain '/' or '~').
      simdjson::dom::element v;
      auto found = names_[i].starts_with("/") ? doc.at_pointer(names_[i]) : doc.at_key(names_[i]);
      if (found.get(v) != simdjson::SUCCESS) {
        return Fail(Cat("no field '", names_[i], "'"));
      }
      std::string_view s;
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        fields[i].assign(s);
      } else if (v.is_null()) {
        fields[i].clear();
      } else {
        fields[i] = simdjson::minify(v);
      }
    }
    return true;
  }

  std::unique_ptr<LineReader> lines_;
  std::string path_;
  std::vector<std::string> names_;
  simdjson::dom::parser parser_;
  absl::Status status_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RecordSource>> CsvRecords(CsvReader& reader,
                                                         const std::vector<std::string>& columns) {
  std::vector<size_t> index;
  const auto& header = reader.header();
  for (const std::string& c : columns) {
    auto it = std::find(header.begin(), header.end(), c);
    if (it == header.end()) {
      return absl::InvalidArgumentError(Cat("column '", c, "' is not in the header"));
    }
    index.push_back(static_cast<size_t>(it - header.begin()));
  }
  return std::unique_ptr<RecordSource>(new CsvSource(reader, std::move(index)));
}

absl::StatusOr<std::unique_ptr<RecordSource>> JsonlRecords(const std::string& path,
                                                           const std::vector<std::string>& fields,
                                                           size_t max_line_bytes) {
  auto lines = LineReader::Open(path, max_line_bytes);
  if (!lines.ok()) return lines.status();
  return std::unique_ptr<RecordSource>(new JsonlSource(std::move(*lines), path, fields));
}

}  // namespace phiguard::risk
