// The anomaly rules over decoded audit events (see anomaly.h). Per-event rules look at one event
// (and group what they find per identity and local day, so a break-glass session is one alert);
// baseline rules compare an identity's day with its own previous days using median and MAD.
#include "phiguard/audit/anomaly.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "fmt/format.h"
#include "phiguard/core/strings.h"

namespace phiguard::audit {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;
constexpr double kMadToSigma = 1.4826;  // MAD of a normal distribution = 0.6745 sigma

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string Clock(double minute_of_day) {
  int m = static_cast<int>(std::lround(minute_of_day));
  m = ((m % 1440) + 1440) % 1440;
  return fmt::format("{:02d}:{:02d}", m / 60, m % 60);
}

std::string DayName(int64_t local_day) {
  return FormatRfc3339Micros(local_day * kDayUs).substr(0, 10);
}

std::string JoinSet(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

// The events of one identity, with the helpers the rules share.
class Judge {
 public:
  Judge(const AnomalyConfig& c, const std::vector<StoredEvent>& ev, uint64_t first_new,
        std::vector<Alert>& out)
      : c_(c), ev_(ev), first_new_(first_new), out_(out) {}

  bool Enabled(std::string_view rule) const { return c_.disabled_rules.count(std::string(rule)) == 0; }
  bool IsNew(size_t i) const { return ev_[i].seq >= first_new_; }
  int64_t Local(size_t i) const { return ev_[i].time_us + int64_t{c_.utc_offset_minutes} * kMinuteUs; }
  int64_t Day(size_t i) const { return FloorDiv(Local(i), kDayUs); }

  void Emit(std::string_view rule, Severity severity, const std::string& identity,
            const std::vector<size_t>& idx, std::string explanation, std::string dedup) {
    Alert a;
    a.rule = std::string(rule);
    a.severity = severity;
    a.identity = identity;
    a.time_us = INT64_MAX;
    for (size_t i : idx) {
      a.time_us = std::min(a.time_us, ev_[i].time_us);
      if (a.seqs.size() < c_.max_seqs_per_alert) a.seqs.push_back(ev_[i].seq);
    }
    if (idx.size() > a.seqs.size()) {
      explanation += fmt::format(" (first {} of {} events linked)", a.seqs.size(), idx.size());
    }
    a.explanation = std::move(explanation);
    a.dedup_key = Cat(rule, "|", identity, "|", dedup);
    out_.push_back(std::move(a));
  }

  void PerEventRules(const std::vector<size_t>& mine);
  void AuthBursts(const std::string& actor, const std::vector<size_t>& mine);
  void BaselineRules(const std::string& actor, const std::vector<size_t>& mine);

 private:
  bool IsService(const AuditEvent& e) const {
    if (c_.services.contains(e.actor.id) || e.actor.role == "service") return true;
    for (const std::string& p : c_.service_prefixes) {
      if (e.actor.id.starts_with(p)) return true;
    }
    return false;
  }

  const AnomalyConfig& c_;
  const std::vector<StoredEvent>& ev_;
  const uint64_t first_new_;
  std::vector<Alert>& out_;
};

// Groups event indices under a key (ordered, so alerts come out deterministically).
using Groups = std::map<std::string, std::vector<size_t>>;

void Judge::PerEventRules(const std::vector<size_t>& mine) {
  Groups flagged, related, service, glass, vendor;
  std::map<std::string, std::string> why;  // group key -> explanation detail
  std::map<std::string, std::set<std::string>> vendor_types;  // uncovered PHI types per group
  for (size_t i : mine) {
    if (!IsNew(i)) continue;
    const AuditEvent& e = ev_[i].event;
    const std::string day = DayName(Day(i));
    std::vector<const std::string*> patients;
    if (!e.patient.empty()) patients.push_back(&e.patient);
    for (const std::string& r : e.record_ids) patients.push_back(&r);

    if (Enabled(kRuleBulkExport)) {
      const int64_t n = static_cast<int64_t>(e.record_ids.size());
      const bool is_export = c_.export_actions.count(e.action) > 0;
      if (n >= c_.bulk_min_records || (is_export && n >= c_.export_min_records)) {
        Emit(kRuleBulkExport, Severity::kHigh, e.actor.id, {i},
             fmt::format("{} {} {} records in one event (action \"{}\", {}; threshold {} records{})",
                         e.actor.id, e.outcome == "success" ? "accessed" : "attempted to access", n,
                         e.action, e.outcome, is_export ? c_.export_min_records : c_.bulk_min_records,
                         is_export ? " for export actions" : ""),
             Cat("seq", ev_[i].seq));
      }
    }
    for (const std::string* p : patients) {
      if (c_.flagged.contains(*p)) {
        const std::string key = Cat(day, "|", *p);
        std::vector<size_t>& g = flagged[key];
        if (g.empty() || g.back() != i) g.push_back(i);
      }
      std::string relation;
      if (c_.related_pairs.count({e.actor.id, *p}) > 0) relation = "a declared relationship";
      auto at = c_.actor_tags.find(e.actor.id);
      auto pt = c_.patient_tags.find(*p);
      if (relation.empty() && at != c_.actor_tags.end() && pt != c_.patient_tags.end()) {
        for (const std::string& tag : at->second) {
          if (pt->second.count(tag) == 0) continue;
          relation = tag.starts_with("surname:") ? "the same surname" : "the same address";
          break;
        }
      }
      if (!relation.empty()) {
        const std::string key = Cat(day, "|", *p);
        std::vector<size_t>& g = related[key];
        if (g.empty() || g.back() != i) g.push_back(i);
        why[Cat("rel|", key)] = relation;
      }
    }
    if (IsService(e)) {
      auto svc = c_.services.find(e.actor.id);
      std::string problem;
      if (svc == c_.services.end()) {
        problem = "is not a declared service account";
      } else if (!svc->second.purposes.empty() && svc->second.purposes.count(e.purpose) == 0) {
        problem = fmt::format("acted for purpose \"{}\"; declared purposes: {}",
                              e.purpose.empty() ? "(none given)" : e.purpose,
                              JoinSet(svc->second.purposes));
      } else if (!svc->second.actions.empty() && svc->second.actions.count(e.action) == 0) {
        problem = fmt::format("performed action \"{}\"; declared actions: {}", e.action,
                              JoinSet(svc->second.actions));
      }
      if (!problem.empty()) {
        const std::string key = Cat(day, "|", problem);
        service[key].push_back(i);
        why[Cat("svc|", key)] = problem;
      }
    }
    if (c_.break_glass_actions.count(e.action) > 0 || c_.break_glass_purposes.count(e.purpose) > 0) {
      glass[day].push_back(i);
    }
    if (!e.destination.vendor.empty() && !e.phi_types.empty() && e.outcome != "denied") {
      auto v = c_.vendor_covered.find(e.destination.vendor);
      std::set<std::string> uncovered;
      for (const std::string& t : e.phi_types) {
        if (v == c_.vendor_covered.end() || v->second.count(t) == 0) uncovered.insert(t);
      }
      if (!uncovered.empty()) {
        const std::string key = Cat(day, "|", e.destination.vendor);
        vendor[key].push_back(i);
        vendor_types[key].insert(uncovered.begin(), uncovered.end());
      }
    }
  }
  if (mine.empty()) return;
  const std::string& actor = ev_[mine.front()].event.actor.id;
  auto day_of = [](const std::string& key) { return key.substr(0, key.find('|')); };
  auto rest_of = [](const std::string& key) { return key.substr(key.find('|') + 1); };
  if (Enabled(kRuleFlaggedRecord)) {
    for (const auto& [key, idx] : flagged) {
      Emit(kRuleFlaggedRecord, Severity::kHigh, actor, idx,
           fmt::format("{} touched flagged record {} ({} events on {})", actor, rest_of(key),
                       idx.size(), day_of(key)),
           key);
    }
  }
  if (Enabled(kRuleRelatedPatient)) {
    for (const auto& [key, idx] : related) {
      Emit(kRuleRelatedPatient, Severity::kHigh, actor, idx,
           fmt::format("{} accessed patient {} with whom they share {} ({} events on {})", actor,
                       rest_of(key), why[Cat("rel|", key)], idx.size(), day_of(key)),
           key);
    }
  }
  if (Enabled(kRuleServicePurpose)) {
    for (const auto& [key, idx] : service) {
      Emit(kRuleServicePurpose, Severity::kHigh, actor, idx,
           fmt::format("service {} {} ({} events on {})", actor, why[Cat("svc|", key)], idx.size(),
                       day_of(key)),
           key);
    }
  }
  if (Enabled(kRuleBreakGlass)) {
    for (const auto& [day, idx] : glass) {
      Emit(kRuleBreakGlass, Severity::kHigh, actor, idx,
           fmt::format("{} used emergency (break-glass) access: {} events on {}; review the "
                       "justification",
                       actor, idx.size(), day),
           day);
    }
  }
  if (Enabled(kRuleAiVendorBaa)) {
    for (const auto& [key, idx] : vendor) {
      const std::string name = rest_of(key);
      const bool has_baa = c_.vendor_covered.contains(name);
      Emit(kRuleAiVendorBaa, Severity::kCritical, actor, idx,
           fmt::format("{} sent PHI types {} to AI vendor \"{}\", {} ({} events on {})", actor,
                       JoinSet(vendor_types[key]), name,
                       has_baa ? "whose BAA does not cover them" : "which has no BAA on file",
                       idx.size(), day_of(key)),
           key);
    }
  }
}

void Judge::AuthBursts(const std::string& actor, const std::vector<size_t>& mine) {
  if (!Enabled(kRuleAuthFailureBurst)) return;
  std::vector<size_t> fails;
  for (size_t i : mine) {
    const AuditEvent& e = ev_[i].event;
    if (c_.auth_actions.count(e.action) > 0 && (e.outcome == "failure" || e.outcome == "denied")) {
      fails.push_back(i);
    }
  }
  const size_t need = static_cast<size_t>(std::max(c_.auth_burst_failures, 1));
  if (fails.size() < need) return;
  std::stable_sort(fails.begin(), fails.end(),
                   [&](size_t a, size_t b) { return ev_[a].time_us < ev_[b].time_us; });
  const int64_t window = int64_t{c_.auth_window_minutes} * kMinuteUs;
  std::vector<bool> in_burst(fails.size(), false);
  for (size_t lo = 0, hi = 0; hi < fails.size(); ++hi) {
    while (ev_[fails[hi]].time_us - ev_[fails[lo]].time_us > window) ++lo;
    if (hi - lo + 1 >= need) std::fill(in_burst.begin() + lo, in_burst.begin() + hi + 1, true);
  }
  Groups bursts;
  for (size_t k = 0; k < fails.size(); ++k) {
    if (in_burst[k]) bursts[DayName(Day(fails[k]))].push_back(fails[k]);
  }
  for (auto& [day, idx] : bursts) {
    if (std::none_of(idx.begin(), idx.end(), [&](size_t i) { return IsNew(i); })) continue;
    // A success right after the failures may mean the guessing worked.
    const int64_t last = ev_[idx.back()].time_us;
    bool then_success = false;
    for (size_t i : mine) {
      const AuditEvent& e = ev_[i].event;
      if (c_.auth_actions.count(e.action) > 0 && e.outcome == "success" &&
          ev_[i].time_us >= last && ev_[i].time_us - last <= window) {
        then_success = true;
        idx.push_back(i);
        break;
      }
    }
    const size_t n = idx.size() - (then_success ? 1 : 0);
    Emit(kRuleAuthFailureBurst, then_success ? Severity::kCritical : Severity::kHigh, actor, idx,
         fmt::format("{} failed authentication {} times within {} minutes on {}{}", actor, n,
                     c_.auth_window_minutes, day,
                     then_success ? ", followed by a successful login" : ""),
         day);
  }
}

// The working window learned from an identity's past event times (local microseconds): days are
// cut at the middle of its longest quiet stretch of hours (so a night shift is one day), and the
// window runs from the median first access to the median last access, widened by mad_k robust
// deviations (at least slack_minutes).
struct HourWindow {
  int pivot_hour = 0;
  double lo = 0, hi = 0;  // minutes after the pivot
  bool learned = false;
  double Minute(int64_t local_us) const {
    const int64_t s = local_us - pivot_hour * kHourUs;
    return static_cast<double>(s - FloorDiv(s, kDayUs) * kDayUs) / static_cast<double>(kMinuteUs);
  }
  bool Outside(int64_t local_us) const {
    const double m = Minute(local_us);
    return m < lo || m > hi;
  }
};

HourWindow LearnWindow(const std::vector<int64_t>& local_times, const AnomalyConfig& c) {
  HourWindow w;
  int hist[24] = {};
  for (int64_t t : local_times) ++hist[(t - FloorDiv(t, kDayUs) * kDayUs) / kHourUs];
  int best_len = -1, best_start = 0;
  for (int h = 0; h < 24; ++h) {
    int len = 0;
    while (len < 24 && hist[(h + len) % 24] == 0) ++len;
    if (len > best_len) best_len = len, best_start = h;
  }
  if (best_len > 0) {
    w.pivot_hour = (best_start + best_len / 2) % 24;
  } else {
    w.pivot_hour = static_cast<int>(std::min_element(hist, hist + 24) - hist);
  }
  std::map<int64_t, std::pair<double, double>> days;  // shifted day -> first, last minute
  for (int64_t t : local_times) {
    const int64_t d = FloorDiv(t - w.pivot_hour * kHourUs, kDayUs);
    const double m = w.Minute(t);
    auto [it, fresh] = days.try_emplace(d, m, m);
    if (!fresh) {
      it->second.first = std::min(it->second.first, m);
      it->second.second = std::max(it->second.second, m);
    }
  }
  std::vector<double> firsts, lasts;
  for (const auto& [d, fl] : days) {
    firsts.push_back(fl.first);
    lasts.push_back(fl.second);
  }
  auto [f_med, f_mad] = MedianMad(firsts);
  auto [l_med, l_mad] = MedianMad(lasts);
  const double slack = c.slack_minutes;
  w.lo = f_med - std::max(c.mad_k * kMadToSigma * f_mad, slack);
  w.hi = l_med + std::max(c.mad_k * kMadToSigma * l_mad, slack);
  w.learned = true;
  return w;
}

void Judge::BaselineRules(const std::string& actor, const std::vector<size_t>& unsorted) {
  std::vector<size_t> mine = unsorted;
  std::stable_sort(mine.begin(), mine.end(),
                   [&](size_t a, size_t b) { return ev_[a].time_us < ev_[b].time_us; });
  std::set<int64_t> judged_days;
  for (size_t i : mine) {
    if (IsNew(i)) judged_days.insert(Day(i));
  }
  // Services run around the clock and are held to their declarations (service_purpose) instead.
  const bool service = !mine.empty() && IsService(ev_[mine.front()].event);
  auto day_begin = [&](int64_t day) {
    return std::lower_bound(mine.begin(), mine.end(), day,
                            [&](size_t i, int64_t d) { return Day(i) < d; });
  };
  for (int64_t day : judged_days) {
    auto base_lo = day_begin(day - c_.baseline_days);
    auto today = day_begin(day);
    auto today_end = day_begin(day + 1);
    // Baseline: per-day counts, times and resource types over the identity's active days.
    std::map<int64_t, std::pair<int64_t, std::set<std::string>>> per_day;
    std::vector<int64_t> times;
    std::set<std::string> resources;
    for (auto it = base_lo; it != today; ++it) {
      const AuditEvent& e = ev_[*it].event;
      auto& [n, patients] = per_day[Day(*it)];
      ++n;
      if (!e.patient.empty()) patients.insert(e.patient);
      times.push_back(Local(*it));
      if (!e.resource_type.empty()) resources.insert(e.resource_type);
    }
    const int active = static_cast<int>(per_day.size());
    const bool learned = active >= c_.min_active_days;
    std::vector<size_t> day_events(today, today_end);
    const std::string day_name = DayName(day);

    if (Enabled(kRuleVolumeSpike)) {
      int64_t n = 0;
      std::set<std::string> patients;
      for (size_t i : day_events) {
        ++n;
        if (!ev_[i].event.patient.empty()) patients.insert(ev_[i].event.patient);
      }
      const int64_t p = static_cast<int64_t>(patients.size());
      std::string finding;
      if (learned) {
        std::vector<double> counts, distinct;
        for (const auto& [d, np] : per_day) {
          counts.push_back(static_cast<double>(np.first));
          distinct.push_back(static_cast<double>(np.second.size()));
        }
        auto threshold = [&](const std::vector<double>& v, double* med_out, double* mad_out) {
          auto [med, mad] = MedianMad(v);
          *med_out = med;
          *mad_out = mad;
          return std::max({med + c_.mad_k * kMadToSigma * mad, med * c_.volume_min_ratio,
                           static_cast<double>(c_.volume_min_events)});
        };
        double e_med, e_mad, p_med, p_mad;
        const double e_thr = threshold(counts, &e_med, &e_mad);
        const double p_thr = threshold(distinct, &p_med, &p_mad);
        if (static_cast<double>(n) > e_thr || static_cast<double>(p) > p_thr) {
          finding = fmt::format(
              "{}: {} events touching {} distinct patients on {}; baseline over {} active days: "
              "median {:.0f} events/day (MAD {:.1f}), {:.0f} patients/day (MAD {:.1f})",
              actor, n, p, day_name, active, e_med, e_mad, p_med, p_mad);
        }
      } else if (n > c_.volume_absolute_events) {
        finding = fmt::format("{}: {} events on {} with no baseline yet ({} active days); above the "
                              "absolute limit {}",
                              actor, n, day_name, active, c_.volume_absolute_events);
      }
      if (!finding.empty()) {
        Emit(kRuleVolumeSpike, Severity::kHigh, actor, day_events, std::move(finding), day_name);
      }
    }

    if (Enabled(kRuleOffHours) && !service) {
      HourWindow w;
      if (learned) {
        w = LearnWindow(times, c_);
      } else {
        w.lo = c_.default_start_minute;
        w.hi = c_.default_end_minute;
      }
      // Staying late or starting early is not off-hours access: an access outside the window is
      // excused when a chain of accesses with gaps of at most continuation_minutes links it to an
      // access inside the window (looked for from the day before to the day after).
      const int64_t gap = int64_t{c_.continuation_minutes} * kMinuteUs;
      auto from = day_begin(day - 1);
      auto to = day_begin(day + 2);
      const size_t n = static_cast<size_t>(to - from);
      auto time_at = [&](size_t k) { return ev_[*(from + k)].time_us; };
      auto inside = [&](size_t k) { return !w.Outside(Local(*(from + k))); };
      std::vector<char> after(n, 0), before(n, 0);  // linked to an inside access before / after
      for (size_t k = 0; k < n; ++k) {
        after[k] = inside(k) || (k > 0 && after[k - 1] && time_at(k) - time_at(k - 1) <= gap);
      }
      for (size_t k = n; k-- > 0;) {
        before[k] = inside(k) || (k + 1 < n && before[k + 1] && time_at(k + 1) - time_at(k) <= gap);
      }
      std::vector<char> linked(n);
      for (size_t k = 0; k < n; ++k) linked[k] = after[k] || before[k];
      std::vector<size_t> outside;
      for (size_t k = 0; k < n; ++k) {
        const size_t i = *(from + k);
        if (Day(i) == day && IsNew(i) && w.Outside(Local(i)) && !linked[k]) outside.push_back(i);
      }
      if (!outside.empty()) {
        const double first = w.Minute(Local(outside.front())) + w.pivot_hour * 60;
        const double last = w.Minute(Local(outside.back())) + w.pivot_hour * 60;
        Emit(kRuleOffHours, Severity::kMedium, actor, outside,
             fmt::format("{}: {} accesses on {} between {} and {} (local), outside {} working "
                         "window {}-{}",
                         actor, outside.size(), day_name, Clock(first), Clock(last),
                         learned ? fmt::format("the usual ({} active days)", active)
                                 : std::string("the default"),
                         Clock(w.lo + w.pivot_hour * 60), Clock(w.hi + w.pivot_hour * 60)),
             day_name);
      }
    }

    if (Enabled(kRuleUnusualResource) && learned && !service) {
      Groups unusual;
      for (size_t i : day_events) {
        const std::string& r = ev_[i].event.resource_type;
        if (IsNew(i) && !r.empty() && resources.count(r) == 0) unusual[r].push_back(i);
      }
      for (const auto& [type, idx] : unusual) {
        Emit(kRuleUnusualResource, Severity::kLow, actor, idx,
             fmt::format("{} accessed resource type {} ({} events on {}), not touched in {} active "
                         "days before (usual: {})",
                         actor, type, idx.size(), day_name, active, JoinSet(resources)),
             Cat(day_name, "|", type));
      }
    }
  }
}

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "critical";
}

absl::StatusOr<Severity> ParseSeverity(std::string_view name) {
  for (Severity s : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (name == SeverityName(s)) return s;
  }
  return absl::InvalidArgumentError(Cat("unknown severity \"", name, "\" (low, medium, high, critical)"));
}

const std::vector<std::string_view>& AllAnomalyRules() {
  static const std::vector<std::string_view> kRules = {
      kRuleVolumeSpike, kRuleBulkExport,    kRuleOffHours,         kRuleUnusualResource,
      kRuleFlaggedRecord, kRuleRelatedPatient, kRuleServicePurpose, kRuleAuthFailureBurst,
      kRuleBreakGlass,  kRuleAiVendorBaa};
  return kRules;
}

std::pair<double, double> MedianMad(std::vector<double> values) {
  if (values.empty()) return {0, 0};
  auto median = [](std::vector<double>& v) {
    const size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + mid, v.end());
    double m = v[mid];
    if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), v.begin() + mid)) / 2;
    return m;
  };
  const double med = median(values);
  for (double& v : values) v = std::fabs(v - med);
  return {med, median(values)};
}

