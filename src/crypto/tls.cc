#include "phiguard/crypto/tls.h"

#include "phiguard/core/strings.h"

#ifdef PHIGUARD_WITH_TLS
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#endif

namespace phiguard::crypto {

#ifdef PHIGUARD_WITH_TLS
namespace {

// Forward secrecy and AEAD only for TLS 1.2; TLS 1.3 suites are all AEAD.
constexpr char kTls12Ciphers[] = "ECDHE+AESGCM:ECDHE+CHACHA20";

std::string OpensslErrors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof(buf));
    out += Cat(out.empty() ? "" : "; ", buf);
  }
  return out.empty() ? "unknown error" : out;
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free_all(b); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;
Bio ReadBio(std::string_view pem) { return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))); }

absl::StatusOr<SSL_CTX*> NewContext(const TlsConfig& c, bool server) {
  if (c.ca_pem.empty()) return absl::InvalidArgumentError("TLS needs the CA certificate that signs the peer");
  if (server && (c.cert_pem.empty() || c.key_pem == nullptr)) {
    return absl::InvalidArgumentError("a TLS server needs a certificate and its key");
  }
  if (!server && c.server_name.empty()) return absl::InvalidArgumentError("a TLS client needs the server's name");
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (ctx == nullptr) return absl::InternalError(Cat("SSL_CTX_new: ", OpensslErrors()));
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> guard(ctx, SSL_CTX_free);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 || SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return absl::InternalError(Cat("TLS settings: ", OpensslErrors()));
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Trust exactly the given CA.
  Bio ca_bio = ReadBio(c.ca_pem);
  X509* ca = PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr);
  if (ca == nullptr) return absl::InvalidArgumentError("TLS CA certificate is not valid PEM");
  const int added = X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
  X509_free(ca);
  if (added != 1) return absl::InternalError(Cat("TLS CA: ", OpensslErrors()));
  if (!c.cert_pem.empty()) {
    if (c.key_pem == nullptr) return absl::InvalidArgumentError("TLS certificate given without its key");
    Bio cert_bio = ReadBio(c.cert_pem);
    X509* cert = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
    Bio key_bio = ReadBio(c.key_pem->RawBytesForCrypto());
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
    const bool ok = cert != nullptr && key != nullptr && SSL_CTX_use_certificate(ctx, cert) == 1 &&
                    SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    ERR_clear_error();
    if (!ok) return absl::InvalidArgumentError("TLS certificate or key is not valid PEM, or they do not match");
  }
  if (server) {
    SSL_CTX_set_verify(ctx, c.require_client_cert ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_NONE,
                       nullptr);
    SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
  }
  return guard.release();
}

// Runs the handshake; frees `ssl` if it fails.
absl::Status Handshake(SSL* ssl, bool server) {
  const int rc = server ? SSL_accept(ssl) : SSL_connect(ssl);
  if (rc != 1) {
    const long verify = SSL_get_verify_result(ssl);
    std::string why = verify != X509_V_OK ? Cat("peer certificate: ", X509_verify_cert_error_string(verify))
                                          : OpensslErrors();
    ERR_clear_error();
    SSL_free(ssl);
    return absl::UnauthenticatedError(Cat("TLS handshake failed: ", why));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::CreateServer(const TlsConfig& config) {
  auto ctx = NewContext(config, true);
  if (!ctx.ok()) return ctx.status();
  return std::unique_ptr<TlsContext>(new TlsContext(*ctx, ""));
}

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::CreateClient(const TlsConfig& config) {
  auto ctx = NewContext(config, false);
  if (!ctx.ok()) return ctx.status();
  return std::unique_ptr<TlsContext>(new TlsContext(*ctx, config.server_name));
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

absl::StatusOr<std::unique_ptr<TlsConnection>> TlsContext::Accept(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return absl::InternalError(Cat("SSL_new: ", OpensslErrors()));
  }
  if (absl::Status s = Handshake(ssl, true); !s.ok()) return s;
  return std::unique_ptr<TlsConnection>(new TlsConnection(ssl));
}

absl::StatusOr<std::unique_ptr<TlsConnection>> TlsContext::Connect(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return absl::InternalError(Cat("SSL_new: ", OpensslErrors()));
  }
  // The server must prove this name: an IP address literal or a DNS name (also sent as SNI).
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  const bool is_ip = X509_VERIFY_PARAM_set1_ip_asc(param, server_name_.c_str()) == 1;
  ERR_clear_error();
  if (!is_ip && (SSL_set_tlsext_host_name(ssl, server_name_.c_str()) != 1 ||
                 SSL_set1_host(ssl, server_name_.c_str()) != 1)) {
    SSL_free(ssl);
    return absl::InvalidArgumentError(Cat("bad TLS server name: ", server_name_));
  }
  if (absl::Status s = Handshake(ssl, false); !s.ok()) return s;
  return std::unique_ptr<TlsConnection>(new TlsConnection(ssl));
}

TlsConnection::~TlsConnection() {
  SSL_shutdown(ssl_);
  SSL_free(ssl_);
}

absl::Status TlsConnection::Write(std::string_view data) {
  size_t written = 0;
  if (!data.empty() && (SSL_write_ex(ssl_, data.data(), data.size(), &written) != 1 || written != data.size())) {
    ERR_clear_error();
    return absl::UnavailableError("TLS write failed");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TlsConnection::Read(size_t max_bytes) {
  std::string out(max_bytes, '\0');
  size_t n = 0;
  if (SSL_read_ex(ssl_, out.data(), out.size(), &n) != 1) {
    const int err = SSL_get_error(ssl_, 0);
    const long verify = SSL_get_verify_result(ssl_);
    ERR_clear_error();
    if (err == SSL_ERROR_ZERO_RETURN) return std::string();
    return absl::UnavailableError(verify != X509_V_OK ? Cat("TLS read failed: ", X509_verify_cert_error_string(verify))
                                                      : std::string("TLS read failed (peer closed or rejected us)"));
  }
  out.resize(n);
  return out;
}

std::string TlsConnection::Protocol() const { return SSL_get_version(ssl_); }

std::string TlsConnection::PeerCommonName() const {
  X509* peer = SSL_get1_peer_certificate(ssl_);
  if (peer == nullptr) return "";
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof(cn));
  X509_free(peer);
  return cn;
}

#else  // !PHIGUARD_WITH_TLS

namespace {
absl::Status NoTls() {
  return absl::UnimplementedError("this build of phiguard has no TLS (needs OpenSSL::SSL and PHIGUARD_WITH_TLS)");
}
}  // namespace

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::CreateServer(const TlsConfig&) { return NoTls(); }
absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::CreateClient(const TlsConfig&) { return NoTls(); }
TlsContext::~TlsContext() = default;
absl::StatusOr<std::unique_ptr<TlsConnection>> TlsContext::Accept(int) const { return NoTls(); }
absl::StatusOr<std::unique_ptr<TlsConnection>> TlsContext::Connect(int) const { return NoTls(); }
TlsConnection::~TlsConnection() = default;
absl::Status TlsConnection::Write(std::string_view) { return NoTls(); }
absl::StatusOr<std::string> TlsConnection::Read(size_t) { return NoTls(); }
std::string TlsConnection::Protocol() const { return ""; }
std::string TlsConnection::PeerCommonName() const { return ""; }

#endif  // PHIGUARD_WITH_TLS

}  // namespace phiguard::crypto
