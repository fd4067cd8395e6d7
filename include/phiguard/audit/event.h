// Audit events: who touched which PHI, why, where it went and with what outcome (HIPAA
// 164.312(b) audit controls; 164.528 accounting of disclosures).
//
// An event arrives as one JSON object (from `phiguard audit append`, the gateway or the crypto
// layer) and is stored as a *leaf*: a single line of canonical JSON whose bytes are hashed into
// the Merkle log. Record and patient identifiers are replaced by keyed pseudonyms (HMAC-SHA-256
// under the audit key) before the leaf is built, so the log itself holds no PHI yet the same
// patient always maps to the same pseudonym (for the accounting of disclosures and anomaly rules).
//
// Input schema (unknown keys are rejected, so a typo or a stray PHI field never slips in):
//   {"time": "2026-11-29T10:00:00Z",            optional, RFC 3339; default: append time
//    "actor": {"id": "u:alice", "role": "clinician", "session": "...", "client": "10.0.0.7"},
//    "action": "read",                           required token [a-z0-9_.:-]
//    "resource": {"type": "Patient", "ids": ["MRN-1"]},     ids are pseudonymised
//    "patient": "MRN-1",                          pseudonymised
//    "phi_types": ["NAME", "DATE"], "fields": ["name", "birthDate"],
//    "purpose": "treatment",
//    "destination": {"vendor": "acme-ai", "system": "summariser", "recipient": "..."},
//    "outcome": "success" | "denied" | "failure",  required
//    "request_id": "...", "description": "lab results (no PHI here)"}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/crypto/hmac.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::audit {

struct AuditEvent {
  std::string time;  // RFC 3339 UTC with microseconds once normalised; empty = stamp on append
  struct Actor {
    std::string id;  // required: a person or service identity
    std::string role;
    std::string session;
    std::string client;
  } actor;
  std::string action;  // required
  std::string resource_type;
  std::vector<std::string> record_ids;  // raw on input, pseudonyms once stored
  std::string patient;                  // raw on input, a pseudonym once stored
  std::vector<std::string> phi_types;
  std::vector<std::string> fields;
  std::string purpose;
  struct Destination {
    std::string vendor;
    std::string system;
    std::string recipient;
  } destination;
  std::string outcome;  // required: success | denied | failure
  std::string request_id;
  std::string description;
};

// The largest JSON line accepted as one event.
inline constexpr size_t kMaxEventBytes = 64 * 1024;

// Parses and validates one input event. InvalidArgument names the offending key and why (never
// its value); the time is normalised to UTC microseconds.
absl::StatusOr<AuditEvent> ParseEvent(std::string_view json);

// Checks required fields, lengths, tokens and the time of an event built in code.
absl::Status ValidateEvent(const AuditEvent& event);

// The keyed pseudonym of a record or patient identifier: "p" + 32 hex characters (128 bits of
// HMAC-SHA-256(audit_key, kind + ":" + id)). Deterministic per key.
std::string PseudonymizeId(const crypto::SecretKey& audit_key, std::string_view id);
// The same under a prepared audit MAC key (hot paths: one per log, not one per event).
std::string PseudonymizeId(const crypto::HmacSha256Key& audit_mac, std::string_view id);

// Replaces `patient` and `record_ids` by their pseudonyms, normalises the time to UTC
// microseconds and stamps `now_us` when the event has none. REQUIRES: ValidateEvent(event) ok.
// Returns the JSON members after "seq" (see EncodeLeaf), so callers can do the expensive part off
// the commit path.
std::string EncodeLeafBody(const AuditEvent& event, const crypto::HmacSha256Key& audit_mac,
                           int64_t now_us);
std::string EncodeLeafBody(const AuditEvent& event, const crypto::SecretKey& audit_key,
                           int64_t now_us);

// The leaf bytes stored and hashed for event number `seq`:
//   {"v":1,"seq":<seq>,<body>}
// one line, keys in a fixed order, so equal events always give equal bytes.
std::string EncodeLeaf(uint64_t seq, std::string_view body);

// A stored leaf read back: its seq, time and the event with pseudonyms in place of identifiers.
struct StoredEvent {
  uint64_t seq = 0;
  int64_t time_us = 0;
  AuditEvent event;
};
// DataLoss when `leaf` is not a well-formed leaf (a corrupted or forged row).
absl::StatusOr<StoredEvent> DecodeLeaf(std::string_view leaf);

// RFC 3339 <-> microseconds since the Unix epoch (UTC).
absl::StatusOr<int64_t> ParseRfc3339Micros(std::string_view text);
std::string FormatRfc3339Micros(int64_t micros);

}  // namespace phiguard::audit
