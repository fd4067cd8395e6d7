// The synthetic access log generator and scorer (see anomaly_synth.h).
#include "phiguard/audit/anomaly_synth.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "fmt/format.h"
#include "phiguard/audit/audit_log.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"

namespace phiguard::audit {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;
constexpr int kPatients = 1600;
constexpr int kVips = 5;
constexpr int kSurnames = 300;
constexpr int kUnits = 4;

// mt19937_64 with our own range mapping, so a seed gives the same log on every standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : gen_() % n; }
  int64_t Between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(hi - lo + 1)); }
  double Unit() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

 private:
  std::mt19937_64 gen_;
};

struct Person {
  std::string id;
  std::string role;
  int unit = 0;
  bool night = false;
  int start_minute = 0;   // shift start (UTC)
  int length_minutes = 0;
  int off1 = 0, off2 = 0;  // days off (day index mod 7)
  double mean = 20;        // events per working day
  int surname = 0;
  int address = 0;
  std::vector<std::string> resources;
  std::string purpose;
};

struct Pending {
  int64_t time_us;
  AuditEvent event;
  int incident;  // index into incidents, -1 for normal traffic
};

std::string Mrn(int i) { return fmt::format("MRN-{:06d}", i); }

class World {
 public:
  explicit World(const SynthOptions& o) : o_(o), rng_(o.seed) {
    for (int p = 0; p < kPatients; ++p) {
      patient_surname_.push_back(static_cast<int>(rng_.Below(kSurnames)));
      patient_address_.push_back(static_cast<int>(rng_.Below(4000)));
    }
    for (int i = 0; i < o.staff; ++i) {
      Person s;
      s.id = fmt::format("u:s{:04d}", i);
      const int kind = static_cast<int>(rng_.Below(10));
      s.role = kind < 4 ? "clinician" : kind < 8 ? "nurse" : "clerk";
      s.unit = i % kUnits;
      s.night = s.role != "clerk" && rng_.Chance(0.15);
      s.start_minute = s.night ? static_cast<int>(rng_.Between(21 * 60, 22 * 60))
                               : static_cast<int>(rng_.Between(7 * 60, 9 * 60));
      s.length_minutes = static_cast<int>(rng_.Between(8 * 60, 10 * 60));
      s.off1 = static_cast<int>(rng_.Below(7));
      s.off2 = (s.off1 + 1) % 7;
      s.mean = (s.role == "clerk" ? 15 : s.role == "nurse" ? 30 : 25) * (0.7 + 0.6 * rng_.Unit());
      s.surname = static_cast<int>(rng_.Below(kSurnames));
      s.address = 4000 + static_cast<int>(rng_.Below(4000));  // never a patient's address by chance
      if (s.role == "clerk") {
        s.resources = {"Patient", "Coverage", "Claim"};
        s.purpose = "payment";
      } else if (s.role == "nurse") {
        s.resources = {"Patient", "Observation", "MedicationAdministration"};
        s.purpose = "treatment";
      } else {
        s.resources = {"Patient", "Observation", "MedicationRequest", "DiagnosticReport"};
        s.purpose = "treatment";
      }
      staff_.push_back(std::move(s));
    }
  }

  SynthLog Build();

