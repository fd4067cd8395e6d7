// Authenticated encryption with AES-GCM (NIST SP 800-38D) over OpenSSL 3 EVP: the primitive under
// every ciphertext phiguard stores (token vaults, wrapped keys, encrypted files). Tags are 128 bits.
// Every phiguard format uses random 96-bit nonces; the raw primitive also takes the other lengths
// SP 800-38D allows, up to OpenSSL's limit of 128 bytes (the nonce is then GHASHed into the initial
// counter), so it interoperates with AES-GCM peers; an empty or longer nonce is InvalidArgument.
//
// Aead adds a versioned envelope around the primitive: a fresh random nonce per message, so callers
// never handle nonces. Immutable after Create(); Encrypt/Decrypt are thread-safe.
//
//   auto aead = Aead::Create(std::move(key));
//   auto ct = (*aead)->Encrypt("PHI", "record 17");   // associated data binds the context
//   auto pt = (*aead)->Decrypt(*ct, "record 17");     // DataLoss if anything was changed
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::crypto {

inline constexpr size_t kGcmNonceBytes = 12;
inline constexpr size_t kGcmTagBytes = 16;
inline constexpr size_t kMaxGcmNonceBytes = 128;  // OpenSSL 3's GCM_IV_MAX_SIZE

// Raw AES-GCM seal: returns ciphertext || tag. `key` is 16, 24 or 32 bytes (AES-128/192/256),
// `nonce` 1 to 128 bytes (12 is the norm); InvalidArgument otherwise. For known-answer tests,
// interoperation and the envelope.
absl::StatusOr<std::string> AesGcmSeal(std::string_view key, std::string_view nonce,
                                       std::string_view plaintext, std::string_view aad);
// Raw AES-GCM open of ciphertext || tag. DataLoss when the tag does not verify (the plaintext is
// never returned then); InvalidArgument for bad key/nonce sizes or input shorter than a tag.
absl::StatusOr<std::string> AesGcmOpen(std::string_view key, std::string_view nonce,
                                       std::string_view sealed, std::string_view aad);

class Aead {
 public:
  // Envelope format version, the first byte of every ciphertext. Do not renumber.
  static constexpr uint8_t kFormatV1 = 0x01;

  // REQUIRES a 32-byte key (AES-256); InvalidArgument otherwise.
  static absl::StatusOr<std::unique_ptr<Aead>> Create(SecretKey key);
  // Not copyable: owns key material.
  Aead(const Aead&) = delete;
  Aead& operator=(const Aead&) = delete;

  // version || 12-byte random nonce || ciphertext || 16-byte tag. Internal if the RNG fails.
  absl::StatusOr<std::string> Encrypt(std::string_view plaintext, std::string_view aad) const;
  // InvalidArgument for an unknown version or a truncated envelope; DataLoss when authentication
  // fails (wrong key, changed ciphertext or associated data). No plaintext is released on error.
  absl::StatusOr<std::string> Decrypt(std::string_view ciphertext, std::string_view aad) const;

 private:
  explicit Aead(SecretKey key) : key_(std::move(key)) {}
  SecretKey key_;
};

}  // namespace phiguard::crypto
