// AES-GCM: every Wycheproof vector (valid ones with nonces of 1 to 128 bytes decrypt and re-encrypt
// to the same bytes; invalid ones, including empty nonces, fail; the three 257-byte nonces, beyond
// OpenSSL's limit, are refused as InvalidArgument), and the envelope's tamper behaviour.
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
  size_t valid_count = 0, invalid_count = 0, other_nonce_sizes = 0, too_long = 0;
  for (const auto& group : doc["testGroups"]) {
    const int iv_bits = group["ivSize"];
    for (const auto& t : group["tests"]) {
      auto field = [&](const char* name) { return Unhex(t[name].get<std::string>()); };
      std::string key = field("key"), iv = field("iv"), aad = field("aad");
      std::string msg = field("msg"), sealed = field("ct") + field("tag");
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].get<int>()));
      auto opened = AesGcmOpen(key, iv, sealed, aad);
      if (iv.size() > kMaxGcmNonceBytes) {
        EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
        EXPECT_EQ(AesGcmSeal(key, iv, msg, aad).status().code(), absl::StatusCode::kInvalidArgument);
        ++too_long;
      } else if (t["result"] == "valid") {
        ASSERT_TRUE(opened.ok()) << opened.status();
        EXPECT_EQ(*opened, msg);
        auto resealed = AesGcmSeal(key, iv, msg, aad);
        ASSERT_TRUE(resealed.ok()) << resealed.status();
        EXPECT_EQ(*resealed, sealed);
        ++valid_count;
        if (iv_bits != 96) ++other_nonce_sizes;
      } else {
        EXPECT_FALSE(opened.ok());
        if (iv.empty()) {
          EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
        }
        ++invalid_count;
      }
    }
  }
  // The file's counts (Wycheproof aes_gcm_test.json): every vector is checked, none skipped.
  EXPECT_EQ(valid_count + invalid_count + too_long, static_cast<size_t>(doc["numberOfTests"].get<int>()));
  EXPECT_EQ(too_long, 3u);
  EXPECT_GT(other_nonce_sizes, 100u);
  EXPECT_GT(invalid_count, 80u);
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
