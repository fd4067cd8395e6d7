// SecretKey holds symmetric key material. It zeroes its bytes on destruction, compares in constant
// time and cannot be printed: the bytes are reachable only through RawBytesForCrypto(), so every use
// is greppable. Immutable after construction; safe for concurrent reads.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace phiguard::crypto {

class SecretKey {
 public:
  // Takes ownership of `bytes`. InvalidArgument if shorter than 32 bytes (256 bits).
  static absl::StatusOr<SecretKey> FromBytes(std::string bytes);
  // 32 fresh bytes from OpenSSL's CSPRNG. Internal on RNG failure.
  static absl::StatusOr<SecretKey> Generate();
  // Reads a key file: 64+ hex characters (whitespace ignored) or >= 32 raw bytes. Errors name the
  // path, never the contents.
  static absl::StatusOr<SecretKey> ReadFile(const std::string& path);

  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  // Not copyable: copies of key material are explicit (Derive) or not at all.
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  // A new 32-byte key, HMAC-SHA-256(this, "phiguard/" + label): independent keys per purpose
  // (pseudonyms, date shifts, surrogates) so one leaked derived key reveals nothing of the others.
  SecretKey Derive(std::string_view label) const;

  // Constant-time equality.
  bool Equals(const SecretKey& other) const;

  // The raw bytes, for passing to a cryptographic primitive only.
  std::string_view RawBytesForCrypto() const { return bytes_; }

 private:
  explicit SecretKey(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

}  // namespace phiguard::crypto
