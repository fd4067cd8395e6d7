// HMAC-SHA-256 (RFC 2104 / FIPS 198-1) over OpenSSL 3. Stateless functions, thread-safe.
#pragma once

#include <array>
#include <cstdint>
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

}  // namespace phiguard::crypto