 private:
  bool Works(const Person& s, int day) const {
    return day % 7 != s.off1 && day % 7 != s.off2;
  }
  // A patient the person may see in normal work: their unit, not a VIP, not related.
  int UnitPatient(const Person& s) {
    const int per_unit = kPatients / kUnits;
    while (true) {
      const int p = s.unit * per_unit + static_cast<int>(rng_.Below(per_unit));
      if (p >= kVips && patient_surname_[p] != s.surname && !pairs_.count({s.id, p})) return p;
    }
  }
  int AnyPatient(const Person& s) {
    while (true) {
      const int p = static_cast<int>(rng_.Below(kPatients));
      if (p >= kVips && patient_surname_[p] != s.surname && !pairs_.count({s.id, p})) return p;
    }
  }
  int64_t ShiftTime(const Person& s, int day) {
    return o_.start_us + day * kDayUs + s.start_minute * kMinuteUs +
           static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(s.length_minutes) * kMinuteUs));
  }
  AuditEvent Read(const Person& s, int patient, const std::string& resource) {
    AuditEvent e;
    e.actor = {s.id, s.role, "", fmt::format("10.{}.0.{}", s.unit, 10 + rng_.Below(200))};
    const int a = static_cast<int>(rng_.Below(20));
    e.action = a < 17 ? "read" : a < 19 ? "update" : "list";
    e.resource_type = resource;
    e.record_ids = {Mrn(patient)};
    e.patient = Mrn(patient);
    e.phi_types = resource == "Patient" ? std::vector<std::string>{"NAME", "DATE", "ADDRESS"}
                                        : std::vector<std::string>{"DATE"};
    e.purpose = s.purpose;
    e.outcome = "success";
    return e;
  }
  AuditEvent Login(const Person& s, bool ok) {
    AuditEvent e;
    e.actor = {s.id, s.role, "", fmt::format("10.{}.0.{}", s.unit, 10 + rng_.Below(200))};
    e.action = "login";
    e.outcome = ok ? "success" : "failure";
    return e;
  }
  void Push(int64_t t, AuditEvent e, int incident = -1) {
    pending_.push_back({t, std::move(e), incident});
  }
  int NewIncident(std::string_view rule, const std::string& who) {
    incidents_.push_back({std::string(rule), who, {}});
    return static_cast<int>(incidents_.size()) - 1;
  }
  // A staff member (day shift if `day_only`) and one of their working days after the warmup.
  // Prefers someone not yet picked for `rule`: a second incident of the same kind by the same
  // person may rightly go unnoticed (a resource type they touched before is no longer new).
  std::pair<const Person*, int> Pick(std::string_view rule, bool day_only) {
    for (int tries = 0;; ++tries) {
      const Person& s = staff_[rng_.Below(staff_.size())];
      if (day_only && s.night) continue;
      if (tries < 1000 && picked_.count({std::string(rule), s.id})) continue;
      const int day = static_cast<int>(rng_.Between(o_.warmup_days, o_.days - 1));
      if (!Works(s, day)) continue;
      picked_.insert({std::string(rule), s.id});
      return {&s, day};
    }
  }
  void NormalTraffic();
  void Inject(std::string_view rule);

  const SynthOptions o_;
  Rng rng_;
  std::vector<Person> staff_;
  std::vector<int> patient_surname_;
  std::vector<int> patient_address_;
  std::set<std::pair<std::string, int>> pairs_;  // declared relationships
  std::set<std::pair<std::string, std::string>> picked_;  // (rule, person) already used
  std::vector<Pending> pending_;
  std::vector<SynthIncident> incidents_;
};

void World::NormalTraffic() {
  for (int day = 0; day < o_.days; ++day) {
    for (const Person& s : staff_) {
      if (!Works(s, day)) continue;
      const int jitter = static_cast<int>(rng_.Between(-20, 20));
      Person today = s;
      today.start_minute += jitter;
      if (rng_.Chance(0.08)) today.length_minutes += 90;  // overtime
      double n = s.mean * (0.75 + 0.5 * rng_.Unit());
      if (rng_.Chance(0.05)) n *= 1.8;  // a busy day
      const int64_t login = o_.start_us + day * kDayUs + today.start_minute * kMinuteUs;
      if (rng_.Chance(0.04)) {
        const int typos = static_cast<int>(rng_.Between(1, 2));
        for (int k = 0; k < typos; ++k) {
          Push(login - (3 - k) * kMinuteUs, Login(s, false));
        }
      }
      Push(login, Login(s, true));
      std::vector<int> panel;
      for (int k = 0; k < std::max(3, static_cast<int>(n / 3)); ++k) panel.push_back(UnitPatient(s));
      for (int k = 0; k < static_cast<int>(n); ++k) {
        const int p = panel[rng_.Below(panel.size())];
        Push(ShiftTime(today, day) + kMinuteUs,
             Read(s, p, s.resources[rng_.Below(s.resources.size())]));
      }
    }
    // Services around the clock.
    for (int k = 0; k < 60; ++k) {
      AuditEvent e;
      e.actor = {"svc:billing", "service", "", "10.9.0.2"};
      e.action = rng_.Chance(0.8) ? "read" : "list";
      e.resource_type = rng_.Chance(0.5) ? "Claim" : "Coverage";
      const int p = kVips + static_cast<int>(rng_.Below(kPatients - kVips));
      e.record_ids = {Mrn(p)};
      e.patient = Mrn(p);
      e.phi_types = {"NAME", "DATE"};
      e.purpose = "payment";
      e.outcome = "success";
      Push(o_.start_us + day * kDayUs + static_cast<int64_t>(rng_.Below(kDayUs)), std::move(e));
    }
    for (int k = 0; k < 40; ++k) {
      AuditEvent e;
      e.actor = {"svc:summariser", "service", "", "10.9.0.3"};
      e.action = "summarize";
      e.resource_type = "DocumentReference";
      const int p = kVips + static_cast<int>(rng_.Below(kPatients - kVips));
      e.record_ids = {Mrn(p)};
      e.patient = Mrn(p);
      e.phi_types = rng_.Chance(0.5) ? std::vector<std::string>{"NAME", "DATE"}
                                     : std::vector<std::string>{"DATE", "MRN"};
      e.purpose = "treatment";
      e.destination.vendor = "acme-ai";
      e.destination.system = "summariser";
      e.outcome = "success";
      Push(o_.start_us + day * kDayUs + static_cast<int64_t>(rng_.Below(kDayUs)), std::move(e));
    }
  }
}

