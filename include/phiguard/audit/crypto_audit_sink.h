// Sends the keyring's crypto events into the tamper-evident audit log, so key operations get the
// same guarantees as PHI access: durable before the operation proceeds (fail closed), provable,
// and checked by `phiguard audit verify`.
//
//   AuditLogCryptoSink sink(log.get());
//   keyring->SetAuditSink(&sink);   // every encrypt/decrypt/rotate is now a Merkle log entry
#pragma once

#include "phiguard/audit/audit_log.h"
#include "phiguard/crypto/crypto_audit.h"

namespace phiguard::audit {

// CryptoEvent -> AuditEvent: action "crypto.<operation>", resource type "key", the key name and
// version in the description, the object id as a pseudonymised record id, outcome "success" for
// "ok", "denied" for PERMISSION_DENIED and UNAUTHENTICATED, "failure" otherwise.
AuditEvent FromCryptoEvent(const crypto::CryptoEvent& event);

class AuditLogCryptoSink final : public crypto::CryptoAuditSink {
 public:
  // `log` must outlive the sink.
  explicit AuditLogCryptoSink(AuditLog* log) : log_(log) {}
  // OK only once the event is durable in the log.
  absl::Status Record(const crypto::CryptoEvent& event) override;

 private:
  AuditLog* log_;
};

}  // namespace phiguard::audit
