// DataKeyCipher: AES-256-GCM under one unwrapped data key, with the OpenSSL key schedule computed
// once. It is the per-object fast path of envelope encryption: fetch and unwrap a data key through
// the keyring once (audited), then seal many small objects or the chunks of a large one with no
// per-call key setup. Not thread-safe (it owns mutable EVP contexts): use one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::crypto {

class DataKeyCipher {
 public:
  // REQUIRES a 32-byte key; InvalidArgument otherwise. Internal if OpenSSL fails.
  static absl::StatusOr<std::unique_ptr<DataKeyCipher>> Create(const SecretKey& key);
  ~DataKeyCipher();
  // Not copyable: owns EVP contexts holding the key schedule.
  DataKeyCipher(const DataKeyCipher&) = delete;
  DataKeyCipher& operator=(const DataKeyCipher&) = delete;

  // Switches to another 32-byte key, keeping the EVP contexts (no allocation; the key schedule
  // is computed on the next Seal/Open). The previous key is wiped. InvalidArgument for a bad size.
  absl::Status Rekey(const SecretKey& key);

  // Appends ciphertext || 16-byte tag of `plaintext` to `out`. REQUIRES a 12-byte nonce never used
  // before with this key; InvalidArgument otherwise (size only: uniqueness is the caller's job).
  absl::Status Seal(std::string_view nonce, std::string_view plaintext, std::string_view aad,
                    std::string& out);
  // Appends the plaintext of `sealed` (ciphertext || tag) to `out`. DataLoss if authentication
  // fails; `out` is then left exactly as it was.
  absl::Status Open(std::string_view nonce, std::string_view sealed, std::string_view aad,
                    std::string& out);

  // The same, writing into caller memory (no allocation): SealInto writes plaintext.size() + 16
  // bytes to `out`; OpenInto writes sealed.size() - 16 bytes to `out` and wipes them again if
  // authentication fails. REQUIRES: `out` has room and either is the input itself
  // (in place) or does not overlap it.
  absl::Status SealInto(std::string_view nonce, std::string_view plaintext, std::string_view aad,
                        char* out);
  absl::Status OpenInto(std::string_view nonce, std::string_view sealed, std::string_view aad,
                        char* out);

  // nonce(12, random) || ciphertext || tag. Internal if the RNG fails.
  absl::StatusOr<std::string> Encrypt(std::string_view plaintext, std::string_view aad);
  // Opens what Encrypt made. InvalidArgument if shorter than nonce + tag; DataLoss on tampering.
  absl::StatusOr<std::string> Decrypt(std::string_view ciphertext, std::string_view aad);

 private:
  struct Contexts;
  explicit DataKeyCipher(std::unique_ptr<Contexts> ctx);
  std::unique_ptr<Contexts> ctx_;
};

}  // namespace phiguard::crypto
