// phiguard audit watch | alerts | synth: anomaly detection over the audit log (see docs/audit.md,
// "Anomaly detection").
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "audit_support.h"
#include "phiguard/audit/alert_store.h"
#include "phiguard/audit/alert_webhook.h"
#include "phiguard/audit/anomaly.h"
#include "phiguard/audit/anomaly_synth.h"

namespace phiguard::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

struct WatchFlags {
  std::string config;
  std::string webhook;
  audit::WebhookOptions webhook_options;
  bool follow = false;
  int interval_s = 30;
};

std::unique_ptr<audit::AlertStore> OpenAlerts(const AuditOptions& o) {
  absl::StatusOr<std::unique_ptr<audit::AlertStore>> store = audit::AlertStore::Open(o.db);
  if (!store.ok()) Fail(store.status());
  return std::move(*store);
}

// One pass: judges the events appended since the last pass, stores the alerts and the new
// position together, prints the new alerts as JSON lines, then delivers undelivered alerts.
// Returns false if the webhook could not take them all.
bool WatchOnce(audit::AuditLog& log, audit::AlertStore& alerts, const audit::AnomalyDetector& det,
               const WatchFlags& f) {
  absl::StatusOr<uint64_t> begin = alerts.WatchedEnd();
  if (!begin.ok()) Fail(begin.status());
  absl::StatusOr<audit::TreeHead> head = log.Head();
  if (!head.ok()) Fail(head.status());
  const uint64_t end = std::max(head->size, *begin);
  absl::StatusOr<std::vector<audit::Alert>> found = audit::DetectInLog(log, det, *begin, end);
  if (!found.ok()) Fail(found.status());
  absl::StatusOr<std::vector<int64_t>> ids = alerts.Record(*found, end);
  if (!ids.ok()) Fail(ids.status());
  for (int64_t id : *ids) {
    absl::StatusOr<audit::StoredAlert> a = alerts.Get(id);
    if (!a.ok()) Fail(a.status());
    std::printf("%s\n", audit::AlertToJson(*a).c_str());
  }
  std::fflush(stdout);
  std::fprintf(stderr, "phiguard: watched entries %llu-%llu: %zu new alerts\n",
               static_cast<unsigned long long>(*begin), static_cast<unsigned long long>(end),
               ids->size());
  if (f.webhook.empty()) return true;
  absl::StatusOr<audit::DeliveryReport> r = audit::DeliverPending(alerts, f.webhook, f.webhook_options);
  if (!r.ok()) Fail(r.status());
  if (r->delivered > 0) std::fprintf(stderr, "phiguard: webhook took %d alerts\n", r->delivered);
  if (r->failed > 0) {
    std::fprintf(stderr, "phiguard: webhook delivery failed (%s); alerts kept, marked undelivered\n",
                 r->last_error.c_str());
    return false;
  }
  return true;
}

