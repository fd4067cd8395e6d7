// Fuzzes the audit event parser and the leaf codec: arbitrary bytes as an input event (from
// `phiguard audit append`) and as a stored leaf (from a tampered database). Either they are
// rejected with a status or a parsed event survives EncodeLeaf -> DecodeLeaf unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "phiguard/audit/event.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const crypto::SecretKey key = *crypto::SecretKey::FromBytes(std::string(32, 'f'));
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)audit::DecodeLeaf(input);  // a forged row must be an error, never a crash
  absl::StatusOr<audit::AuditEvent> e = audit::ParseEvent(input);
  if (!e.ok()) return 0;
  const std::string leaf = audit::EncodeLeaf(42, audit::EncodeLeafBody(*e, key, 0));
  if (leaf.find('\n') != std::string::npos) std::abort();  // leaves are one line
  absl::StatusOr<audit::StoredEvent> back = audit::DecodeLeaf(leaf);
  if (!back.ok() || back->seq != 42 || back->event.action != e->action ||
      back->event.actor.id != e->actor.id || back->event.outcome != e->outcome ||
      back->event.description != e->description) {
    std::abort();
  }
  return 0;
}
