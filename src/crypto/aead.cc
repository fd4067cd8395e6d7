#include "phiguard/crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "phiguard/core/strings.h"
#include "crypto/internal/aes_gcm_cipher.h"

namespace phiguard::crypto {
namespace {

const EVP_CIPHER* CipherFor(size_t key_bytes) { return internal::AesGcmCipher(key_bytes); }

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

absl::Status CheckSizes(std::string_view key, std::string_view nonce) {
  if (CipherFor(key.size()) == nullptr) {
    return absl::InvalidArgumentError("AES-GCM key must be 16, 24 or 32 bytes");
  }
  if (nonce.empty() || nonce.size() > kMaxGcmNonceBytes) {
    return absl::InvalidArgumentError("AES-GCM nonce must be 1 to 128 bytes");
  }
  return absl::OkStatus();
}

// Sets up `ctx` for one message: cipher, nonce length (when it is not the default 96 bits), key
// and nonce.
bool Init(EVP_CIPHER_CTX* ctx, bool encrypt, std::string_view key, std::string_view nonce) {
  const int enc = encrypt ? 1 : 0;
  return ctx != nullptr && EVP_CipherInit_ex(ctx, CipherFor(key.size()), nullptr, nullptr, nullptr, enc) == 1 &&
         (nonce.size() == kGcmNonceBytes ||
          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) == 1) &&
         EVP_CipherInit_ex(ctx, nullptr, nullptr, U(key), U(nonce), enc) == 1;
}

}  // namespace

absl::StatusOr<std::string> AesGcmSeal(std::string_view key, std::string_view nonce,
                                       std::string_view plaintext, std::string_view aad) {
  if (absl::Status s = CheckSizes(key, nonce); !s.ok()) return s;
  if (plaintext.size() > (1u << 30) || aad.size() > (1u << 30)) {
    return absl::InvalidArgumentError("AES-GCM input larger than 1 GiB: use chunked encryption");
  }
  Ctx ctx(EVP_CIPHER_CTX_new());
  std::string out(plaintext.size() + kGcmTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int len = 0, fin = 0;
  bool ok = Init(ctx.get(), /*encrypt=*/true, key, nonce) &&
            (aad.empty() || EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1) &&
            EVP_EncryptUpdate(ctx.get(), o, &len, U(plaintext), static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), o + len, &fin) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, o + plaintext.size()) == 1;
  if (!ok) return absl::InternalError("AES-GCM encryption failed");
  return out;
}

absl::StatusOr<std::string> AesGcmOpen(std::string_view key, std::string_view nonce,
                                       std::string_view sealed, std::string_view aad) {
  if (absl::Status s = CheckSizes(key, nonce); !s.ok()) return s;
  if (sealed.size() < kGcmTagBytes) return absl::InvalidArgumentError("AES-GCM input shorter than a tag");
  if (sealed.size() > (1u << 30) || aad.size() > (1u << 30)) {
    return absl::InvalidArgumentError("AES-GCM input larger than 1 GiB: use chunked encryption");
  }
  std::string_view ct = sealed.substr(0, sealed.size() - kGcmTagBytes);
  std::string tag(sealed.substr(ct.size()));
  Ctx ctx(EVP_CIPHER_CTX_new());
  std::string out(ct.size(), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int len = 0, fin = 0;
  bool ok = Init(ctx.get(), /*encrypt=*/false, key, nonce) &&
            (aad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1) &&
            EVP_DecryptUpdate(ctx.get(), o, &len, U(ct), static_cast<int>(ct.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag.data()) == 1;
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    return absl::InternalError("AES-GCM decryption failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), o + len, &fin) != 1) {
    // Authentication failed: wipe what was decrypted so it can never leak.
    OPENSSL_cleanse(out.data(), out.size());
    return absl::DataLossError("AES-GCM authentication failed");
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Aead>> Aead::Create(SecretKey key) {
  if (key.RawBytesForCrypto().size() != 32) {
    return absl::InvalidArgumentError("Aead needs a 32-byte (AES-256) key");
  }
  return std::unique_ptr<Aead>(new Aead(std::move(key)));
}

absl::StatusOr<std::string> Aead::Encrypt(std::string_view plaintext, std::string_view aad) const {
  std::string nonce(kGcmNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kGcmNonceBytes) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  auto sealed = AesGcmSeal(key_.RawBytesForCrypto(), nonce, plaintext, aad);
  if (!sealed.ok()) return sealed.status();
  std::string out;
  out.reserve(1 + nonce.size() + sealed->size());
  out.push_back(static_cast<char>(kFormatV1));
  out += nonce;
  out += *sealed;
  return out;
}

absl::StatusOr<std::string> Aead::Decrypt(std::string_view ciphertext, std::string_view aad) const {
  if (ciphertext.empty() || static_cast<uint8_t>(ciphertext[0]) != kFormatV1) {
    return absl::InvalidArgumentError("unknown ciphertext format version");
  }
  if (ciphertext.size() < 1 + kGcmNonceBytes + kGcmTagBytes) {
    return absl::InvalidArgumentError("ciphertext truncated");
  }
  return AesGcmOpen(key_.RawBytesForCrypto(), ciphertext.substr(1, kGcmNonceBytes),
                    ciphertext.substr(1 + kGcmNonceBytes), aad);
}

}  // namespace phiguard::crypto
