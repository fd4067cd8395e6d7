// What leaves the audit log for other systems: SIEM feeds (JSON lines, syslog RFC 5424) and the
// accounting of disclosures an individual may request under 45 CFR 164.528.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/audit/audit_log.h"

namespace phiguard::audit {

enum class SiemFormat { kJsonLines, kSyslog };

// "jsonl" or "syslog"; InvalidArgument otherwise.
absl::StatusOr<SiemFormat> ParseSiemFormat(std::string_view name);

// One line for a SIEM. kJsonLines: the leaf plus its hash as {"leaf_hash":..,"entry":{leaf}}.
// kSyslog: RFC 5424 with facility 13 (log audit), severity notice for denied/failed actions and
// informational otherwise, structured data [phiguard@32473 seq= action= outcome= actor=] and the
// leaf as the message. DataLoss if the leaf does not decode.
absl::StatusOr<std::string> FormatForSiem(const StoredLeaf& leaf, SiemFormat format,
                                          std::string_view hostname);

// One row of an accounting of disclosures: 164.528(b)(2) asks for the date, the recipient, a
// brief description of the PHI disclosed and the purpose.
struct Disclosure {
  uint64_t seq = 0;
  std::string date;  // RFC 3339
  std::string recipient;
  std::string description;
  std::string purpose;
};

// Whether 164.528(a)(1) exempts disclosures for this purpose from the accounting: treatment,
// payment, health care operations, to the individual, under authorization, limited data set.
bool ExemptFromAccounting(std::string_view purpose);

// The successful disclosures (action "disclose", or any event with a destination) about the
// patient `patient_id` (pseudonymised with the log's key) with time in [from_us, to_us),
// excluding exempt purposes, oldest first.
absl::StatusOr<std::vector<Disclosure>> AccountingOfDisclosures(AuditLog& log,
                                                                std::string_view patient_id,
                                                                int64_t from_us, int64_t to_us);

}  // namespace phiguard::audit
