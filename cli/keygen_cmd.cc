// phiguard keygen: write a fresh 256-bit key (hex) for --key-file.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "commands.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::cli {

void RegisterKeygen(CLI::App& app, const GlobalOptions&) {
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "keygen", "Write a new random 256-bit key (hex, mode 0600) for --key-file.\n"
                "Example:\n  phiguard keygen -o ~/.local/share/phiguard/deid.key");
  cmd->add_option("-o,--out", *out, "Key file to create (never overwritten)")->required();
  cmd->callback([out] {
    auto key = crypto::SecretKey::Generate();
    if (!key.ok()) Fail(key.status());
    std::string hex = HexEncode(key->RawBytesForCrypto()) + "\n";
    // O_EXCL: never replace an existing key, even one created while we were generating.
    int fd = ::open(out->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) UsageError(*out + ": exists; refusing to overwrite a key");
    if (fd < 0) Fail(absl::UnavailableError(*out + ": " + std::strerror(errno)));
    bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) &&
              ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    OPENSSL_cleanse(hex.data(), hex.size());
    if (!ok) {
      ::unlink(out->c_str());
      Fail(absl::UnavailableError(*out + ": cannot write the key"));
    }
    std::fprintf(stderr, "phiguard: wrote a new key to %s\n", out->c_str());
  });
}

}  // namespace phiguard::cli
