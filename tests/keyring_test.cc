// Keyring: sealing and unsealing, key lifecycle (rotate, retire, destroy, rewrap), separation of
// duties, audit events and fail-closed behaviour, nonce budgets, and tamper resistance of message
// and stream ciphertexts and of the stored state.
#include "phiguard/crypto/keyring.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include "phiguard/crypto/aead.h"
#include "phiguard/crypto/ciphertext_format.h"
#include "phiguard/crypto/ed25519.h"
#include "phiguard/crypto/hmac.h"
#include "test_util.h"

namespace phiguard::crypto {
namespace {

using absl::StatusCode;
using testing_util::Hex;

constexpr char kAlice[] = "alice";  // custodian
constexpr char kBob[] = "bob";      // crypto user of "notes"
constexpr char kCarol[] = "carol";  // second custodian
constexpr char kDave[] = "dave";    // auditor

class KeyringTest : public testing::Test {
 protected:
  void SetUp() override {
    options_.stream_chunk_bytes = 1024;
    options_.token_hash = Argon2idParams{64, 1, 1};  // cheap: tests do not measure the cost
    auto init = Keyring::InitWithShares(Store(), sink_, kAlice, 5, 3, options_);
    ASSERT_TRUE(init.ok()) << init.status();
    kr_ = std::move(init->keyring);
    shares_ = init->shares;
    ASSERT_TRUE(kr_->CreateKey(kAlice, "notes", KeyPurpose::kAead).ok());
    ASSERT_TRUE(kr_->Grant(kAlice, {kBob, Role::kUser, "notes"}).ok());
  }

  std::unique_ptr<KeyStore> Store() { return std::make_unique<FileKeyStore>(path()); }
  std::string path() const { return tmp_.File("keyring.json"); }

  // Reopens the keyring from its file (sealed).
  std::unique_ptr<Keyring> Reopen() {
    auto kr = Keyring::Open(Store(), sink_, options_);
    EXPECT_TRUE(kr.ok()) << kr.status();
    return kr.ok() ? *std::move(kr) : nullptr;
  }

  std::string MustEncrypt(std::string_view plaintext, std::string_view aad = "ctx") {
    auto ct = kr_->Encrypt(kBob, "notes", plaintext, aad, "obj-1");
    EXPECT_TRUE(ct.ok()) << ct.status();
    return ct.ok() ? *ct : "";
  }

  std::vector<CryptoEvent> EventsFor(std::string_view operation) const {
    std::vector<CryptoEvent> out;
    for (const CryptoEvent& e : sink_.events()) {
      if (e.operation == operation) out.push_back(e);
    }
    return out;
  }

  testing_util::ScopedTempDir tmp_;
  MemoryCryptoAuditSink sink_;
  KeyringOptions options_;
  std::unique_ptr<Keyring> kr_;
  std::vector<std::string> shares_;
};

TEST_F(KeyringTest, EncryptDecryptRoundTripsAndNamesKeyAndVersion) {
  const std::string ct = MustEncrypt("Mary Walsh, MRN 00551209");
  auto header = ParseHeader(ct);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->header.key_name, "notes");
  EXPECT_EQ(header->header.key_version, 1u);
  EXPECT_EQ(ct.find("Mary"), std::string::npos);
  auto pt = kr_->Decrypt(kBob, ct, "ctx", "obj-1");
  ASSERT_TRUE(pt.ok()) << pt.status();
  EXPECT_EQ(*pt, "Mary Walsh, MRN 00551209");
  EXPECT_NE(MustEncrypt("same"), MustEncrypt("same"));  // fresh nonce each time
}

TEST_F(KeyringTest, WrongAssociatedDataIsDataLoss) {
  const std::string ct = MustEncrypt("x", "record 17");
  EXPECT_EQ(kr_->Decrypt(kBob, ct, "record 18", "o").status().code(), StatusCode::kDataLoss);
}

TEST_F(KeyringTest, EveryFlippedBitFailsWithoutPlaintext) {
  const std::string ct = MustEncrypt("PHI payload");
  const size_t header_bytes = ParseHeader(ct)->header_bytes;
  for (size_t bit = 0; bit < ct.size() * 8; ++bit) {
    std::string bad = ct;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    auto pt = kr_->Decrypt(kBob, bad, "ctx", "o");
    ASSERT_FALSE(pt.ok()) << "bit " << bit;
    const StatusCode code = pt.status().code();
    if (bit / 8 >= header_bytes) {
      EXPECT_EQ(code, StatusCode::kDataLoss) << "bit " << bit;
    } else {
      // Header bits: not a ciphertext, another (unknown or forbidden) key, or another version.
      static const std::set<StatusCode> kHeaderCodes = {
          StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kPermissionDenied,
          StatusCode::kDataLoss};
      EXPECT_TRUE(kHeaderCodes.count(code)) << "bit " << bit << ": " << pt.status();
    }
  }
}

TEST_F(KeyringTest, EveryTruncationFails) {
  const std::string ct = MustEncrypt("PHI payload");
  for (size_t n = 0; n < ct.size(); ++n) {
    auto pt = kr_->Decrypt(kBob, ct.substr(0, n), "ctx", "o");
    ASSERT_FALSE(pt.ok()) << n;
    EXPECT_TRUE(pt.status().code() == StatusCode::kInvalidArgument ||
                pt.status().code() == StatusCode::kDataLoss)
        << n << ": " << pt.status();
  }
}

TEST_F(KeyringTest, RotateKeepsOldVersionsDecryptableAndRewrapMovesToPrimary) {
  const std::string v1 = MustEncrypt("old record");
  auto v = kr_->Rotate(kAlice, "notes");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 2u);
  const std::string v2 = MustEncrypt("new record");
  EXPECT_EQ(ParseHeader(v2)->header.key_version, 2u);
  EXPECT_EQ(*kr_->Decrypt(kBob, v1, "ctx", "o"), "old record");
  auto rewrapped = kr_->Rewrap(kBob, v1, "ctx", "o");
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.status();
  EXPECT_EQ(ParseHeader(*rewrapped)->header.key_version, 2u);
  EXPECT_EQ(*kr_->Decrypt(kBob, *rewrapped, "ctx", "o"), "old record");
}

