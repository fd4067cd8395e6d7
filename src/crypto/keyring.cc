// Keyring lifecycle (init, open, unseal, seal), duties (roles, exceptions) and custodian operations.
// The cryptographic operations are in keyring_ops.cc.
#include "phiguard/crypto/keyring.h"

#include <openssl/rand.h>

#include <algorithm>

#include "absl/time/clock.h"
#include "crypto/internal/keyring_impl.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/aead.h"
#include "phiguard/crypto/ciphertext_format.h"
#include "phiguard/crypto/ed25519.h"
#include "phiguard/crypto/shamir.h"

namespace phiguard::crypto {

using internal::KeyRecord;
using internal::VersionRecord;

int64_t NowUnixMicros() { return absl::ToUnixMicros(absl::Now()); }

std::string_view KeyPurposeName(KeyPurpose purpose) {
  switch (purpose) {
    case KeyPurpose::kAead: return "aead";
    case KeyPurpose::kMac: return "mac";
    case KeyPurpose::kSign: return "sign";
    case KeyPurpose::kDataKey: return "datakey";
  }
  return "unknown";
}

absl::StatusOr<KeyPurpose> ParseKeyPurpose(std::string_view name) {
  for (KeyPurpose p : {KeyPurpose::kAead, KeyPurpose::kMac, KeyPurpose::kSign, KeyPurpose::kDataKey}) {
    if (name == KeyPurposeName(p)) return p;
  }
  return absl::InvalidArgumentError(Cat("unknown key purpose \"", name, "\" (aead, mac, sign, datakey)"));
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kCustodian: return "custodian";
    case Role::kUser: return "user";
    case Role::kAuditor: return "auditor";
  }
  return "unknown";
}

absl::StatusOr<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kCustodian, Role::kUser, Role::kAuditor}) {
    if (name == RoleName(r)) return r;
  }
  return absl::InvalidArgumentError(Cat("unknown role \"", name, "\" (custodian, user, auditor)"));
}

// ---------------------------------------------------------------------------------------------
// Op

Keyring::Op::Op(Keyring& keyring, std::string_view caller, std::string_view operation,
                std::string_view key, std::string_view object_id)
    : kr(keyring) {
  event.actor = std::string(caller);
  event.operation = std::string(operation);
  event.key = std::string(key);
  event.object_id = std::string(object_id);
}

absl::Status Keyring::Op::CheckUnsealed() const {
  if (!internal::IsValidIdentity(event.actor)) {
    return absl::InvalidArgumentError("caller identity must be 1..128 of [A-Za-z0-9._@+-]");
  }
  if (kr.material_ == nullptr) {
    return absl::FailedPreconditionError("the keyring is sealed: unseal it first (phiguard keys unseal)");
  }
  return absl::OkStatus();
}

bool Keyring::Op::HasRole(std::string_view identity, Role role, std::string_view key) const {
  return std::any_of(kr.state_->bindings.begin(), kr.state_->bindings.end(), [&](const RoleBinding& b) {
    return b.identity == identity && b.role == role && (b.key == key || b.key == "*");
  });
}

bool Keyring::Op::HasAnyRole(std::string_view identity) const {
  return std::any_of(kr.state_->bindings.begin(), kr.state_->bindings.end(),
                     [&](const RoleBinding& b) { return b.identity == identity; });
}

bool Keyring::Op::DualRoleViolation(std::string_view identity, std::string_view key) const {
  if (!HasRole(identity, Role::kCustodian, key) || !HasRole(identity, Role::kUser, key)) return false;
  return std::none_of(kr.state_->exceptions.begin(), kr.state_->exceptions.end(),
                      [&](const internal::DualRoleException& e) {
                        return e.identity == identity && (e.key == key || e.key == "*");
                      });
}

absl::Status Keyring::Op::RequireRole(Role role, std::string_view key) const {
  if (!HasRole(event.actor, role, key)) {
    return absl::PermissionDeniedError(Cat(event.actor, " is not ", RoleName(role),
                                           role == Role::kAuditor ? "" : Cat(" of key ", key)));
  }
  if (role == Role::kUser && DualRoleViolation(event.actor, key)) {
    return absl::PermissionDeniedError(Cat("separation of duties: ", event.actor,
                                           " is custodian of key ", key,
                                           " and may not use it without a policy exception"));
  }
  return absl::OkStatus();
}

