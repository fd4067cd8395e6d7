#include "phiguard/core/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, *f)) > 0) {
    if (out.size() + n > max_bytes) {
      if (*f != stdin) std::fclose(*f);
      return absl::ResourceExhaustedError(
          phiguard::Cat(path, ": larger than the limit of ", max_bytes, " bytes"));
    }
    out.append(buf, n);
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
  return std::unique_ptr<LineReader>(
      new LineReader(*f, *f != stdin, path == "-" ? "<stdin>" : path, max_line_bytes));
}

LineReader::~LineReader() {
  if (owned_) std::fclose(file_);
}

bool LineReader::Next(std::string& line) {
  constexpr size_t kBlock = 1 << 20;
  line.clear();
  if (!status_.ok()) return false;
  auto too_long = [&] {
    status_ = absl::ResourceExhaustedError(phiguard::Cat(path_, ":", line_number_ + 1,
                                                        ": line longer than the limit of ",
                                                        max_line_bytes_, " bytes"));
    return false;
  };
  for (;;) {
    if (buf_pos_ < buf_.size()) {
      const char* start = buf_.data() + buf_pos_;
      size_t avail = buf_.size() - buf_pos_;
      const void* nl = std::memchr(start, '\n', avail);
      size_t take = nl != nullptr ? static_cast<const char*>(nl) - start : avail;
      // One byte of slack for the '\r' of a CRLF ending, checked again below.
      if (line.size() + take > max_line_bytes_ + 1) return too_long();
      line.append(start, take);
      buf_pos_ += take;
      if (nl != nullptr) {
        ++buf_pos_;  // the '\n'
        break;
      }
    }
    if (eof_) {
      if (line.empty()) return false;
      break;
    }
    buf_.resize(kBlock);
    size_t n = std::fread(buf_.data(), 1, kBlock, file_);
    buf_.resize(n);
    buf_pos_ = 0;
    if (n < kBlock) {
      if (std::ferror(file_)) {
        status_ = absl::UnavailableError(phiguard::Cat(path_, ": read error"));
        return false;
      }
      eof_ = true;
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > max_line_bytes_) return too_long();
  ++line_number_;
  return true;
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
