// Shamir sharing: every M-subset of N shares recovers the secret, M-1 shares never do (and carry no
// information: any secret is consistent with them), corrupted or mixed shares are detected.
#include "phiguard/crypto/shamir.h"

#include <gtest/gtest.h>

#include <tuple>

#include <openssl/sha.h>

#include "phiguard/crypto/hmac.h"
#include "test_util.h"

namespace phiguard::crypto {
namespace {

SecretKey Secret(char fill) { return *SecretKey::FromBytes(std::string(32, fill)); }

// All subsets of {0..n-1} with exactly k elements, as index lists.
std::vector<std::vector<int>> Subsets(int n, int k) {
  std::vector<std::vector<int>> out;
  for (int mask = 0; mask < (1 << n); ++mask) {
    if (__builtin_popcount(mask) != k) continue;
    std::vector<int> s;
    for (int i = 0; i < n; ++i) {
      if (mask & (1 << i)) s.push_back(i);
    }
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> Pick(const std::vector<std::string>& shares, const std::vector<int>& idx) {
  std::vector<std::string> out;
  for (int i : idx) out.push_back(shares[i]);
  return out;
}

class ShamirThresholdTest : public testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(ShamirThresholdTest, AnyMOfNRecoverAndMMinusOneNeverDo) {
  const auto [m, n] = GetParam();
  auto secret = SecretKey::Generate();
  ASSERT_TRUE(secret.ok());
  auto shares = ShamirSplit(*secret, m, n);
  ASSERT_TRUE(shares.ok()) << shares.status();
  ASSERT_EQ(shares->size(), static_cast<size_t>(n));
  for (const auto& subset : Subsets(n, m)) {
    auto got = ShamirCombine(Pick(*shares, subset));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(got->Equals(*secret));
  }
  for (const auto& subset : Subsets(n, m - 1)) {
    EXPECT_EQ(ShamirCombine(Pick(*shares, subset)).status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
  // All N together also work (extra shares are checked for consistency).
  auto all = ShamirCombine(*shares);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Equals(*secret));
}

INSTANTIATE_TEST_SUITE_P(Shamir, ShamirThresholdTest,
                         testing::Values(std::make_tuple(2, 2), std::make_tuple(2, 3),
                                         std::make_tuple(3, 5), std::make_tuple(4, 7),
                                         std::make_tuple(5, 5)));

TEST(Shamir, ShareOrderDoesNotMatter) {
  SecretKey secret = Secret('s');
  auto shares = ShamirSplit(secret, 3, 5);
  ASSERT_TRUE(shares.ok());
  auto got = ShamirCombine({(*shares)[4], (*shares)[0], (*shares)[2]});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->Equals(secret));
}

TEST(Shamir, SplittingTwiceGivesUnrelatedShares) {
  SecretKey secret = Secret('s');
  auto a = ShamirSplit(secret, 2, 3);
  auto b = ShamirSplit(secret, 2, 3);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)[0], (*b)[0]);
  // Shares of different splits are refused, even though each split encodes the same secret.
  EXPECT_EQ(ShamirCombine({(*a)[0], (*b)[1]}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Shamir, OneShareDoesNotShowTheSecret) {
  // With threshold 2, one share y1 = s + a*x1 is consistent with every candidate secret (for each
  // s' there is a slope a'). Observable consequences: the share's value bytes are not the secret's
  // bytes, and two splits of the same secret give different values for the same index.
  SecretKey secret = Secret('\x42');
  auto a = ShamirSplit(secret, 2, 2);
  auto b = ShamirSplit(secret, 2, 2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)[0].find("4242424242424242"), std::string::npos);
  EXPECT_NE((*a)[0].substr(kShamirSharePrefix.size() + 2 + 16 + 8),
            (*b)[0].substr(kShamirSharePrefix.size() + 2 + 16 + 8));
}

TEST(Shamir, EveryCorruptedHexDigitIsDetected) {
  SecretKey secret = Secret('c');
  auto shares = ShamirSplit(secret, 2, 3);
  ASSERT_TRUE(shares.ok());
  const std::string& good = (*shares)[1];
  for (size_t i = kShamirSharePrefix.size(); i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = bad[i] == '0' ? '1' : '0';
    auto got = ShamirCombine({(*shares)[0], bad});
    EXPECT_FALSE(got.ok()) << "position " << i;
    EXPECT_TRUE(got.status().code() == absl::StatusCode::kDataLoss ||
                got.status().code() == absl::StatusCode::kInvalidArgument)
        << "position " << i << ": " << got.status();
    // The message names the share by position, never echoes it.
    EXPECT_NE(got.status().message().find("share 2"), std::string::npos) << got.status();
    EXPECT_EQ(got.status().message().find(bad.substr(kShamirSharePrefix.size())), std::string::npos);
  }
}

TEST(Shamir, TruncatedOrGarbledSharesAreInvalidArgument) {
  SecretKey secret = Secret('t');
  auto shares = ShamirSplit(secret, 2, 2);
  ASSERT_TRUE(shares.ok());
  const std::string& s = (*shares)[0];
  for (const std::string& bad :
       {std::string(""), std::string("hello"), s.substr(0, s.size() - 2), s.substr(0, s.size() - 1),
        s + "00", std::string(kShamirSharePrefix) + "zz", s.substr(1)}) {
    EXPECT_EQ(ShamirCombine({bad, (*shares)[1]}).status().code(), absl::StatusCode::kInvalidArgument)
        << bad.size();
  }
}

TEST(Shamir, WhitespaceAroundSharesIsIgnored) {
  SecretKey secret = Secret('w');
  auto shares = ShamirSplit(secret, 2, 2);
  ASSERT_TRUE(shares.ok());
  auto got = ShamirCombine({"  " + (*shares)[0] + "\n", (*shares)[1] + "\r\n"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->Equals(secret));
}

TEST(Shamir, RepeatedShareIsRefused) {
  SecretKey secret = Secret('r');
  auto shares = ShamirSplit(secret, 2, 3);
  ASSERT_TRUE(shares.ok());
  EXPECT_EQ(ShamirCombine({(*shares)[0], (*shares)[0]}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Shamir, InconsistentExtraShareIsDataLoss) {
  // A share with a valid checksum and the right split id but a forged value (what a dishonest
  // custodian could make) is caught when more shares than the threshold are given.
  SecretKey secret = Secret('x');
  auto shares = ShamirSplit(secret, 2, 3);
  ASSERT_TRUE(shares.ok());
  std::string bytes = testing_util::Unhex((*shares)[2].substr(kShamirSharePrefix.size()));
  bytes[13 + 5] = static_cast<char>(bytes[13 + 5] ^ 0x40);  // header is 13 bytes; change y[5]
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size() - 8, digest);
  bytes.replace(bytes.size() - 8, 8, reinterpret_cast<const char*>(digest), 8);
  const std::string forged = std::string(kShamirSharePrefix) + testing_util::Hex(bytes);
  ASSERT_TRUE(ParseShareInfo(forged).ok());  // well-formed on its own
  EXPECT_EQ(ParseShareInfo(forged)->index, 3);
  auto got = ShamirCombine({(*shares)[0], (*shares)[1], forged});
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << got.status();
  // Shares of another split are refused before any interpolation.
  SecretKey other = Secret('y');
  auto b = ShamirSplit(other, 2, 3);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(ShamirCombine({(*shares)[0], (*shares)[1], (*b)[2]}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Shamir, ParametersAreChecked) {
  SecretKey secret = Secret('p');
  EXPECT_EQ(ShamirSplit(secret, 1, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ShamirSplit(secret, 4, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ShamirSplit(secret, 2, 256).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ShamirCombine({}).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Shamir, LongerSecretsRoundTrip) {
  auto secret = SecretKey::FromBytes(std::string(100, '\x7f') + std::string(100, '\x00'));
  ASSERT_TRUE(secret.ok());
  auto shares = ShamirSplit(*secret, 3, 4);
  ASSERT_TRUE(shares.ok());
  auto got = ShamirCombine({(*shares)[3], (*shares)[1], (*shares)[2]});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->Equals(*secret));
}

}  // namespace
}  // namespace phiguard::crypto
