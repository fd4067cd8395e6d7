// Ed25519 signatures (RFC 8032, pure EdDSA) over OpenSSL 3 EVP: signed audit checkpoints and the
// keyring's `sign` keys. Verification is strict (OpenSSL rejects non-canonical S, as the Wycheproof
// vectors require). An Ed25519Signer owns private key material: it is movable, not copyable, and has
// no way to print or export the private key. Sign() and Ed25519Verify() are thread-safe.
//
//   auto signer = Ed25519Signer::Generate();
//   auto sig = signer->Sign("checkpoint 17");
//   absl::Status ok = Ed25519Verify(signer->PublicKey(), "checkpoint 17", *sig);
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "phiguard/crypto/secret_key.h"
#include "phiguard/crypto/signer.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace phiguard::crypto {

inline constexpr size_t kEd25519SeedBytes = 32;
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

class Ed25519Signer final : public Signer {
 public:
  // The key pair whose RFC 8032 private seed is the first 32 bytes of `seed` (SecretKey holds >= 32
  // bytes). Internal if OpenSSL cannot build the key.
  static absl::StatusOr<Ed25519Signer> FromSeed(const SecretKey& seed);
  // A fresh key pair from OpenSSL's CSPRNG. Internal on RNG failure.
  static absl::StatusOr<Ed25519Signer> Generate();

  // Movable, not copyable: owns private key material (freed and wiped by OpenSSL).
  Ed25519Signer(Ed25519Signer&&) noexcept = default;
  Ed25519Signer& operator=(Ed25519Signer&&) noexcept = default;
  Ed25519Signer(const Ed25519Signer&) = delete;
  Ed25519Signer& operator=(const Ed25519Signer&) = delete;
  ~Ed25519Signer() override;

  // The 32-byte raw public key (safe to publish and log).
  std::string PublicKey() const { return public_key_; }
  // The 64-byte signature of `message`. Deterministic (RFC 8032). Internal if OpenSSL fails;
  // FailedPrecondition on a moved-from signer.
  absl::StatusOr<std::string> Sign(std::string_view message) const;
  // Signer: Sign() with PublicKey().
  absl::StatusOr<Signature> SignMessage(std::string_view message) const override;

 private:
  struct PkeyDeleter {
    void operator()(EVP_PKEY* p) const;
  };
  Ed25519Signer(std::unique_ptr<EVP_PKEY, PkeyDeleter> key, std::string public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  static absl::StatusOr<Ed25519Signer> FromPkey(EVP_PKEY* key);

  std::unique_ptr<EVP_PKEY, PkeyDeleter> key_;
  std::string public_key_;
};

// OkStatus if `signature` is a valid Ed25519 signature of `message` under `public_key`.
// InvalidArgument if the public key is not 32 bytes (or not a key OpenSSL can load) or the signature
// is not 64 bytes; DataLoss if the signature does not verify.
absl::Status Ed25519Verify(std::string_view public_key, std::string_view message,
                           std::string_view signature);

}  // namespace phiguard::crypto
