#include "phiguard/audit/crypto_audit_sink.h"

#include "phiguard/core/strings.h"

namespace phiguard::audit {
namespace {

// Keeps only token characters, so an operation or key name can never break the event schema.
std::string Token(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 100)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '-' || c == '/';
    out.push_back(ok ? c : '_');
  }
  return out;
}

std::string Printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  }
  return out;
}

}  // namespace

AuditEvent FromCryptoEvent(const crypto::CryptoEvent& c) {
  AuditEvent e;
  e.actor.id = c.actor.empty() ? "unknown" : Printable(c.actor, 256);
  e.action = "crypto." + Token(c.operation.empty() ? "unknown" : c.operation);
  e.resource_type = "key";
  if (!c.object_id.empty()) e.record_ids = {Printable(c.object_id, 256)};
  std::string description;
  if (!c.key.empty()) description = Cat("key ", Token(c.key), " v", c.key_version);
  if (!c.detail.empty()) description += Cat(description.empty() ? "" : "; ", c.detail);
  e.description = Printable(description, 1000);
  e.outcome = c.outcome == "ok" ? "success"
              : (c.outcome == "PERMISSION_DENIED" || c.outcome == "UNAUTHENTICATED") ? "denied"
                                                                                    : "failure";
  if (c.time_unix_micros > 0) e.time = FormatRfc3339Micros(c.time_unix_micros);
  return e;
}

absl::Status AuditLogCryptoSink::Record(const crypto::CryptoEvent& event) {
  absl::StatusOr<uint64_t> seq = log_->Append(FromCryptoEvent(event));
  return seq.status();
}

}  // namespace phiguard::audit