absl::StatusOr<KeyRecord*> Keyring::Op::FindKey(std::string_view name) const {
  auto it = kr.state_->keys.find(name);
  if (it == kr.state_->keys.end()) return absl::NotFoundError(Cat("no key named ", name));
  return &it->second;
}

absl::Status Keyring::Op::RequirePurpose(const KeyRecord& key, KeyPurpose a, KeyPurpose b) const {
  if (key.purpose != a && key.purpose != b) {
    return absl::FailedPreconditionError(Cat("key ", key.name, " has purpose ",
                                             KeyPurposeName(key.purpose), ", not ", KeyPurposeName(a)));
  }
  return absl::OkStatus();
}

absl::StatusOr<const SecretKey*> Keyring::Op::DecryptionKey(const KeyRecord& key, uint32_t version) {
  event.key_version = version;
  if (version < 1 || version > key.primary()) {
    return absl::NotFoundError(Cat("key ", key.name, " has no version ", version));
  }
  if (key.versions[version - 1].destroyed) {
    return absl::NotFoundError(Cat("key ", key.name, " version ", version, " was destroyed"));
  }
  if (version < key.min_decryption_version) {
    return absl::FailedPreconditionError(Cat("key ", key.name, " version ", version,
                                             " is retired (min_decryption_version is ",
                                             key.min_decryption_version, ")"));
  }
  auto it = kr.material_->keys.find(std::make_pair(key.name, version));
  if (it == kr.material_->keys.end()) return absl::InternalError("key material missing");
  return &it->second;
}

absl::Status Keyring::Op::RecordSideEvent(std::string_view operation, std::string_view detail,
                                          uint32_t version) {
  CryptoEvent e;
  e.time_unix_micros = NowUnixMicros();
  e.actor = std::string(kSystemActor);
  e.operation = std::string(operation);
  e.key = event.key;
  e.key_version = version;
  e.object_id = event.object_id;
  e.outcome = "ok";
  e.detail = std::string(detail);
  return kr.sink_.Record(e);
}

absl::StatusOr<std::pair<uint32_t, const SecretKey*>> Keyring::Op::EncryptionKey(KeyRecord& key) {
  const KeyringOptions& o = kr.options_;
  if (key.versions.back().encryptions >= o.encryption_limit) {
    if (!o.auto_rotate_at_limit) {
      return absl::ResourceExhaustedError(Cat("key ", key.name, " version ", key.primary(),
                                              " reached its encryption limit: rotate it"));
    }
    State backup = *kr.state_;
    auto v = AddVersion(key);
    absl::Status s = v.ok() ? Save() : v.status();
    if (s.ok()) s = RecordSideEvent("rotate", "encryption limit reached", key.primary());
    if (!s.ok()) {
      *kr.state_ = std::move(backup);
      return s;
    }
  }
  VersionRecord& v = key.versions.back();
  ++v.encryptions;
  if (v.encryptions > v.reserved) {
    // Persist a block ahead, so a crash can only over-count.
    const uint64_t previous = v.reserved;
    v.reserved = v.encryptions - 1 + std::max<uint64_t>(o.counter_block, 1);
    if (absl::Status s = Save(); !s.ok()) {
      v.reserved = previous;  // not persisted: the next encryption must try again
      --v.encryptions;
      return s;
    }
  }
  if (v.encryptions > o.encryption_warn_after) {
    absl::Status s = RecordSideEvent(
        "nonce_budget_warning",
        Cat(v.encryptions, " encryptions under this version; it will be rotated at ", o.encryption_limit),
        v.version);
    if (!s.ok()) return s;
  }
  event.key_version = v.version;
  auto it = kr.material_->keys.find(std::make_pair(key.name, v.version));
  if (it == kr.material_->keys.end()) return absl::InternalError("key material missing");
  return std::make_pair(v.version, &it->second);
}

absl::StatusOr<uint32_t> Keyring::Op::AddVersion(KeyRecord& key) {
  auto material = SecretKey::Generate();
  if (!material.ok()) return material.status();
  VersionRecord v;
  v.version = key.versions.empty() ? 1 : key.primary() + 1;
  v.created_unix = NowUnixMicros() / 1000000;
  if (key.purpose == KeyPurpose::kSign) {
    auto signer = Ed25519Signer::FromSeed(*material);
    if (!signer.ok()) return signer.status();
    v.public_key = signer->PublicKey();
  }
  std::string nonce(kGcmNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kGcmNonceBytes) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  auto sealed = AesGcmSeal(kr.material_->wrap_key.RawBytesForCrypto(), nonce,
                           material->RawBytesForCrypto(), internal::WrapAad(key.name, v.version, key.purpose));
  if (!sealed.ok()) return sealed.status();
  v.wrapped = nonce + *sealed;
  key.versions.push_back(std::move(v));
  kr.material_->keys.insert_or_assign(std::make_pair(key.name, key.primary()), *std::move(material));
  return key.primary();
}

