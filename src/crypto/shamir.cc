#include "phiguard/crypto/shamir.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "phiguard/core/strings.h"
#include "phiguard/crypto/hex.h"

namespace phiguard::crypto {
namespace {

constexpr size_t kSetIdBytes = 8;
constexpr size_t kChecksumBytes = 8;
// format | set id | M | N | x | L
constexpr size_t kShareHeaderBytes = 1 + kSetIdBytes + 4;
constexpr uint8_t kShareFormat = 1;

// GF(2^8) multiply, constant time (no tables, no data-dependent branches).
uint8_t GfMul(uint8_t a, uint8_t b) {
  uint8_t p = 0;
  for (int i = 0; i < 8; ++i) {
    p ^= static_cast<uint8_t>(-(b & 1) & a);
    const uint8_t carry = static_cast<uint8_t>(-(a >> 7));
    a = static_cast<uint8_t>((a << 1) ^ (carry & 0x1b));
    b >>= 1;
  }
  return p;
}

// a^254 = a^-1 for a != 0 (and 0 for 0).
uint8_t GfInv(uint8_t a) {
  uint8_t result = 1, base = a;
  for (int e = 254; e > 0; e >>= 1) {
    if (e & 1) result = GfMul(result, base);
    base = GfMul(base, base);
  }
  return result;
}

std::string Checksum(std::string_view body) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), d);
  return std::string(reinterpret_cast<const char*>(d), kChecksumBytes);
}

struct ParsedShare {
  std::string set_id;
  int threshold = 0;
  int shares = 0;
  uint8_t x = 0;
  std::string y;  // secret part; wiped by ~ParsedShare
  ParsedShare() = default;
  ParsedShare(ParsedShare&&) = default;
  ParsedShare& operator=(ParsedShare&&) = default;
  ~ParsedShare() { OPENSSL_cleanse(y.data(), y.size()); }
};

absl::StatusOr<ParsedShare> Parse(std::string_view text) {
  text = StripAscii(text);
  if (text.substr(0, kShamirSharePrefix.size()) != kShamirSharePrefix) {
    return absl::InvalidArgumentError(Cat("does not start with \"", kShamirSharePrefix, "\""));
  }
  text.remove_prefix(kShamirSharePrefix.size());
  std::string bytes;
  if (std::optional<std::string> decoded = HexDecode(text); decoded.has_value()) {
    bytes.swap(decoded.value());
  } else {
    return absl::InvalidArgumentError("not hex after the prefix");
  }
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{bytes};
  if (bytes.size() < kShareHeaderBytes + kChecksumBytes) {
    return absl::InvalidArgumentError("too short to be a share");
  }
  auto u8 = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  if (u8(0) != kShareFormat) return absl::InvalidArgumentError(Cat("unknown share format ", u8(0)));
  const size_t len = u8(kShareHeaderBytes - 1);
  if (bytes.size() != kShareHeaderBytes + len + kChecksumBytes) {
    return absl::InvalidArgumentError("share length does not match its header");
  }
  const std::string_view body(bytes.data(), kShareHeaderBytes + len);
  if (CRYPTO_memcmp(Checksum(body).data(), bytes.data() + body.size(), kChecksumBytes) != 0) {
    return absl::DataLossError("checksum mismatch: the share is corrupted or mistyped");
  }
  ParsedShare s;
  s.set_id = bytes.substr(1, kSetIdBytes);
  s.threshold = u8(1 + kSetIdBytes);
  s.shares = u8(2 + kSetIdBytes);
  s.x = u8(3 + kSetIdBytes);
  if (s.threshold < 2 || s.threshold > s.shares || s.x == 0 || s.x > s.shares) {
    return absl::InvalidArgumentError("share header is inconsistent (threshold, count, index)");
  }
  s.y = bytes.substr(kShareHeaderBytes, len);
  return s;
}

