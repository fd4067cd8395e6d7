// Anomaly detection over the audit log (HIPAA 164.308(a)(1)(ii)(D) information system activity
// review; 164.308(a)(5)(ii)(C) log-in monitoring). The detector reads events back from the log
// (DecodeLeaf), so it sees only what the log holds: actor ids, actions, purposes, PHI types and
// keyed pseudonyms of patients and records — never raw PHI. Lists the user supplies with patient
// identifiers (flagged/VIP records, relationships) are pseudonymised with the log's audit key when
// the configuration is loaded and kept only as pseudonyms.
//
// Per identity it keeps baselines over the days before the one judged (hour-of-day window, events
// and distinct patients per day, resource types) with robust statistics (median and MAD, so one
// odd day in the history does not move them), and applies these rules (ids are stable, stored):
//   volume_spike          events or distinct patients in a day far above the identity's baseline
//   bulk_export           one event carrying many records, or an export action over a threshold
//   off_hours             access outside the identity's usual working window
//   unusual_resource      a resource type the identity has not touched in its baseline
//   flagged_record        a VIP or otherwise flagged patient's record touched
//   related_patient       an employee viewing a patient sharing their surname or address, or a
//                         declared relationship (see RelationshipConfig)
//   service_purpose       a service account acting outside its declared purposes/actions, or an
//                         undeclared service account
//   auth_failure_burst    a burst of failed or denied authentications by one identity
//   break_glass           emergency access ("break_glass" action or "emergency" purpose)
//   ai_vendor_baa         PHI types sent to an AI vendor whose BAA does not cover them (or a
//                         vendor without a BAA on file)
//
// Thread-safety: an AnomalyDetector is immutable after construction; Detect may be called from
// many threads at once.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "phiguard/audit/audit_log.h"
#include "phiguard/audit/event.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::audit {

// Stored as text; do not rename.
enum class Severity { kLow = 0, kMedium = 1, kHigh = 2, kCritical = 3 };
std::string_view SeverityName(Severity s);  // "low", "medium", "high", "critical"
// InvalidArgument for any other name.
absl::StatusOr<Severity> ParseSeverity(std::string_view name);

// Rule ids (stored and sent to webhooks; do not rename).
inline constexpr std::string_view kRuleVolumeSpike = "volume_spike";
inline constexpr std::string_view kRuleBulkExport = "bulk_export";
inline constexpr std::string_view kRuleOffHours = "off_hours";
inline constexpr std::string_view kRuleUnusualResource = "unusual_resource";
inline constexpr std::string_view kRuleFlaggedRecord = "flagged_record";
inline constexpr std::string_view kRuleRelatedPatient = "related_patient";
inline constexpr std::string_view kRuleServicePurpose = "service_purpose";
inline constexpr std::string_view kRuleAuthFailureBurst = "auth_failure_burst";
inline constexpr std::string_view kRuleBreakGlass = "break_glass";
inline constexpr std::string_view kRuleAiVendorBaa = "ai_vendor_baa";
// All of the above, in this order.
const std::vector<std::string_view>& AllAnomalyRules();

// One finding. Holds no PHI: identities are workforce/service ids, patients appear only as the
// log's keyed pseudonyms, and the explanation is built from counts, hours and rule parameters.
struct Alert {
  std::string rule;        // one of the kRule* ids
  Severity severity = Severity::kMedium;
  std::string identity;    // the actor id the alert is about
  int64_t time_us = 0;     // time of the first triggering event
  std::string explanation; // for a human; no PHI
  std::vector<uint64_t> seqs;  // the triggering events (prove each with `audit prove --index`)
  // Identifies the finding across watch passes (rule, identity and the day or event), so a
  // finding seen again on a later pass is stored once.
  std::string dedup_key;
};

// Declared service accounts: what each may do (45 CFR 164.502(b) minimum necessary for
// non-person entities).
struct ServicePolicy {
  std::set<std::string> purposes;  // empty: any purpose
  std::set<std::string> actions;   // empty: any action
};

