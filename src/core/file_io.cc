#include "phiguard/core/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>

#include "phiguard/core/strings.h"

namespace phiguard {
namespace {

absl::Status OpenError(const std::string& path, int err) {
  std::string msg = phiguard::Cat(path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES) return absl::PermissionDeniedError(msg);
  return absl::UnavailableError(msg);
}

absl::StatusOr<std::FILE*> OpenForRead(const std::string& path) {
  if (path == "-") return stdin;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return OpenError(path, errno);
  if (S_ISDIR(st.st_mode)) return absl::InvalidArgumentError(phiguard::Cat(path, ": is a directory"));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return OpenError(path, errno);
  return f;
}

}  // namespace

absl::StatusOr<std::string> ReadFileBounded(const std::string& path, size_t max_bytes) {
  auto f = OpenForRead(path);
  if (!f.ok()) return f.status();
  std::string out;
  // Read straight into `out`, sized from the file's size where it has one (the lexicons are read
  // by every process: growing the string by doubling copied each several times).
  struct stat st;
  size_t chunk = 1 << 16;
  if (::fstat(::fileno(*f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    chunk = std::min<size_t>(static_cast<size_t>(st.st_size), max_bytes) + 1;  // +1: sees EOF
  }
  for (;;) {
    const size_t have = out.size();
    out.resize(have + chunk);
    const size_t n = std::fread(out.data() + have, 1, chunk, *f);
    out.resize(have + n);
    if (out.size() > max_bytes) {
      if (*f != stdin) std::fclose(*f);
      return absl::ResourceExhaustedError(
          phiguard::Cat(path, ": larger than the limit of ", max_bytes, " bytes"));
    }
    if (n < chunk) break;  // end of file or an error (ferror below)
  }
  bool err = std::ferror(*f);
  if (*f != stdin) std::fclose(*f);
  if (err) return absl::UnavailableError(phiguard::Cat(path, ": read error"));
  return out;
}

absl::StatusOr<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path,
                                                             size_t max_line_bytes) {
  auto f = OpenForRead(path);
  if (!f.ok()) return f.status();
  // Read ahead more eagerly: lines are read front to back once. Advice only; errors ignored.
  if (*f != stdin) ::posix_fadvise(::fileno(*f), 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<LineReader>(
      new LineReader(*f, *f != stdin, path == "-" ? "<stdin>" : path, max_line_bytes));
}

LineReader::~LineReader() {
  if (owned_) std::fclose(file_);
}

namespace {

// Bytes read at once. Lines longer than a block get a larger one, up to the line limit.
constexpr size_t kLineBlock = 256 << 10;
// Spare blocks kept after DiscardViews(): enough for a batch to straddle a block boundary.
constexpr size_t kSpareBlocks = 2;

}  // namespace

bool LineReader::TooLong() {
  status_ = absl::ResourceExhaustedError(phiguard::Cat(path_, ":", line_number_ + 1,
                                                      ": line longer than the limit of ",
                                                      max_line_bytes_, " bytes"));
  return false;
}

LineReader::Block LineReader::NewBlock(size_t size) {
  for (size_t i = 0; i < spare_.size(); ++i) {
    if (spare_[i].size < size) continue;
    Block b = std::move(spare_[i]);
    spare_.erase(spare_.begin() + static_cast<std::ptrdiff_t>(i));
    return b;
  }
  Block b;
  // Zeroed once, so the padding a parser reads past a view's end is initialised.
  b.data.reset(new char[size + kReadablePastView]());
  b.size = size;
  return b;
}

bool LineReader::Refill() {
  const size_t partial = end_ - pos_;
  // A block smaller than twice the partial line is replaced by a larger one, so a long line
  // costs O(length) to assemble; a line never needs more than its limit plus "\r\n".
  const size_t line_cap = max_line_bytes_ > (SIZE_MAX >> 2) ? (SIZE_MAX >> 2) : max_line_bytes_ + 2;
  if (cur_has_views_ || cur_.data == nullptr || partial * 2 > cur_.size) {
    const size_t size = std::max(kLineBlock, std::min(partial * 2, line_cap));
    Block next = NewBlock(size);
    if (partial > 0) std::memcpy(next.data.get(), cur_.data.get() + pos_, partial);
    if (cur_has_views_) {
      held_.push_back(std::move(cur_));
    } else if (cur_.data != nullptr && spare_.size() < kSpareBlocks) {
      spare_.push_back(std::move(cur_));
    }
    cur_ = std::move(next);
    cur_has_views_ = false;
  } else if (partial > 0) {
    std::memmove(cur_.data.get(), cur_.data.get() + pos_, partial);
  }
  pos_ = 0;
  scan_ = end_ = partial;
  const size_t want = cur_.size - partial;
  const size_t n = std::fread(cur_.data.get() + partial, 1, want, file_);
  end_ += n;
  if (n < want) {
    if (std::ferror(file_)) {
      status_ = absl::UnavailableError(phiguard::Cat(path_, ": read error"));
      return false;
    }
    eof_ = true;
  }
  return true;
}

bool LineReader::NextView(std::string_view& line) {
  line = {};
  if (!status_.ok()) return false;
  for (;;) {
    const char* base = cur_.data.get();
    if (scan_ < end_) {
      const void* nl = std::memchr(base + scan_, '\n', end_ - scan_);
      if (nl != nullptr) {
        const size_t at = static_cast<const char*>(nl) - base;
        line = std::string_view(base + pos_, at - pos_);
        pos_ = scan_ = at + 1;
        break;
      }
      scan_ = end_;
    }
    // One byte of slack for the '\r' of a CRLF ending, checked again below.
    if (end_ - pos_ > max_line_bytes_ + 1) return TooLong();
    if (eof_) {
      if (pos_ == end_) return false;
      line = std::string_view(base + pos_, end_ - pos_);
      pos_ = scan_ = end_;
      break;
    }
    if (!Refill()) return false;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line_bytes_) {
    line = {};
    return TooLong();
  }
  ++line_number_;
  cur_has_views_ = true;
  return true;
}

void LineReader::DiscardViews() {
  for (Block& b : held_) {
    if (spare_.size() < kSpareBlocks) spare_.push_back(std::move(b));
  }
  held_.clear();
  cur_has_views_ = false;
}

bool LineReader::Next(std::string& line) {
  std::string_view view;
  const bool ok = NextView(view);
  line.assign(view);
  DiscardViews();
  return ok;
}

bool AtomicFileWriter::WritesInPlace(const std::string& path) {
  struct stat st;
  return path == "-" || (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode));
}

absl::StatusOr<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(stdout, path, ""));
  if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(phiguard::Cat(path, ": is a directory"));
  }
  if (WritesInPlace(path)) {
    // A device or a pipe (/dev/null, /dev/stdout, a FIFO): written in place, like stdout. A
    // temporary file renamed over it would replace the device itself (as root, /dev/null).
    std::FILE* f = std::fopen(path.c_str(), "wbe");
    if (f == nullptr) return OpenError(path, errno);
    auto w = std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(f, path, ""));
    w->owns_direct_ = true;
    return w;
  }
  std::string tmp = phiguard::Cat(path, ".tmp.", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return OpenError(tmp, errno);
  std::FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    ::close(fd);
    return OpenError(tmp, errno);
  }
  return std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(f, path, tmp));
}

