// Bounded, all-or-nothing file I/O. Readers refuse input past a size limit instead of exhausting
// memory; writers stage output in a temporary file beside the target and rename it into place, so a
// failed run never leaves a half-written file. Error messages name the path, never the contents.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace phiguard {

// Reads the whole file at `path` ("-" = stdin). NotFound if it does not exist, ResourceExhausted if
// it is larger than `max_bytes`, Unavailable on other I/O errors.
absl::StatusOr<std::string> ReadFileBounded(const std::string& path, size_t max_bytes);

// Reads a file line by line with a cap on line length. Lines are returned without the trailing
// "\n" (and "\r\n"), either copied (Next) or as views into the reader's buffer (NextView), which
// saves a copy per line: the views of a batch of lines stay valid together until DiscardViews().
// Not thread-safe (views may be read from any thread while they are valid).
//
//   std::string_view line;
//   while (reader->NextView(line)) Use(line);  // all the views are still valid here
//   reader->DiscardViews();
class LineReader {
 public:
  // Every view NextView() returns is followed in memory by at least this many readable bytes
  // (the next lines, or padding), so parsers that read ahead in blocks (simdjson needs
  // SIMDJSON_PADDING == 64) can parse a line in place.
  static constexpr size_t kReadablePastView = 64;

  // Opens `path` ("-" = stdin). NotFound / PermissionDenied / Unavailable naming the path.
  static absl::StatusOr<std::unique_ptr<LineReader>> Open(const std::string& path,
                                                          size_t max_line_bytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets `line` to the next line. Returns false at end of file. On an over-long line or a read
  // error returns false and status() says why (ResourceExhausted naming the line number).
  // Invalidates the views NextView() returned.
  bool Next(std::string& line);
  // As Next(), but `line` views the reader's buffer. The view stays valid until DiscardViews()
  // or Next() is called (or the reader is destroyed); until then the reader keeps the memory of
  // every line it returned, so call DiscardViews() after each batch.
  bool NextView(std::string_view& line);
  // Lets the reader reuse the memory of the lines returned so far. Invalidates their views.
  void DiscardViews();
  const absl::Status& status() const { return status_; }
  // 1-based number of the line last returned.
  size_t line_number() const { return line_number_; }

 private:
  // A read buffer: `size` bytes of file data followed by kReadablePastView bytes of padding.
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
  };
  LineReader(std::FILE* f, bool owned, std::string path, size_t max_line_bytes)
      : file_(f), owned_(owned), path_(std::move(path)), max_line_bytes_(max_line_bytes) {}
  bool TooLong();
  // Reads more of the file behind the unreturned bytes [pos_, end_), which move to the front of
  // a block (a new one if the current one holds views). False on a read error.
  bool Refill();
  Block NewBlock(size_t size);

  std::FILE* file_;
  bool owned_;
  std::string path_;
  size_t max_line_bytes_;
  size_t line_number_ = 0;
  absl::Status status_;
  // Lines are found with memchr over whole blocks, not a byte at a time. cur_ holds the bytes
  // [pos_, end_) not yet returned; [scan_, end_) is not yet searched for a '\n'.
  Block cur_;
  size_t pos_ = 0;
  size_t scan_ = 0;
  size_t end_ = 0;
  bool cur_has_views_ = false;  // cur_ holds a line NextView() returned
  std::vector<Block> held_;     // earlier blocks holding views
  std::vector<Block> spare_;    // blocks free for reuse
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
