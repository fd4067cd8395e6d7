// Keys and events the audit log tests share.
#pragma once

#include <string>

#include "phiguard/audit/audit_log.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::testing_util {

// A 32-byte key of one repeated byte: distinct fills give distinct, reproducible keys.
inline crypto::SecretKey KeyOf(char fill) {
  return *crypto::SecretKey::FromBytes(std::string(32, fill));
}

// A successful read of patient MRN-<i> by actor "<prefix>:<i % actors>".
inline audit::AuditEvent ReadEvent(int i, const std::string& prefix, int actors) {
  audit::AuditEvent e;
  e.actor.id = prefix + ":" + std::to_string(i % actors);
  e.action = "read";
  e.patient = "MRN-" + std::to_string(i);
  e.outcome = "success";
  return e;
}

}  // namespace phiguard::testing_util
