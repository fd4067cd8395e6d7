#include "deid_audit.h"

#include "audit_support.h"
#include "phiguard/core/strings.h"

namespace phiguard::cli {

DeidRunAudit::DeidRunAudit(const GlobalOptions& global, const KeyOptions& who, std::string action)
    : log_(OpenHomeAuditLogIfInitialized(global)), action_(std::move(action)) {
  if (log_ != nullptr) identity_ = Identity(who);
}

DeidRunAudit::~DeidRunAudit() = default;

void DeidRunAudit::RecordOutput(std::string_view input, size_t records, size_t failed, size_t phi_in_text,
                                std::string_view policy, std::string_view key_id) {
  if (log_ == nullptr) return;
  audit::AuditEvent e;
  e.actor.id = identity_;
  e.action = action_;
  e.resource_type = "file";
  e.record_ids = {input == "-" ? std::string("stdin") : std::string(input)};
  e.purpose = "deidentification";
  e.outcome = "success";
  e.description = Cat("records ", records, ", quarantined ", failed, ", PHI found in text ", phi_in_text,
                      ", policy ", policy, key_id.empty() ? "" : ", key ", key_id);
  absl::StatusOr<uint64_t> seq = log_->Append(e);
  if (!seq.ok()) {
    Fail(absl::Status(seq.status().code(), Cat("the audit log did not record this run, so no output is released: ",
                                               seq.status().message())));
  }
}

}  // namespace phiguard::cli