void World::Inject(std::string_view rule) {
  if (rule == kRuleServicePurpose || rule == kRuleAiVendorBaa) {
    const int day = static_cast<int>(rng_.Between(o_.warmup_days, o_.days - 1));
    const int64_t t = o_.start_us + day * kDayUs + static_cast<int64_t>(rng_.Below(kDayUs - kHourUs));
    const bool variant = rng_.Chance(0.5);
    AuditEvent e;
    const int p = kVips + static_cast<int>(rng_.Below(kPatients - kVips));
    e.record_ids = {Mrn(p)};
    e.patient = Mrn(p);
    e.outcome = "success";
    if (rule == kRuleServicePurpose) {
      e.actor = {variant ? "svc:billing" : "svc:etl-tmp", "service", "", "10.9.0.7"};
      e.action = "read";
      e.resource_type = "Claim";
      e.phi_types = {"NAME"};
      e.purpose = variant ? "marketing" : "payment";
    } else {
      e.actor = {"svc:summariser", "service", "", "10.9.0.3"};
      e.action = "summarize";
      e.resource_type = "DocumentReference";
      e.purpose = "treatment";
      e.destination.vendor = variant ? "acme-ai" : "shadow-ai";
      e.phi_types = variant ? std::vector<std::string>{"NAME", "SSN"}
                            : std::vector<std::string>{"NAME", "DATE"};
    }
    const int inc = NewIncident(rule, e.actor.id);
    const int n = static_cast<int>(rng_.Between(1, 3));
    for (int k = 0; k < n; ++k) Push(t + k * 7 * kMinuteUs, e, inc);
    return;
  }
  // Plain variables, not a structured binding: clang 14 (the fuzz build) cannot capture those.
  const auto picked = Pick(rule, rule == kRuleOffHours);
  const auto s = picked.first;
  const auto day = picked.second;
  const int inc = NewIncident(rule, s->id);
  auto in_shift = [&] { return ShiftTime(*s, day); };
  if (rule == kRuleVolumeSpike) {
    const int n = std::max(150, static_cast<int>(6 * s->mean));
    const int64_t t0 = in_shift();
    for (int k = 0; k < n; ++k) {
      Push(t0 + int64_t{k} * 20'000'000, Read(*s, AnyPatient(*s), s->resources[rng_.Below(s->resources.size())]),
           inc);
    }
  } else if (rule == kRuleBulkExport) {
    AuditEvent e = Read(*s, AnyPatient(*s), "Patient");
    e.action = "export";
    e.patient.clear();
    e.record_ids.clear();
    const int64_t n = rng_.Between(120, 400);
    for (int64_t k = 0; k < n; ++k) e.record_ids.push_back(Mrn(AnyPatient(*s)));
    Push(in_shift(), std::move(e), inc);
  } else if (rule == kRuleOffHours) {
    const int64_t t0 = o_.start_us + day * kDayUs + rng_.Between(60, 240) * kMinuteUs;
    const int64_t n = rng_.Between(2, 5);
    for (int64_t k = 0; k < n; ++k) {
      Push(t0 + k * 3 * kMinuteUs, Read(*s, UnitPatient(*s), "Patient"), inc);
    }
  } else if (rule == kRuleUnusualResource) {
    const int64_t t0 = in_shift();
    const int64_t n = rng_.Between(1, 3);
    for (int64_t k = 0; k < n; ++k) {
      Push(t0 + k * kMinuteUs, Read(*s, UnitPatient(*s), "PsychotherapyNote"), inc);
    }
  } else if (rule == kRuleFlaggedRecord) {
    const int vip = static_cast<int>(rng_.Below(kVips));
    const int64_t t0 = in_shift();
    const int64_t n = rng_.Between(1, 2);
    for (int64_t k = 0; k < n; ++k) Push(t0 + k * kMinuteUs, Read(*s, vip, "Patient"), inc);
  } else if (rule == kRuleRelatedPatient) {
    int p = -1;
    if (incidents_.size() % 2 == 0) {
      for (int q = kVips; q < kPatients && p < 0; ++q) {
        if (patient_surname_[q] == s->surname) p = q;
      }
    }
    if (p < 0) {  // a declared relationship (the relationships file lists the pair)
      p = AnyPatient(*s);
      pairs_.insert({s->id, p});
    }
    const int64_t t0 = in_shift();
    const int64_t n = rng_.Between(1, 3);
    for (int64_t k = 0; k < n; ++k) Push(t0 + k * kMinuteUs, Read(*s, p, "Patient"), inc);
  } else if (rule == kRuleAuthFailureBurst) {
    const int64_t t0 = in_shift();
    const int n = static_cast<int>(rng_.Between(8, 20));
    for (int k = 0; k < n; ++k) Push(t0 + k * rng_.Between(10, 40) * 1'000'000, Login(*s, false), inc);
    if (rng_.Chance(0.5)) Push(t0 + (int64_t{n} + 1) * 40'000'000, Login(*s, true), inc);
  } else if (rule == kRuleBreakGlass) {
    const int p = UnitPatient(*s);
    const int64_t t0 = in_shift();
    AuditEvent g = Read(*s, p, "Patient");
    g.action = "break_glass";
    g.purpose = "emergency";
    Push(t0, std::move(g), inc);
    const int64_t n = rng_.Between(2, 4);
    for (int64_t k = 1; k <= n; ++k) {
      AuditEvent e = Read(*s, p, "Patient");
      e.purpose = "emergency";
      Push(t0 + k * kMinuteUs, std::move(e), inc);
    }
  }
}

