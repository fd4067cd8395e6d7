#include "phiguard/crypto/password_hash.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "phiguard/core/strings.h"

namespace phiguard::crypto {
namespace {

uint8_t* U(std::string_view s) { return reinterpret_cast<uint8_t*>(const_cast<char*>(s.data())); }

constexpr size_t kSaltBytes = 16;
constexpr size_t kTagBytes = 32;
constexpr size_t kMaxInput = size_t{1} << 20;

}  // namespace

absl::StatusOr<std::string> Argon2id(std::string_view password, std::string_view salt,
                                     const Argon2idParams& params, size_t tag_bytes,
                                     std::string_view secret, std::string_view ad) {
  if (password.size() > kMaxInput || salt.size() > kMaxInput || secret.size() > kMaxInput ||
      ad.size() > kMaxInput || tag_bytes < 4 || tag_bytes > 1024) {
    return absl::InvalidArgumentError("Argon2id: input or tag size out of range");
  }
  std::string tag(tag_bytes, '\0');
  argon2_context ctx{};
  ctx.out = U(tag);
  ctx.outlen = static_cast<uint32_t>(tag_bytes);
  ctx.pwd = U(password);
  ctx.pwdlen = static_cast<uint32_t>(password.size());
  ctx.salt = U(salt);
  ctx.saltlen = static_cast<uint32_t>(salt.size());
  ctx.secret = secret.empty() ? nullptr : U(secret);
  ctx.secretlen = static_cast<uint32_t>(secret.size());
  ctx.ad = ad.empty() ? nullptr : U(ad);
  ctx.adlen = static_cast<uint32_t>(ad.size());
  ctx.t_cost = params.iterations;
  ctx.m_cost = params.memory_kib;
  ctx.lanes = params.lanes;
  ctx.threads = 1;  // the result does not depend on it; callers are single-threaded
  ctx.version = ARGON2_VERSION_13;
  ctx.flags = ARGON2_DEFAULT_FLAGS;  // leave the (const) inputs alone; libargon2 wipes its own memory
  const int rc = argon2_ctx(&ctx, Argon2_id);
  if (rc != ARGON2_OK) {
    return absl::InvalidArgumentError(Cat("Argon2id: ", argon2_error_message(rc)));
  }
  return tag;
}

absl::StatusOr<SecretHash> HashSecret(std::string_view secret, const Argon2idParams& params) {
  SecretHash h;
  h.params = params;
  h.salt.assign(kSaltBytes, '\0');
  if (RAND_bytes(U(h.salt), static_cast<int>(kSaltBytes)) != 1) return absl::InternalError("RAND_bytes failed");
  auto tag = Argon2id(secret, h.salt, params, kTagBytes);
  if (!tag.ok()) return tag.status();
  h.tag = *std::move(tag);
  return h;
}

bool VerifySecret(std::string_view secret, const SecretHash& stored) {
  if (stored.tag.size() != kTagBytes) return false;
  auto tag = Argon2id(secret, stored.salt, stored.params, kTagBytes);
  return tag.ok() && CRYPTO_memcmp(tag->data(), stored.tag.data(), kTagBytes) == 0;
}

}  // namespace phiguard::crypto
