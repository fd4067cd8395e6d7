// The keyring's persistent state and its (de)serialization: JSON authenticated by an HMAC under a
// root-derived key. Private to src/crypto.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/crypto/hex.h"
#include "phiguard/crypto/keyring.h"
#include "phiguard/crypto/password_hash.h"

namespace phiguard::crypto::internal {

using crypto::HexDecode;
using crypto::HexEncode;

inline constexpr int kKeyringFormat = 1;  // do not renumber

struct VersionRecord {
  uint32_t version = 0;
  std::string wrapped;  // AES-GCM(wrap key) of the material: nonce | ct | tag; empty if destroyed
  int64_t created_unix = 0;
  bool destroyed = false;
  uint64_t reserved = 0;     // persisted upper bound of encryptions
  uint64_t encryptions = 0;  // in memory; starts at `reserved` after a load
  std::string public_key;    // sign keys: raw Ed25519 public key
};

struct KeyRecord {
  std::string name;
  KeyPurpose purpose = KeyPurpose::kAead;
  uint32_t min_decryption_version = 1;
  int64_t created_unix = 0;
  std::vector<VersionRecord> versions;  // ascending; versions.back() is the primary
  uint32_t primary() const { return versions.back().version; }
  VersionRecord* Find(uint32_t version) {
    return version >= 1 && version <= versions.size() ? &versions[version - 1] : nullptr;
  }
};

struct DualRoleException {
  std::string identity;
  std::string key;
  std::string reason;
  std::string granted_by;
  int64_t time_unix = 0;
};

// An identity's API token, stored only as its Argon2id hash (password_hash.h).
struct TokenRecord {
  SecretHash hash;
  int64_t created_unix = 0;
  std::string issued_by;
};

struct KeyringState {
  RootInfoNoSecret root;
  std::string root_check_hex;  // hex of root.Derive(kRootCheckLabel): identifies the right root
  std::vector<RoleBinding> bindings;
  std::vector<DualRoleException> exceptions;
  std::map<std::string, KeyRecord, std::less<>> keys;
  std::map<std::string, TokenRecord, std::less<>> tokens;  // by identity
  bool require_tokens = false;  // absent in keyrings made before tokens existed
  std::string mac_hex;  // as loaded; verified at unseal
  std::string body;     // the authenticated bytes, as loaded
};

inline constexpr std::string_view kRootCheckLabel = "keyring/root-check/v1";
inline constexpr std::string_view kWrapLabel = "keyring/wrap/v1";
inline constexpr std::string_view kStateMacLabel = "keyring/state-mac/v1";

// The stored blob: pretty JSON with a "mac" member over the compact form of everything else.
std::string SerializeState(const KeyringState& state, const SecretKey& mac_key);
// Parses a blob; DataLoss naming the problem if it is not a keyring of this format. The MAC is not
// checked here (it needs the root): see VerifyStateMac.
absl::StatusOr<KeyringState> ParseState(std::string_view blob);
// DataLoss if the loaded state was not written under `mac_key`.
absl::Status VerifyStateMac(const KeyringState& state, const SecretKey& mac_key);

// The associated data that binds wrapped key material to its key, version and purpose.
std::string WrapAad(std::string_view name, uint32_t version, KeyPurpose purpose);

// True if `identity` is a valid caller identity: 1..128 of [A-Za-z0-9._@+-].
bool IsValidIdentity(std::string_view identity);

}  // namespace phiguard::crypto::internal
