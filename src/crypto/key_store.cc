#include "phiguard/crypto/key_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"

namespace phiguard::crypto {

absl::StatusOr<std::optional<std::string>> FileKeyStore::Load() {
  auto content = ReadFileBounded(path_, 64u << 20);
  if (absl::IsNotFound(content.status())) return std::optional<std::string>();
  if (!content.ok()) return content.status();
  return std::optional<std::string>(*std::move(content));
}

absl::Status FileKeyStore::Save(const std::optional<std::string>& expected, std::string_view blob) {
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec)) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    }
    if (ec) return absl::UnavailableError(Cat(dir.string(), ": cannot create the keyring directory"));
  }
  const std::string lock_path = path_ + ".lock";
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) return absl::UnavailableError(Cat(lock_path, ": cannot open the keyring lock"));
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing releases the flock
  } unlock{lock};
  if (::flock(lock, LOCK_EX) != 0) return absl::UnavailableError(Cat(lock_path, ": cannot lock the keyring"));
  auto current = Load();
  if (!current.ok()) return current.status();
  if (*current != expected) {
    return absl::AbortedError(Cat(path_, ": the keyring was changed by another process; run the command again"));
  }
  // The temporary file is created with the process umask; tighten it before any data goes in.
  const mode_t old = ::umask(077);
  auto writer = AtomicFileWriter::Open(path_);
  ::umask(old);
  if (!writer.ok()) return writer.status();
  if (absl::Status s = (*writer)->Write(blob); !s.ok()) return s;
  return (*writer)->Commit();
}

}  // namespace phiguard::crypto
