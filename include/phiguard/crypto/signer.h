// What signs audit checkpoints: an Ed25519 key in memory (Ed25519Signer, development key files)
// or a `sign` key held by the keyring (KeyringSigner), which never leaves it.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace phiguard::crypto {

struct Signature {
  std::string public_key;  // raw Ed25519 public key (32 bytes) that verifies `bytes`
  std::string bytes;       // the 64-byte signature
};

class Signer {
 public:
  virtual ~Signer() = default;
  // Signs `message` and says which public key verifies it (a keyring key may have rotated).
  virtual absl::StatusOr<Signature> SignMessage(std::string_view message) const = 0;
};

}  // namespace phiguard::crypto