AtomicFileWriter::~AtomicFileWriter() {
  if (tmp_path_.empty()) {
    if (owns_direct_ && !committed_) {
      std::fclose(file_);
    } else if (!owns_direct_) {
      std::fflush(file_);
    }
    return;
  }
  if (!committed_) {
    std::fclose(file_);
    ::unlink(tmp_path_.c_str());
  }
}

absl::Status AtomicFileWriter::Write(std::string_view data) {
  if (committed_) return absl::FailedPreconditionError("write after commit");
  if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    return absl::UnavailableError(phiguard::Cat(tmp_path_.empty() && !owns_direct_ ? "<stdout>" : path_,
                                               ": write error: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::Commit() {
  if (tmp_path_.empty()) {
    committed_ = true;
    if (owns_direct_) {
      if (std::fclose(file_) != 0) return absl::UnavailableError(phiguard::Cat(path_, ": write error"));
      return absl::OkStatus();
    }
    if (std::fflush(file_) != 0) return absl::UnavailableError("<stdout>: write error");
    return absl::OkStatus();
  }
  bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  ok = (std::fclose(file_) == 0) && ok;
  committed_ = true;
  if (!ok || ::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp_path_.c_str());
    return absl::UnavailableError(phiguard::Cat(path_, ": cannot write: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace phiguard