absl::Status Keyring::Op::Save() {
  std::string blob = internal::SerializeState(*kr.state_, kr.material_->mac_key);
  absl::Status s = kr.store_->Save(kr.stored_, blob);
  if (s.ok()) kr.stored_ = std::move(blob);
  return s;
}

absl::Status Keyring::Op::Finish(const absl::Status& s) {
  event.time_unix_micros = NowUnixMicros();
  event.outcome = s.ok() ? "ok" : absl::StatusCodeToString(s.code());
  absl::Status recorded = kr.sink_.Record(event);
  if (!s.ok()) return s;
  if (!recorded.ok()) {
    return absl::UnavailableError(Cat("crypto audit event could not be recorded (", recorded.message(),
                                      "); operation refused"));
  }
  return absl::OkStatus();
}

absl::Status Keyring::Op::Commit(State backup, const absl::Status& applied) {
  absl::Status s = applied.ok() ? Save() : applied;
  if (!s.ok()) {
    *kr.state_ = std::move(backup);
    return Finish(s);
  }
  s = Finish(s);
  if (!s.ok()) {
    // The change was saved but could not be audited: undo it.
    *kr.state_ = std::move(backup);
    (void)Save();
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

Keyring::Keyring(std::unique_ptr<KeyStore> store, CryptoAuditSink& sink, const KeyringOptions& options)
    : store_(std::move(store)), sink_(sink), options_(options), state_(std::make_unique<State>()) {}

Keyring::~Keyring() = default;

absl::StatusOr<std::unique_ptr<Keyring>> Keyring::InitWithRootKey(std::unique_ptr<KeyStore> store,
                                                                   CryptoAuditSink& sink,
                                                                   std::string_view initiator,
                                                                   const SecretKey& root,
                                                                   const KeyringOptions& options) {
  return Init(std::move(store), sink, initiator, root, {"dev-key-file", 0, 0}, options);
}

absl::StatusOr<std::unique_ptr<Keyring>> Keyring::Init(std::unique_ptr<KeyStore> store,
                                                       CryptoAuditSink& sink, std::string_view initiator,
                                                       const SecretKey& root, const RootInfoNoSecret& kind,
                                                       const KeyringOptions& options) {
  if (!internal::IsValidIdentity(initiator)) {
    return absl::InvalidArgumentError("initiator identity must be 1..128 of [A-Za-z0-9._@+-]");
  }
  if (root.RawBytesForCrypto().size() != 32) return absl::InvalidArgumentError("root must be 32 bytes");
  auto existing = store->Load();
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    return absl::FailedPreconditionError(Cat(store->Describe(), ": a keyring already exists"));
  }
  std::unique_ptr<Keyring> kr(new Keyring(std::move(store), sink, options));
  kr->state_->root = kind;
  kr->state_->root_check_hex =
      internal::HexEncode(root.Derive(internal::kRootCheckLabel).RawBytesForCrypto());
  kr->state_->bindings.push_back({std::string(initiator), Role::kCustodian, "*"});
  kr->material_ = std::make_unique<Material>(root.Derive(internal::kWrapLabel),
                                                     root.Derive(internal::kStateMacLabel));
  std::lock_guard<std::mutex> lock(kr->mu_);
  Op op(*kr, initiator, "init", "", "");
  op.event.detail = kind.kind == "shamir"
                        ? Cat("root split into ", kind.shares, " shares, threshold ", kind.threshold)
                        : std::string("root kept in a development key file (not for production)");
  if (absl::Status s = op.Commit(State(*kr->state_), absl::OkStatus()); !s.ok()) return s;
  return kr;
}

absl::StatusOr<Keyring::InitResult> Keyring::InitWithShares(std::unique_ptr<KeyStore> store,
                                                            CryptoAuditSink& sink,
                                                            std::string_view initiator, int shares,
                                                            int threshold,
                                                            const KeyringOptions& options) {
  auto root = SecretKey::Generate();
  if (!root.ok()) return root.status();
  auto split = ShamirSplit(*root, threshold, shares);
  if (!split.ok()) return split.status();
  auto kr = Init(std::move(store), sink, initiator, *root, {"shamir", threshold, shares}, options);
  if (!kr.ok()) return kr.status();
  return InitResult{*std::move(kr), *std::move(split)};
}

absl::StatusOr<std::unique_ptr<Keyring>> Keyring::Open(std::unique_ptr<KeyStore> store,
                                                       CryptoAuditSink& sink,
                                                       const KeyringOptions& options) {
  auto blob = store->Load();
  if (!blob.ok()) return blob.status();
  if (!blob->has_value()) {
    return absl::NotFoundError(Cat(store->Describe(), ": no keyring (create one with phiguard keys init)"));
  }
  auto state = internal::ParseState(**blob);
  if (!state.ok()) return absl::DataLossError(Cat(store->Describe(), ": ", state.status().message()));
  std::unique_ptr<Keyring> kr(new Keyring(std::move(store), sink, options));
  static_cast<internal::KeyringState&>(*kr->state_) = *std::move(state);
  kr->stored_ = **std::move(blob);
  return kr;
}

absl::Status Keyring::Unseal(std::string_view caller, const SecretKey& root) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "unseal", "", "");
  if (!internal::IsValidIdentity(caller)) return op.Finish(absl::InvalidArgumentError("bad caller identity"));
  // Verify the state as last loaded or saved (its authenticated bytes), so a keyring sealed and
  // unsealed again in one process checks what it wrote itself.
  State fresh;
  if (stored_.has_value()) {
    auto parsed = internal::ParseState(*stored_);
    if (!parsed.ok()) return op.Finish(parsed.status());
    static_cast<internal::KeyringState&>(fresh) = *std::move(parsed);
  } else {
    fresh = *state_;
  }
  const std::string check = internal::HexEncode(root.Derive(internal::kRootCheckLabel).RawBytesForCrypto());
  if (check != fresh.root_check_hex) {
    return op.Finish(absl::PermissionDeniedError("that is not this keyring's root key (wrong key file or shares)"));
  }
  auto material = std::make_unique<Material>(root.Derive(internal::kWrapLabel),
                                                     root.Derive(internal::kStateMacLabel));
  if (absl::Status s = internal::VerifyStateMac(fresh, material->mac_key); !s.ok()) return op.Finish(s);
  for (const auto& [name, key] : fresh.keys) {
    for (const VersionRecord& v : key.versions) {
      if (v.destroyed) continue;
      absl::StatusOr<std::string> raw = absl::DataLossError("wrapped key too short");
      if (v.wrapped.size() > kGcmNonceBytes) {
        raw = AesGcmOpen(material->wrap_key.RawBytesForCrypto(), v.wrapped.substr(0, kGcmNonceBytes),
                         v.wrapped.substr(kGcmNonceBytes), internal::WrapAad(name, v.version, key.purpose));
      }
      if (!raw.ok()) {
        return op.Finish(absl::DataLossError(Cat("key ", name, " version ", v.version, " does not unwrap")));
      }
      auto k = SecretKey::FromBytes(*std::move(raw));
      if (!k.ok()) return op.Finish(absl::DataLossError(Cat("key ", name, " version ", v.version, " is malformed")));
      material->keys.insert_or_assign(std::make_pair(name, v.version), *std::move(k));
    }
  }
  if (absl::Status s = op.Finish(absl::OkStatus()); !s.ok()) return s;
  *state_ = std::move(fresh);
  material_ = std::move(material);
  return absl::OkStatus();
}

