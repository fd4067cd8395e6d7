// HL7v2 pipe-delimited messages as files hold them (no MLLP framing): segments end in \r, \n or
// \r\n; a message starts at MSH; batch and file header/trailer segments (FHS, BHS, BTS, FTS) are
// records of their own. Encoding characters come from each header segment (MSH-1, MSH-2).
// Not thread-safe (the reader); the free functions are.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace phiguard::deid::internal {

struct Hl7Encoding {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
};

// "MSH", "PID", "ZPD": three characters, an upper-case letter then letters or digits.
bool IsSegmentId(std::string_view s);
// MSH, BHS and FHS carry the encoding characters.
bool IsHeaderSegment(std::string_view segment);

// Reads MSH-1 and MSH-2 (or BHS/FHS) of `header`. InvalidArgument when they are missing,
// repeated or alphanumeric.
absl::StatusOr<Hl7Encoding> ParseEncoding(std::string_view header);

// The text a value stands for: \F\ \S\ \T\ \R\ \E\ become the delimiters, \.br\ a line break;
// other escape sequences (\H\, \Xhh\, ...) are kept as written.
std::string Hl7Unescape(std::string_view value, const Hl7Encoding& enc);
// The inverse for text that is to be written back: delimiters and the escape character are
// escaped, line breaks become \.br\.
std::string Hl7Escape(std::string_view text, const Hl7Encoding& enc);

// Splits a file into records: one message (segments joined with \r), or one batch/file segment.
class Hl7Reader {
 public:
  // NotFound / Unavailable naming the path. "-" is stdin.
  static absl::StatusOr<std::unique_ptr<Hl7Reader>> Open(const std::string& path,
                                                         size_t max_record_bytes);
  ~Hl7Reader();
  Hl7Reader(const Hl7Reader&) = delete;
  Hl7Reader& operator=(const Hl7Reader&) = delete;

  // The next record and the 1-based line (segment) it starts on. False at the end, or on a
  // read error or an over-long message (status() says which).
  bool Next(std::string& record, size_t& line);
  const absl::Status& status() const { return status_; }
  // The segment terminator the file uses ("\r", "\n" or "\r\n"; "\r" until one is seen).
  const std::string& terminator() const { return terminator_; }

 private:
  Hl7Reader(std::FILE* f, bool owned, std::string path, size_t max)
      : file_(f), owned_(owned), path_(std::move(path)), max_(max) {}
  // The next segment (without terminator); false at the end of input.
  bool NextSegment(std::string& segment, size_t& line);

  std::FILE* file_;
  bool owned_;
  std::string path_;
  size_t max_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  bool last_was_cr_ = false;
  size_t line_ = 0;
  std::string terminator_ = "\r";
  bool terminator_seen_ = false;
  std::string pending_;  // a segment read ahead that starts the next record
  size_t pending_line_ = 0;
  bool has_pending_ = false;
  absl::Status status_;
};

}  // namespace phiguard::deid::internal
