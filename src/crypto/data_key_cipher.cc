#include "phiguard/crypto/data_key_cipher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "phiguard/crypto/aead.h"
#include "crypto/internal/aes_gcm_cipher.h"

namespace phiguard::crypto {
namespace {

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Inputs are passed to EVP as int; larger objects must be chunked (streams use <= 16 MiB chunks).
constexpr size_t kMaxGcmInput = size_t{1} << 30;

}  // namespace

// Each direction's context is set up on first use: most objects are only encrypted (a stream
// being written) or only decrypted, and a context costs an allocation and a key schedule. Rekey
// keeps the contexts and only marks them for a new key schedule on their next use, so a cipher
// reused across objects (the keyring's stream pool) allocates nothing per object.
struct DataKeyCipher::Contexts {
  explicit Contexts(SecretKey k) : key(std::move(k)) {}
  SecretKey key;
  EVP_CIPHER_CTX* enc = nullptr;
  EVP_CIPHER_CTX* dec = nullptr;
  bool enc_keyed = false;
  bool dec_keyed = false;
  ~Contexts() {
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
  }
  // The context for one direction, keyed with `key`, or null when OpenSSL cannot set it up.
  EVP_CIPHER_CTX* Get(bool encrypt) {
    EVP_CIPHER_CTX*& c = encrypt ? enc : dec;
    bool& keyed = encrypt ? enc_keyed : dec_keyed;
    if (c != nullptr && keyed) return c;
    if (c == nullptr) {
      c = EVP_CIPHER_CTX_new();
      if (c == nullptr) return nullptr;
      if (EVP_CipherInit_ex(c, internal::AesGcmCipher(32), nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1) {
        EVP_CIPHER_CTX_free(c);
        c = nullptr;
        return nullptr;
      }
    }
    if (EVP_CipherInit_ex(c, nullptr, nullptr, U(key.RawBytesForCrypto()), nullptr, encrypt ? 1 : 0) != 1) {
      return nullptr;
    }
    keyed = true;
    return c;
  }
};

DataKeyCipher::DataKeyCipher(std::unique_ptr<Contexts> ctx) : ctx_(std::move(ctx)) {}
DataKeyCipher::~DataKeyCipher() = default;

absl::StatusOr<std::unique_ptr<DataKeyCipher>> DataKeyCipher::Create(const SecretKey& key) {
  std::string_view k = key.RawBytesForCrypto();
  if (k.size() != 32) return absl::InvalidArgumentError("a data key must be 32 bytes (AES-256)");
  auto copy = SecretKey::FromBytes(std::string(k));
  if (!copy.ok()) return copy.status();
  return std::unique_ptr<DataKeyCipher>(
      new DataKeyCipher(std::make_unique<Contexts>(*std::move(copy))));
}

absl::Status DataKeyCipher::Rekey(const SecretKey& key) {
  std::string_view k = key.RawBytesForCrypto();
  if (k.size() != 32) return absl::InvalidArgumentError("a data key must be 32 bytes (AES-256)");
  auto copy = SecretKey::FromBytes(std::string(k));
  if (!copy.ok()) return copy.status();
  ctx_->key = *std::move(copy);  // the old key is wiped by SecretKey
  ctx_->enc_keyed = ctx_->dec_keyed = false;
  return absl::OkStatus();
}

absl::Status DataKeyCipher::SealInto(std::string_view nonce, std::string_view plaintext,
                                     std::string_view aad, char* out) {
  if (nonce.size() != kGcmNonceBytes) return absl::InvalidArgumentError("GCM nonce must be 12 bytes");
  if (plaintext.size() > kMaxGcmInput || aad.size() > kMaxGcmInput) {
    return absl::InvalidArgumentError("AES-GCM input larger than 1 GiB: use a stream");
  }
  auto* o = reinterpret_cast<unsigned char*>(out);
  int len = 0, fin = 0;
  EVP_CIPHER_CTX* c = ctx_->Get(/*encrypt=*/true);
  if (c == nullptr) return absl::InternalError("cannot set up AES-256-GCM");
  bool ok = EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, U(nonce)) == 1 &&
            (aad.empty() || EVP_EncryptUpdate(c, nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1) &&
            EVP_EncryptUpdate(c, o, &len, U(plaintext), static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(c, o + len, &fin) == 1 &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, o + plaintext.size()) == 1;
  return ok ? absl::OkStatus() : absl::InternalError("AES-GCM encryption failed");
}

absl::Status DataKeyCipher::OpenInto(std::string_view nonce, std::string_view sealed,
                                     std::string_view aad, char* out) {
  if (nonce.size() != kGcmNonceBytes) return absl::InvalidArgumentError("GCM nonce must be 12 bytes");
  if (sealed.size() < kGcmTagBytes) return absl::InvalidArgumentError("AES-GCM input shorter than a tag");
  if (sealed.size() > kMaxGcmInput || aad.size() > kMaxGcmInput) {
    return absl::InvalidArgumentError("AES-GCM input larger than 1 GiB: use a stream");
  }
  const std::string_view ct = sealed.substr(0, sealed.size() - kGcmTagBytes);
  unsigned char tag[kGcmTagBytes];
  std::copy(sealed.end() - kGcmTagBytes, sealed.end(), tag);
  auto* o = reinterpret_cast<unsigned char*>(out);
  int len = 0, fin = 0;
  EVP_CIPHER_CTX* c = ctx_->Get(/*encrypt=*/false);
  if (c == nullptr) return absl::InternalError("cannot set up AES-256-GCM");
  bool ok = EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, U(nonce)) == 1 &&
            (aad.empty() || EVP_DecryptUpdate(c, nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1) &&
            EVP_DecryptUpdate(c, o, &len, U(ct), static_cast<int>(ct.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag) == 1;
  if (ok && EVP_DecryptFinal_ex(c, o + len, &fin) == 1) return absl::OkStatus();
  // Wipe whatever was decrypted before the tag was checked.
  OPENSSL_cleanse(out, ct.size());
  return ok ? absl::DataLossError("AES-GCM authentication failed")
            : absl::InternalError("AES-GCM decryption failed");
}

absl::Status DataKeyCipher::Seal(std::string_view nonce, std::string_view plaintext,
                                 std::string_view aad, std::string& out) {
  const size_t start = out.size();
  out.resize(start + plaintext.size() + kGcmTagBytes);
  absl::Status s = SealInto(nonce, plaintext, aad, out.data() + start);
  if (!s.ok()) out.resize(start);
  return s;
}

absl::Status DataKeyCipher::Open(std::string_view nonce, std::string_view sealed,
                                 std::string_view aad, std::string& out) {
  if (sealed.size() < kGcmTagBytes) return absl::InvalidArgumentError("AES-GCM input shorter than a tag");
  const size_t start = out.size();
  out.resize(start + sealed.size() - kGcmTagBytes);
  absl::Status s = OpenInto(nonce, sealed, aad, out.data() + start);
  if (!s.ok()) out.resize(start);
  return s;
}

absl::StatusOr<std::string> DataKeyCipher::Encrypt(std::string_view plaintext, std::string_view aad) {
  std::string out(kGcmNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), kGcmNonceBytes) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  out.reserve(kGcmNonceBytes + plaintext.size() + kGcmTagBytes);
  const std::string nonce = out;
  if (absl::Status s = Seal(nonce, plaintext, aad, out); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::string> DataKeyCipher::Decrypt(std::string_view ciphertext, std::string_view aad) {
  if (ciphertext.size() < kGcmNonceBytes + kGcmTagBytes) {
    return absl::InvalidArgumentError("ciphertext shorter than nonce + tag");
  }
  std::string out;
  if (absl::Status s = Open(ciphertext.substr(0, kGcmNonceBytes), ciphertext.substr(kGcmNonceBytes), aad, out);
      !s.ok()) {
    return s;
  }
  return out;
}

}  // namespace phiguard::crypto