void RunWatch(const AuditOptions& o, const WatchFlags& f) {
  if (!f.webhook.empty()) {
    absl::Status url = audit::CheckWebhookUrl(f.webhook);
    if (!url.ok()) UsageError(Cat("--webhook: ", url.message()));
  }
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o);
  audit::AnomalyConfig config;
  if (!f.config.empty()) {
    absl::StatusOr<audit::AnomalyConfig> c = audit::LoadAnomalyConfig(f.config, log->audit_key());
    if (!c.ok()) Fail(c.status());
    config = std::move(*c);
  }
  const audit::AnomalyDetector detector(std::move(config));
  std::unique_ptr<audit::AlertStore> alerts = OpenAlerts(o);
  if (!f.follow) {
    if (!WatchOnce(*log, *alerts, detector, f)) {
      throw CommandError{1, "some alerts were not delivered to the webhook"};
    }
    return;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop) {
    WatchOnce(*log, *alerts, detector, f);
    for (int i = 0; i < f.interval_s * 10 && !g_stop; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

struct AlertsFlags {
  bool json = false;
  std::string rule;
  bool undelivered = false;
  std::string min_severity;
  size_t limit = 100;
};

void RunAlerts(const AuditOptions& o, const AlertsFlags& f) {
  audit::AlertStore::Filter filter;
  filter.rule = f.rule;
  filter.undelivered_only = f.undelivered;
  filter.limit = f.limit;
  if (!f.min_severity.empty()) {
    absl::StatusOr<audit::Severity> s = audit::ParseSeverity(f.min_severity);
    if (!s.ok()) UsageError(Cat("--min-severity: ", s.status().message()));
    filter.min_severity = *s;
  }
  if (!f.rule.empty()) {
    const auto& rules = audit::AllAnomalyRules();
    if (std::find(rules.begin(), rules.end(), f.rule) == rules.end()) {
      UsageError(Cat("--rule: unknown rule \"", f.rule, "\""));
    }
  }
  std::unique_ptr<audit::AlertStore> alerts = OpenAlerts(o);
  absl::StatusOr<std::vector<audit::StoredAlert>> rows = alerts->List(filter);
  if (!rows.ok()) Fail(rows.status());
  if (f.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const audit::StoredAlert& a : *rows) {
      out.push_back(nlohmann::ordered_json::parse(audit::AlertToJson(a)));
    }
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  std::printf("%-6s %-20s %-8s %-18s %-20s %-7s %-9s %s\n", "ID", "TIME", "SEVERITY", "RULE",
              "IDENTITY", "EVENTS", "DELIVERED", "EXPLANATION");
  for (const audit::StoredAlert& a : *rows) {
    std::string seqs;
    for (size_t i = 0; i < a.alert.seqs.size() && i < 3; ++i) seqs += Cat(i ? "," : "", a.alert.seqs[i]);
    if (a.alert.seqs.size() > 3) seqs += Cat(",+", a.alert.seqs.size() - 3);
    std::printf("%-6lld %-20s %-8s %-18s %-20s %-7s %-9s %s\n", static_cast<long long>(a.id),
                audit::FormatRfc3339Micros(a.alert.time_us).substr(0, 19).c_str(),
                std::string(audit::SeverityName(a.alert.severity)).c_str(), a.alert.rule.c_str(),
                a.alert.identity.c_str(), seqs.c_str(),
                a.delivered ? "yes" : (a.delivery_attempts > 0 ? "FAILED" : "no"),
                a.alert.explanation.c_str());
  }
  std::fprintf(stderr, "phiguard: %zu alerts; prove an event with `phiguard audit prove --index SEQ`\n",
               rows->size());
}

void RunSynth(const std::string& out_dir, const audit::SynthOptions& options, bool report) {
  absl::StatusOr<audit::SynthReport> r = audit::WriteSyntheticLog(out_dir, options, report);
  if (!r.ok()) Fail(r.status());
  std::fprintf(stderr, "phiguard: wrote %s/{events.jsonl,truth.jsonl,anomaly.yaml,relationships.yaml}"
               " (%zu events, %zu incidents; judge from entry %llu)\n",
               out_dir.c_str(), r->events, r->incidents,
               static_cast<unsigned long long>(r->judge_from));
  if (report) std::printf("%s", audit::FormatScores(r->scores).c_str());
}

}  // namespace

void RegisterAuditWatch(CLI::App& audit, const GlobalOptions& global) {
  auto opts = std::make_shared<AuditOptions>();

  auto wf = std::make_shared<WatchFlags>();
  CLI::App* watch = audit.add_subcommand(
      "watch",
      "Judge the entries appended since the last pass with the anomaly rules, store the alerts\n"
      "and send undelivered ones to --webhook (exit 1 if it fails; they stay stored).\n"
      "Example:\n  phiguard audit watch --config data/samples/audit-anomaly.yaml "
      "--webhook https://siem.example/hook");
  AddAuditOptions(*watch, *opts);
  watch->add_option("--config", wf->config, "Anomaly configuration (YAML or JSON)")
      ->check(CLI::ExistingFile);
  watch->add_option("--webhook", wf->webhook, "POST each alert as JSON here (https; http to loopback)");
  watch->add_option("--webhook-attempts", wf->webhook_options.max_attempts, "Attempts per alert")
      ->capture_default_str()
      ->check(CLI::Range(1, 20));
  watch->add_option("--webhook-timeout-ms", wf->webhook_options.timeout_ms, "Per attempt")
      ->capture_default_str()
      ->check(CLI::Range(100, 600'000));
  watch->add_option("--webhook-backoff-ms", wf->webhook_options.backoff_ms,
                    "Wait before the first retry (doubles after)")
      ->capture_default_str()
      ->check(CLI::Range(0, 60'000));
  watch->add_option("--webhook-ca", wf->webhook_options.ca_file, "CA file (PEM) for an https webhook")
      ->check(CLI::ExistingFile);
  watch->add_flag("--follow", wf->follow, "Keep watching; a pass every --interval seconds");
  watch->add_option("--interval", wf->interval_s, "Seconds between passes with --follow")
      ->capture_default_str()
      ->check(CLI::Range(1, 86'400));
  watch->callback([&global, opts, wf] { RunWatch(ResolveAudit(global, *opts), *wf); });

  auto af = std::make_shared<AlertsFlags>();
  CLI::App* alerts = audit.add_subcommand("alerts", "List stored anomaly alerts, newest first");
  AddAuditOptions(*alerts, *opts);
  alerts->add_flag("--json", af->json, "JSON array");
  alerts->add_option("--rule", af->rule, "Only this rule");
  alerts->add_flag("--undelivered", af->undelivered, "Only alerts the webhook has not taken");
  alerts->add_option("--min-severity", af->min_severity, "low, medium, high or critical");
  alerts->add_option("--limit", af->limit, "Most alerts shown")->capture_default_str()->check(
      CLI::Range(1, 1'000'000));
  alerts->callback([&global, opts, af] { RunAlerts(ResolveAudit(global, *opts), *af); });

  auto so = std::make_shared<audit::SynthOptions>();
  auto out_dir = std::make_shared<std::string>();
  auto report = std::make_shared<bool>(false);
  CLI::App* synth = audit.add_subcommand(
      "synth", "Synthetic access log with labelled injected misuse, and the detector's scores");
  synth->group("");  // hidden: a benchmark tool
  synth->add_option("--out", *out_dir, "Directory for events.jsonl, truth.jsonl and configs")
      ->required();
  synth->add_option("--staff", so->staff, "People")->capture_default_str()->check(CLI::Range(1, 100'000));
  synth->add_option("--days", so->days, "Days of activity")->capture_default_str()->check(CLI::Range(2, 3660));
  synth->add_option("--warmup-days", so->warmup_days, "Days of history before misuse is injected")
      ->capture_default_str();
  synth->add_option("--incidents", so->incidents_per_rule, "Injected incidents per rule")
      ->capture_default_str()
      ->check(CLI::Range(0, 10'000));
  synth->add_option("--seed", so->seed, "Random seed")->capture_default_str();
  synth->add_flag("--report", *report, "Also run the detector and print precision/recall per rule");
  synth->callback([so, out_dir, report] { RunSynth(*out_dir, *so, *report); });
}

}  // namespace phiguard::cli
