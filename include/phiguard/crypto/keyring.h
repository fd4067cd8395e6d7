// The keyring: named keys with versions, sealed by a root key, with separation of duties and an
// audit event for every operation. Every other module stores secrets through it.
//
// Keys. A key has a name, a purpose (aead, mac, sign, datakey) and versions 1..n. The primary
// (newest) version encrypts; versions >= min_decryption_version decrypt; retiring is moving that
// floor up, and it can be moved back down in an emergency until a version is destroyed (which
// erases its material for good). Ciphertexts carry the key name and version in an authenticated,
// versioned header (ciphertext_format.h), so Decrypt and Rewrap find the key on their own.
//
// Root. Key material is stored only wrapped (AES-256-GCM) under a key derived from the 256-bit
// root, and the whole stored state is authenticated (HMAC) under another, so editing the keyring
// file (say, lowering min_decryption_version or granting a role) is detected at Unseal. The root is
// never stored: it is split into M-of-N Shamir shares at Init, or (development only) kept in a key
// file. A keyring starts sealed; every operation but Unseal fails with FailedPrecondition until
// Unseal gets the root back.
//
// Duties. Callers pass their identity. Custodians create, rotate, retire and destroy keys and
// grant roles but cannot use keys; users encrypt, decrypt, rewrap, MAC, sign and get data keys
// with the keys they are granted but cannot change them; auditors may read the crypto audit trail.
// No identity may be custodian and user of one key unless a policy exception, granted by another
// custodian with a reason, allows it; granting an exception is itself an audited event.
//
// Identities. Library callers pass identities they vouch for. Where an identity is claimed by
// someone else (the command line), it is authenticated with an API token: IssueToken returns a
// random 256-bit token once and stores only its Argon2id hash (random salt; cost in
// KeyringOptions::token_hash) in the authenticated state; Authenticate checks a presented token in
// constant time. A custodian of "*" issues and revokes tokens for anyone; an identity holding a
// token may rotate or revoke its own. A token issued by someone else is provisional: it
// authenticates its holder only to rotate it (Authenticate with `for_rotation`), so the issuing
// custodian never knows a token that works for another identity and cannot act as a crypto user
// through one (separation of duties); re-issuing replaces the old token, is audited and locks the
// holder out until they rotate the new one.
// With `require_tokens` on (SetTokensRequired; `phiguard keys init` turns it on) every identity
// must authenticate; otherwise only identities that hold a token must.
//
// Audit. Every operation, allowed or refused, produces one CryptoEvent for the sink before its
// result is released. If the sink fails, the operation fails (Unavailable) and releases nothing;
// a state change whose event cannot be recorded is rolled back.
//
// Nonces. Encryptions use random 96-bit nonces. Each key version counts its encryptions (persisted
// in reserved blocks, so a crash only over-counts); past `encryption_warn_after` every encryption
// emits a "nonce_budget_warning" event, and at `encryption_limit` (below 2^32) the key is rotated
// automatically (actor "phiguard-system") or, if that is turned off, encryption is refused.
//
// A Keyring is safe for concurrent use (one internal mutex). Several keyrings (processes) may share
// a KeyStore: a change made from a stale copy fails with Aborted (reopen and retry) rather than
// overwrite another process's change.
//
//   auto kr = Keyring::Open(std::make_unique<FileKeyStore>(path), sink);
//   (*kr)->UnsealWithShares("alice", shares);
//   auto ct = (*kr)->Encrypt("bob", "notes", "PHI", /*aad=*/"", /*object_id=*/"note-17");
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "phiguard/crypto/crypto_audit.h"
#include "phiguard/crypto/key_store.h"
#include "phiguard/crypto/password_hash.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::crypto {

enum class KeyPurpose : uint8_t {  // stored by name; numbers do not travel, but do not renumber
  kAead = 1,     // AES-256-GCM messages (Encrypt/Decrypt/Rewrap) and streams
  kMac = 2,      // HMAC-SHA-256 (keyed pseudonyms)
  kSign = 3,     // Ed25519 (audit checkpoints)
  kDataKey = 4,  // key-encryption key for envelope encryption (data keys, streams)
};
std::string_view KeyPurposeName(KeyPurpose purpose);
// "aead", "mac", "sign", "datakey"; InvalidArgument otherwise.
absl::StatusOr<KeyPurpose> ParseKeyPurpose(std::string_view name);

enum class Role : uint8_t { kCustodian = 1, kUser = 2, kAuditor = 3 };
std::string_view RoleName(Role role);
// "custodian", "user", "auditor"; InvalidArgument otherwise.
absl::StatusOr<Role> ParseRole(std::string_view name);

