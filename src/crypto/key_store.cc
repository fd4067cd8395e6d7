#include "phiguard/crypto/key_store.h"

#include <sys/stat.h>

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

absl::Status FileKeyStore::Save(std::string_view blob) {
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec)) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    }
    if (ec) return absl::UnavailableError(Cat(dir.string(), ": cannot create the keyring directory"));
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