SynthLog World::Build() {
  // Decide the incidents (and so the declared pairs) first, then the normal traffic that avoids
  // them, then merge by time.
  std::vector<Pending> injected;
  for (std::string_view rule : AllAnomalyRules()) {
    for (int k = 0; k < o_.incidents_per_rule; ++k) Inject(rule);
  }
  injected.swap(pending_);
  NormalTraffic();
  pending_.insert(pending_.end(), std::make_move_iterator(injected.begin()),
                  std::make_move_iterator(injected.end()));
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const Pending& a, const Pending& b) { return a.time_us < b.time_us; });
  SynthLog out;
  const int64_t judge_time = o_.start_us + o_.warmup_days * kDayUs;
  out.judge_from = pending_.size();
  for (size_t i = 0; i < pending_.size(); ++i) {
    Pending& p = pending_[i];
    if (p.time_us >= judge_time && out.judge_from == pending_.size()) out.judge_from = i;
    p.event.time = FormatRfc3339Micros(p.time_us);
    if (p.incident >= 0) incidents_[p.incident].seqs.push_back(i);
    out.events.push_back(std::move(p.event));
  }
  out.truth = std::move(incidents_);

  std::string rel = "# Synthetic: generated by `phiguard audit synth`.\nemployees:\n";
  for (const Person& s : staff_) {
    rel += fmt::format("  - {{actor: \"{}\", surname: \"Surname{:03d}\", address: \"{} Synth Road\"}}\n",
                       s.id, s.surname, s.address);
  }
  rel += "patients:\n";
  for (int p = 0; p < kPatients; ++p) {
    rel += fmt::format("  - {{id: {}, surname: \"Surname{:03d}\", address: \"{} Synth Road\"}}\n",
                       Mrn(p), patient_surname_[p], patient_address_[p]);
  }
  rel += "pairs:\n";
  for (const auto& [actor, p] : pairs_) rel += fmt::format("  - {{actor: \"{}\", patient: {}}}\n", actor, Mrn(p));
  if (pairs_.empty()) rel += "  []\n";
  out.relationships_yaml = rel;
  std::string flagged;
  for (int v = 0; v < kVips; ++v) flagged += Cat(v ? ", " : "", Mrn(v));
  out.config_yaml = Cat(
      "# Synthetic: generated by `phiguard audit synth`.\n"
      "flagged_patients: [", flagged, "]\n"
      "relationships_file: relationships.yaml\n"
      "services:\n"
      "  \"svc:billing\": {purposes: [payment], actions: [read, list]}\n"
      "  \"svc:summariser\": {purposes: [treatment], actions: [summarize]}\n"
      "vendors:\n"
      "  acme-ai: {covered_phi_types: [NAME, DATE, MRN]}\n");
  return out;
}

