#include "phiguard/crypto/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace phiguard::crypto {

Sha256Digest HmacSha256Raw(std::string_view key, std::string_view message) {
  Sha256Digest out{};
  unsigned int len = 0;
  // One-shot HMAC() never fails for SHA-256 with in-memory buffers except on allocation failure,
  // which OpenSSL treats as fatal elsewhere too.
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
  return out;
}

Sha256Digest HmacSha256(const SecretKey& key, std::string_view message) {
  return HmacSha256Raw(key.RawBytesForCrypto(), message);
}

uint64_t HmacU64(const SecretKey& key, std::string_view message) {
  Sha256Digest d = HmacSha256(key, message);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[i];
  return v;
}

namespace {

constexpr size_t kBlock = 64;  // SHA-256 block size

// A digest context that aborts instead of returning errors: SHA-256 on in-memory buffers fails
// only when memory allocation fails, and an HMAC that silently came out wrong would break
// pseudonym consistency or audit integrity.
void Check(int ok) {
  if (ok != 1) std::abort();
}

EVP_MD_CTX* PaddedState(const unsigned char* key, size_t key_len, unsigned char pad) {
  unsigned char block[kBlock];
  std::memset(block, pad, kBlock);
  for (size_t i = 0; i < key_len; ++i) block[i] ^= key[i];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) std::abort();
  Check(EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr));
  Check(EVP_DigestUpdate(ctx, block, kBlock));
  OPENSSL_cleanse(block, kBlock);
  return ctx;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

HmacSha256Key::HmacSha256Key(const SecretKey& key) {
  std::string_view raw = key.RawBytesForCrypto();
  unsigned char hashed[32];
  const unsigned char* k = reinterpret_cast<const unsigned char*>(raw.data());
  size_t len = raw.size();
  if (len > kBlock) {  // RFC 2104: longer keys are hashed first
    Check(EVP_Digest(k, len, hashed, nullptr, EVP_sha256(), nullptr));
    k = hashed;
    len = sizeof hashed;
  }
  inner_ = PaddedState(k, len, 0x36);
  outer_ = PaddedState(k, len, 0x5c);
  OPENSSL_cleanse(hashed, sizeof hashed);
}

HmacSha256Key::~HmacSha256Key() {
  EVP_MD_CTX_free(inner_);  // EVP_MD_CTX_free wipes the digest state
  EVP_MD_CTX_free(outer_);
}

Sha256Digest HmacSha256Key::Mac(std::string_view message) const {
  // One scratch context per thread: copying a prepared state into it reuses its allocation.
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> scratch(EVP_MD_CTX_new());
  if (scratch == nullptr) std::abort();
  EVP_MD_CTX* ctx = scratch.get();
  Sha256Digest inner{};
  Sha256Digest out{};
  Check(EVP_MD_CTX_copy_ex(ctx, inner_));
  Check(EVP_DigestUpdate(ctx, message.data(), message.size()));
  Check(EVP_DigestFinal_ex(ctx, inner.data(), nullptr));
  Check(EVP_MD_CTX_copy_ex(ctx, outer_));
  Check(EVP_DigestUpdate(ctx, inner.data(), inner.size()));
  Check(EVP_DigestFinal_ex(ctx, out.data(), nullptr));
  return out;
}

}  // namespace phiguard::crypto
