// TLS for every listener phiguard opens and every service it calls: OpenSSL 3 contexts fixed to
// TLS 1.2+ (TLS 1.3 preferred; TLS 1.2 only with ECDHE + AEAD ciphers), no compression or
// renegotiation, peer certificates always verified against a given CA, and mutual TLS (client
// certificates required) on servers unless turned off. Development certificates come from
// `phiguard certs` (certs.h).
//
// Connections write to sockets with write(2): processes that use them ignore SIGPIPE (servers do),
// so a peer that hangs up is an error status, not a signal.
//
// A TlsContext is immutable after Create*(): Accept/Connect are safe to call from many threads. A
// TlsConnection belongs to one thread at a time.
//
// Availability: the library links libssl only when built with PHIGUARD_WITH_TLS (CMake must add
// OpenSSL::SSL and the definition); without it Create* return Unimplemented.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "phiguard/crypto/secret_key.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace phiguard::crypto {

struct TlsConfig {
  // Our certificate (PEM). Required for servers; for clients, only with mutual TLS.
  std::string cert_pem;
  // Its private key (PEM), not owned; must outlive Create*().
  const SecretKey* key_pem = nullptr;
  // The CA that must have signed the peer's certificate (PEM). Required.
  std::string ca_pem;
  // Servers: require and verify a client certificate (mutual TLS). Default on.
  bool require_client_cert = true;
  // Clients: the name (DNS name or IP address) the server's certificate must carry. Required.
  std::string server_name;
};

class TlsConnection;

class TlsContext {
 public:
  // InvalidArgument naming what is missing or unparsable (certificate, key, CA, key mismatch);
  // Unimplemented when built without TLS.
  static absl::StatusOr<std::unique_ptr<TlsContext>> CreateServer(const TlsConfig& config);
  static absl::StatusOr<std::unique_ptr<TlsContext>> CreateClient(const TlsConfig& config);
  ~TlsContext();
  // Not copyable: owns an SSL_CTX.
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Runs the server/client handshake on a connected socket `fd` (not owned; the caller closes it
  // after the connection is gone). Unauthenticated with OpenSSL's reason if the handshake fails
  // (peer certificate missing, untrusted, wrong name or usage, protocol below TLS 1.2, ...).
  absl::StatusOr<std::unique_ptr<TlsConnection>> Accept(int fd) const;
  absl::StatusOr<std::unique_ptr<TlsConnection>> Connect(int fd) const;

 private:
  TlsContext(SSL_CTX* ctx, std::string server_name) : ctx_(ctx), server_name_(std::move(server_name)) {}
  SSL_CTX* ctx_;
  std::string server_name_;
};

class TlsConnection {
 public:
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // Writes all of `data`. Unavailable if the connection fails.
  absl::Status Write(std::string_view data);
  // Reads up to `max_bytes`; an empty string at a clean close. Unavailable on errors.
  absl::StatusOr<std::string> Read(size_t max_bytes);
  // "TLSv1.3" or "TLSv1.2".
  std::string Protocol() const;
  // The peer certificate's common name, or "" if the peer sent none.
  std::string PeerCommonName() const;

 private:
  friend class TlsContext;
  explicit TlsConnection(SSL* ssl) : ssl_(ssl) {}
  SSL* ssl_;
};

}  // namespace phiguard::crypto