// Lagrange interpolation of byte `i` of the polynomial through `points`, evaluated at `x`.
uint8_t Interpolate(const std::vector<const ParsedShare*>& points, size_t i, uint8_t x) {
  uint8_t acc = 0;
  for (size_t j = 0; j < points.size(); ++j) {
    uint8_t num = 1, den = 1;
    for (size_t m = 0; m < points.size(); ++m) {
      if (m == j) continue;
      num = GfMul(num, static_cast<uint8_t>(points[m]->x ^ x));
      den = GfMul(den, static_cast<uint8_t>(points[m]->x ^ points[j]->x));
    }
    acc ^= GfMul(static_cast<uint8_t>(points[j]->y[i]), GfMul(num, GfInv(den)));
  }
  return acc;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ShamirSplit(const SecretKey& secret, int threshold,
                                                     int shares) {
  const std::string_view s = secret.RawBytesForCrypto();
  if (threshold < 2 || threshold > shares || shares > 255) {
    return absl::InvalidArgumentError(
        Cat("need 2 <= threshold <= shares <= 255; got threshold ", threshold, ", shares ", shares));
  }
  if (s.size() > 255) return absl::InvalidArgumentError("secret longer than 255 bytes");
  std::string set_id(kSetIdBytes, '\0');
  // coeffs[k * L + i]: coefficient of x^(k+1) for secret byte i.
  std::string coeffs(static_cast<size_t>(threshold - 1) * s.size(), '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(set_id.data()), kSetIdBytes) != 1 ||
      RAND_bytes(reinterpret_cast<unsigned char*>(coeffs.data()), static_cast<int>(coeffs.size())) != 1) {
    OPENSSL_cleanse(coeffs.data(), coeffs.size());
    return absl::InternalError("RAND_bytes failed");
  }
  std::vector<std::string> out;
  std::string body;
  for (int x = 1; x <= shares; ++x) {
    body.assign(1, static_cast<char>(kShareFormat));
    body += set_id;
    body.push_back(static_cast<char>(threshold));
    body.push_back(static_cast<char>(shares));
    body.push_back(static_cast<char>(x));
    body.push_back(static_cast<char>(s.size()));
    for (size_t i = 0; i < s.size(); ++i) {
      // Horner: y = a0 + x(a1 + x(a2 + ...)).
      uint8_t y = 0;
      for (int k = threshold - 2; k >= 0; --k) {
        y = GfMul(y, static_cast<uint8_t>(x)) ^ static_cast<uint8_t>(coeffs[k * s.size() + i]);
      }
      y = GfMul(y, static_cast<uint8_t>(x)) ^ static_cast<uint8_t>(s[i]);
      body.push_back(static_cast<char>(y));
    }
    body += Checksum(body);
    std::string hex = HexEncode(body);
    out.push_back(Cat(kShamirSharePrefix, hex));
    OPENSSL_cleanse(hex.data(), hex.size());
    OPENSSL_cleanse(body.data(), body.size());
  }
  OPENSSL_cleanse(coeffs.data(), coeffs.size());
  return out;
}

absl::StatusOr<ShareInfoNoSecret> ParseShareInfo(std::string_view share) {
  auto p = Parse(share);
  if (!p.ok()) return p.status();
  return ShareInfoNoSecret{HexEncode(p->set_id), p->threshold, p->shares, p->x};
}

absl::StatusOr<SecretKey> ShamirCombine(const std::vector<std::string>& shares) {
  std::vector<ParsedShare> parsed;
  for (size_t n = 0; n < shares.size(); ++n) {
    auto p = Parse(shares[n]);
    if (!p.ok()) return absl::Status(p.status().code(), Cat("share ", n + 1, ": ", p.status().message()));
    if (!parsed.empty()) {
      const ParsedShare& first = parsed.front();
      if (p->set_id != first.set_id || p->threshold != first.threshold ||
          p->shares != first.shares || p->y.size() != first.y.size()) {
        return absl::InvalidArgumentError(Cat("share ", n + 1, " belongs to a different split than share 1"));
      }
      for (size_t m = 0; m < parsed.size(); ++m) {
        if (parsed[m].x == p->x) {
          return absl::InvalidArgumentError(Cat("share ", n + 1, " repeats share ", m + 1,
                                                " (same index ", static_cast<int>(p->x), ")"));
        }
      }
    }
    parsed.push_back(*std::move(p));
  }
  if (parsed.empty()) return absl::FailedPreconditionError("no shares given");
  const size_t threshold = static_cast<size_t>(parsed.front().threshold);
  if (parsed.size() < threshold) {
    return absl::FailedPreconditionError(
        Cat("have ", parsed.size(), " shares; this split needs ", threshold));
  }
  std::vector<const ParsedShare*> basis;
  for (size_t j = 0; j < threshold; ++j) basis.push_back(&parsed[j]);
  const size_t len = parsed.front().y.size();
  std::string secret(len, '\0');
  for (size_t i = 0; i < len; ++i) secret[i] = static_cast<char>(Interpolate(basis, i, 0));
  // Shares beyond the threshold must lie on the same polynomial.
  for (size_t e = threshold; e < parsed.size(); ++e) {
    uint8_t diff = 0;
    for (size_t i = 0; i < len; ++i) {
      diff |= Interpolate(basis, i, parsed[e].x) ^ static_cast<uint8_t>(parsed[e].y[i]);
    }
    if (diff != 0) {
      OPENSSL_cleanse(secret.data(), secret.size());
      return absl::DataLossError(Cat("share ", e + 1, " is inconsistent with shares 1..", threshold));
    }
  }
  return SecretKey::FromBytes(std::move(secret));
}

}  // namespace phiguard::crypto
