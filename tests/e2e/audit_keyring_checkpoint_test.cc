// Audit checkpoints signed with a keyring `sign` key (KeyringSigner): the private key never leaves
// the keyring, each signature is an authorised and audited keyring operation, and verify trusts
// every live version of the key across a rotation.
#include <gtest/gtest.h>

#include "phiguard/audit/audit_log.h"
#include "phiguard/crypto/keyring.h"
#include "phiguard/crypto/keyring_signer.h"
#include "test_util.h"

namespace phiguard::audit {
namespace {

using crypto::KeyPurpose;
using crypto::Role;

class AuditKeyringCheckpointTest : public testing::Test {
 protected:
  void SetUp() override {
    auto root = crypto::SecretKey::FromBytes(std::string(32, 'r'));
    ASSERT_TRUE(root.ok());
    auto kr = crypto::Keyring::InitWithRootKey(
        std::make_unique<crypto::FileKeyStore>(tmp_.File("keyring.json")), sink_, "custodian", *root);
    ASSERT_TRUE(kr.ok()) << kr.status();
    kr_ = *std::move(kr);
    ASSERT_TRUE(kr_->CreateKey("custodian", "audit-checkpoint", KeyPurpose::kSign).ok());
    ASSERT_TRUE(kr_->Grant("custodian", {"audit-svc", Role::kUser, "audit-checkpoint"}).ok());
    auto key = crypto::SecretKey::FromBytes(std::string(32, 'a'));
    auto store = OpenSqliteAuditStore(tmp_.File("audit.db"));
    ASSERT_TRUE(key.ok() && store.ok());
    auto log = AuditLog::Open(*std::move(store), *std::move(key));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    AppendSome(10);
  }

  void AppendSome(int n) {
    for (int i = 0; i < n; ++i) {
      AuditEvent e;
      e.actor.id = "u:nurse";
      e.action = "read";
      e.patient = "MRN-" + std::to_string(i);
      e.outcome = "success";
      ASSERT_TRUE(log_->Append(e).ok());
    }
  }

  size_t SignEvents() const {
    size_t n = 0;
    for (const crypto::CryptoEvent& e : sink_.events()) n += e.operation == "sign" ? 1 : 0;
    return n;
  }

  testing_util::ScopedTempDir tmp_;
  crypto::MemoryCryptoAuditSink sink_;
  std::unique_ptr<crypto::Keyring> kr_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditKeyringCheckpointTest, SignsThroughTheKeyringAndVerifiesAcrossRotation) {
  crypto::KeyringSigner signer(*kr_, "audit-svc", "audit-checkpoint");
  auto first = log_->MakeCheckpoint(signer);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size, 10u);
  EXPECT_EQ(SignEvents(), 1u);  // the signature is an audited keyring operation

  ASSERT_TRUE(kr_->Rotate("custodian", "audit-checkpoint").ok());
  AppendSome(5);
  auto second = log_->MakeCheckpoint(signer);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->public_key, first->public_key);  // signed by version 2 now

  auto trusted = signer.PublicKeys();
  ASSERT_TRUE(trusted.ok()) << trusted.status();
  ASSERT_EQ(trusted->size(), 2u);
  EXPECT_EQ(trusted->front(), second->public_key);  // newest first
  auto report = log_->Verify(*trusted);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->checkpoints_ok, 2u);

  // Trusting only the new version flags the checkpoint signed by the old one, by position.
  auto partial = log_->Verify(std::vector<std::string>{second->public_key});
  ASSERT_TRUE(partial.ok());
  ASSERT_EQ(partial->findings.size(), 1u);
  EXPECT_EQ(partial->findings[0].position, 10u);
}

TEST_F(AuditKeyringCheckpointTest, OnlyUsersOfTheKeyMaySignAndARefusalStoresNothing) {
  // The custodian manages the key but may not use it (separation of duties).
  crypto::KeyringSigner custodian(*kr_, "custodian", "audit-checkpoint");
  auto refused = log_->MakeCheckpoint(custodian);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  auto none = log_->Checkpoints();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  crypto::KeyringSigner wrong_purpose(*kr_, "audit-svc", "no-such-key");
  EXPECT_FALSE(log_->MakeCheckpoint(wrong_purpose).ok());

  kr_->Seal("custodian");
  crypto::KeyringSigner sealed(*kr_, "audit-svc", "audit-checkpoint");
  EXPECT_EQ(log_->MakeCheckpoint(sealed).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace phiguard::audit