// The identity the keyring uses for what it does on its own (automatic rotation).
inline constexpr std::string_view kSystemActor = "phiguard-system";

struct KeyringOptions {
  // Encryptions under one key version after which each encryption emits a warning event.
  uint64_t encryption_warn_after = uint64_t{1} << 31;
  // Encryptions under one key version at which the key is rotated (or encryption refused). Must
  // stay below 2^32 (NIST SP 800-38D's bound for random 96-bit nonces).
  uint64_t encryption_limit = (uint64_t{1} << 32) - (uint64_t{1} << 24);
  // Rotate automatically at the limit; if false, encryption fails with ResourceExhausted.
  bool auto_rotate_at_limit = true;
  // Encryption counts are persisted in blocks of this many (one store write per block).
  uint64_t counter_block = uint64_t{1} << 16;
  // Chunk size of streams made by EncryptStream, in plaintext bytes (1 KiB..16 MiB). 16 KiB (a
  // TLS record's size) keeps a decrypted chunk, which must be held until its tag checks and is
  // wiped after it is written, inside the L1 cache: with 64 KiB chunks decrypting a 64 KiB object
  // ran at ~84 % of raw OpenSSL, with 16 KiB at ~92 % (docs/benchmarks.md). The tag costs 16 bytes
  // per chunk (0.1 %). Decryption follows the chunk size in each stream's header.
  uint32_t stream_chunk_bytes = 16u << 10;
  // Argon2id cost of newly issued API tokens (verification uses the stored token's own cost).
  Argon2idParams token_hash;
};

struct KeyVersionInfoNoSecret {
  uint32_t version = 0;
  std::string state;  // "primary", "active", "retired" (below min_decryption_version), "destroyed"
  uint64_t encryptions = 0;  // upper bound on encryptions under this version
  int64_t created_unix = 0;
  std::string public_key_hex;  // sign keys only
};

struct KeyInfoNoSecret {
  std::string name;
  KeyPurpose purpose = KeyPurpose::kAead;
  uint32_t primary_version = 0;
  uint32_t min_decryption_version = 0;
  std::vector<KeyVersionInfoNoSecret> versions;
};

struct RoleBinding {
  std::string identity;
  Role role = Role::kUser;
  std::string key;  // a key name, or "*" for every key (and keyring-wide duties)
};

struct TokenInfoNoSecret {  // who holds an API token (never the token or its hash)
  std::string identity;
  std::string issued_by;
  int64_t created_unix = 0;
};

struct RootInfoNoSecret {
  std::string kind;  // "shamir" or "dev-key-file"
  int threshold = 0;
  int shares = 0;
};

// A fresh data key for envelope encryption: use `plaintext` (e.g. with DataKeyCipher), store
// `wrapped` (a kind-3 ciphertext naming the key-encryption key) next to the data, drop `plaintext`.
struct DataKey {
  SecretKey plaintext;
  std::string wrapped;
  uint32_t key_version = 0;
};

struct KeyedResult {  // a MAC tag or signature and the key version that made it
  uint32_t key_version = 0;
  std::string bytes;
};

struct DerivedKey {  // a key derived from a mac key version, for use inside this process only
  uint32_t key_version = 0;
  SecretKey key;
};

// Messages with this prefix are reserved for DeriveKey: Mac and VerifyMac refuse them, so no
// holder of the mac role can compute a derived key through Mac.
inline constexpr std::string_view kDerivedKeyPrefix = "phiguard/derive/";

class Keyring {
 public:
  // Creates a keyring in `store` sealed by `shares` Shamir shares (threshold `threshold`), with
  // `initiator` as custodian of every key ("*"). Returns the unsealed keyring and the shares (hand
  // each to its custodian, then wipe). FailedPrecondition if the store already holds a keyring.
  struct InitResult {
    std::unique_ptr<Keyring> keyring;
    std::vector<std::string> shares;
  };
  static absl::StatusOr<InitResult> InitWithShares(std::unique_ptr<KeyStore> store,
                                                   CryptoAuditSink& sink, std::string_view initiator,
                                                   int shares, int threshold,
                                                   const KeyringOptions& options = {});
  // Development only: the root is `root` itself, kept by the caller in a key file.
  static absl::StatusOr<std::unique_ptr<Keyring>> InitWithRootKey(
      std::unique_ptr<KeyStore> store, CryptoAuditSink& sink, std::string_view initiator,
      const SecretKey& root, const KeyringOptions& options = {});
  // Opens an existing keyring, sealed. NotFound if the store holds none; DataLoss if it is not a
  // keyring this version understands. `sink` must outlive the keyring.
  static absl::StatusOr<std::unique_ptr<Keyring>> Open(std::unique_ptr<KeyStore> store,
                                                       CryptoAuditSink& sink,
                                                       const KeyringOptions& options = {});
  // Not copyable: owns unwrapped key material.
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;
  ~Keyring();

