#include "phiguard/crypto/secret_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cctype>

#include "phiguard/core/strings.h"
#include "phiguard/core/file_io.h"
#include "phiguard/crypto/hmac.h"

namespace phiguard::crypto {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<SecretKey> SecretKey::FromBytes(std::string bytes) {
  if (bytes.size() < 32) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return absl::InvalidArgumentError("key must be at least 32 bytes (256 bits)");
  }
  return SecretKey(std::move(bytes));
}

absl::StatusOr<SecretKey> SecretKey::Generate() {
  std::string bytes(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), 32) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  return SecretKey(std::move(bytes));
}

absl::StatusOr<SecretKey> SecretKey::ReadFile(const std::string& path) {
  auto content = ReadFileBounded(path, 1 << 16);
  if (!content.ok()) return content.status();
  std::string hex;
  bool all_hex = true;
  for (char c : *content) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (HexValue(c) < 0) {
      all_hex = false;
      break;
    }
    hex.push_back(c);
  }
  std::string bytes;
  if (all_hex && hex.size() < 64) {
    // "openssl rand -hex 16" is 128 bits of hex text, not 33 bytes of key.
    OPENSSL_cleanse(content->data(), content->size());
    OPENSSL_cleanse(hex.data(), hex.size());
    return absl::InvalidArgumentError(
        phiguard::Cat(path, ": key file must hold >= 64 hex characters or >= 32 bytes"));
  }
  if (all_hex && hex.size() % 2 == 0) {
    for (size_t i = 0; i < hex.size(); i += 2) {
      bytes.push_back(static_cast<char>(HexValue(hex[i]) * 16 + HexValue(hex[i + 1])));
    }
  } else {
    bytes = *content;
  }
  OPENSSL_cleanse(content->data(), content->size());
  OPENSSL_cleanse(hex.data(), hex.size());
  auto key = FromBytes(std::move(bytes));
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        phiguard::Cat(path, ": key file must hold >= 64 hex characters or >= 32 bytes"));
  }
  return key;
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

SecretKey::~SecretKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

SecretKey SecretKey::Derive(std::string_view label) const {
  Sha256Digest d = HmacSha256(*this, phiguard::Cat("phiguard/", label));
  SecretKey out(std::string(reinterpret_cast<const char*>(d.data()), d.size()));
  OPENSSL_cleanse(d.data(), d.size());
  return out;
}

bool SecretKey::Equals(const SecretKey& other) const {
  return bytes_.size() == other.bytes_.size() &&
         CRYPTO_memcmp(bytes_.data(), other.bytes_.data(), bytes_.size()) == 0;
}

}  // namespace phiguard::crypto
