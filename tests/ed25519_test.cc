// Ed25519: every Wycheproof vector (valid ones verify, invalid ones are rejected), RFC 8032
// known answers for signing, and the error codes of the API.
#include "phiguard/crypto/ed25519.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace phiguard::crypto {
namespace {

using testing_util::Hex;
using testing_util::Unhex;

TEST(Ed25519, WycheproofVectors) {
  const std::string path = "../shared/data/vectors/wycheproof/ed25519_test.json";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "MISSING TEST DATA: " << path << "; Ed25519 vectors NOT checked";
  nlohmann::json doc = nlohmann::json::parse(in);
  size_t valid = 0, invalid = 0;
  for (const auto& group : doc.at("testGroups")) {
    const std::string pk = Unhex(group.at("publicKey").at("pk").get<std::string>());
    for (const auto& t : group.at("tests")) {
      SCOPED_TRACE("tcId " + std::to_string(t.at("tcId").get<int>()));
      const std::string msg = Unhex(t.at("msg").get<std::string>());
      const std::string sig = Unhex(t.at("sig").get<std::string>());
      absl::Status s = Ed25519Verify(pk, msg, sig);
      if (t.at("result") == "valid") {
        EXPECT_TRUE(s.ok()) << s;
        ++valid;
      } else {
        EXPECT_FALSE(s.ok());
        // Wrong-sized signatures are InvalidArgument; everything else fails verification.
        EXPECT_EQ(s.code(), sig.size() == kEd25519SignatureBytes ? absl::StatusCode::kDataLoss
                                                                 : absl::StatusCode::kInvalidArgument);
        ++invalid;
      }
    }
  }
  EXPECT_EQ(valid + invalid, doc.at("numberOfTests").get<size_t>());
  EXPECT_GT(valid, 0u);
  EXPECT_GT(invalid, 0u);
}

struct Rfc8032Case {
  const char* name;
  const char* seed_hex;
  const char* public_hex;
  const char* message_hex;
  const char* signature_hex;
};
void PrintTo(const Rfc8032Case& c, std::ostream* os) { *os << c.name; }

class Ed25519Rfc8032Test : public testing::TestWithParam<Rfc8032Case> {};

TEST_P(Ed25519Rfc8032Test, SignsTheKnownAnswer) {
  const Rfc8032Case& c = GetParam();
  auto seed = SecretKey::FromBytes(Unhex(c.seed_hex));
  ASSERT_TRUE(seed.ok());
  auto signer = Ed25519Signer::FromSeed(*seed);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(Hex(signer->PublicKey()), c.public_hex);
  auto sig = signer->Sign(Unhex(c.message_hex));
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ(Hex(*sig), c.signature_hex);
  EXPECT_TRUE(Ed25519Verify(signer->PublicKey(), Unhex(c.message_hex), *sig).ok());
}

INSTANTIATE_TEST_SUITE_P(
    Ed25519, Ed25519Rfc8032Test,
    testing::Values(
        Rfc8032Case{"Test1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
                    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
                    "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        Rfc8032Case{"Test2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
                    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e"
                    "458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"}),
    [](const testing::TestParamInfo<Rfc8032Case>& info) { return std::string(info.param.name); });

TEST(Ed25519, GeneratedKeysSignAndVerify) {
  auto a = Ed25519Signer::Generate();
  auto b = Ed25519Signer::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->PublicKey().size(), kEd25519PublicKeyBytes);
  EXPECT_NE(a->PublicKey(), b->PublicKey());
  auto sig = a->Sign("checkpoint 17");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), kEd25519SignatureBytes);
  EXPECT_TRUE(Ed25519Verify(a->PublicKey(), "checkpoint 17", *sig).ok());
  EXPECT_EQ(Ed25519Verify(b->PublicKey(), "checkpoint 17", *sig).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Ed25519Verify(a->PublicKey(), "checkpoint 18", *sig).code(), absl::StatusCode::kDataLoss);
}

TEST(Ed25519, EveryFlippedSignatureBitIsDataLoss) {
  auto signer = Ed25519Signer::Generate();
  ASSERT_TRUE(signer.ok());
  auto sig = signer->Sign("message");
  ASSERT_TRUE(sig.ok());
  for (size_t bit = 0; bit < sig->size() * 8; ++bit) {
    std::string bad = *sig;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_EQ(Ed25519Verify(signer->PublicKey(), "message", bad).code(), absl::StatusCode::kDataLoss)
        << "bit " << bit;
  }
}

TEST(Ed25519, WrongSizesAreInvalidArgument) {
  auto signer = Ed25519Signer::Generate();
  ASSERT_TRUE(signer.ok());
  auto sig = signer->Sign("m");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(Ed25519Verify(signer->PublicKey().substr(1), "m", *sig).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ed25519Verify(signer->PublicKey(), "m", sig->substr(1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ed25519Verify(signer->PublicKey(), "m", *sig + "x").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ed25519Verify("", "m", "").code(), absl::StatusCode::kInvalidArgument);
}

TEST(Ed25519, FromSeedUsesOnlyTheFirst32Bytes) {
  auto short_seed = SecretKey::FromBytes(std::string(32, 's'));
  auto long_seed = SecretKey::FromBytes(std::string(32, 's') + "extra bytes");
  ASSERT_TRUE(short_seed.ok() && long_seed.ok());
  auto a = Ed25519Signer::FromSeed(*short_seed);
  auto b = Ed25519Signer::FromSeed(*long_seed);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->PublicKey(), b->PublicKey());
}

TEST(Ed25519, MovedFromSignerRefusesToSign) {
  auto a = Ed25519Signer::Generate();
  ASSERT_TRUE(a.ok());
  Ed25519Signer b(std::move(*a));
  EXPECT_TRUE(b.Sign("x").ok());
  EXPECT_EQ(a->Sign("x").status().code(),  // NOLINT(bugprone-use-after-move)
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace phiguard::crypto
