// HMAC-SHA-256 (RFC 2104 / FIPS 198-1) over OpenSSL 3. Stateless functions and a keyed object
// for hot paths; all thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "phiguard/crypto/secret_key.h"

namespace phiguard::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

// HMAC-SHA-256 of `message` under `key`.
Sha256Digest HmacSha256(const SecretKey& key, std::string_view message);

// HMAC-SHA-256 under raw key bytes; for known-answer tests against published vectors.
Sha256Digest HmacSha256Raw(std::string_view key, std::string_view message);

// The first 8 bytes of HMAC-SHA-256(key, message) as a big-endian integer: a keyed, uniformly
// distributed 64-bit value (for date shifts and surrogate choices).
uint64_t HmacU64(const SecretKey& key, std::string_view message);

// HMAC-SHA-256 under one key with the key's inner and outer pads absorbed once, for code that
// MACs many short messages under the same key (audit pseudonyms, per-value deid pseudonyms).
// OpenSSL 3's one-shot HMAC() fetches the algorithm and builds a MAC context on every call,
// which costs more than hashing a short message; this copies two prepared SHA-256 states (plain
// structs: no provider context to duplicate) instead. Same output as HmacSha256. Mac() is const
// and thread-safe.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(const SecretKey& key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  Sha256Digest Mac(std::string_view message) const;

 private:
  struct Pads;                  // SHA-256 states after (key ^ ipad) and (key ^ opad)
  std::unique_ptr<Pads> pads_;  // wiped on destruction
};

}  // namespace phiguard::crypto
