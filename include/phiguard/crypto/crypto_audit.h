// The audit trail of cryptographic operations. Every keyring operation — success or failure —
// produces one CryptoEvent (who, which key and version, what, on which object, outcome) and hands it
// to a CryptoAuditSink before any result is released. Fail closed: if Record() fails, the operation
// fails and returns no plaintext, ciphertext or key.
//
// Events never hold secret material or PHI: object ids are caller-chosen labels (a file name, a
// record id), and callers must not put PHI in them.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace phiguard::crypto {

struct CryptoEvent {
  int64_t time_unix_micros = 0;  // filled by the keyring
  std::string actor;             // the caller's identity
  std::string operation;         // "encrypt", "decrypt", "rotate", "unseal", "policy_exception", ...
  std::string key;               // key name; empty for keyring-wide operations
  uint32_t key_version = 0;      // 0 when not applicable
  std::string object_id;         // what the operation was applied to; may be empty
  std::string outcome;           // "ok", or the canonical status code name ("PERMISSION_DENIED")
  std::string detail;            // a short non-secret note (e.g. the policy exception's reason)
};

// One JSON object, one line (no trailing newline): {"time":..., "actor":..., ...}.
std::string CryptoEventToJson(const CryptoEvent& event);

// Where events go. Implementations must be safe for concurrent Record() calls and must return a
// non-OK status if the event is not durably recorded (the keyring then fails the operation).
class CryptoAuditSink {
 public:
  virtual ~CryptoAuditSink() = default;
  virtual absl::Status Record(const CryptoEvent& event) = 0;
};

// Appends one JSON line per event to a file opened with O_APPEND and fsyncs it before returning, so
// an acknowledged event survives a crash. Thread-safe.
class JsonlCryptoAuditSink : public CryptoAuditSink {
 public:
  // Creates the file (mode 0600) if needed. Unavailable / PermissionDenied naming the path.
  static absl::StatusOr<std::unique_ptr<JsonlCryptoAuditSink>> Open(const std::string& path);
  ~JsonlCryptoAuditSink() override;
  // Not copyable: owns a file descriptor.
  JsonlCryptoAuditSink(const JsonlCryptoAuditSink&) = delete;
  JsonlCryptoAuditSink& operator=(const JsonlCryptoAuditSink&) = delete;

  // Unavailable if the write or fsync fails (the event is then not acknowledged).
  absl::Status Record(const CryptoEvent& event) override;

  const std::string& path() const { return path_; }

 private:
  JsonlCryptoAuditSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  std::mutex mu_;
  int fd_;
  std::string path_;
};

// Keeps events in memory; for tests and for embedding applications that forward them elsewhere.
// `fail` makes Record() return Unavailable (to exercise fail-closed paths).
class MemoryCryptoAuditSink : public CryptoAuditSink {
 public:
  absl::Status Record(const CryptoEvent& event) override;
  std::vector<CryptoEvent> events() const;
  void set_fail(bool fail);

 private:
  mutable std::mutex mu_;
  std::vector<CryptoEvent> events_;
  bool fail_ = false;
};

}  // namespace phiguard::crypto
