// Private parts of Keyring shared by keyring.cc (lifecycle, duties) and keyring_ops.cc (crypto).
#pragma once

#include <map>
#include <string>
#include <utility>

#include "crypto/internal/keyring_state.h"
#include "phiguard/crypto/keyring.h"

namespace phiguard::crypto {

struct Keyring::State : internal::KeyringState {};

// Unwrapped key material; exists only while unsealed.
struct Keyring::Material {
  SecretKey wrap_key;
  SecretKey mac_key;
  std::map<std::pair<std::string, uint32_t>, SecretKey, std::less<>> keys;
};

// One audited operation: checks the caller and the seal, gives access to the keyring's state, and
// records exactly one event when finished. Used with the keyring's mutex held.
class Keyring::Op {
 public:
  Op(Keyring& keyring, std::string_view caller, std::string_view operation, std::string_view key,
     std::string_view object_id);

  Keyring& kr;
  CryptoEvent event;

  // FailedPrecondition while sealed; InvalidArgument for a malformed caller identity.
  absl::Status CheckUnsealed() const;
  // PermissionDenied naming the caller and the duty. For kUser also enforces separation of duties.
  absl::Status RequireRole(Role role, std::string_view key) const;
  bool HasRole(std::string_view identity, Role role, std::string_view key) const;
  bool HasAnyRole(std::string_view identity) const;
  // True if `identity` is custodian and user of `key` with no policy exception covering it.
  bool DualRoleViolation(std::string_view identity, std::string_view key) const;
  // NotFound if there is no key `name`.
  absl::StatusOr<internal::KeyRecord*> FindKey(std::string_view name) const;
  // FailedPrecondition unless the key's purpose is one of the two given.
  absl::Status RequirePurpose(const internal::KeyRecord& key, KeyPurpose a, KeyPurpose b) const;
  // The material of `version` for decryption: NotFound if unknown or destroyed, FailedPrecondition
  // if retired.
  absl::StatusOr<const SecretKey*> DecryptionKey(const internal::KeyRecord& key, uint32_t version);
  // The primary version's material for one more encryption: counts it, rotates at the limit,
  // warns past the warning threshold. Sets event.key_version.
  absl::StatusOr<std::pair<uint32_t, const SecretKey*>> EncryptionKey(internal::KeyRecord& key);
  // Generates, wraps and appends a new version (material included). Does not save.
  absl::StatusOr<uint32_t> AddVersion(internal::KeyRecord& key);
  absl::Status Save();
  // Records the event with the outcome of `s`. Returns `s` if it is an error; otherwise OkStatus,
  // or Unavailable if the event could not be recorded.
  absl::Status Finish(const absl::Status& s);
  // For state changes: saves, records, and restores `backup` (and saves it again) if either fails.
  absl::Status Commit(State backup, const absl::Status& applied);

 private:
  absl::Status RecordSideEvent(std::string_view operation, std::string_view detail, uint32_t version);
};

int64_t NowUnixMicros();

}  // namespace phiguard::crypto
