#include "phiguard/crypto/hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

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

}  // namespace phiguard::crypto