TEST_F(KeyringTest, DecryptWithRetiredVersionFailsUntilMovedBack) {
  const std::string v1 = MustEncrypt("old record");
  ASSERT_TRUE(kr_->Rotate(kAlice, "notes").ok());
  ASSERT_TRUE(kr_->SetMinDecryptionVersion(kAlice, "notes", 2).ok());
  auto pt = kr_->Decrypt(kBob, v1, "ctx", "o");
  EXPECT_EQ(pt.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(kr_->Rewrap(kBob, v1, "ctx", "o").status().code(), StatusCode::kFailedPrecondition);
  // Emergency: move the floor back.
  ASSERT_TRUE(kr_->SetMinDecryptionVersion(kAlice, "notes", 1).ok());
  EXPECT_EQ(*kr_->Decrypt(kBob, v1, "ctx", "o"), "old record");
}

TEST_F(KeyringTest, DestroyNeedsRetiredVersionAndIsFinal) {
  const std::string v1 = MustEncrypt("old record");
  ASSERT_TRUE(kr_->Rotate(kAlice, "notes").ok());
  EXPECT_EQ(kr_->DestroyVersion(kAlice, "notes", 1).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(kr_->DestroyVersion(kAlice, "notes", 2).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(kr_->SetMinDecryptionVersion(kAlice, "notes", 2).ok());
  ASSERT_TRUE(kr_->DestroyVersion(kAlice, "notes", 1).ok());
  EXPECT_EQ(kr_->SetMinDecryptionVersion(kAlice, "notes", 1).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(kr_->Decrypt(kBob, v1, "ctx", "o").status().code(), StatusCode::kNotFound);
  // Gone from the stored state too: after a reopen the version still has no material.
  auto kr = Reopen();
  ASSERT_TRUE(kr->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  EXPECT_EQ(kr->Decrypt(kBob, v1, "ctx", "o").status().code(), StatusCode::kNotFound);
  auto keys = kr->ListKeys(kAlice);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->at(0).versions.at(0).state, "destroyed");
  EXPECT_EQ(keys->at(0).versions.at(1).state, "primary");
}

TEST_F(KeyringTest, CustodianCannotUseKeysAndUserCannotManageThem) {
  EXPECT_EQ(kr_->Encrypt(kAlice, "notes", "x", "", "o").status().code(), StatusCode::kPermissionDenied);
  const std::string ct = MustEncrypt("x");
  EXPECT_EQ(kr_->Decrypt(kAlice, ct, "ctx", "o").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->Rotate(kBob, "notes").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->CreateKey(kBob, "mine", KeyPurpose::kAead).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->SetMinDecryptionVersion(kBob, "notes", 1).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->Grant(kBob, {kBob, Role::kCustodian, "notes"}).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->Encrypt("mallory", "notes", "x", "", "o").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->Encrypt("not an identity!", "notes", "x", "", "o").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, DualRoleNeedsAnExceptionFromAnotherCustodianAndIsLogged) {
  // Alice (custodian of every key) cannot make herself a user.
  EXPECT_EQ(kr_->Grant(kAlice, {kAlice, Role::kUser, "notes"}).code(), StatusCode::kPermissionDenied);
  // Nor exempt herself.
  EXPECT_EQ(kr_->AllowDualRole(kAlice, kAlice, "notes", "small clinic").code(),
            StatusCode::kPermissionDenied);
  // Bob cannot become custodian of a key he uses.
  EXPECT_EQ(kr_->Grant(kAlice, {kBob, Role::kCustodian, "notes"}).code(), StatusCode::kPermissionDenied);
  // A second custodian can grant the exception, with a reason; then the grant works.
  ASSERT_TRUE(kr_->Grant(kAlice, {kCarol, Role::kCustodian, "*"}).ok());
  EXPECT_EQ(kr_->AllowDualRole(kCarol, kAlice, "notes", "  ").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(kr_->AllowDualRole(kCarol, kAlice, "notes", "single-operator research lab").ok());
  ASSERT_TRUE(kr_->Grant(kAlice, {kAlice, Role::kUser, "notes"}).ok());
  auto ct = kr_->Encrypt(kAlice, "notes", "x", "", "o");
  EXPECT_TRUE(ct.ok()) << ct.status();
  auto exceptions = EventsFor("policy_exception");
  ASSERT_FALSE(exceptions.empty());
  EXPECT_EQ(exceptions.back().actor, kCarol);
  EXPECT_EQ(exceptions.back().object_id, kAlice);
  EXPECT_EQ(exceptions.back().outcome, "ok");
  EXPECT_NE(exceptions.back().detail.find("single-operator research lab"), std::string::npos);
}

TEST_F(KeyringTest, OnlyAuditorsReadTheAuditTrail) {
  EXPECT_EQ(kr_->AuthorizeAuditRead(kBob).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->AuthorizeAuditRead(kAlice).code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(kr_->Grant(kAlice, {kDave, Role::kAuditor, "*"}).ok());
  EXPECT_TRUE(kr_->AuthorizeAuditRead(kDave).ok());
  // An auditor cannot use keys.
  EXPECT_EQ(kr_->Encrypt(kDave, "notes", "x", "", "o").status().code(), StatusCode::kPermissionDenied);
}

TEST_F(KeyringTest, EveryOperationEmitsAnEventWithWhoWhatAndOutcome) {
  const std::string ct = MustEncrypt("x");
  (void)kr_->Decrypt(kAlice, ct, "ctx", "obj-9");  // refused
  ASSERT_TRUE(kr_->Decrypt(kBob, ct, "ctx", "obj-9").ok());
  auto enc = EventsFor("encrypt");
  ASSERT_EQ(enc.size(), 1u);
  EXPECT_EQ(enc[0].actor, kBob);
  EXPECT_EQ(enc[0].key, "notes");
  EXPECT_EQ(enc[0].key_version, 1u);
  EXPECT_EQ(enc[0].object_id, "obj-1");
  EXPECT_EQ(enc[0].outcome, "ok");
  EXPECT_GT(enc[0].time_unix_micros, 0);
  auto dec = EventsFor("decrypt");
  ASSERT_EQ(dec.size(), 2u);
  EXPECT_EQ(dec[0].actor, kAlice);
  EXPECT_EQ(dec[0].outcome, "PERMISSION_DENIED");
  EXPECT_EQ(dec[0].key, "notes");
  EXPECT_EQ(dec[1].outcome, "ok");
  EXPECT_EQ(dec[1].object_id, "obj-9");
  EXPECT_EQ(EventsFor("init").size(), 1u);
  EXPECT_EQ(EventsFor("create").size(), 1u);
  EXPECT_EQ(EventsFor("grant").size(), 1u);
}

TEST_F(KeyringTest, FailsClosedWhenTheAuditSinkFails) {
  const std::string ct = MustEncrypt("secret");
  sink_.set_fail(true);
  EXPECT_EQ(kr_->Encrypt(kBob, "notes", "x", "", "o").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(kr_->Decrypt(kBob, ct, "ctx", "o").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(kr_->Rotate(kAlice, "notes").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(kr_->CreateKey(kAlice, "other", KeyPurpose::kAead).code(), StatusCode::kUnavailable);
  std::stringstream in("data"), out;
  EXPECT_EQ(kr_->EncryptStream(kBob, "notes", "o", in, out).code(), StatusCode::kUnavailable);
  sink_.set_fail(false);
  // The refused rotation and creation were rolled back, in memory and on disk.
  auto keys = kr_->ListKeys(kAlice);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->at(0).primary_version, 1u);
  auto kr = Reopen();
  ASSERT_TRUE(kr->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  EXPECT_EQ(kr->ListKeys(kAlice)->size(), 1u);
  EXPECT_EQ(kr->ListKeys(kAlice)->at(0).primary_version, 1u);
}

TEST_F(KeyringTest, ReopenedKeyringIsSealedUntilThresholdSharesArrive) {
  const std::string ct = MustEncrypt("record");
  auto kr = Reopen();
  ASSERT_NE(kr, nullptr);
  EXPECT_TRUE(kr->sealed());
  EXPECT_EQ(kr->root_info().kind, "shamir");
  EXPECT_EQ(kr->root_info().threshold, 3);
  EXPECT_EQ(kr->Decrypt(kBob, ct, "ctx", "o").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(kr->UnsealWithShares(kAlice, {shares_[0], shares_[4]}).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(kr->sealed());
  ASSERT_TRUE(kr->UnsealWithShares(kAlice, {shares_[4], shares_[1], shares_[3]}).ok());
  EXPECT_EQ(*kr->Decrypt(kBob, ct, "ctx", "o"), "record");
  kr->Seal(kAlice);
  EXPECT_EQ(kr->Decrypt(kBob, ct, "ctx", "o").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(KeyringTest, SharesOfAnotherKeyringAreRefused) {
  MemoryCryptoAuditSink other_sink;
  auto other = Keyring::InitWithShares(std::make_unique<FileKeyStore>(tmp_.File("other/k.json")),
                                       other_sink, kAlice, 3, 2);
  ASSERT_TRUE(other.ok());
  auto kr = Reopen();
  EXPECT_EQ(kr->UnsealWithShares(kAlice, {other->shares[0], other->shares[1]}).code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(kr->sealed());
}

TEST_F(KeyringTest, EditedStateFileIsDetectedAtUnseal) {
  ASSERT_TRUE(kr_->Rotate(kAlice, "notes").ok());
  ASSERT_TRUE(kr_->SetMinDecryptionVersion(kAlice, "notes", 2).ok());
  std::string state = testing_util::ReadFile(path());
  const std::string from = "\"min_decryption_version\": 2";
  const size_t at = state.find(from);
  ASSERT_NE(at, std::string::npos) << state;
  state.replace(at, from.size(), "\"min_decryption_version\": 1");
  testing_util::WriteFile(path(), state);
  auto kr = Reopen();
  EXPECT_EQ(kr->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).code(),
            StatusCode::kDataLoss);
  EXPECT_TRUE(kr->sealed());
  // A role granted by editing the file is caught the same way.
  testing_util::WriteFile(path(), "{\"format\": 1}");
  EXPECT_EQ(Keyring::Open(Store(), sink_).status().code(), StatusCode::kDataLoss);
}

TEST_F(KeyringTest, StaleCopyCannotUndoAnotherProcessesChange) {
  // Two processes open the same keyring; one retires version 1, the other (stale) tries to
  // create a key, which would have written back min_decryption_version 1.
  auto a = Reopen();
  auto b = Reopen();
  ASSERT_TRUE(a->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  ASSERT_TRUE(b->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  ASSERT_TRUE(a->Rotate(kAlice, "notes").ok());
  ASSERT_TRUE(a->SetMinDecryptionVersion(kAlice, "notes", 2).ok());
  EXPECT_EQ(b->CreateKey(kAlice, "other", KeyPurpose::kAead).code(), StatusCode::kAborted);
  EXPECT_EQ(b->ListKeys(kAlice)->size(), 1u);  // rolled back in memory too
  auto c = Reopen();
  ASSERT_TRUE(c->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  auto keys = c->ListKeys(kAlice);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->at(0).min_decryption_version, 2u);
  EXPECT_EQ(EventsFor("create").back().outcome, "ABORTED");
}

TEST_F(KeyringTest, EncryptionCountsAreNeverLostToAStaleCopy) {
  options_.counter_block = 2;
  auto a = Reopen();
  auto b = Reopen();
  ASSERT_TRUE(a->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  ASSERT_TRUE(b->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  // Both start from the persisted count (0); `a` reserves the next block and saves it.
  ASSERT_TRUE(a->Encrypt(kBob, "notes", "x", "", "o").ok());
  // `b` must reserve too, from a stale copy: refused, every time, rather than encrypting uncounted.
  EXPECT_EQ(b->Encrypt(kBob, "notes", "x", "", "o").status().code(), StatusCode::kAborted);
  EXPECT_EQ(b->Encrypt(kBob, "notes", "x", "", "o").status().code(), StatusCode::kAborted);
  EXPECT_TRUE(a->Encrypt(kBob, "notes", "x", "", "o").ok());
}

TEST_F(KeyringTest, InitRefusesToOverwriteAKeyring) {
  EXPECT_EQ(Keyring::InitWithShares(Store(), sink_, kAlice, 3, 2).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(KeyringDevKey, StoredStateHoldsNoRootOrKeyMaterial) {
  testing_util::ScopedTempDir tmp;
  MemoryCryptoAuditSink sink;
  auto root = SecretKey::Generate();
  ASSERT_TRUE(root.ok());
  auto kr = Keyring::InitWithRootKey(std::make_unique<FileKeyStore>(tmp.File("k.json")), sink, kAlice, *root);
  ASSERT_TRUE(kr.ok()) << kr.status();
  ASSERT_TRUE((*kr)->CreateKey(kAlice, "pseudonyms", KeyPurpose::kMac).ok());
  ASSERT_TRUE((*kr)->Grant(kAlice, {kBob, Role::kUser, "pseudonyms"}).ok());
  auto tag = (*kr)->Mac(kBob, "pseudonyms", "MRN 00551209", "o");
  ASSERT_TRUE(tag.ok());
  const std::string state = testing_util::ReadFile(tmp.File("k.json"));
  EXPECT_EQ(state.find(Hex(root->RawBytesForCrypto())), std::string::npos);
  EXPECT_NE(state.find("dev-key-file"), std::string::npos);
  // Another root does not open it; the right one does.
  auto reopened = Keyring::Open(std::make_unique<FileKeyStore>(tmp.File("k.json")), sink);
  ASSERT_TRUE(reopened.ok());
  auto wrong = SecretKey::Generate();
  EXPECT_EQ((*reopened)->Unseal(kAlice, *wrong).code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE((*reopened)->Unseal(kAlice, *root).ok());
  auto tag2 = (*reopened)->Mac(kBob, "pseudonyms", "MRN 00551209", "o");
  ASSERT_TRUE(tag2.ok());
  EXPECT_EQ(tag->bytes, tag2->bytes);  // same key after reopening: keyed pseudonyms are stable
}

TEST_F(KeyringTest, MacAndSignKeys) {
  ASSERT_TRUE(kr_->CreateKey(kAlice, "pseudo", KeyPurpose::kMac).ok());
  ASSERT_TRUE(kr_->CreateKey(kAlice, "checkpoints", KeyPurpose::kSign).ok());
  ASSERT_TRUE(kr_->Grant(kAlice, {kBob, Role::kUser, "pseudo"}).ok());
  ASSERT_TRUE(kr_->Grant(kAlice, {kBob, Role::kUser, "checkpoints"}).ok());
  auto tag = kr_->Mac(kBob, "pseudo", "MRN 1", "o");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->bytes.size(), 32u);
  EXPECT_TRUE(kr_->VerifyMac(kBob, "pseudo", tag->key_version, "MRN 1", tag->bytes, "o").ok());
  EXPECT_EQ(kr_->VerifyMac(kBob, "pseudo", tag->key_version, "MRN 2", tag->bytes, "o").code(),
            StatusCode::kDataLoss);
  auto sig = kr_->Sign(kBob, "checkpoints", "tree head 17", "o");
  ASSERT_TRUE(sig.ok());
  auto pub = kr_->PublicKey(kAlice, "checkpoints", sig->key_version);
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(Ed25519Verify(*pub, "tree head 17", sig->bytes).ok());
  // Purposes do not mix.
  EXPECT_EQ(kr_->Encrypt(kBob, "pseudo", "x", "", "o").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(kr_->Sign(kBob, "notes", "x", "o").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(KeyringTest, DerivedKeysAreStablePerVersionAndLabelAndOutOfMacsReach) {
  ASSERT_TRUE(kr_->CreateKey(kAlice, "pseudo", KeyPurpose::kMac).ok());
  ASSERT_TRUE(kr_->Grant(kAlice, {kBob, Role::kUser, "pseudo"}).ok());
  auto a = kr_->DeriveKey(kBob, "pseudo", 0, "deid", "run-1");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->key_version, 1u);
  EXPECT_EQ(a->key.RawBytesForCrypto().size(), 32u);
  // Same version and label: same key (in another process too: it depends only on the material).
  auto again = Reopen();
  ASSERT_TRUE(again->UnsealWithShares(kAlice, {shares_[1], shares_[2], shares_[3]}).ok());
  auto a2 = again->DeriveKey(kBob, "pseudo", 1, "deid", "run-2");
  ASSERT_TRUE(a2.ok());
  EXPECT_TRUE(a2->key.Equals(a->key));
  // Another label or version: another key; the primary moves with a rotation, a pinned version not.
  EXPECT_FALSE(kr_->DeriveKey(kBob, "pseudo", 0, "other", "o")->key.Equals(a->key));
  ASSERT_TRUE(kr_->Rotate(kAlice, "pseudo").ok());
  auto b = kr_->DeriveKey(kBob, "pseudo", 0, "deid", "o");
  EXPECT_EQ(b->key_version, 2u);
  EXPECT_FALSE(b->key.Equals(a->key));
  EXPECT_TRUE(kr_->DeriveKey(kBob, "pseudo", 1, "deid", "o")->key.Equals(a->key));
  // Mac cannot be used to compute a derived key, nor VerifyMac to test a guess of one.
  const std::string reserved = std::string(kDerivedKeyPrefix) + "deid";
  EXPECT_EQ(kr_->Mac(kBob, "pseudo", reserved, "o").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(kr_->VerifyMac(kBob, "pseudo", 1, reserved, std::string(32, 'x'), "o").code(),
            StatusCode::kInvalidArgument);
  // Roles, purposes, versions and labels are checked; every attempt is audited.
  EXPECT_EQ(kr_->DeriveKey(kAlice, "pseudo", 0, "deid", "o").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->DeriveKey(kBob, "notes", 0, "deid", "o").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(kr_->DeriveKey(kBob, "pseudo", 9, "deid", "o").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(kr_->DeriveKey(kBob, "pseudo", 0, "", "o").status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(kr_->SetMinDecryptionVersion(kAlice, "pseudo", 2).ok());
  EXPECT_EQ(kr_->DeriveKey(kBob, "pseudo", 1, "deid", "o").status().code(), StatusCode::kFailedPrecondition);
  const auto events = EventsFor("derive_key");
  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events[0].actor, kBob);
  EXPECT_EQ(events[0].key, "pseudo");
  EXPECT_EQ(events[0].detail, "deid");
  EXPECT_EQ(events.back().outcome, "FAILED_PRECONDITION");
}

TEST_F(KeyringTest, DataKeysWrapUnwrapAndRewrap) {
  ASSERT_TRUE(kr_->CreateKey(kAlice, "kek", KeyPurpose::kDataKey).ok());
  ASSERT_TRUE(kr_->Grant(kAlice, {kBob, Role::kUser, "kek"}).ok());
  auto dk = kr_->GenerateDataKey(kBob, "kek", "blob-1");
  ASSERT_TRUE(dk.ok()) << dk.status();
  EXPECT_EQ(dk->plaintext.RawBytesForCrypto().size(), 32u);
  auto unwrapped = kr_->UnwrapDataKey(kBob, dk->wrapped, "blob-1");
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_TRUE(unwrapped->Equals(dk->plaintext));
  ASSERT_TRUE(kr_->Rotate(kAlice, "kek").ok());
  auto rewrapped = kr_->Rewrap(kBob, dk->wrapped, "", "blob-1");
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.status();
  EXPECT_EQ(ParseHeader(*rewrapped)->header.key_version, 2u);
  EXPECT_TRUE(kr_->UnwrapDataKey(kBob, *rewrapped, "blob-1")->Equals(dk->plaintext));
  // A wrapped data key is not a message, and vice versa.
  EXPECT_EQ(kr_->Decrypt(kBob, dk->wrapped, "", "o").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(kr_->UnwrapDataKey(kBob, MustEncrypt("x"), "o").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, NonceBudgetWarnsThenRotatesAutomatically) {
  options_.encryption_warn_after = 3;
  options_.encryption_limit = 5;
  options_.counter_block = 2;
  auto kr = Reopen();
  ASSERT_TRUE(kr->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  std::vector<uint32_t> versions;
  for (int i = 0; i < 7; ++i) {
    auto ct = kr->Encrypt(kBob, "notes", "x", "", "o");
    ASSERT_TRUE(ct.ok()) << ct.status();
    versions.push_back(ParseHeader(*ct)->header.key_version);
  }
  EXPECT_EQ(versions, (std::vector<uint32_t>{1, 1, 1, 1, 1, 2, 2}));
  EXPECT_EQ(EventsFor("nonce_budget_warning").size(), 2u);  // encryptions 4 and 5 of version 1
  auto rotations = EventsFor("rotate");
  ASSERT_EQ(rotations.size(), 1u);
  EXPECT_EQ(rotations[0].actor, kSystemActor);
  // The count survives a restart (rounded up to the reserved block).
  auto again = Reopen();
  ASSERT_TRUE(again->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  auto keys = again->ListKeys(kAlice);
  ASSERT_TRUE(keys.ok());
  EXPECT_GE(keys->at(0).versions.at(0).encryptions, 5u);
  EXPECT_GE(keys->at(0).versions.at(1).encryptions, 2u);
}

TEST_F(KeyringTest, NonceBudgetRefusesWhenAutoRotationIsOff) {
  options_.encryption_warn_after = 100;
  options_.encryption_limit = 2;
  options_.auto_rotate_at_limit = false;
  auto kr = Reopen();
  ASSERT_TRUE(kr->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  ASSERT_TRUE(kr->Encrypt(kBob, "notes", "x", "", "o").ok());
  ASSERT_TRUE(kr->Encrypt(kBob, "notes", "x", "", "o").ok());
  EXPECT_EQ(kr->Encrypt(kBob, "notes", "x", "", "o").status().code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(kr->Rotate(kAlice, "notes").ok());
  EXPECT_TRUE(kr->Encrypt(kBob, "notes", "x", "", "o").ok());
}

TEST_F(KeyringTest, ConcurrentUseAndRotationStayConsistent) {
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string msg = "thread " + std::to_string(t) + " message " + std::to_string(i);
        auto ct = kr_->Encrypt(kBob, "notes", msg, "", "o");
        auto pt = ct.ok() ? kr_->Decrypt(kBob, *ct, "", "o") : absl::StatusOr<std::string>(ct.status());
        if (!pt.ok() || *pt != msg) ++failures;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 5; ++i) {
      if (!kr_->Rotate(kAlice, "notes").ok()) ++failures;
    }
  });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto keys = kr_->ListKeys(kAlice);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->at(0).primary_version, 6u);
  uint64_t total = 0;
  for (const auto& v : keys->at(0).versions) total += v.encryptions;
  EXPECT_EQ(total, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(EventsFor("encrypt").size(), static_cast<size_t>(kThreads * kPerThread));
}

// ----- Streams -----

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  return s;
}

class KeyringStreamTest : public KeyringTest {
 protected:
  std::string EncryptStream(const std::string& plaintext) {
    std::istringstream in(plaintext);
    std::ostringstream out;
    absl::Status s = kr_->EncryptStream(kBob, "notes", "file-1", in, out);
    EXPECT_TRUE(s.ok()) << s;
    return out.str();
  }
  absl::StatusOr<std::string> DecryptStream(const std::string& ciphertext) {
    std::istringstream in(ciphertext);
    std::ostringstream out;
    absl::Status s = kr_->DecryptStream(kBob, "file-1", in, out);
    if (!s.ok()) return s;
    return out.str();
  }
  static constexpr size_t kChunk = 1024;
  static constexpr size_t kSealedChunk = kChunk + 16;
};

TEST_F(KeyringStreamTest, RoundTripsAtEveryChunkBoundary) {
  for (size_t n : {size_t{0}, size_t{1}, kChunk - 1, kChunk, kChunk + 1, 2 * kChunk, 3 * kChunk + 5}) {
    const std::string plain = Pattern(n);
    const std::string ct = EncryptStream(plain);
    auto header = ParseHeader(ct);
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(header->header.kind, CiphertextKind::kStream);
    // Chunks of kChunk bytes; the last one (possibly empty, possibly full) carries the last flag.
    EXPECT_EQ(ct.size(), header->header_bytes + n + (n == 0 ? 1 : (n + kChunk - 1) / kChunk) * 16) << n;
    auto back = DecryptStream(ct);
    ASSERT_TRUE(back.ok()) << n << ": " << back.status();
    EXPECT_EQ(*back, plain) << n;
  }
}

TEST_F(KeyringStreamTest, DecryptionFollowsTheChunkSizeInTheHeader) {
  // Streams keep their chunk size: one made with 1 KiB chunks (this fixture) opens in a keyring
  // whose own default differs, e.g. files written before the default moved from 64 to 16 KiB.
  const std::string plain = Pattern(5 * kChunk + 3);
  const std::string ct = EncryptStream(plain);
  KeyringOptions other = options_;
  other.stream_chunk_bytes = 64u << 10;
  auto kr = Keyring::Open(Store(), sink_, other);
  ASSERT_TRUE(kr.ok()) << kr.status();
  ASSERT_TRUE((*kr)->UnsealWithShares(kAlice, {shares_[0], shares_[2], shares_[4]}).ok());
  std::istringstream in(ct);
  std::ostringstream out;
  ASSERT_TRUE((*kr)->DecryptStream(kBob, "file-1", in, out).ok());
  EXPECT_EQ(out.str(), plain);
  EXPECT_EQ(ParseHeader(ct)->header.chunk_bytes, kChunk);
}

TEST_F(KeyringStreamTest, EveryFlippedBitOfHeaderAndChunksFails) {
  // A full chunk and a short last one: every bit of the header, both chunks and both tags.
  const std::string ct = EncryptStream(Pattern(kChunk + 40));
  const size_t header_bytes = ParseHeader(ct)->header_bytes;
  ASSERT_EQ(ct.size(), header_bytes + kSealedChunk + 40 + 16);
  for (size_t bit = 0; bit < ct.size() * 8; ++bit) {
    std::string bad = ct;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    std::istringstream in(bad);
    std::ostringstream out;
    const absl::Status s = kr_->DecryptStream(kBob, "file-1", in, out);
    ASSERT_FALSE(s.ok()) << "bit " << bit;
    if (bit / 8 >= header_bytes) {
      ASSERT_EQ(s.code(), StatusCode::kDataLoss) << "bit " << bit;
      // Only chunks before the damaged one were released (the CLI discards even those).
      ASSERT_LE(out.str().size(), bit / 8 >= header_bytes + kSealedChunk ? kChunk : 0u) << "bit " << bit;
    } else {
      // Header: not a ciphertext / no such key or version / the wrapped key or binding fails.
      ASSERT_TRUE(s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ||
                  s.code() == StatusCode::kDataLoss || s.code() == StatusCode::kPermissionDenied)
          << "bit " << bit << ": " << s;
      ASSERT_EQ(out.str(), "") << "bit " << bit;
    }
  }
}

TEST_F(KeyringStreamTest, SwappedDroppedRepeatedOrTruncatedChunksFail) {
  const std::string ct = EncryptStream(Pattern(3 * kChunk + 100));
  const size_t h = ParseHeader(ct)->header_bytes;
  auto chunk = [&](size_t i) { return ct.substr(h + i * kSealedChunk, kSealedChunk); };
  const std::string head = ct.substr(0, h);
  ASSERT_EQ(ct.size(), h + 3 * kSealedChunk + 100 + 16);
  const std::string last = ct.substr(h + 3 * kSealedChunk);
  const std::vector<std::string> attacks = {
      head + chunk(1) + chunk(0) + chunk(2) + last,  // swap
      head + chunk(0) + chunk(2) + last,             // drop a middle chunk
      head + chunk(1) + chunk(2) + last,             // drop the first chunk
      head + chunk(0) + chunk(1) + last + chunk(2),  // move the last chunk forward
      head + last,                                   // only the last chunk
      head + chunk(0) + chunk(0) + chunk(1) + chunk(2) + last,  // repeat
      head + chunk(0) + chunk(1) + chunk(2),         // drop the last chunk (cut at a boundary)
      head + chunk(0) + chunk(1) + chunk(2) + last + last,  // data after the last chunk
      ct.substr(0, ct.size() - 1),                   // cut inside the last chunk
      head,                                          // no chunks at all
  };
  for (size_t i = 0; i < attacks.size(); ++i) {
    auto got = DecryptStream(attacks[i]);
    EXPECT_EQ(got.status().code(), StatusCode::kDataLoss) << "attack " << i;
  }
  // A chunk from another stream under the same key does not fit either.
  const std::string other = EncryptStream(Pattern(3 * kChunk + 100));
  const size_t h2 = ParseHeader(other)->header_bytes;
  EXPECT_EQ(DecryptStream(head + chunk(0) + other.substr(h2 + kSealedChunk, kSealedChunk) + chunk(2) + last)
                .status()
                .code(),
            StatusCode::kDataLoss);
}

TEST_F(KeyringStreamTest, RewrapChangesOnlyTheWrappedKey) {
  const std::string plain = Pattern(2 * kChunk + 3);
  const std::string ct = EncryptStream(plain);
  ASSERT_TRUE(kr_->Rotate(kAlice, "notes").ok());
  std::istringstream in(ct);
  std::ostringstream out;
  ASSERT_TRUE(kr_->RewrapStream(kBob, "file-1", in, out).ok());
  const std::string re = out.str();
  auto h1 = ParseHeader(ct), h2 = ParseHeader(re);
  ASSERT_TRUE(h1.ok() && h2.ok());
  EXPECT_EQ(h2->header.key_version, 2u);
  EXPECT_EQ(ct.substr(h1->header_bytes), re.substr(h2->header_bytes));  // chunks copied as-is
  ASSERT_TRUE(kr_->SetMinDecryptionVersion(kAlice, "notes", 2).ok());
  EXPECT_EQ(DecryptStream(ct).status().code(), StatusCode::kFailedPrecondition);
  auto back = DecryptStream(re);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, plain);
}

TEST_F(KeyringStreamTest, ConcurrentStreamsAndSealingKeepEveryObjectSeparate) {
  // Streams share pooled ciphers and buffers: concurrent ones must never mix keys or bytes.
  constexpr int kThreads = 4, kPerThread = 6;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string plain = Pattern(kChunk * (1 + (t + i) % 3) + static_cast<size_t>(t * 7 + i));
        std::istringstream in(plain);
        std::ostringstream out;
        if (!kr_->EncryptStream(kBob, "notes", "f", in, out).ok()) {
          ++failures;
          continue;
        }
        auto back = DecryptStream(out.str());
        if (!back.ok() || *back != plain) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  // Sealing while nothing is in flight, then unsealing again: the pools start over and work.
  const std::string ct = EncryptStream(Pattern(3000));
  kr_->Seal(kAlice);
  EXPECT_EQ(DecryptStream(ct).status().code(), StatusCode::kFailedPrecondition);
  absl::Status unsealed = kr_->UnsealWithShares(kAlice, {shares_[1], shares_[3], shares_[4]});
  ASSERT_TRUE(unsealed.ok()) << unsealed;
  auto back = DecryptStream(ct);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, Pattern(3000));
}

TEST_F(KeyringStreamTest, AForkedChildNeverDrawsTheParentsRandomBytes) {
  // The keyring hands out random bytes (data keys, nonce prefixes) from a pooled block; a child
  // process must not reuse what its parent will use next.
  EncryptStream("fills the pool");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::istringstream in("child");
    std::ostringstream out;
    const bool ok = kr_->EncryptStream(kBob, "notes", "child", in, out).ok();
    auto h = ParseHeader(out.str());
    const std::string prefix = ok && h.ok() ? h->header.nonce_prefix + h->header.wrapped_data_key : "";
    (void)!::write(fds[1], prefix.data(), prefix.size());
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  std::string child(256, '\0');
  const ssize_t n = ::read(fds[0], child.data(), child.size());
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_GT(n, 0);
  child.resize(static_cast<size_t>(n));
  auto h = ParseHeader(EncryptStream("parent"));
  ASSERT_TRUE(h.ok());
  EXPECT_NE(child.substr(0, kStreamNoncePrefixBytes), h->header.nonce_prefix);
  EXPECT_NE(child.substr(kStreamNoncePrefixBytes, kGcmNonceBytes), h->header.wrapped_data_key.substr(0, kGcmNonceBytes));
}

TEST_F(KeyringStreamTest, ForeignInputIsInvalidArgument) {
  EXPECT_EQ(DecryptStream("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecryptStream("plain text, not encrypted").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecryptStream(MustEncrypt("message")).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, TokensAuthenticateTheirIdentityOnlyAndSurviveReopening) {
  EXPECT_FALSE(kr_->TokenRequired(kBob));
  auto provisional = kr_->IssueToken(kAlice, kBob);
  ASSERT_TRUE(provisional.ok()) << provisional.status();
  EXPECT_EQ(provisional->substr(0, 5), "pgt1_");
  EXPECT_EQ(provisional->size(), 5u + 64u);
  EXPECT_TRUE(kr_->TokenRequired(kBob));
  EXPECT_FALSE(kr_->TokenRequired(kCarol));
  // Issued by alice, it serves only bob's rotation: alice never knows a token that works as bob.
  EXPECT_EQ(kr_->Authenticate(kBob, *provisional).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(kr_->Authenticate(kBob, *provisional, /*for_rotation=*/true).ok());
  auto token = kr_->IssueToken(kBob, kBob);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(kr_->Authenticate(kBob, *provisional, /*for_rotation=*/true).code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(kr_->Authenticate(kBob, *token).ok());
  EXPECT_TRUE(kr_->Authenticate(kBob, *token + "\n").ok());  // as read from a file
  // Another identity, a changed token, no token: Unauthenticated, never echoing the token.
  for (std::string_view who : {kAlice, kCarol}) {
    absl::Status s = kr_->Authenticate(who, *token);
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << who;
    EXPECT_EQ(std::string(s.message()).find(token->substr(5)), std::string::npos);
  }
  for (size_t i = 0; i < token->size(); i += 7) {
    std::string bad = *token;
    bad[i] = bad[i] == 'a' ? 'b' : 'a';
    EXPECT_EQ(kr_->Authenticate(kBob, bad).code(), StatusCode::kUnauthenticated) << i;
  }
  EXPECT_EQ(kr_->Authenticate(kBob, "").code(), StatusCode::kUnauthenticated);
  // Stored only as a hash, in the authenticated state: it survives reopening, and the file never
  // holds the token.
  auto kr = Reopen();
  ASSERT_TRUE(kr->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  EXPECT_TRUE(kr->Authenticate(kBob, *token).ok());
  const std::string file = testing_util::ReadFile(path());
  EXPECT_EQ(file.find(token->substr(5, 20)), std::string::npos);
  EXPECT_NE(file.find("argon2id"), std::string::npos);
  // Every attempt is audited with its outcome.
  const auto events = EventsFor("authenticate");
  ASSERT_GE(events.size(), 6u);
  EXPECT_EQ(events[0].outcome, "FAILED_PRECONDITION");
  EXPECT_EQ(events[0].detail, "provisional token issued by alice");
  EXPECT_EQ(events[1].outcome, "ok");
  EXPECT_EQ(events[1].actor, kBob);
  EXPECT_EQ(events[5].outcome, "UNAUTHENTICATED");
  EXPECT_EQ(events[5].actor, kAlice);
}

TEST_F(KeyringTest, OnlyCustodiansIssueTokensAndHoldersRotateTheirOwn) {
  EXPECT_EQ(kr_->IssueToken(kBob, kCarol).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->IssueToken(kBob, kBob).status().code(), StatusCode::kPermissionDenied);  // none yet
  EXPECT_EQ(kr_->IssueToken(kAlice, "no spaces").status().code(), StatusCode::kInvalidArgument);
  auto first = kr_->IssueToken(kAlice, kBob);
  ASSERT_TRUE(first.ok());
  auto second = kr_->IssueToken(kBob, kBob);  // rotation by its holder
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(*first, *second);
  EXPECT_EQ(kr_->Authenticate(kBob, *first, /*for_rotation=*/true).code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(kr_->Authenticate(kBob, *second).ok());
  EXPECT_EQ(EventsFor("issue_token").back().detail, "rotation by its holder");
  auto holders = kr_->ListTokens(kBob);
  ASSERT_TRUE(holders.ok()) << holders.status();
  ASSERT_EQ(holders->first.size(), 1u);
  EXPECT_EQ(holders->first[0].identity, kBob);
  EXPECT_EQ(holders->first[0].issued_by, kBob);
  EXPECT_FALSE(holders->second);
  EXPECT_EQ(kr_->ListTokens("mallory").status().code(), StatusCode::kPermissionDenied);
  // Revocation by the holder or a custodian; not by another user.
  ASSERT_TRUE(kr_->Grant(kAlice, {kDave, Role::kAuditor, "*"}).ok());
  ASSERT_TRUE(kr_->IssueToken(kAlice, kDave).ok());
  EXPECT_EQ(kr_->RevokeToken(kBob, kDave).code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(kr_->RevokeToken(kBob, kBob).ok());
  EXPECT_EQ(kr_->Authenticate(kBob, *second).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(kr_->RevokeToken(kAlice, kBob).code(), StatusCode::kNotFound);
  EXPECT_TRUE(kr_->RevokeToken(kAlice, kDave).ok());
}

TEST_F(KeyringTest, RequiringTokensNeedsACustodianWhoHoldsOneAndKeepsOne) {
  EXPECT_EQ(kr_->SetTokensRequired(kBob, true).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(kr_->SetTokensRequired(kAlice, true).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(kr_->IssueToken(kAlice, kAlice).ok());
  ASSERT_TRUE(kr_->SetTokensRequired(kAlice, true).ok());
  EXPECT_TRUE(kr_->TokenRequired(kCarol));  // now everyone
  EXPECT_EQ(kr_->RevokeToken(kAlice, kAlice).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(kr_->Grant(kAlice, {kCarol, Role::kCustodian, "*"}).ok());
  ASSERT_TRUE(kr_->IssueToken(kAlice, kCarol).ok());
  EXPECT_TRUE(kr_->RevokeToken(kAlice, kAlice).ok());  // carol still can
  // The flag is part of the authenticated state.
  auto kr = Reopen();
  ASSERT_TRUE(kr->UnsealWithShares(kAlice, {shares_[0], shares_[1], shares_[2]}).ok());
  EXPECT_TRUE(kr->TokenRequired(kBob));
}

TEST_F(KeyringTest, TokensNeedAnUnsealedKeyringAndAWorkingAuditSink) {
  ASSERT_TRUE(kr_->IssueToken(kAlice, kBob).ok());
  auto token = kr_->IssueToken(kBob, kBob);
  ASSERT_TRUE(token.ok());
  sink_.set_fail(true);
  EXPECT_EQ(kr_->Authenticate(kBob, *token).code(), StatusCode::kUnavailable);
  EXPECT_EQ(kr_->IssueToken(kAlice, kCarol).status().code(), StatusCode::kUnavailable);
  sink_.set_fail(false);
  EXPECT_EQ(kr_->Authenticate(kCarol, "anything").code(), StatusCode::kUnauthenticated);  // not issued
  kr_->Seal(kAlice);
  EXPECT_EQ(kr_->Authenticate(kBob, *token).code(), StatusCode::kFailedPrecondition);
}

TEST(JsonlCryptoAuditSink, AppendsOneJsonLinePerEvent) {
  testing_util::ScopedTempDir tmp;
  auto sink = JsonlCryptoAuditSink::Open(tmp.File("crypto-audit.jsonl"));
  ASSERT_TRUE(sink.ok()) << sink.status();
  CryptoEvent e{1700000000000000, "bob", "decrypt", "notes", 2, "file \"1\"", "ok", ""};
  ASSERT_TRUE((*sink)->Record(e).ok());
  e.outcome = "DATA_LOSS";
  ASSERT_TRUE((*sink)->Record(e).ok());
  auto lines = testing_util::Lines(testing_util::ReadFile(tmp.File("crypto-audit.jsonl")));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "{\"time_us\":1700000000000000,\"actor\":\"bob\",\"op\":\"decrypt\",\"key\":\"notes\","
            "\"version\":2,\"object\":\"file \\\"1\\\"\",\"outcome\":\"ok\"}");
  EXPECT_NE(lines[1].find("DATA_LOSS"), std::string::npos);
}

TEST(JsonlCryptoAuditSink, UnwritableLocationFailsToOpen) {
  testing_util::ScopedTempDir tmp;
  EXPECT_FALSE(JsonlCryptoAuditSink::Open(tmp.File("missing-dir/audit.jsonl")).ok());
}

}  // namespace
}  // namespace phiguard::crypto
