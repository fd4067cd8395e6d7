// The keyring's authenticated identities: API tokens stored as Argon2id hashes (keyring.h,
// "Identities").
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>

#include "crypto/internal/keyring_impl.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/hex.h"
#include "phiguard/crypto/keyring.h"
#include "phiguard/crypto/password_hash.h"

namespace phiguard::crypto {
namespace {

constexpr std::string_view kTokenPrefix = "pgt1_";
constexpr size_t kTokenBytes = 32;

// True if some custodian of "*" other than `except` holds a token.
bool OtherCustodianHoldsToken(const internal::KeyringState& s, std::string_view except) {
  return std::any_of(s.bindings.begin(), s.bindings.end(), [&](const RoleBinding& b) {
    return b.role == Role::kCustodian && b.key == "*" && b.identity != except && s.tokens.count(b.identity) > 0;
  });
}

}  // namespace

absl::StatusOr<std::string> Keyring::IssueToken(std::string_view caller, std::string_view identity) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "issue_token", "", identity);
  auto run = [&]() -> absl::StatusOr<std::string> {
    if (absl::Status s = op.CheckUnsealed(); !s.ok()) return s;
    if (!internal::IsValidIdentity(identity)) {
      return absl::InvalidArgumentError("identity must be 1..128 of [A-Za-z0-9._@+-]");
    }
    const bool own_rotation = caller == identity && state_->tokens.count(identity) > 0;
    op.event.detail = own_rotation ? "rotation by its holder" : "issued by a custodian";
    if (!own_rotation) {
      if (absl::Status s = op.RequireRole(Role::kCustodian, "*"); !s.ok()) return s;
    }
    std::string raw(kTokenBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) {
      return absl::InternalError("RAND_bytes failed");
    }
    std::string token = Cat(kTokenPrefix, HexEncode(raw));
    OPENSSL_cleanse(raw.data(), raw.size());
    auto hash = HashSecret(token, options_.token_hash);
    if (!hash.ok()) {
      OPENSSL_cleanse(token.data(), token.size());
      return hash.status();
    }
    State backup = *state_;
    state_->tokens.insert_or_assign(std::string(identity),
                                    internal::TokenRecord{*std::move(hash), NowUnixMicros() / 1000000, std::string(caller)});
    if (absl::Status s = op.Commit(std::move(backup), absl::OkStatus()); !s.ok()) {
      OPENSSL_cleanse(token.data(), token.size());
      return s;
    }
    return token;
  };
  // Commit records the event on success; only failures before it are recorded here.
  auto out = run();
  if (!out.ok() && op.event.outcome.empty()) return op.Finish(out.status());
  return out;
}

absl::Status Keyring::RevokeToken(std::string_view caller, std::string_view identity) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "revoke_token", "", identity);
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (caller != identity) {
    if (absl::Status s = op.RequireRole(Role::kCustodian, "*"); !s.ok()) return op.Finish(s);
  }
  if (state_->tokens.count(identity) == 0) return op.Finish(absl::NotFoundError(Cat(identity, " holds no token")));
  const bool is_admin = op.HasRole(identity, Role::kCustodian, "*");
  if (state_->require_tokens && is_admin && !OtherCustodianHoldsToken(*state_, identity)) {
    return op.Finish(absl::FailedPreconditionError(
        Cat("tokens are required and ", identity, " is the only custodian of \"*\" holding one: revoking it "
            "would leave nobody able to manage the keyring")));
  }
  State backup = *state_;
  state_->tokens.erase(state_->tokens.find(identity));
  return op.Commit(std::move(backup), absl::OkStatus());
}

absl::Status Keyring::SetTokensRequired(std::string_view caller, bool required) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "require_tokens", "", "");
  op.event.detail = required ? "on" : "off";
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (absl::Status s = op.RequireRole(Role::kCustodian, "*"); !s.ok()) return op.Finish(s);
  if (required && state_->tokens.count(caller) == 0) {
    return op.Finish(absl::FailedPreconditionError(
        Cat(caller, " holds no token: issue one first, or nobody could manage the keyring afterwards")));
  }
  State backup = *state_;
  state_->require_tokens = required;
  return op.Commit(std::move(backup), absl::OkStatus());
}

absl::Status Keyring::Authenticate(std::string_view identity, std::string_view token, bool for_rotation) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, identity, "authenticate", "", "");
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  auto it = state_->tokens.find(identity);
  if (it == state_->tokens.end()) {
    return op.Finish(absl::UnauthenticatedError(
        Cat(identity, " holds no API token (a custodian issues one: phiguard keys token issue ", identity, ")")));
  }
  // VerifySecret compares the Argon2id tags in constant time.
  if (!VerifySecret(StripAscii(token), it->second.hash)) {
    return op.Finish(absl::UnauthenticatedError(Cat("authentication of ", identity, " failed: wrong or revoked token")));
  }
  if (it->second.issued_by != identity) {
    op.event.detail = Cat("provisional token issued by ", it->second.issued_by);
    if (!for_rotation) {
      return op.Finish(absl::FailedPreconditionError(
          Cat("the token of ", identity, " was issued by ", it->second.issued_by, ": ", identity,
              " must replace it first (phiguard keys token rotate), so that only ", identity, " knows it")));
    }
  }
  return op.Finish(absl::OkStatus());
}

bool Keyring::TokenRequired(std::string_view identity) const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->require_tokens || state_->tokens.count(identity) > 0;
}

absl::StatusOr<std::pair<std::vector<TokenInfoNoSecret>, bool>> Keyring::ListTokens(std::string_view caller) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "list_tokens", "", "");
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (!op.HasAnyRole(caller)) return op.Finish(absl::PermissionDeniedError(Cat(caller, " holds no role")));
  std::vector<TokenInfoNoSecret> out;
  for (const auto& [identity, t] : state_->tokens) out.push_back({identity, t.issued_by, t.created_unix});
  if (absl::Status s = op.Finish(absl::OkStatus()); !s.ok()) return s;
  return std::make_pair(std::move(out), state_->require_tokens);
}

}  // namespace phiguard::crypto
