// Where the keyring's state lives: one opaque blob (key metadata plus key material wrapped by the
// root; never plaintext keys). The interface is small so a SQLite or PostgreSQL store can implement
// it; FileKeyStore keeps the blob in one file replaced atomically (write temp, fsync, rename).
// Several processes may share one store (CLI invocations, server replicas): Save is a
// compare-and-swap, so a keyring working from a stale copy gets Aborted instead of silently undoing
// another process's change (a rotation, a retirement). Implementations need not be thread-safe
// within one process (the Keyring serializes its calls).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace phiguard::crypto {

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // The stored blob, or nullopt if none was ever saved. Unavailable / DataLoss on read errors.
  virtual absl::StatusOr<std::optional<std::string>> Load() = 0;
  // Replaces the blob all-or-nothing if the stored blob is still `expected` (nullopt: none stored
  // yet). Aborted if it changed meanwhile; after any failure the stored blob is intact.
  virtual absl::Status Save(const std::optional<std::string>& expected, std::string_view blob) = 0;
  // A human-readable location for messages ("/home/x/.local/share/phiguard/keyring.json").
  virtual std::string Describe() const = 0;
};

class FileKeyStore : public KeyStore {
 public:
  // `path` need not exist; its directory is created (mode 0700) on the first Save. Saves hold an
  // exclusive flock(2) on "<path>.lock" while they compare and replace.
  explicit FileKeyStore(std::string path) : path_(std::move(path)) {}
  absl::StatusOr<std::optional<std::string>> Load() override;
  absl::Status Save(const std::optional<std::string>& expected, std::string_view blob) override;
  std::string Describe() const override { return path_; }

 private:
  std::string path_;
};

}  // namespace phiguard::crypto