absl::Status Keyring::UnsealWithShares(std::string_view caller, const std::vector<std::string>& shares) {
  auto root = ShamirCombine(shares);
  if (!root.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    Op op(*this, caller, "unseal", "", "");
    return op.Finish(root.status());
  }
  return Unseal(caller, *root);
}

void Keyring::Seal(std::string_view caller) {
  std::lock_guard<std::mutex> lock(mu_);
  material_.reset();
  Op op(*this, caller, "seal", "", "");
  (void)op.Finish(absl::OkStatus());  // sealing is always safe, recorded or not
}

bool Keyring::sealed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return material_ == nullptr;
}

RootInfoNoSecret Keyring::root_info() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->root;
}

// ---------------------------------------------------------------------------------------------
// Custodian duties

absl::Status Keyring::CreateKey(std::string_view caller, std::string_view name, KeyPurpose purpose) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "create", name, "");
  op.event.detail = std::string(KeyPurposeName(purpose));
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (!IsValidKeyName(name)) {
    return op.Finish(absl::InvalidArgumentError("key name must be 1..64 of [A-Za-z0-9._-]"));
  }
  if (absl::Status s = op.RequireRole(Role::kCustodian, name); !s.ok()) return op.Finish(s);
  if (state_->keys.count(name) > 0) return op.Finish(absl::AlreadyExistsError(Cat("key ", name, " exists")));
  State backup = *state_;
  KeyRecord& k = state_->keys[std::string(name)];
  k.name = std::string(name);
  k.purpose = purpose;
  k.created_unix = NowUnixMicros() / 1000000;
  auto v = op.AddVersion(k);
  op.event.key_version = 1;
  return op.Commit(std::move(backup), v.status());
}

