// Bounded, all-or-nothing file I/O. Readers refuse input past a size limit instead of exhausting
// memory; writers stage output in a temporary file beside the target and rename it into place, so a
// failed run never leaves a half-written file. Error messages name the path, never the contents.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace phiguard {

// Reads the whole file at `path` ("-" = stdin). NotFound if it does not exist, ResourceExhausted if
// it is larger than `max_bytes`, Unavailable on other I/O errors.
absl::StatusOr<std::string> ReadFileBounded(const std::string& path, size_t max_bytes);

// Reads a file line by line with a cap on line length. Lines are returned without the trailing
// "\n" (and "\r\n"). Not thread-safe.
class LineReader {
 public:
  // Opens `path` ("-" = stdin). NotFound / PermissionDenied / Unavailable naming the path.
  static absl::StatusOr<std::unique_ptr<LineReader>> Open(const std::string& path,
                                                          size_t max_line_bytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets `line` to the next line. Returns false at end of file. On an over-long line or a read
  // error returns false and status() says why (ResourceExhausted naming the line number).
  bool Next(std::string& line);
  const absl::Status& status() const { return status_; }
  // 1-based number of the line last returned.
  size_t line_number() const { return line_number_; }

 private:
  LineReader(std::FILE* f, bool owned, std::string path, size_t max_line_bytes)
      : file_(f), owned_(owned), path_(std::move(path)), max_line_bytes_(max_line_bytes) {}
  std::FILE* file_;
  bool owned_;
  std::string path_;
  size_t max_line_bytes_;
  size_t line_number_ = 0;
  absl::Status status_;
  // Read buffer: lines are found with memchr over whole blocks, not a byte at a time.
  std::string buf_;
  size_t buf_pos_ = 0;
  bool eof_ = false;
};

// Writes to `path` atomically: data goes to "<path>.tmp.<pid>" and Commit() renames it over
// `path`. Destroying an uncommitted writer removes the temporary file. `path` "-" writes straight
// to stdout, and an existing device or pipe (/dev/null, a FIFO) is written in place: no atomicity
// is possible there, and a rename would replace the device. A directory is InvalidArgument.
// Not thread-safe.
class AtomicFileWriter {
 public:
  static absl::StatusOr<std::unique_ptr<AtomicFileWriter>> Open(const std::string& path);
  // True if Open(path) writes in place rather than through a temporary file: "-" (stdout) or an
  // existing device or pipe. Nothing then belongs next to `path` (it may be in /dev).
  static bool WritesInPlace(const std::string& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  absl::Status Write(std::string_view data);
  // Flushes, fsyncs and renames into place. Unavailable on failure (the target is untouched).
  absl::Status Commit();

 private:
  AtomicFileWriter(std::FILE* f, std::string path, std::string tmp_path)
      : file_(f), path_(std::move(path)), tmp_path_(std::move(tmp_path)) {}
  std::FILE* file_;
  std::string path_;
  std::string tmp_path_;  // empty for stdout or a device written in place
  bool owns_direct_ = false;  // a device or pipe opened here (closed on commit)
  bool committed_ = false;
};

}  // namespace phiguard
