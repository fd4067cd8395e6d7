// Argon2id (password_hash.h) against the reference implementation's known answers in
// ../shared/data/vectors/argon2: the genkat vector (kats/argon2id: password, salt, secret and
// associated data, 4 lanes) and the Argon2id hash tests of the reference test.c, and the
// salted-hash round trip the keyring's API tokens rely on.
#include "phiguard/crypto/password_hash.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "phiguard/core/strings.h"
#include "test_util.h"

namespace phiguard::crypto {
namespace {

using testing_util::ReadFile;
using testing_util::Unhex;

const std::string kDir = "../shared/data/vectors/argon2/";

// "01 01 01 ..." -> bytes.
std::string SpacedHex(std::string_view s) {
  std::string hex;
  for (char c : s) {
    if (c != ' ') hex.push_back(c);
  }
  return Unhex(hex);
}

// The value after "<label>[n]: " or "<label>: " on the first line starting with `label`.
std::string Field(const std::string& text, const std::string& label) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(label, 0) != 0) continue;
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) return std::string(StripAscii(line.substr(colon + 2)));
  }
  return "";
}

uint32_t Number(const std::string& line, const std::string& before) {
  const size_t at = line.find(before);
  return at == std::string::npos ? 0 : static_cast<uint32_t>(std::stoul(line.substr(at + before.size())));
}

TEST(Argon2id, ReferenceGenkatVectorWithSecretAndAssociatedData) {
  const std::string text = ReadFile(kDir + "argon2id");
  if (text.empty()) GTEST_SKIP() << "MISSING TEST DATA: " << kDir << "argon2id";
  // "Memory: 32 KiB, Iterations: 3, Parallelism: 4 lanes, Tag length: 32 bytes"
  const std::string header = "Memory: " + Field(text, "Memory");
  Argon2idParams p;
  p.memory_kib = Number(header, "Memory: ");
  p.iterations = Number(header, "Iterations: ");
  p.lanes = Number(header, "Parallelism: ");
  const uint32_t tag_bytes = Number(header, "Tag length: ");
  ASSERT_EQ(p.memory_kib, 32u);
  ASSERT_EQ(p.iterations, 3u);
  ASSERT_EQ(p.lanes, 4u);
  const std::string password = SpacedHex(Field(text, "Password["));
  const std::string salt = SpacedHex(Field(text, "Salt["));
  const std::string secret = SpacedHex(Field(text, "Secret["));
  const std::string ad = SpacedHex(Field(text, "Associated data["));
  const std::string tag = SpacedHex(Field(text, "Tag: "));
  ASSERT_EQ(password.size(), 32u);
  ASSERT_EQ(secret.size(), 8u);
  ASSERT_EQ(ad.size(), 12u);
  ASSERT_EQ(tag.size(), tag_bytes);

  auto got = Argon2id(password, salt, p, tag_bytes, secret, ad);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, tag);
  // Every input counts.
  EXPECT_NE(*Argon2id(password, salt, p, tag_bytes, "", ad), tag);
  EXPECT_NE(*Argon2id(password, salt, p, tag_bytes, secret, ""), tag);
}

struct HashTest {
  uint32_t t = 0, m_log2 = 0, p = 0;
  std::string password, salt, hex;
};

// The Argon2id hashtest(...) calls of the reference test.c: t, log2(m), p, password, salt and the
// expected hex tag (the line after the call).
std::vector<HashTest> Argon2idHashTests(const std::string& source) {
  std::vector<HashTest> out;
  const size_t start = source.find("Test Argon2id version number");
  if (start == std::string::npos) return out;
  std::istringstream in(source.substr(start));
  auto quoted = [](const std::string& s, size_t& pos) {
    const size_t a = s.find('"', pos), b = s.find('"', a + 1);
    pos = b + 1;
    return s.substr(a + 1, b - a - 1);
  };
  for (std::string line; std::getline(in, line);) {
    const size_t call = line.find("hashtest(version, ");
    if (call == std::string::npos) continue;
    HashTest h;
    std::istringstream nums(line.substr(call + 18));
    char comma;
    nums >> h.t >> comma >> h.m_log2 >> comma >> h.p;
    size_t pos = 0;
    h.password = quoted(line, pos);
    h.salt = quoted(line, pos);
    std::string next;
    std::getline(in, next);
    pos = 0;
    h.hex = quoted(next, pos);
    out.push_back(h);
  }
  return out;
}

TEST(Argon2id, ReferenceHashTests) {
  const std::string source = ReadFile(kDir + "test.c.ref");
  if (source.empty()) GTEST_SKIP() << "MISSING TEST DATA: " << kDir << "test.c.ref";
  const std::vector<HashTest> tests = Argon2idHashTests(source);
  ASSERT_EQ(tests.size(), 8u);
  size_t checked = 0;
  for (const HashTest& h : tests) {
    // 64 MiB and 256 MiB cases cost 0.1-1 s each; run the small-memory ones and one 64 MiB case
    // (the parser above still reads all eight, so a changed file is noticed).
    if (h.m_log2 > 16 || (h.m_log2 == 16 && h.t != 1)) continue;
    SCOPED_TRACE(Cat("t=", h.t, " m=2^", h.m_log2, " p=", h.p, " ", h.password, "/", h.salt));
    auto got = Argon2id(h.password, h.salt, Argon2idParams{1u << h.m_log2, h.t, h.p}, 32);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, Unhex(h.hex));
    ++checked;
  }
  EXPECT_EQ(checked, 3u);
}

TEST(Argon2id, OutOfRangeParametersAreInvalidArgument) {
  EXPECT_EQ(Argon2id("pw", "short", Argon2idParams{64, 1, 1}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Argon2id("pw", "saltsalt", Argon2idParams{1, 1, 1}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Argon2id("pw", "saltsalt", Argon2idParams{64, 0, 1}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Argon2id, HashedSecretsVerifyOnlyWithTheSameSecret) {
  const Argon2idParams cheap{64, 1, 1};
  auto a = HashSecret("pgt1_secret", cheap);
  auto b = HashSecret("pgt1_secret", cheap);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->salt.size(), 16u);
  EXPECT_EQ(a->tag.size(), 32u);
  EXPECT_NE(a->salt, b->salt);  // fresh salt: equal secrets do not hash alike
  EXPECT_NE(a->tag, b->tag);
  EXPECT_TRUE(VerifySecret("pgt1_secret", *a));
  EXPECT_FALSE(VerifySecret("pgt1_secreT", *a));
  EXPECT_FALSE(VerifySecret("", *a));
  SecretHash truncated = *a;
  truncated.tag.pop_back();
  EXPECT_FALSE(VerifySecret("pgt1_secret", truncated));
  // The default cost is the documented one.
  const Argon2idParams d;
  EXPECT_EQ(d.memory_kib, 19456u);
  EXPECT_EQ(d.iterations, 2u);
  EXPECT_EQ(d.lanes, 1u);
}

}  // namespace
}  // namespace phiguard::crypto
