// AES-GCM cipher objects fetched from OpenSSL's default provider once per process.
// EVP_aes_256_gcm() is an implicit fetch: every EVP_*Init_ex with it looks the algorithm up again
// (string compares under a lock, ~10% of encrypting a 64 KiB object); an explicitly fetched
// EVP_CIPHER skips that. The fetched objects live until exit.
#pragma once

#include <openssl/evp.h>

#include <cstddef>

namespace phiguard::crypto::internal {

// The AES-GCM cipher for a 16, 24 or 32-byte key; null for any other size.
inline const EVP_CIPHER* AesGcmCipher(size_t key_bytes) {
  static EVP_CIPHER* const aes128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  static EVP_CIPHER* const aes192 = EVP_CIPHER_fetch(nullptr, "AES-192-GCM", nullptr);
  static EVP_CIPHER* const aes256 = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  switch (key_bytes) {
    case 16: return aes128;
    case 24: return aes192;
    case 32: return aes256;
    default: return nullptr;
  }
}

}  // namespace phiguard::crypto::internal