std::string EventJson(const AuditEvent& e) {
  nlohmann::ordered_json j;
  j["time"] = e.time;
  nlohmann::ordered_json actor = {{"id", e.actor.id}};
  if (!e.actor.role.empty()) actor["role"] = e.actor.role;
  if (!e.actor.client.empty()) actor["client"] = e.actor.client;
  j["actor"] = actor;
  j["action"] = e.action;
  if (!e.resource_type.empty() || !e.record_ids.empty()) {
    j["resource"] = {{"type", e.resource_type}, {"ids", e.record_ids}};
  }
  if (!e.patient.empty()) j["patient"] = e.patient;
  if (!e.phi_types.empty()) j["phi_types"] = e.phi_types;
  if (!e.purpose.empty()) j["purpose"] = e.purpose;
  if (!e.destination.vendor.empty()) {
    j["destination"] = {{"vendor", e.destination.vendor}, {"system", e.destination.system}};
  }
  j["outcome"] = e.outcome;
  return j.dump();
}

absl::Status WriteWhole(const std::string& path, std::string_view text) {
  absl::StatusOr<std::unique_ptr<AtomicFileWriter>> w = AtomicFileWriter::Open(path);
  if (!w.ok()) return w.status();
  if (absl::Status s = (*w)->Write(text); !s.ok()) return s;
  return (*w)->Commit();
}

}  // namespace

SynthLog GenerateSynthetic(const SynthOptions& options) { return World(options).Build(); }

std::vector<RuleScore> ScoreAlerts(const std::vector<Alert>& alerts,
                                   const std::vector<SynthIncident>& truth) {
  std::map<std::string, std::map<uint64_t, std::vector<size_t>>> by_seq;  // rule -> seq -> incidents
  std::map<std::string, RuleScore> rows;
  for (std::string_view r : AllAnomalyRules()) rows[std::string(r)].rule = std::string(r);
  for (size_t k = 0; k < truth.size(); ++k) {
    ++rows[truth[k].rule].incidents;
    for (uint64_t s : truth[k].seqs) by_seq[truth[k].rule][s].push_back(k);
  }
  std::set<size_t> detected;
  for (const Alert& a : alerts) {
    RuleScore& row = rows[a.rule];
    row.rule = a.rule;
    ++row.alerts;
    bool hit = false;
    for (uint64_t s : a.seqs) {
      auto it = by_seq[a.rule].find(s);
      if (it == by_seq[a.rule].end()) continue;
      hit = true;
      detected.insert(it->second.begin(), it->second.end());
    }
    if (hit) ++row.true_alerts;
  }
  for (size_t k : detected) ++rows[truth[k].rule].detected;
  std::vector<RuleScore> out;
  RuleScore all;
  all.rule = "all";
  for (std::string_view r : AllAnomalyRules()) out.push_back(rows[std::string(r)]);
  for (const auto& [name, row] : rows) {
    all.incidents += row.incidents;
    all.detected += row.detected;
    all.alerts += row.alerts;
    all.true_alerts += row.true_alerts;
  }
  out.push_back(all);
  return out;
}

std::string FormatScores(const std::vector<RuleScore>& scores) {
  std::string out = fmt::format("{:<20} {:>9} {:>8} {:>6} {:>11} {:>9} {:>6}\n", "rule", "incidents",
                                "detected", "alerts", "true_alerts", "precision", "recall");
  for (const RuleScore& r : scores) {
    out += fmt::format("{:<20} {:>9} {:>8} {:>6} {:>11} {:>9.3f} {:>6.3f}\n", r.rule, r.incidents,
                       r.detected, r.alerts, r.true_alerts, r.precision(), r.recall());
  }
  return out;
}

