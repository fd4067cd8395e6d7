// A synthetic hospital access log with labelled, injected misuse, for measuring the anomaly
// detector's precision and recall per rule (docs/benchmarks.md). Deterministic for a seed.
//
// The world: `staff` people (clinicians, nurses, clerks; day and night shifts, two days off a week,
// day-to-day jitter, busy days, overtime, the odd mistyped password) working their unit's patients,
// and two declared service accounts (billing; an AI summariser sending covered PHI types to a vendor
// with a BAA). Normal traffic never touches flagged (VIP) patients or patients related to the
// actor, so every alert of those rules is judged against the injected incidents alone. From
// `warmup_days` on, `incidents_per_rule` incidents of each rule are injected (a snooping spree, a
// bulk export, night-time reads, a psychotherapy note, a VIP, a relative, a service off-purpose, a
// password-guessing burst, break-glass, PHI to a vendor outside its BAA).
//
// Scoring: an alert is a true positive if it shares an event with an incident of its rule;
// precision = true alerts / alerts, recall = incidents hit by at least one alert of their rule.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/audit/anomaly.h"
#include "phiguard/audit/event.h"

namespace phiguard::audit {

struct SynthOptions {
  int staff = 60;               // people; services are fixed (2)
  int days = 28;                // days of activity
  int warmup_days = 14;         // history before the first injected incident (and judged event)
  int incidents_per_rule = 4;   // injected per rule
  uint64_t seed = 20261129;
  int64_t start_us = 1772409600LL * 1'000'000;  // 2026-03-02T00:00:00Z (a Monday)
};

// One injected misuse: the rule that should catch it and its events (seq when the events are
// appended, in order, to an empty log).
struct SynthIncident {
  std::string rule;
  std::string identity;
  std::vector<uint64_t> seqs;
};

struct SynthLog {
  std::vector<AuditEvent> events;  // input events (raw synthetic ids), in time order
  std::vector<SynthIncident> truth;
  uint64_t judge_from = 0;         // first seq on the first day after the warmup
  std::string config_yaml;         // anomaly configuration (references relationships.yaml)
  std::string relationships_yaml;
};

// REQUIRES: 0 < warmup_days < days, staff > 0.
SynthLog GenerateSynthetic(const SynthOptions& options);

struct RuleScore {
  std::string rule;  // "all" for the total row
  int incidents = 0;
  int detected = 0;     // incidents hit by an alert of their rule
  int alerts = 0;
  int true_alerts = 0;  // alerts sharing an event with an incident of their rule
  double precision() const { return alerts == 0 ? 1.0 : static_cast<double>(true_alerts) / alerts; }
  double recall() const { return incidents == 0 ? 1.0 : static_cast<double>(detected) / incidents; }
};

// One row per rule (AllAnomalyRules order) and a final "all" row.
std::vector<RuleScore> ScoreAlerts(const std::vector<Alert>& alerts,
                                   const std::vector<SynthIncident>& truth);
// A fixed-width table of `scores`.
std::string FormatScores(const std::vector<RuleScore>& scores);

// Appends `log` to a fresh audit log in `dir`/synth.db under `audit_key`, writes the configuration
// files into `dir`, loads them as `phiguard audit watch` would and scores the alerts on the events
// from judge_from on. FailedPrecondition if `dir`/synth.db exists.
absl::StatusOr<std::vector<RuleScore>> EvaluateSynthetic(const SynthLog& log, const std::string& dir,
                                                         const crypto::SecretKey& audit_key);

struct SynthReport {
  size_t events = 0;
  size_t incidents = 0;
  uint64_t judge_from = 0;
  std::vector<RuleScore> scores;  // with `evaluate` only
};
// Writes events.jsonl (the `audit append` schema), truth.jsonl, anomaly.yaml and
// relationships.yaml into `dir` (created if missing); with `evaluate`, also runs EvaluateSynthetic
// with a random key. Errors name the file.
absl::StatusOr<SynthReport> WriteSyntheticLog(const std::string& dir, const SynthOptions& options,
                                              bool evaluate);

}  // namespace phiguard::audit