  // Unseals with the root. PermissionDenied if it is not this keyring's root; DataLoss if the
  // stored state fails authentication (edited outside phiguard) or a key does not unwrap.
  absl::Status Unseal(std::string_view caller, const SecretKey& root);
  // Combines the shares (see ShamirCombine for their errors) and unseals.
  absl::Status UnsealWithShares(std::string_view caller, const std::vector<std::string>& shares);
  // Wipes every unwrapped key; the keyring is sealed again.
  void Seal(std::string_view caller);
  bool sealed() const;
  RootInfoNoSecret root_info() const;

  // --- Custodian duties. PermissionDenied unless `caller` is custodian of the key (or of "*"). ---
  // Creates key `name` (1..64 of [A-Za-z0-9._-]) with version 1. AlreadyExists if it exists.
  absl::Status CreateKey(std::string_view caller, std::string_view name, KeyPurpose purpose);
  // Adds a new primary version; returns its number.
  absl::StatusOr<uint32_t> Rotate(std::string_view caller, std::string_view name);
  // Sets the oldest version that may decrypt (1..primary); may move down again unless the versions
  // below were destroyed (FailedPrecondition).
  absl::Status SetMinDecryptionVersion(std::string_view caller, std::string_view name,
                                       uint32_t version);
  // Erases a version's material for good. FailedPrecondition unless it is retired (below
  // min_decryption_version). Ciphertexts under it become undecryptable (NotFound).
  absl::Status DestroyVersion(std::string_view caller, std::string_view name, uint32_t version);
  // Grants or revokes `role` on `key` ("*" = all keys; auditor is always "*"). Granting custodian
  // and user of one key to one identity is PermissionDenied unless AllowDualRole covers it.
  absl::Status Grant(std::string_view caller, const RoleBinding& binding);
  absl::Status Revoke(std::string_view caller, const RoleBinding& binding);
  // Records a policy exception letting `identity` hold custodian and user on `key`. REQUIRES a
  // non-empty reason; a custodian cannot grant an exception to themself (PermissionDenied).
  absl::Status AllowDualRole(std::string_view caller, std::string_view identity,
                             std::string_view key, std::string_view reason);

  // --- Authenticated identities (see "Identities" above). ---
  // A new token for `identity` ("pgt1_" + 64 hex digits), replacing any it had; shown only here.
  // PermissionDenied unless `caller` is custodian of "*", or is `identity` and already holds a token.
  absl::StatusOr<std::string> IssueToken(std::string_view caller, std::string_view identity);
  // Removes `identity`'s token (custodian of "*", or the identity itself). NotFound if it has none;
  // FailedPrecondition if tokens are required and no custodian of "*" would keep a token.
  absl::Status RevokeToken(std::string_view caller, std::string_view identity);
  // Turns `require_tokens` on or off (custodian of "*"). Turning it on needs the caller to hold a
  // token (FailedPrecondition otherwise: nobody could manage the keyring afterwards).
  absl::Status SetTokensRequired(std::string_view caller, bool required);
  // Checks `token` against `identity`'s stored hash. Unauthenticated if the identity holds no token
  // or the token does not match (the message never contains the token); FailedPrecondition for a
  // provisional token (issued by someone else) unless `for_rotation`. Audited.
  absl::Status Authenticate(std::string_view identity, std::string_view token, bool for_rotation = false);
  // True if `identity` must authenticate: tokens are required, or it holds one.
  bool TokenRequired(std::string_view identity) const;
  // Who holds a token, by whom and when it was issued, and whether tokens are required (anyone
  // holding a role; audited as "list_tokens"): what a review of issue_token events starts from.
  absl::StatusOr<std::pair<std::vector<TokenInfoNoSecret>, bool>> ListTokens(std::string_view caller);

  // --- Anyone holding a role may list metadata (never material). ---
  absl::StatusOr<std::vector<KeyInfoNoSecret>> ListKeys(std::string_view caller);
  absl::StatusOr<std::vector<RoleBinding>> ListBindings(std::string_view caller);
  // OkStatus if `caller` is an auditor (the event is recorded); PermissionDenied otherwise.
  absl::Status AuthorizeAuditRead(std::string_view caller);

