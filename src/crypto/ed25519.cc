#include "phiguard/crypto/ed25519.h"

#include <openssl/evp.h>

namespace phiguard::crypto {
namespace {

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

}  // namespace

void Ed25519Signer::PkeyDeleter::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

Ed25519Signer::~Ed25519Signer() = default;

absl::StatusOr<Ed25519Signer> Ed25519Signer::FromPkey(EVP_PKEY* raw) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(raw);
  if (key == nullptr) return absl::InternalError("cannot create an Ed25519 key");
  std::string pub(kEd25519PublicKeyBytes, '\0');
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(pub.data()), &len) != 1 ||
      len != kEd25519PublicKeyBytes) {
    return absl::InternalError("cannot read the Ed25519 public key");
  }
  return Ed25519Signer(std::move(key), std::move(pub));
}

absl::StatusOr<Ed25519Signer> Ed25519Signer::FromSeed(const SecretKey& seed) {
  std::string_view bytes = seed.RawBytesForCrypto();
  if (bytes.size() < kEd25519SeedBytes) {
    return absl::InvalidArgumentError("Ed25519 seed must be at least 32 bytes");
  }
  return FromPkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, U(bytes), kEd25519SeedBytes));
}

absl::StatusOr<Ed25519Signer> Ed25519Signer::Generate() {
  auto seed = SecretKey::Generate();
  if (!seed.ok()) return seed.status();
  return FromSeed(*seed);
}

absl::StatusOr<std::string> Ed25519Signer::Sign(std::string_view message) const {
  if (key_ == nullptr) return absl::FailedPreconditionError("Ed25519Signer was moved from");
  MdCtx ctx(EVP_MD_CTX_new());
  std::string sig(kEd25519SignatureBytes, '\0');
  size_t len = sig.size();
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, U(message),
                     message.size()) != 1 ||
      len != kEd25519SignatureBytes) {
    return absl::InternalError("Ed25519 signing failed");
  }
  return sig;
}

absl::Status Ed25519Verify(std::string_view public_key, std::string_view message,
                           std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeyBytes) {
    return absl::InvalidArgumentError("Ed25519 public key must be 32 bytes");
  }
  if (signature.size() != kEd25519SignatureBytes) {
    return absl::InvalidArgumentError("Ed25519 signature must be 64 bytes");
  }
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, U(public_key), public_key.size()),
      EVP_PKEY_free);
  if (key == nullptr) return absl::InvalidArgumentError("not a valid Ed25519 public key");
  MdCtx ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return absl::InternalError("Ed25519 verification could not start");
  }
  // 1 = valid; 0 = bad signature; < 0 = a malformed signature or key (also "does not verify").
  if (EVP_DigestVerify(ctx.get(), U(signature), signature.size(), U(message), message.size()) != 1) {
    return absl::DataLossError("Ed25519 signature does not verify");
  }
  return absl::OkStatus();
}

absl::StatusOr<Signature> Ed25519Signer::SignMessage(std::string_view message) const {
  absl::StatusOr<std::string> sig = Sign(message);
  if (!sig.ok()) return sig.status();
  return Signature{public_key_, *std::move(sig)};
}

}  // namespace phiguard::crypto