struct AnomalyConfig {
  // --- baselines
  int baseline_days = 28;     // history before the judged day that forms the baseline
  int min_active_days = 5;    // fewer active days than this: baseline rules use the defaults
  double mad_k = 4.0;         // a value is anomalous beyond median + mad_k * 1.4826 * MAD
  int slack_minutes = 120;    // working window is widened by at least this on each side
  // An access outside the window that is linked to one inside it by accesses at most this many
  // minutes apart is the shift running long (or starting early), not off-hours access. 0: off.
  int continuation_minutes = 45;
  int default_start_minute = 7 * 60;  // working window (local) while an identity has no baseline
  int default_end_minute = 19 * 60;
  int utc_offset_minutes = 0;  // local time = UTC + this (days and default hours)
  // --- volume_spike: fires when the day's events (or distinct patients) exceed the robust
  // threshold AND min_ratio x the median AND min_events.
  int64_t volume_min_events = 50;
  double volume_min_ratio = 3.0;
  // Without a baseline, a day above this many events is a spike.
  int64_t volume_absolute_events = 500;
  // --- bulk_export
  int64_t bulk_min_records = 100;  // one event with at least this many record ids
  std::set<std::string> export_actions = {"export", "bulk_export", "download"};
  int64_t export_min_records = 20;  // an export action with at least this many records
  // --- auth_failure_burst
  std::set<std::string> auth_actions = {"login", "authenticate", "auth", "mfa"};
  int auth_burst_failures = 5;
  int auth_window_minutes = 10;
  // --- break_glass
  std::set<std::string> break_glass_actions = {"break_glass"};
  std::set<std::string> break_glass_purposes = {"emergency"};
  // --- flagged_record: pseudonyms (PseudonymizeId) of flagged/VIP patients and records.
  absl::flat_hash_set<std::string> flagged;
  // --- related_patient (see RelationshipConfig in the loader): HMAC tags of surnames and
  // addresses per actor and per patient pseudonym, and declared (actor, patient pseudonym) pairs.
  absl::flat_hash_map<std::string, std::set<std::string>> actor_tags;
  absl::flat_hash_map<std::string, std::set<std::string>> patient_tags;
  std::set<std::pair<std::string, std::string>> related_pairs;
  // --- service_purpose: declared services by actor id. An actor with role "service" or an id
  // starting with one of service_prefixes that is not declared is itself an alert.
  absl::flat_hash_map<std::string, ServicePolicy> services;
  std::vector<std::string> service_prefixes = {"svc:", "service:"};
  // --- ai_vendor_baa: vendor -> PHI types its BAA covers. A vendor absent here has no BAA.
  absl::flat_hash_map<std::string, std::set<std::string>> vendor_covered;
  // Rules turned off by the user.
  std::set<std::string> disabled_rules;
  // Most seqs kept on one alert (the explanation gives the full count).
  size_t max_seqs_per_alert = 1000;
};

// Reads a YAML (or JSON) anomaly configuration; see data/samples/audit-anomaly.yaml. Patient
// identifiers in it (flagged list, relationships file) are pseudonymised with `audit_key`, which
// must be the log's key. InvalidArgument names the file, line and key of a bad or unknown entry,
// never its value; NotFound if a file is missing.
absl::StatusOr<AnomalyConfig> LoadAnomalyConfig(const std::string& path,
                                                const crypto::SecretKey& audit_key);
// The same from text; `name` stands for the file in messages, `base_dir` resolves relative paths.
absl::StatusOr<AnomalyConfig> ParseAnomalyConfig(std::string_view yaml, std::string_view name,
                                                 const std::string& base_dir,
                                                 const crypto::SecretKey& audit_key);

// The HMAC tag of a surname or address as the relationship rule compares them: the value is
// case-folded and runs of non-alphanumerics collapse to one space before keying, so "O'Brien" and
// "o brien" match. `kind` is "surname" or "address".
std::string RelationshipTag(const crypto::SecretKey& audit_key, std::string_view kind,
                            std::string_view value);

class AnomalyDetector {
 public:
  explicit AnomalyDetector(AnomalyConfig config) : config_(std::move(config)) {}

  // Judges the events with seq >= first_new; those before serve as baseline and context (the
  // day's volume, a burst that started earlier). REQUIRES: `events` sorted by seq. Alerts come out
  // ordered by time, then rule.
  std::vector<Alert> Detect(const std::vector<StoredEvent>& events, uint64_t first_new) const;

  const AnomalyConfig& config() const { return config_; }

 private:
  AnomalyConfig config_;
};

// Reads the events with seq in [begin, end) from `log`, plus the baseline history before them
// (baseline_days + 1 days before the earliest), and runs `detector` on them. DataLoss if a leaf
// does not decode (run `audit verify`).
absl::StatusOr<std::vector<Alert>> DetectInLog(AuditLog& log, const AnomalyDetector& detector,
                                               uint64_t begin, uint64_t end);

// Median and median absolute deviation of `values` (0, 0 when empty). Exposed for tests.
std::pair<double, double> MedianMad(std::vector<double> values);

}  // namespace phiguard::audit
