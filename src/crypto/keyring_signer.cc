#include "phiguard/crypto/keyring_signer.h"

#include <algorithm>

#include "phiguard/core/strings.h"

namespace phiguard::crypto {

absl::StatusOr<Signature> KeyringSigner::SignMessage(std::string_view message) const {
  absl::StatusOr<KeyedResult> sig = keyring_.Sign(caller_, key_, message, "audit-checkpoint");
  if (!sig.ok()) return sig.status();
  absl::StatusOr<std::string> public_key = keyring_.PublicKey(caller_, key_, sig->key_version);
  if (!public_key.ok()) return public_key.status();
  return Signature{*std::move(public_key), std::move(sig->bytes)};
}

absl::StatusOr<std::vector<std::string>> KeyringSigner::PublicKeys() const {
  absl::StatusOr<std::vector<KeyInfoNoSecret>> keys = keyring_.ListKeys(caller_);
  if (!keys.ok()) return keys.status();
  auto it = std::find_if(keys->begin(), keys->end(),
                         [&](const KeyInfoNoSecret& k) { return k.name == key_; });
  if (it == keys->end()) return absl::NotFoundError(Cat("no key named \"", key_, "\""));
  if (it->purpose != KeyPurpose::kSign) {
    return absl::FailedPreconditionError(Cat("key \"", key_, "\" is not a sign key"));
  }
  std::vector<std::string> out;
  for (auto v = it->versions.rbegin(); v != it->versions.rend(); ++v) {
    if (v->state == "destroyed" || v->public_key_hex.empty()) continue;
    std::optional<std::string> raw = HexDecode(v->public_key_hex);
    if (!raw.has_value()) return absl::DataLossError(Cat("key \"", key_, "\": bad public key"));
    out.push_back(*std::move(raw));
  }
  return out;
}

}  // namespace phiguard::crypto