std::vector<Alert> AnomalyDetector::Detect(const std::vector<StoredEvent>& events,
                                           uint64_t first_new) const {
  std::vector<Alert> out;
  std::map<std::string, std::vector<size_t>> by_actor;
  for (size_t i = 0; i < events.size(); ++i) by_actor[events[i].event.actor.id].push_back(i);
  Judge judge(config_, events, first_new, out);
  for (const auto& [actor, mine] : by_actor) {
    if (std::none_of(mine.begin(), mine.end(), [&](size_t i) { return events[i].seq >= first_new; })) {
      continue;
    }
    judge.PerEventRules(mine);
    judge.AuthBursts(actor, mine);
    judge.BaselineRules(actor, mine);
  }
  std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    return std::tie(a.time_us, a.rule, a.identity) < std::tie(b.time_us, b.rule, b.identity);
  });
  return out;
}

absl::StatusOr<std::vector<Alert>> DetectInLog(AuditLog& log, const AnomalyDetector& detector,
                                               uint64_t begin, uint64_t end) {
  int64_t earliest = INT64_MAX;
  absl::Status s = log.ScanLeaves(begin, end, [&](const StoredLeaf& l) {
    earliest = std::min(earliest, l.time_us);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (earliest == INT64_MAX) return std::vector<Alert>{};
  const int64_t history = (int64_t{detector.config().baseline_days} + 2) * kDayUs;
  const int64_t from = earliest > INT64_MIN + history ? earliest - history : INT64_MIN;
  std::vector<StoredEvent> events;
  s = log.ScanLeavesByTime(from, INT64_MAX, [&](const StoredLeaf& l) {
    if (l.seq >= end) return absl::OkStatus();
    absl::StatusOr<StoredEvent> e = DecodeLeaf(l.leaf);
    if (!e.ok()) {
      return absl::DataLossError(
          Cat("audit entry ", l.seq, " does not decode; run `phiguard audit verify`"));
    }
    events.push_back(std::move(*e));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  std::stable_sort(events.begin(), events.end(),
                   [](const StoredEvent& a, const StoredEvent& b) { return a.seq < b.seq; });
  return detector.Detect(events, begin);
}

}  // namespace phiguard::audit