absl::StatusOr<uint32_t> Keyring::Rotate(std::string_view caller, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "rotate", name, "");
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (absl::Status s = op.RequireRole(Role::kCustodian, name); !s.ok()) return op.Finish(s);
  auto key = op.FindKey(name);
  if (!key.ok()) return op.Finish(key.status());
  State backup = *state_;
  auto v = op.AddVersion(**key);
  if (v.ok()) op.event.key_version = *v;
  if (absl::Status s = op.Commit(std::move(backup), v.status()); !s.ok()) return s;
  return *v;
}

absl::Status Keyring::SetMinDecryptionVersion(std::string_view caller, std::string_view name,
                                              uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "set_min_decryption_version", name, "");
  op.event.key_version = version;
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (absl::Status s = op.RequireRole(Role::kCustodian, name); !s.ok()) return op.Finish(s);
  auto key = op.FindKey(name);
  if (!key.ok()) return op.Finish(key.status());
  KeyRecord& k = **key;
  if (version < 1 || version > k.primary()) {
    return op.Finish(absl::InvalidArgumentError(Cat("key ", name, " has versions 1..", k.primary())));
  }
  for (uint32_t v = version; v < k.min_decryption_version; ++v) {
    if (k.versions[v - 1].destroyed) {
      return op.Finish(absl::FailedPreconditionError(
          Cat("key ", name, " version ", v, " was destroyed; cannot un-retire it")));
    }
  }
  State backup = *state_;
  op.event.detail = Cat("from ", k.min_decryption_version);
  k.min_decryption_version = version;
  return op.Commit(std::move(backup), absl::OkStatus());
}

absl::Status Keyring::DestroyVersion(std::string_view caller, std::string_view name, uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "destroy", name, "");
  op.event.key_version = version;
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (absl::Status s = op.RequireRole(Role::kCustodian, name); !s.ok()) return op.Finish(s);
  auto key = op.FindKey(name);
  if (!key.ok()) return op.Finish(key.status());
  VersionRecord* v = (*key)->Find(version);
  if (v == nullptr) return op.Finish(absl::NotFoundError(Cat("key ", name, " has no version ", version)));
  if (version >= (*key)->min_decryption_version) {
    return op.Finish(absl::FailedPreconditionError(
        Cat("key ", name, " version ", version, " is not retired: raise min_decryption_version first")));
  }
  State backup = *state_;
  v->destroyed = true;
  v->wrapped.clear();
  absl::Status s = op.Commit(std::move(backup), absl::OkStatus());
  if (s.ok()) {
    material_->keys.erase(std::make_pair(std::string(name), version));
    material_->key_ciphers.erase(std::make_pair(std::string(name), version));
    // Pooled stream ciphers may hold the schedule of a data key that this version wrapped.
    material_->idle_workspaces.clear();
  }
  return s;
}

absl::Status Keyring::Grant(std::string_view caller, const RoleBinding& binding) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "grant", binding.key, binding.identity);
  op.event.detail = std::string(RoleName(binding.role));
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (!internal::IsValidIdentity(binding.identity) ||
      (binding.key != "*" && !IsValidKeyName(binding.key)) ||
      (binding.role == Role::kAuditor && binding.key != "*")) {
    return op.Finish(absl::InvalidArgumentError("bad identity or key (auditor is granted on \"*\")"));
  }
  if (absl::Status s = op.RequireRole(Role::kCustodian, binding.key); !s.ok()) return op.Finish(s);
  State backup = *state_;
  const bool exists = std::any_of(state_->bindings.begin(), state_->bindings.end(), [&](const RoleBinding& b) {
    return b.identity == binding.identity && b.role == binding.role && b.key == binding.key;
  });
  if (!exists) state_->bindings.push_back(binding);
  // The grant must not make anyone custodian and user of one key without an exception.
  std::vector<std::string> keys = {"*"};
  if (binding.key != "*") keys.push_back(binding.key);
  for (const auto& [name, k] : state_->keys) keys.push_back(name);
  for (const std::string& k : keys) {
    if (op.DualRoleViolation(binding.identity, k)) {
      *state_ = std::move(backup);
      return op.Finish(absl::PermissionDeniedError(
          Cat("separation of duties: ", binding.identity, " would be custodian and user of key ", k,
              " (a policy exception from another custodian is needed)")));
    }
  }
  return op.Commit(std::move(backup), absl::OkStatus());
}

