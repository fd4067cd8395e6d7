#include "deid/internal/hl7_message.h"

#include <cctype>
#include <cstring>

#include "phiguard/core/strings.h"

namespace phiguard::deid::internal {

bool IsSegmentId(std::string_view s) {
  if (s.size() != 3 || !std::isupper(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s.substr(1)) {
    if (!std::isupper(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

bool IsHeaderSegment(std::string_view segment) {
  return segment.starts_with("MSH") || segment.starts_with("BHS") || segment.starts_with("FHS");
}

absl::StatusOr<Hl7Encoding> ParseEncoding(std::string_view header) {
  if (header.size() < 8) {
    return absl::InvalidArgumentError(Cat(header.substr(0, 3), " is too short for MSH-1 and MSH-2"));
  }
  Hl7Encoding e;
  e.field = header[3];
  size_t end = header.find(e.field, 4);
  std::string_view chars = header.substr(4, end == std::string_view::npos ? header.npos : end - 4);
  if (chars.size() < 4 || chars.size() > 5) {
    return absl::InvalidArgumentError(Cat(header.substr(0, 3), "-2 must hold 4 or 5 encoding characters"));
  }
  e.component = chars[0];
  e.repetition = chars[1];
  e.escape = chars[2];
  e.subcomponent = chars[3];
  std::string all = Cat(std::string_view(&e.field, 1), chars);
  for (size_t i = 0; i < all.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(all[i]);
    if (std::isalnum(c) || std::isspace(c) || all.find(all[i], i + 1) != std::string::npos) {
      return absl::InvalidArgumentError(
          Cat(header.substr(0, 3), "-1/-2: encoding characters must be distinct punctuation"));
    }
  }
  return e;
}

std::string Hl7Unescape(std::string_view v, const Hl7Encoding& enc) {
  if (v.find(enc.escape) == std::string_view::npos) return std::string(v);
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != enc.escape) {
      out.push_back(v[i]);
      continue;
    }
    size_t close = v.find(enc.escape, i + 1);
    if (close == std::string_view::npos) {  // a lone escape character stands for itself
      out.append(v.substr(i));
      break;
    }
    std::string_view seq = v.substr(i + 1, close - i - 1);
    if (seq == "F") out.push_back(enc.field);
    else if (seq == "S") out.push_back(enc.component);
    else if (seq == "T") out.push_back(enc.subcomponent);
    else if (seq == "R") out.push_back(enc.repetition);
    else if (seq == "E") out.push_back(enc.escape);
    else if (seq == ".br") out.push_back('\n');
    else out.append(v.substr(i, close - i + 1));
    i = close;
  }
  return out;
}

std::string Hl7Escape(std::string_view text, const Hl7Encoding& enc) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const char* code = c == enc.field          ? "F"
                       : c == enc.component    ? "S"
                       : c == enc.subcomponent ? "T"
                       : c == enc.repetition   ? "R"
                       : c == enc.escape       ? "E"
                       : c == '\n'             ? ".br"
                                               : nullptr;
    if (c == '\r') continue;  // a segment terminator cannot appear inside a value
    if (code == nullptr) {
      out.push_back(c);
      continue;
    }
    out.push_back(enc.escape);
    out += code;
    out.push_back(enc.escape);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Hl7Reader>> Hl7Reader::Open(const std::string& path,
                                                           size_t max_record_bytes) {
  if (path == "-") return std::unique_ptr<Hl7Reader>(new Hl7Reader(stdin, false, "<stdin>", max_record_bytes));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return absl::NotFoundError(Cat(path, ": no such file"));
    return absl::UnavailableError(Cat(path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<Hl7Reader>(new Hl7Reader(f, true, path, max_record_bytes));
}

Hl7Reader::~Hl7Reader() {
  if (owned_) std::fclose(file_);
}

bool Hl7Reader::NextSegment(std::string& segment, size_t& line) {
  segment.clear();
  while (true) {
    if (pos_ == buf_.size()) {
      if (eof_) {
        if (segment.empty()) return false;
        line = ++line_;
        return true;
      }
      buf_.resize(1 << 20);
      size_t n = std::fread(buf_.data(), 1, buf_.size(), file_);
      buf_.resize(n);
      pos_ = 0;
      if (n == 0) {
        if (std::ferror(file_)) {
          status_ = absl::UnavailableError(Cat(path_, ": read error"));
          return false;
        }
        eof_ = true;
      }
      continue;
    }
    const char* start = buf_.data() + pos_;
    size_t avail = buf_.size() - pos_;
    // "\r\n": the \n after a \r ends nothing.
    if (last_was_cr_ && *start == '\n') {
      last_was_cr_ = false;
      if (!terminator_seen_ || terminator_ == "\r") terminator_ = "\r\n";
      terminator_seen_ = true;
      ++pos_;
      continue;
    }
    last_was_cr_ = false;
    // The first \r or \n (one pass: a file with only \n must not be searched for \r to its end).
    const char* end = nullptr;
    for (const char* p = start; p < start + avail; ++p) {
      if (*p == '\r' || *p == '\n') {
        end = p;
        break;
      }
    }
    size_t len = end ? static_cast<size_t>(end - start) : avail;
    if (segment.size() + len > max_) {
      status_ = absl::ResourceExhaustedError(
          Cat(path_, ":", line_ + 1, ": segment longer than ", max_, " bytes"));
      return false;
    }
    segment.append(start, len);
    pos_ += len;
    if (end == nullptr) continue;
    ++pos_;
    if (*end == '\r') last_was_cr_ = true;
    if (!terminator_seen_) {
      terminator_ = *end == '\r' ? "\r" : "\n";
      terminator_seen_ = *end == '\n';  // "\r" may still turn out to be "\r\n"
    }
    line = ++line_;
    if (segment.empty()) continue;  // blank lines between messages
    return true;
  }
}

bool Hl7Reader::Next(std::string& record, size_t& line) {
  record.clear();
  std::string segment;
  size_t seg_line = 0;
  if (has_pending_) {
    record = std::move(pending_);
    line = pending_line_;
    has_pending_ = false;
  } else {
    if (!NextSegment(record, line)) return false;
  }
  auto standalone = [](std::string_view s) {
    return s.starts_with("BHS") || s.starts_with("BTS") || s.starts_with("FHS") ||
           s.starts_with("FTS");
  };
  if (standalone(record)) return true;
  while (NextSegment(segment, seg_line)) {
    if (segment.starts_with("MSH") || standalone(segment)) {
      pending_ = std::move(segment);
      pending_line_ = seg_line;
      has_pending_ = true;
      return true;
    }
    if (record.size() + 1 + segment.size() > max_) {
      status_ = absl::ResourceExhaustedError(
          Cat(path_, ":", line, ": message longer than ", max_, " bytes"));
      return false;
    }
    record.push_back('\r');
    record += segment;
  }
  return status_.ok();
}

}  // namespace phiguard::deid::internal
