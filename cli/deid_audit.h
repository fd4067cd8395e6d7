// Every de-identification run touches PHI, so once `phiguard audit init` has run under --home each
// run is recorded in the tamper-evident audit log: one event per output, appended before the
// output is committed. Fail closed: if the event cannot be recorded, the output is not released.
// Without an initialised audit log nothing is recorded (the log is opt-in, as for `phiguard audit`).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "commands.h"
#include "keyring_support.h"
#include "phiguard/audit/audit_log.h"

namespace phiguard::cli {

class DeidRunAudit {
 public:
  // The caller is named by `who` (--as, else $PHIGUARD_IDENTITY, else $USER; needed only when the
  // log exists); `action` e.g. "deid.fhir".
  DeidRunAudit(const GlobalOptions& global, const KeyOptions& who, std::string action);
  ~DeidRunAudit();

  // Records that `input` was de-identified into an output about to be released, with counts and
  // the policy and key fingerprints in the description (no values). Fail()s if the log is
  // initialised and the event cannot be appended. The input path is stored as a keyed pseudonym.
  void RecordOutput(std::string_view input, size_t records, size_t failed, size_t phi_in_text,
                    std::string_view policy, std::string_view key_id);

 private:
  std::unique_ptr<audit::AuditLog> log_;  // null: no audit log under --home
  std::string identity_;
  std::string action_;
};

}  // namespace phiguard::cli