absl::Status Keyring::Revoke(std::string_view caller, const RoleBinding& binding) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "revoke", binding.key, binding.identity);
  op.event.detail = std::string(RoleName(binding.role));
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (absl::Status s = op.RequireRole(Role::kCustodian, binding.key); !s.ok()) return op.Finish(s);
  State backup = *state_;
  auto& b = state_->bindings;
  const size_t before = b.size();
  b.erase(std::remove_if(b.begin(), b.end(), [&](const RoleBinding& x) {
            return x.identity == binding.identity && x.role == binding.role && x.key == binding.key;
          }), b.end());
  if (b.size() == before) return op.Finish(absl::NotFoundError("no such role binding"));
  const bool custodian_left = std::any_of(b.begin(), b.end(), [](const RoleBinding& x) {
    return x.role == Role::kCustodian && x.key == "*";
  });
  if (!custodian_left) {
    *state_ = std::move(backup);
    return op.Finish(absl::FailedPreconditionError("the keyring must keep a custodian of \"*\""));
  }
  return op.Commit(std::move(backup), absl::OkStatus());
}

absl::Status Keyring::AllowDualRole(std::string_view caller, std::string_view identity,
                                    std::string_view key, std::string_view reason) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "policy_exception", key, identity);
  op.event.detail = Cat("dual role custodian+user: ", reason);
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (!internal::IsValidIdentity(identity) || (key != "*" && !IsValidKeyName(key)) ||
      StripAscii(reason).empty()) {
    return op.Finish(absl::InvalidArgumentError("a policy exception needs an identity, a key and a reason"));
  }
  if (absl::Status s = op.RequireRole(Role::kCustodian, key); !s.ok()) return op.Finish(s);
  if (identity == caller) {
    return op.Finish(absl::PermissionDeniedError("a custodian cannot grant a policy exception to themself"));
  }
  State backup = *state_;
  state_->exceptions.push_back({std::string(identity), std::string(key), std::string(reason),
                                std::string(caller), NowUnixMicros() / 1000000});
  return op.Commit(std::move(backup), absl::OkStatus());
}

absl::StatusOr<std::vector<KeyInfoNoSecret>> Keyring::ListKeys(std::string_view caller) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "list", "", "");
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (!op.HasAnyRole(caller)) return op.Finish(absl::PermissionDeniedError(Cat(caller, " holds no role")));
  std::vector<KeyInfoNoSecret> out;
  for (const auto& [name, k] : state_->keys) {
    KeyInfoNoSecret info{name, k.purpose, k.primary(), k.min_decryption_version, {}};
    for (const VersionRecord& v : k.versions) {
      std::string st = v.destroyed                           ? "destroyed"
                       : v.version == k.primary()            ? "primary"
                       : v.version < k.min_decryption_version ? "retired"
                                                              : "active";
      info.versions.push_back({v.version, st, v.encryptions, v.created_unix, internal::HexEncode(v.public_key)});
    }
    out.push_back(std::move(info));
  }
  if (absl::Status s = op.Finish(absl::OkStatus()); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<RoleBinding>> Keyring::ListBindings(std::string_view caller) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "list_bindings", "", "");
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  if (!op.HasAnyRole(caller)) return op.Finish(absl::PermissionDeniedError(Cat(caller, " holds no role")));
  std::vector<RoleBinding> out = state_->bindings;
  if (absl::Status s = op.Finish(absl::OkStatus()); !s.ok()) return s;
  return out;
}

absl::Status Keyring::AuthorizeAuditRead(std::string_view caller) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "audit_read", "", "");
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return op.Finish(s);
  return op.Finish(op.RequireRole(Role::kAuditor, "*"));
}

}  // namespace phiguard::crypto
