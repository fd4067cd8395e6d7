// AES-GCM: every Wycheproof vector (valid ones decrypt and re-encrypt to the same bytes, invalid
// ones fail, non-96-bit nonces are rejected), and the envelope's tamper behaviour.
#include "phiguard/crypto/aead.h"
#include "phiguard/crypto/data_key_cipher.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace phiguard::crypto {
namespace {

using testing_util::Unhex;

TEST(AesGcm, WycheproofVectors) {
  const std::string path = "../shared/data/vectors/wycheproof/aes_gcm_test.json";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "MISSING TEST DATA: " << path;
  nlohmann::json doc = nlohmann::json::parse(in);
  size_t checked = 0, rejected_nonce = 0;
  for (const auto& group : doc["testGroups"]) {
    const int iv_bits = group["ivSize"];
    for (const auto& t : group["tests"]) {
      auto field = [&](const char* name) { return Unhex(t[name].get<std::string>()); };
      std::string key = field("key"), iv = field("iv"), aad = field("aad");
      std::string msg = field("msg"), sealed = field("ct") + field("tag");
      const bool valid = t["result"] == "valid";
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].get<int>()));
      auto opened = AesGcmOpen(key, iv, sealed, aad);
      if (iv_bits != 96) {
        // Only 96-bit nonces are supported: others must be an error, never a silent GHASH.
        EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
        EXPECT_EQ(AesGcmSeal(key, iv, msg, aad).status().code(),
                  absl::StatusCode::kInvalidArgument);
        ++rejected_nonce;
        continue;
      }
      if (valid) {
        ASSERT_TRUE(opened.ok()) << opened.status();
        EXPECT_EQ(*opened, msg);
        auto resealed = AesGcmSeal(key, iv, msg, aad);
        ASSERT_TRUE(resealed.ok());
        EXPECT_EQ(*resealed, sealed);
      } else {
        EXPECT_FALSE(opened.ok());
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
  EXPECT_GT(rejected_nonce, 0u);
}

// The keyring's stream path: one DataKeyCipher re-keyed from vector to vector (the pooled
// contexts of Keyring streams) must reproduce every 256-bit-key, 96-bit-nonce vector, in both
// directions, and refuse every invalid one with DataLoss and no plaintext.
TEST(DataKeyCipher, WycheproofVectorsThroughOneRekeyedCipher) {
  const std::string path = "../shared/data/vectors/wycheproof/aes_gcm_test.json";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "MISSING TEST DATA: " << path;
  nlohmann::json doc = nlohmann::json::parse(in);
  std::unique_ptr<DataKeyCipher> cipher;
  size_t valid = 0, invalid = 0;
  for (const auto& group : doc["testGroups"]) {
    if (group["ivSize"] != 96 || group["keySize"] != 256) continue;
    for (const auto& t : group["tests"]) {
      auto field = [&](const char* name) { return Unhex(t[name].get<std::string>()); };
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].get<int>()));
      auto key = SecretKey::FromBytes(field("key"));
      ASSERT_TRUE(key.ok());
      if (cipher == nullptr) {
        cipher = *DataKeyCipher::Create(*key);
      } else {
        ASSERT_TRUE(cipher->Rekey(*key).ok());
      }
      const std::string iv = field("iv"), aad = field("aad"), msg = field("msg");
      const std::string sealed = field("ct") + field("tag");
      std::string out(msg.size() + 16, '\x55');
      absl::Status opened = cipher->OpenInto(iv, sealed, aad, out.data());
      if (t["result"] == "valid") {
        ASSERT_TRUE(opened.ok()) << opened;
        EXPECT_EQ(out.substr(0, msg.size()), msg);
        ASSERT_TRUE(cipher->SealInto(iv, msg, aad, out.data()).ok());
        EXPECT_EQ(out, sealed);
        ++valid;
      } else {
        EXPECT_EQ(opened.code(), absl::StatusCode::kDataLoss);
        EXPECT_EQ(out.substr(0, msg.size()), std::string(msg.size(), '\0'));  // wiped
        ++invalid;
      }
    }
  }
  EXPECT_GT(valid, 30u);
  EXPECT_GT(invalid, 10u);
}

class AeadTest : public ::testing::Test {
 protected:
  std::unique_ptr<Aead> Make(char fill = 'k') {
    auto key = SecretKey::FromBytes(std::string(32, fill));
    auto a = Aead::Create(std::move(*key));
    EXPECT_TRUE(a.ok());
    return std::move(*a);
  }
};

TEST_F(AeadTest, RoundTripsAndUsesAFreshNonceEachTime) {
  auto a = Make();
  auto c1 = a->Encrypt("Mary Walsh, MRN 00551209", "record 17");
  auto c2 = a->Encrypt("Mary Walsh, MRN 00551209", "record 17");
  ASSERT_TRUE(c1.ok() && c2.ok());
  EXPECT_NE(*c1, *c2);
  EXPECT_EQ(c1->size(), 1 + kGcmNonceBytes + 24 + kGcmTagBytes);
  auto p = a->Decrypt(*c1, "record 17");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*p, "Mary Walsh, MRN 00551209");
}

TEST_F(AeadTest, EveryFlippedBitIsDataLoss) {
  auto a = Make();
  auto c = a->Encrypt("PHI", "ctx");
  ASSERT_TRUE(c.ok());
  for (size_t bit = 8; bit < c->size() * 8; ++bit) {  // byte 0 is the version
    std::string bad = *c;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_EQ(a->Decrypt(bad, "ctx").status().code(), absl::StatusCode::kDataLoss) << bit;
  }
}

TEST_F(AeadTest, WrongAssociatedDataOrKeyIsDataLoss) {
  auto a = Make('a'), b = Make('b');
  auto c = a->Encrypt("PHI", "record 17");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(a->Decrypt(*c, "record 18").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(b->Decrypt(*c, "record 17").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(AeadTest, TruncatedOrUnknownVersionIsInvalidArgument) {
  auto a = Make();
  auto c = a->Encrypt("PHI", "");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(a->Decrypt(c->substr(0, 20), "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a->Decrypt("", "").status().code(), absl::StatusCode::kInvalidArgument);
  std::string v2 = *c;
  v2[0] = 0x02;
  EXPECT_EQ(a->Decrypt(v2, "").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Aead, CreateNeedsA32ByteKey) {
  auto k = SecretKey::FromBytes(std::string(48, 'x'));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(Aead::Create(std::move(*k)).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace phiguard::crypto
