#include "phiguard/audit/exports.h"

#include <algorithm>
#include <array>

#include "phiguard/core/strings.h"

namespace phiguard::audit {
namespace {

// RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash.
std::string SdEscape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\' || c == ']') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// RFC 5424 HOSTNAME: printable US-ASCII without spaces, at most 255 characters; "-" if unknown.
std::string SyslogHost(std::string_view host) {
  std::string out;
  for (char c : host.substr(0, 255)) {
    if (c > 32 && c < 127) out.push_back(c);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

absl::StatusOr<SiemFormat> ParseSiemFormat(std::string_view name) {
  if (name == "jsonl") return SiemFormat::kJsonLines;
  if (name == "syslog") return SiemFormat::kSyslog;
  return absl::InvalidArgumentError(Cat("unknown SIEM format \"", name, "\" (jsonl, syslog)"));
}

absl::StatusOr<std::string> FormatForSiem(const StoredLeaf& leaf, SiemFormat format,
                                          std::string_view hostname) {
  absl::StatusOr<StoredEvent> decoded = DecodeLeaf(leaf.leaf);
  if (!decoded.ok()) return decoded.status();
  const std::string hash = HexEncode(HashBytes(LeafHash(leaf.leaf)));
  if (format == SiemFormat::kJsonLines) {
    return Cat("{\"leaf_hash\":\"", hash, "\",\"entry\":", leaf.leaf, "}");
  }
  const AuditEvent& e = decoded->event;
  constexpr int kFacilityLogAudit = 13;
  const int severity = e.outcome == "success" ? 6 : 5;  // informational : notice
  return Cat("<", kFacilityLogAudit * 8 + severity, ">1 ", e.time, " ", SyslogHost(hostname),
             " phiguard - audit [phiguard@32473 seq=\"", decoded->seq, "\" action=\"",
             SdEscape(e.action), "\" outcome=\"", SdEscape(e.outcome), "\" actor=\"",
             SdEscape(e.actor.id), "\" leaf_hash=\"", hash, "\"] ", leaf.leaf);
}

bool ExemptFromAccounting(std::string_view purpose) {
  static constexpr std::array<std::string_view, 12> kExempt = {
      "treatment", "payment",    "operations", "individual", "authorization", "limited-data-set",
      "TREAT",     "HPAYMT",     "HOPERAT",    "PATRQT",     "PATADMIN",      "limited_data_set"};
  return std::find(kExempt.begin(), kExempt.end(), purpose) != kExempt.end();
}

absl::StatusOr<std::vector<Disclosure>> AccountingOfDisclosures(AuditLog& log,
                                                                std::string_view patient_id,
                                                                int64_t from_us, int64_t to_us) {
  const std::string pseudonym = PseudonymizeId(log.audit_key(), patient_id);
  std::vector<Disclosure> out;
  absl::Status s = log.ScanLeavesByTime(from_us, to_us, [&](const StoredLeaf& l) -> absl::Status {
    // Cheap filter before the JSON parse: the pseudonym must appear in the leaf.
    if (l.leaf.find(pseudonym) == std::string::npos) return absl::OkStatus();
    absl::StatusOr<StoredEvent> d = DecodeLeaf(l.leaf);
    if (!d.ok()) return d.status();
    const AuditEvent& e = d->event;
    const bool about_patient =
        e.patient == pseudonym ||
        std::find(e.record_ids.begin(), e.record_ids.end(), pseudonym) != e.record_ids.end();
    const bool disclosure = e.action == "disclose" || !e.destination.vendor.empty() ||
                            !e.destination.recipient.empty();
    if (!about_patient || !disclosure || e.outcome != "success" || ExemptFromAccounting(e.purpose)) {
      return absl::OkStatus();
    }
    Disclosure row;
    row.seq = d->seq;
    row.date = e.time;
    row.recipient = !e.destination.recipient.empty() ? e.destination.recipient : e.destination.vendor;
    if (!e.destination.system.empty()) row.recipient += Cat(" (", e.destination.system, ")");
    row.description = e.description;
    if (row.description.empty() && !e.phi_types.empty()) {
      row.description = "PHI types:";
      for (const std::string& t : e.phi_types) row.description += " " + t;
    }
    row.purpose = e.purpose;
    out.push_back(std::move(row));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace phiguard::audit
