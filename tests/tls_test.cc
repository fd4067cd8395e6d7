// TLS contexts: a real handshake over a socketpair with mutual TLS, and each way it must fail
// (no client certificate, certificates from another CA, wrong server name, a peer limited to
// TLS 1.1). Skipped, loudly, in builds without TLS.
#include "phiguard/crypto/tls.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "phiguard/crypto/certs.h"

#ifdef PHIGUARD_WITH_TLS
#include <openssl/ssl.h>
#endif

namespace phiguard::crypto {
namespace {

using absl::StatusCode;

struct Pki {
  PemCertificate ca, server, client;
};

Pki MakePki() {
  auto ca = CreateCertificateAuthority("tls test CA", 2);
  EXPECT_TRUE(ca.ok());
  auto server = IssueCertificate(*ca, {"localhost", CertUsage::kServer, {"localhost"}, {"127.0.0.1"}, 2});
  auto client = IssueCertificate(*ca, {"gateway-1", CertUsage::kClient, {}, {}, 2});
  EXPECT_TRUE(server.ok() && client.ok());
  return Pki{*std::move(ca), *std::move(server), *std::move(client)};
}

struct Outcome {
  absl::Status server, client;
  std::string server_got, client_got, protocol, peer_cn;
};

// Handshakes `server` and `client` over a socketpair, then sends "ping" and "pong".
Outcome Exchange(const TlsContext& server, const TlsContext& client) {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  Outcome o;
  std::thread t([&] {
    auto conn = server.Accept(fds[0]);
    o.server = conn.status();
    if (conn.ok()) {
      auto got = (*conn)->Read(100);
      o.server = got.status();
      if (got.ok()) {
        o.server_got = *got;
        o.peer_cn = (*conn)->PeerCommonName();
        o.server = (*conn)->Write("pong");
      }
    }
    conn = absl::UnknownError("closed");
    ::close(fds[0]);
  });
  auto conn = client.Connect(fds[1]);
  o.client = conn.status();
  if (conn.ok()) {
    o.protocol = (*conn)->Protocol();
    o.client = (*conn)->Write("ping");
    if (o.client.ok()) {
      auto got = (*conn)->Read(100);
      o.client = got.status();
      if (got.ok()) o.client_got = *got;
    }
  }
  conn = absl::UnknownError("closed");
  ::close(fds[1]);
  t.join();
  return o;
}

class TlsTest : public testing::Test {
 protected:
  void SetUp() override {
#ifndef PHIGUARD_WITH_TLS
    GTEST_SKIP() << "BUILT WITHOUT TLS (PHIGUARD_WITH_TLS): TLS handshakes NOT tested";
#endif
    // A peer that hangs up mid-write must not kill the process (tls.h: callers ignore SIGPIPE).
    std::signal(SIGPIPE, SIG_IGN);
    pki_ = std::make_unique<Pki>(MakePki());
  }
  TlsConfig ServerConfig() const { return {pki_->server.cert_pem, &pki_->server.key_pem, pki_->ca.cert_pem, true, ""}; }
  TlsConfig ClientConfig() const {
    return {pki_->client.cert_pem, &pki_->client.key_pem, pki_->ca.cert_pem, true, "localhost"};
  }
  std::unique_ptr<TlsContext> Server(const TlsConfig& c) {
    auto ctx = TlsContext::CreateServer(c);
    EXPECT_TRUE(ctx.ok()) << ctx.status();
    return ctx.ok() ? *std::move(ctx) : nullptr;
  }
  std::unique_ptr<TlsContext> Client(const TlsConfig& c) {
    auto ctx = TlsContext::CreateClient(c);
    EXPECT_TRUE(ctx.ok()) << ctx.status();
    return ctx.ok() ? *std::move(ctx) : nullptr;
  }
  std::unique_ptr<Pki> pki_;
};

TEST_F(TlsTest, MutualTlsHandshakeCarriesData) {
  auto server = Server(ServerConfig());
  auto client = Client(ClientConfig());
  Outcome o = Exchange(*server, *client);
  ASSERT_TRUE(o.server.ok()) << o.server;
  ASSERT_TRUE(o.client.ok()) << o.client;
  EXPECT_EQ(o.server_got, "ping");
  EXPECT_EQ(o.client_got, "pong");
  EXPECT_EQ(o.protocol, "TLSv1.3");
  EXPECT_EQ(o.peer_cn, "gateway-1");
}

TEST_F(TlsTest, ServerNamedByIpAddressVerifies) {
  auto server = Server(ServerConfig());
  TlsConfig c = ClientConfig();
  c.server_name = "127.0.0.1";
  auto client = Client(c);
  Outcome o = Exchange(*server, *client);
  EXPECT_TRUE(o.client.ok()) << o.client;
}

TEST_F(TlsTest, ClientWithoutCertificateIsRefused) {
  auto server = Server(ServerConfig());
  TlsConfig c = ClientConfig();
  c.cert_pem.clear();
  c.key_pem = nullptr;
  auto client = Client(c);
  Outcome o = Exchange(*server, *client);
  EXPECT_EQ(o.server.code(), StatusCode::kUnauthenticated) << o.server;
  EXPECT_FALSE(o.client.ok());  // TLS 1.3: learns it on the first read
  EXPECT_EQ(o.server_got, "");
}

TEST_F(TlsTest, CertificatesFromAnotherCaAreRefusedBothWays) {
  Pki other = MakePki();
  auto server = Server(ServerConfig());
  auto stranger = Client({other.client.cert_pem, &other.client.key_pem, pki_->ca.cert_pem, true, "localhost"});
  Outcome o = Exchange(*server, *stranger);
  EXPECT_EQ(o.server.code(), StatusCode::kUnauthenticated) << o.server;
  auto fake_server = Server({other.server.cert_pem, &other.server.key_pem, pki_->ca.cert_pem, true, ""});
  auto client = Client(ClientConfig());
  o = Exchange(*fake_server, *client);
  EXPECT_EQ(o.client.code(), StatusCode::kUnauthenticated) << o.client;
  EXPECT_EQ(o.server_got, "");
}

TEST_F(TlsTest, WrongServerNameIsRefused) {
  auto server = Server(ServerConfig());
  TlsConfig c = ClientConfig();
  c.server_name = "db.example.org";
  auto client = Client(c);
  Outcome o = Exchange(*server, *client);
  EXPECT_EQ(o.client.code(), StatusCode::kUnauthenticated) << o.client;
}

TEST_F(TlsTest, ClientCertificateCannotServeAsServerCertificate) {
  auto server = Server({pki_->client.cert_pem, &pki_->client.key_pem, pki_->ca.cert_pem, true, ""});
  TlsConfig c = ClientConfig();
  c.server_name = "gateway-1";
  auto client = Client(c);
  Outcome o = Exchange(*server, *client);
  EXPECT_EQ(o.client.code(), StatusCode::kUnauthenticated) << o.client;
}

#ifdef PHIGUARD_WITH_TLS
TEST_F(TlsTest, PeerLimitedToTls11IsRefused) {
  auto server = Server(ServerConfig());
  auto client = Client(ClientConfig());
  // Reach under the API to cap a client at TLS 1.1, as an old peer would be.
  SSL_CTX* raw = SSL_CTX_new(TLS_client_method());
  ASSERT_NE(raw, nullptr);
  SSL_CTX_set_max_proto_version(raw, TLS1_1_VERSION);
  SSL_CTX_set_security_level(raw, 0);
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  absl::Status server_status;
  std::thread t([&] {
    server_status = server->Accept(fds[0]).status();
    ::close(fds[0]);
  });
  SSL* ssl = SSL_new(raw);
  SSL_set_fd(ssl, fds[1]);
  EXPECT_NE(SSL_connect(ssl), 1);
  SSL_free(ssl);
  ::close(fds[1]);
  t.join();
  SSL_CTX_free(raw);
  EXPECT_EQ(server_status.code(), StatusCode::kUnauthenticated) << server_status;
}
#endif

TEST_F(TlsTest, IncompleteConfigurationsAreInvalidArgument) {
  TlsConfig s = ServerConfig();
  s.ca_pem.clear();
  EXPECT_EQ(TlsContext::CreateServer(s).status().code(), StatusCode::kInvalidArgument);
  s = ServerConfig();
  s.key_pem = &pki_->client.key_pem;  // not the certificate's key
  EXPECT_EQ(TlsContext::CreateServer(s).status().code(), StatusCode::kInvalidArgument);
  TlsConfig c = ClientConfig();
  c.server_name.clear();
  EXPECT_EQ(TlsContext::CreateClient(c).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace phiguard::crypto