  // --- User duties. PermissionDenied unless `caller` is user of the key. `object_id` names the
  // object in the audit event (never PHI). ---
  // Encrypts under the primary version of an aead key: header | nonce | ct | tag, with the header
  // and `aad` authenticated. FailedPrecondition if the key's purpose is not aead.
  absl::StatusOr<std::string> Encrypt(std::string_view caller, std::string_view key,
                                      std::string_view plaintext, std::string_view aad,
                                      std::string_view object_id);
  // InvalidArgument for a malformed header; NotFound for an unknown key or a destroyed version;
  // FailedPrecondition for a retired version; DataLoss if authentication fails. No plaintext on
  // any error.
  absl::StatusOr<std::string> Decrypt(std::string_view caller, std::string_view ciphertext,
                                      std::string_view aad, std::string_view object_id);
  // Re-encrypts a message (kind 1) or wrapped data key (kind 3) under the key's primary version
  // without returning the plaintext. Same errors as Decrypt.
  absl::StatusOr<std::string> Rewrap(std::string_view caller, std::string_view ciphertext,
                                     std::string_view aad, std::string_view object_id);
  // HMAC-SHA-256 under the primary version of a mac key, and its check (DataLoss on mismatch).
  absl::StatusOr<KeyedResult> Mac(std::string_view caller, std::string_view key,
                                  std::string_view message, std::string_view object_id);
  absl::Status VerifyMac(std::string_view caller, std::string_view key, uint32_t version,
                         std::string_view message, std::string_view tag,
                         std::string_view object_id);
  // A 256-bit key derived from version `version` (0: the primary) of a mac key for `label`
  // (HMAC-SHA-256 of kDerivedKeyPrefix + label), e.g. the root of de-identification pseudonyms
  // and date shifts: the same key version and label always give the same key, so outputs stay
  // consistent across runs and machines; a rotation starts a new key space unless the version is
  // pinned. Audited as `derive_key` with the label in the detail. InvalidArgument for an empty
  // label; FailedPrecondition for a retired version; NotFound for an unknown or destroyed one.
  absl::StatusOr<DerivedKey> DeriveKey(std::string_view caller, std::string_view key, uint32_t version,
                                       std::string_view label, std::string_view object_id);
  // Ed25519 under the primary version of a sign key. The public key is public: PublicKey needs
  // only some role.
  absl::StatusOr<KeyedResult> Sign(std::string_view caller, std::string_view key,
                                   std::string_view message, std::string_view object_id);
  absl::StatusOr<std::string> PublicKey(std::string_view caller, std::string_view key,
                                        uint32_t version);
  // A fresh data key wrapped by the primary version of a datakey (or aead) key, and its unwrap.
  absl::StatusOr<DataKey> GenerateDataKey(std::string_view caller, std::string_view key,
                                          std::string_view object_id);
  absl::StatusOr<SecretKey> UnwrapDataKey(std::string_view caller, std::string_view wrapped,
                                          std::string_view object_id);

  // Streams (envelope encryption of large objects, ciphertext_format.h kind 2 + stream.h chunks).
  // EncryptStream writes header and chunks of `in` to `out` under a fresh data key wrapped by `key`
  // (datakey or aead purpose). DecryptStream writes plaintext chunk by chunk as each authenticates;
  // on error, what was written must be discarded (the CLI writes to a temporary file).
  // RewrapStream re-wraps only the data key to the primary version and copies the chunks as they
  // are: no plaintext exists at any point.
  absl::Status EncryptStream(std::string_view caller, std::string_view key,
                             std::string_view object_id, std::istream& in, std::ostream& out);
  absl::Status DecryptStream(std::string_view caller, std::string_view object_id, std::istream& in,
                             std::ostream& out);
  absl::Status RewrapStream(std::string_view caller, std::string_view object_id, std::istream& in,
                            std::ostream& out);

 public:
  // Implementation detail: one audited operation (defined in src/crypto/internal/keyring_impl.h).
  class Op;

 private:
  friend class Op;
  struct State;
  struct Material;
  Keyring(std::unique_ptr<KeyStore> store, CryptoAuditSink& sink, const KeyringOptions& options);
  static absl::StatusOr<std::unique_ptr<Keyring>> Init(std::unique_ptr<KeyStore> store,
                                                       CryptoAuditSink& sink, std::string_view initiator,
                                                       const SecretKey& root, const RootInfoNoSecret& kind,
                                                       const KeyringOptions& options);


  std::unique_ptr<KeyStore> store_;
  CryptoAuditSink& sink_;
  KeyringOptions options_;
  mutable std::mutex mu_;
  std::unique_ptr<State> state_;        // guarded by mu_
  std::unique_ptr<Material> material_;  // guarded by mu_; null while sealed
  std::optional<std::string> stored_;   // guarded by mu_; the blob last loaded or saved
};

}  // namespace phiguard::crypto
