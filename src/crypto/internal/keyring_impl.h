// Private parts of Keyring shared by keyring.cc (lifecycle, duties) and keyring_ops.cc (crypto).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crypto/internal/keyring_state.h"
#include "phiguard/crypto/data_key_cipher.h"
#include "phiguard/crypto/keyring.h"
#include "phiguard/crypto/stream.h"

namespace phiguard::crypto {

struct Keyring::State : internal::KeyringState {};

// Random bytes drawn from OpenSSL a block at a time and handed out (and wiped) under the keyring's
// mutex: one RAND_bytes call serves ~80 stream objects instead of three calls per object. A fork
// discards the block (a child must never reuse the parent's bytes), and so does sealing.
class RandomPool {
 public:
  RandomPool() = default;
  RandomPool(const RandomPool&) = delete;
  RandomPool& operator=(const RandomPool&) = delete;
  ~RandomPool();
  // Writes `n` (<= 4096) fresh random bytes to `out`. Internal if the RNG fails.
  absl::Status Take(char* out, size_t n);

 private:
  std::array<char, 4096> bytes_{};
  size_t next_ = sizeof(bytes_);  // everything before next_ was handed out and wiped
  uint64_t fork_generation_ = 0;
};

// What one stream needs besides its data key, kept between streams so a stream allocates nothing:
// an AES-GCM cipher (re-keyed per object; the last object's key schedule stays until the next
// object, a destroyed version or the seal) and chunk buffers (StreamScratch: no plaintext left in
// them between streams).
struct StreamWorkspace {
  std::unique_ptr<DataKeyCipher> cipher;
  StreamScratch scratch;
};

// Unwrapped key material; exists only while unsealed.
struct Keyring::Material {
  Material(SecretKey wrap, SecretKey mac) : wrap_key(std::move(wrap)), mac_key(std::move(mac)) {}
  SecretKey wrap_key;
  SecretKey mac_key;
  std::map<std::pair<std::string, uint32_t>, SecretKey, std::less<>> keys;
  // AES-GCM under a key version's material, kept for wrapping and unwrapping stream data keys
  // (no context set-up per object). Dropped with the material (seal, destroy).
  std::map<std::pair<std::string, uint32_t>, std::unique_ptr<DataKeyCipher>, std::less<>> key_ciphers;
  std::vector<std::unique_ptr<StreamWorkspace>> idle_workspaces;
  RandomPool random;
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
  // A cached AES-GCM cipher under `material`, the material of version `version` of key `name`.
  absl::StatusOr<DataKeyCipher*> KeyCipher(const std::string& name, uint32_t version,
                                           const SecretKey& material);
  // An idle stream workspace keyed with `data_key` (or a new one), and its return to the pool
  // (its cipher forgets the key first). Returning after the keyring was sealed just frees it.
  absl::StatusOr<std::unique_ptr<StreamWorkspace>> TakeWorkspace(const SecretKey& data_key);
  void ReturnWorkspace(std::unique_ptr<StreamWorkspace> workspace);
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
