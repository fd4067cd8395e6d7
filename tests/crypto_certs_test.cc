// The development CA: certificates chain to their CA, carry the right usage, and are refused by
// another CA or for the other usage.
#include <gtest/gtest.h>

#include "phiguard/crypto/certs.h"

namespace phiguard::crypto {
namespace {

using absl::StatusCode;

class CertsTest : public testing::Test {
 protected:
  void SetUp() override {
    auto ca = CreateCertificateAuthority("phiguard test CA", 30);
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::make_unique<PemCertificate>(*std::move(ca));
  }
  std::unique_ptr<PemCertificate> ca_;
};

TEST_F(CertsTest, CaIsPemWithAPrivateKey) {
  EXPECT_EQ(ca_->cert_pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_NE(std::string(ca_->key_pem.RawBytesForCrypto()).find("PRIVATE KEY"), std::string::npos);
}

TEST_F(CertsTest, ServerAndClientCertificatesVerifyForTheirUsageOnly) {
  auto server = IssueCertificate(*ca_, {"localhost", CertUsage::kServer, {"localhost"}, {"127.0.0.1", "::1"}, 30});
  auto client = IssueCertificate(*ca_, {"gateway-1", CertUsage::kClient, {}, {}, 30});
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_TRUE(VerifyCertificate(ca_->cert_pem, server->cert_pem, CertUsage::kServer).ok());
  EXPECT_TRUE(VerifyCertificate(ca_->cert_pem, client->cert_pem, CertUsage::kClient).ok());
  EXPECT_EQ(VerifyCertificate(ca_->cert_pem, server->cert_pem, CertUsage::kClient).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyCertificate(ca_->cert_pem, client->cert_pem, CertUsage::kServer).code(),
            StatusCode::kPermissionDenied);
}

TEST_F(CertsTest, AnotherCaDoesNotVouchForTheCertificate) {
  auto other = CreateCertificateAuthority("other CA", 30);
  ASSERT_TRUE(other.ok());
  auto server = IssueCertificate(*ca_, {"localhost", CertUsage::kServer, {"localhost"}, {}, 30});
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(VerifyCertificate(other->cert_pem, server->cert_pem, CertUsage::kServer).code(),
            StatusCode::kPermissionDenied);
  // A leaf cannot act as a CA (CA:FALSE): a certificate "issued" by it does not verify.
  PemCertificate fake_ca{server->cert_pem, *SecretKey::FromBytes(std::string(server->key_pem.RawBytesForCrypto()))};
  auto forged = IssueCertificate(fake_ca, {"evil", CertUsage::kServer, {"localhost"}, {}, 30});
  ASSERT_TRUE(forged.ok());
  EXPECT_FALSE(VerifyCertificate(server->cert_pem, forged->cert_pem, CertUsage::kServer).ok());
}

TEST_F(CertsTest, BadRequestsAreInvalidArgument) {
  EXPECT_EQ(IssueCertificate(*ca_, {"", CertUsage::kServer, {}, {}, 30}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueCertificate(*ca_, {"x", CertUsage::kServer, {"bad name,DNS:evil"}, {}, 30}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueCertificate(*ca_, {"x", CertUsage::kServer, {}, {"300.1.1.1"}, 30}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueCertificate(*ca_, {"x", CertUsage::kServer, {}, {}, 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateCertificateAuthority("ca", 4000).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCertificate("not pem", ca_->cert_pem, CertUsage::kServer).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace phiguard::crypto
