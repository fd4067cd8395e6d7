#include "phiguard/crypto/hmac.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "phiguard/crypto/secret_key.h"
#include "test_util.h"

namespace phiguard::crypto {
namespace {

namespace fs = std::filesystem;

using testing_util::Hex;
using testing_util::Unhex;

struct Rfc4231Case {
  const char* name;
  std::string key;
  std::string message;
  std::string tag_hex;
};
void PrintTo(const Rfc4231Case& c, std::ostream* os) { *os << c.name; }

class HmacRfc4231Test : public testing::TestWithParam<Rfc4231Case> {};

TEST_P(HmacRfc4231Test, MatchesPublishedTag) {
  EXPECT_EQ(Hex(HmacSha256Raw(GetParam().key, GetParam().message)), GetParam().tag_hex);
}

INSTANTIATE_TEST_SUITE_P(
    Hmac, HmacRfc4231Test,
    testing::Values(
        Rfc4231Case{"Case1", std::string(20, '\x0b'), "Hi There",
                    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        Rfc4231Case{"Case2", "Jefe", "what do ya want for nothing?",
                    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        Rfc4231Case{"Case3", std::string(20, '\xaa'), std::string(50, '\xdd'),
                    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        Rfc4231Case{"Case6LongKey", std::string(131, '\xaa'),
                    "Test Using Larger Than Block-Size Key - Hash Key First",
                    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"}),
    [](const testing::TestParamInfo<Rfc4231Case>& info) { return std::string(info.param.name); });

TEST(Hmac, WycheproofVectors) {
  const std::string path = "../shared/data/vectors/wycheproof/hmac_sha256_test.json";
  std::ifstream in(path);
  if (!in) {
    GTEST_SKIP() << "MISSING TEST DATA: " << path
                 << " not found (run from the repository root); Wycheproof vectors NOT checked";
  }
  nlohmann::json doc = nlohmann::json::parse(in);
  size_t valid = 0, invalid = 0, precomputed = 0;
  for (const auto& group : doc.at("testGroups")) {
    // Truncated-tag groups (128 bits) compare the leading bytes of the full tag.
    const size_t tag_hex = group.at("tagSize").get<size_t>() / 4;
    for (const auto& t : group.at("tests")) {
      std::string key = Unhex(t.at("key").get<std::string>());
      std::string msg = Unhex(t.at("msg").get<std::string>());
      std::string tag = t.at("tag").get<std::string>();
      std::string result = t.at("result").get<std::string>();
      std::string got = Hex(HmacSha256Raw(key, msg)).substr(0, tag_hex);
      if (result == "valid") {
        EXPECT_EQ(got, tag) << "tcId " << t.at("tcId");
        ++valid;
        // The precomputed-pad object must agree, including keys longer than a SHA-256 block.
        if (auto secret = SecretKey::FromBytes(key); secret.ok()) {
          EXPECT_EQ(Hex(HmacSha256Key(*secret).Mac(msg)).substr(0, tag_hex), tag) << "tcId " << t.at("tcId");
          ++precomputed;
        }
      } else if (result == "invalid") {
        EXPECT_NE(got, tag) << "tcId " << t.at("tcId");
        ++invalid;
      }
    }
  }
  EXPECT_EQ(valid + invalid, doc.at("numberOfTests").get<size_t>());  // none skipped
  EXPECT_GT(valid, 0u);
  EXPECT_GT(invalid, 0u);
  EXPECT_GT(precomputed, 0u);
}

TEST(Hmac, PrecomputedKeyMatchesOneShotAndIsReusable) {
  auto key = SecretKey::FromBytes(std::string(32, 'k'));
  ASSERT_TRUE(key.ok());
  const HmacSha256Key mac(*key);
  // Many messages under one object, of lengths around the block boundaries.
  for (size_t n : {0, 1, 55, 56, 63, 64, 65, 119, 120, 1000}) {
    const std::string msg(n, static_cast<char>('a' + n % 26));
    EXPECT_EQ(mac.Mac(msg), HmacSha256(*key, msg)) << n;
  }
  EXPECT_EQ(mac.Mac("id:MRN-1"), mac.Mac("id:MRN-1"));
  EXPECT_NE(mac.Mac("id:MRN-1"), mac.Mac("id:MRN-2"));
}

TEST(Hmac, KeyedVersionMatchesRawBytes) {
  auto key = SecretKey::FromBytes(std::string(32, 'k'));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(HmacSha256(*key, "msg"), HmacSha256Raw(std::string(32, 'k'), "msg"));
}

TEST(Hmac, U64IsFirstEightDigestBytesBigEndian) {
  auto key = SecretKey::FromBytes(std::string(32, 'k'));
  ASSERT_TRUE(key.ok());
  Sha256Digest d = HmacSha256(*key, "patient|p-1");
  uint64_t expected = 0;
  for (int i = 0; i < 8; ++i) expected = (expected << 8) | d[i];
  EXPECT_EQ(HmacU64(*key, "patient|p-1"), expected);
}

TEST(SecretKey, FromBytesRejectsKeysShorterThan32Bytes) {
  EXPECT_EQ(SecretKey::FromBytes("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SecretKey::FromBytes(std::string(31, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(SecretKey::FromBytes(std::string(32, 'x')).ok());
  EXPECT_TRUE(SecretKey::FromBytes(std::string(64, 'x')).ok());
}

TEST(SecretKey, GenerateGivesDistinct32ByteKeys) {
  auto a = SecretKey::Generate();
  auto b = SecretKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->RawBytesForCrypto().size(), 32u);
  EXPECT_FALSE(a->Equals(*b));
}

TEST(SecretKey, EqualsComparesBytes) {
  auto a = SecretKey::FromBytes(std::string(32, 'a'));
  auto a2 = SecretKey::FromBytes(std::string(32, 'a'));
  auto b = SecretKey::FromBytes(std::string(31, 'a') + "b");
  auto longer = SecretKey::FromBytes(std::string(33, 'a'));
  EXPECT_TRUE(a->Equals(*a2));
  EXPECT_FALSE(a->Equals(*b));
  EXPECT_FALSE(a->Equals(*longer));
}

TEST(SecretKey, DeriveSeparatesLabels) {
  auto key = SecretKey::FromBytes(std::string(32, 'm'));
  ASSERT_TRUE(key.ok());
  SecretKey p1 = key->Derive("pseudonym/v1");
  SecretKey p2 = key->Derive("pseudonym/v1");
  SecretKey d = key->Derive("date/v1");
  EXPECT_TRUE(p1.Equals(p2));
  EXPECT_FALSE(p1.Equals(d));
  EXPECT_FALSE(p1.Equals(*key));
  EXPECT_EQ(p1.RawBytesForCrypto().size(), 32u);
  // Derivation is HMAC-SHA-256(key, "phiguard/" + label).
  Sha256Digest expected = HmacSha256Raw(std::string(32, 'm'), "phiguard/pseudonym/v1");
  EXPECT_EQ(p1.RawBytesForCrypto(),
            std::string_view(reinterpret_cast<const char*>(expected.data()), expected.size()));
}

TEST(SecretKey, DeriveDependsOnTheMasterKey) {
  auto a = SecretKey::FromBytes(std::string(32, 'a'));
  auto b = SecretKey::FromBytes(std::string(32, 'b'));
  EXPECT_FALSE(a->Derive("x").Equals(b->Derive("x")));
}

TEST(SecretKey, MoveLeavesSourceEmpty) {
  auto a = SecretKey::FromBytes(std::string(32, 'a'));
  ASSERT_TRUE(a.ok());
  SecretKey moved(std::move(*a));
  EXPECT_EQ(moved.RawBytesForCrypto(), std::string(32, 'a'));
  EXPECT_TRUE(a->RawBytesForCrypto().empty());  // NOLINT(bugprone-use-after-move)
}

class SecretKeyFileTest : public testing::Test {
 protected:
  std::string Write(const std::string& content) {
    return testing_util::WriteFile(tmp_.File("key"), content);
  }
  testing_util::ScopedTempDir tmp_;
  const fs::path& dir_ = tmp_.path();
};

TEST_F(SecretKeyFileTest, ReadsSixtyFourHexCharacters) {
  const std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  auto key = SecretKey::ReadFile(Write(hex + "\n"));
  ASSERT_TRUE(key.ok()) << key.status().code();
  EXPECT_EQ(key->RawBytesForCrypto(), Unhex(hex));
}

TEST_F(SecretKeyFileTest, HexIgnoresWhitespaceAndCase) {
  const std::string hex = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
  auto key = SecretKey::ReadFile(Write(hex.substr(0, 32) + "\n  " + hex.substr(32) + "\r\n"));
  ASSERT_TRUE(key.ok()) << key.status().code();
  EXPECT_EQ(key->RawBytesForCrypto(), Unhex(hex));
}

TEST_F(SecretKeyFileTest, ReadsRaw32Bytes) {
  std::string raw;
  for (int i = 0; i < 32; ++i) raw.push_back(static_cast<char>(0xE0 + (i % 16)));
  auto key = SecretKey::ReadFile(Write(raw));
  ASSERT_TRUE(key.ok()) << key.status().code();
  EXPECT_EQ(key->RawBytesForCrypto(), raw);
}

TEST_F(SecretKeyFileTest, RejectsShortKeys) {
  EXPECT_EQ(SecretKey::ReadFile(Write("abcd\n")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SecretKey::ReadFile(Write(std::string(31, '\x01'))).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SecretKey::ReadFile(Write("")).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SecretKeyFileTest, RejectsHexKeyShorterThan256Bits) {
  // `openssl rand -hex 16`: 128 bits written as 32 hex characters. Taking those 33 ASCII bytes as
  // a raw key would pass the 32-byte check with only 128 bits of entropy.
  auto key = SecretKey::ReadFile(Write("00112233445566778899aabbccddeeff\n"));
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SecretKeyFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(SecretKey::ReadFile((dir_ / "nope").string()).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace phiguard::crypto