absl::StatusOr<std::vector<RuleScore>> EvaluateSynthetic(const SynthLog& log, const std::string& dir,
                                                         const crypto::SecretKey& audit_key) {
  const std::string db = (std::filesystem::path(dir) / "synth.db").string();
  if (std::filesystem::exists(db)) {
    return absl::FailedPreconditionError(Cat(db, ": exists; evaluate into a fresh directory"));
  }
  if (absl::Status s = WriteWhole((std::filesystem::path(dir) / "relationships.yaml").string(),
                                  log.relationships_yaml);
      !s.ok()) {
    return s;
  }
  const std::string config_path = (std::filesystem::path(dir) / "anomaly.yaml").string();
  if (absl::Status s = WriteWhole(config_path, log.config_yaml); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<AuditStore>> store = OpenSqliteAuditStore(db);
  if (!store.ok()) return store.status();
  absl::StatusOr<crypto::SecretKey> key = crypto::SecretKey::FromBytes(
      std::string(audit_key.RawBytesForCrypto()));
  if (!key.ok()) return key.status();
  absl::StatusOr<std::unique_ptr<AuditLog>> audit = AuditLog::Open(std::move(*store), std::move(*key));
  if (!audit.ok()) return audit.status();
  for (size_t i = 0; i < log.events.size(); i += 8192) {
    const size_t n = std::min<size_t>(8192, log.events.size() - i);
    absl::StatusOr<uint64_t> first =
        (*audit)->AppendBatch(absl::MakeConstSpan(log.events).subspan(i, n));
    if (!first.ok()) return first.status();
    if (*first != i) return absl::FailedPreconditionError(Cat(db, ": the log was not empty"));
  }
  absl::StatusOr<AnomalyConfig> config = LoadAnomalyConfig(config_path, (*audit)->audit_key());
  if (!config.ok()) return config.status();
  absl::StatusOr<std::vector<Alert>> alerts =
      DetectInLog(**audit, AnomalyDetector(std::move(*config)), log.judge_from, UINT64_MAX);
  if (!alerts.ok()) return alerts.status();
  return ScoreAlerts(*alerts, log.truth);
}

absl::StatusOr<SynthReport> WriteSyntheticLog(const std::string& dir, const SynthOptions& options,
                                              bool evaluate) {
  if (options.staff <= 0 || options.warmup_days <= 0 || options.warmup_days >= options.days) {
    return absl::InvalidArgumentError("synth: need staff > 0 and 0 < warmup days < days");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(Cat(dir, ": cannot create: ", ec.message()));
  const SynthLog log = GenerateSynthetic(options);
  auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  std::string events;
  for (const AuditEvent& e : log.events) events += EventJson(e) + "\n";
  if (absl::Status s = WriteWhole(path("events.jsonl"), events); !s.ok()) return s;
  std::string truth;
  for (const SynthIncident& inc : log.truth) {
    truth += nlohmann::ordered_json({{"rule", inc.rule}, {"identity", inc.identity}, {"seqs", inc.seqs}})
                 .dump() +
             "\n";
  }
  if (absl::Status s = WriteWhole(path("truth.jsonl"), truth); !s.ok()) return s;
  if (absl::Status s = WriteWhole(path("relationships.yaml"), log.relationships_yaml); !s.ok()) return s;
  if (absl::Status s = WriteWhole(path("anomaly.yaml"), log.config_yaml); !s.ok()) return s;
  SynthReport r;
  r.events = log.events.size();
  r.incidents = log.truth.size();
  r.judge_from = log.judge_from;
  if (evaluate) {
    absl::StatusOr<crypto::SecretKey> key = crypto::SecretKey::Generate();
    if (!key.ok()) return key.status();
    std::filesystem::remove(path("synth.db"), ec);
    absl::StatusOr<std::vector<RuleScore>> scores = EvaluateSynthetic(log, dir, *key);
    if (!scores.ok()) return scores.status();
    r.scores = std::move(*scores);
  }
  return r;
}

}  // namespace phiguard::audit
