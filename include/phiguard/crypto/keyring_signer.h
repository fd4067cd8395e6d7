// A Signer backed by a keyring `sign` key: each signature is a Keyring::Sign call by `caller`
// (who must be a user of the key), so it is authorised and audited like any other use of a key,
// and the private key never leaves the keyring. Used for audit checkpoints.
#pragma once

#include <string>

#include "phiguard/crypto/keyring.h"
#include "phiguard/crypto/signer.h"

namespace phiguard::crypto {

class KeyringSigner final : public Signer {
 public:
  // `keyring` must outlive this and be unsealed when SignMessage is called.
  KeyringSigner(Keyring& keyring, std::string caller, std::string key)
      : keyring_(keyring), caller_(std::move(caller)), key_(std::move(key)) {}

  // The keyring's errors as they are: PermissionDenied (not a user of the key), NotFound,
  // FailedPrecondition (sealed, or not a sign key), Unavailable (audit event not recorded).
  absl::StatusOr<Signature> SignMessage(std::string_view message) const override;

  // The public keys of every version of the key that still exists, newest first: what
  // `audit verify` trusts for checkpoints signed with it.
  absl::StatusOr<std::vector<std::string>> PublicKeys() const;

 private:
  Keyring& keyring_;
  std::string caller_;
  std::string key_;
};

}  // namespace phiguard::crypto
