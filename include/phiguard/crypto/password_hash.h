// Argon2id (RFC 9106) through libargon2, for secrets that must be stored only as a slow, salted
// hash: the keyring's API tokens (keyring.h, "Authenticated identities").
//
//   auto stored = HashSecret(token, Argon2idParams{});   // random 16-byte salt, 32-byte tag
//   if (!VerifySecret(token, *stored)) ...               // constant-time comparison
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace phiguard::crypto {

// Cost parameters. The defaults are OWASP's recommended minimum for Argon2id (19 MiB, 2 passes,
// 1 lane): ~30-60 ms per hash on one core.
struct Argon2idParams {
  uint32_t memory_kib = 19 * 1024;
  uint32_t iterations = 2;
  uint32_t lanes = 1;
};

// The raw Argon2id (version 0x13) tag of `password` with `salt`, and optionally a `secret` key
// and associated data `ad`, of `tag_bytes` bytes. InvalidArgument with libargon2's reason if a
// parameter is out of range (salt shorter than 8 bytes, memory below 8 KiB per lane, ...).
absl::StatusOr<std::string> Argon2id(std::string_view password, std::string_view salt,
                                     const Argon2idParams& params, size_t tag_bytes = 32,
                                     std::string_view secret = {}, std::string_view ad = {});

// A stored hash: what is kept instead of the secret.
struct SecretHash {
  Argon2idParams params;
  std::string salt;  // 16 random bytes
  std::string tag;   // 32 bytes
};

// Hashes `secret` under a fresh random salt. Internal if the RNG fails.
absl::StatusOr<SecretHash> HashSecret(std::string_view secret, const Argon2idParams& params);

// True if `secret` hashes to `stored.tag` (compared in constant time). False on any error.
bool VerifySecret(std::string_view secret, const SecretHash& stored);

}  // namespace phiguard::crypto
