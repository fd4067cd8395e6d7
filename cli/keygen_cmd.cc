// phiguard keygen: write a fresh 256-bit key (hex) for --key-file.
#include <sys/stat.h>

#include <cstdio>

#include "commands.h"
#include "phiguard/core/file_io.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::cli {

void RegisterKeygen(CLI::App& app, const GlobalOptions&) {
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "keygen", "Write a new random 256-bit key (hex, mode 0600) for --key-file.\n"
                "Example:\n  phiguard keygen -o ~/.local/share/phiguard/deid.key");
  cmd->add_option("-o,--out", *out, "Key file to create (never overwritten)")->required();
  cmd->callback([out] {
    struct stat st;
    if (::stat(out->c_str(), &st) == 0) UsageError(*out + ": exists; refusing to overwrite a key");
    auto key = crypto::SecretKey::Generate();
    if (!key.ok()) Fail(key.status());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (char c : key->RawBytesForCrypto()) {
      hex.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 15]);
      hex.push_back(kHex[static_cast<unsigned char>(c) & 15]);
    }
    hex.push_back('\n');
    auto w = AtomicFileWriter::Open(*out);  // created 0600
    if (!w.ok()) Fail(w.status());
    if (auto s = (*w)->Write(hex); !s.ok()) Fail(s);
    if (auto s = (*w)->Commit(); !s.ok()) Fail(s);
    std::fprintf(stderr, "phiguard: wrote a new key to %s\n", out->c_str());
  });
}

}  // namespace phiguard::cli
