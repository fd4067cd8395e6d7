// phiguard certs: a local CA plus server and client certificates for development mTLS.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/certs.h"

namespace phiguard::cli {
namespace {

// Creates `path` (never overwriting) with `mode` and writes `data`.
absl::Status WriteNew(const std::string& path, std::string_view data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0 && errno == EEXIST) return absl::AlreadyExistsError(Cat(path, ": exists; refusing to overwrite"));
  if (fd < 0) return absl::UnavailableError(Cat(path, ": ", std::strerror(errno)));
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(path.c_str());
    return absl::UnavailableError(Cat(path, ": cannot write"));
  }
  return absl::OkStatus();
}

void WritePair(const std::string& dir, const std::string& stem, const crypto::PemCertificate& c) {
  if (absl::Status s = WriteNew(Cat(dir, "/", stem, ".key"), c.key_pem.RawBytesForCrypto(), 0600); !s.ok()) Fail(s);
  if (absl::Status s = WriteNew(Cat(dir, "/", stem, ".crt"), c.cert_pem, 0644); !s.ok()) Fail(s);
}

}  // namespace

void RegisterCerts(CLI::App& app, const GlobalOptions&) {
  struct Opts {
    std::string dir;
    std::vector<std::string> dns = {"localhost"}, ips = {"127.0.0.1", "::1"}, clients;
    int days = 90;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "certs", "Make a development CA and certificates for mutual TLS (not for production):\n"
               "ca.crt/ca.key, server.crt/server.key and client-NAME.crt/.key in --dir (keys 0600,\n"
               "never overwritten).\n"
               "Example:\n  phiguard certs --dir dev-tls --client gateway --client alice");
  cmd->add_option("--dir", o->dir, "Directory to create the files in")->required();
  cmd->add_option("--dns", o->dns, "Server DNS names")->capture_default_str();
  cmd->add_option("--ip", o->ips, "Server IP addresses")->capture_default_str();
  cmd->add_option("--client", o->clients, "Client identities to issue certificates for");
  cmd->add_option("--days", o->days, "Validity in days (1..3650)")->capture_default_str();
  cmd->callback([o] {
    std::error_code ec;
    std::filesystem::create_directories(o->dir, ec);
    if (ec) Fail(absl::UnavailableError(Cat(o->dir, ": cannot create")));
    auto ca = crypto::CreateCertificateAuthority("phiguard development CA", o->days);
    if (!ca.ok()) Fail(ca.status());
    auto server = crypto::IssueCertificate(*ca, {o->dns.empty() ? "localhost" : o->dns.front(),
                                                 crypto::CertUsage::kServer, o->dns, o->ips, o->days});
    if (!server.ok()) Fail(server.status());
    std::vector<crypto::PemCertificate> clients;
    for (const std::string& name : o->clients) {
      auto c = crypto::IssueCertificate(*ca, {name, crypto::CertUsage::kClient, {}, {}, o->days});
      if (!c.ok()) Fail(c.status());
      clients.push_back(*std::move(c));
    }
    WritePair(o->dir, "ca", *ca);
    WritePair(o->dir, "server", *server);
    for (size_t i = 0; i < clients.size(); ++i) WritePair(o->dir, "client-" + o->clients[i], clients[i]);
    std::fprintf(stderr, "phiguard: development CA and certificates written to %s (NOT for production)\n",
                 o->dir.c_str());
  });
}

}  // namespace phiguard::cli
