#include "phiguard/risk/report.h"

#include <fmt/format.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cmath>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "phiguard/core/strings.h"
#include "phiguard/core/utf8.h"

extern char** environ;

namespace phiguard::risk {
namespace {

using json = nlohmann::ordered_json;

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// ---- the context file ----------------------------------------------------------------------

struct Context {
  std::string dataset_name, dataset_description, dataset_source;
  std::vector<std::pair<std::string, std::string>> qis;  // name, why
  std::string recipient, environment;
  std::optional<double> threshold;
  std::string threshold_preset, threshold_why;
  std::string expert_name, expert_qualification, expert_date;
};

absl::StatusOr<std::string> Text(const YAML::Node& node, const std::string& key, bool required) {
  if (!node || node.IsNull()) {
    if (required) return absl::InvalidArgumentError(Cat("context: '", key, "' is required"));
    return std::string();
  }
  if (!node.IsScalar()) return absl::InvalidArgumentError(Cat("context: '", key, "' must be text"));
  std::string v = node.as<std::string>();
  if (required && StripAscii(v).empty()) {
    return absl::InvalidArgumentError(Cat("context: '", key, "' is empty"));
  }
  return v;
}

#define ASSIGN_TEXT(target, node, key, required)        \
  do {                                                  \
    auto v_ = Text(node, key, required);                \
    if (!v_.ok()) return v_.status();                   \
    target = std::move(*v_);                            \
  } while (0)

absl::StatusOr<Context> ParseContext(const std::string& text) {
  // Every text is written into the JSON summary, which must be UTF-8 (found by fuzzing).
  if (std::optional<size_t> bad = FindInvalidUtf8(text)) {
    return absl::InvalidArgumentError(Cat("context: not valid UTF-8 (byte ", *bad + 1, ")"));
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        Cat("context: not valid YAML (line ", e.mark.line + 1, ")"));
  }
  if (!root.IsMap()) return absl::InvalidArgumentError("context: expected a mapping at the top");
  Context c;
  try {
    const YAML::Node d = root["dataset"];
    if (!d || !d.IsMap()) return absl::InvalidArgumentError("context: 'dataset' is required");
    ASSIGN_TEXT(c.dataset_name, d["name"], "dataset.name", false);
    ASSIGN_TEXT(c.dataset_description, d["description"], "dataset.description", true);
    ASSIGN_TEXT(c.dataset_source, d["source"], "dataset.source", false);
    const YAML::Node q = root["quasi_identifiers"];
    if (q && q.IsMap()) {
      for (const auto& kv : q) {
        std::string why;
        ASSIGN_TEXT(why, kv.second, "quasi_identifiers." + kv.first.as<std::string>(), false);
        c.qis.emplace_back(kv.first.as<std::string>(), why);
      }
    } else if (q && q.IsSequence()) {
      for (const auto& item : q) {
        std::string name, why;
        ASSIGN_TEXT(name, item["name"], "quasi_identifiers[].name", true);
        ASSIGN_TEXT(why, item["why"], "quasi_identifiers[].why", false);
        c.qis.emplace_back(name, why);
      }
    } else if (q && !q.IsNull()) {
      return absl::InvalidArgumentError(
          "context: 'quasi_identifiers' must map each column to why it is one");
    }
    ASSIGN_TEXT(c.recipient, root["recipient"], "recipient", true);
    ASSIGN_TEXT(c.environment, root["environment"], "environment", true);
    const YAML::Node t = root["thresholds"];
    if (!t || !t.IsMap()) return absl::InvalidArgumentError("context: 'thresholds' is required");
    if (t["value"]) {
      double v = 0;
      if (!t["value"].IsScalar() || !ParseNumber(StripAscii(t["value"].as<std::string>()), v) ||
          !(v > 0 && v <= 1)) {
        return absl::InvalidArgumentError("context: 'thresholds.value' must be a number in (0, 1]");
      }
      c.threshold = v;
    }
    ASSIGN_TEXT(c.threshold_preset, t["preset"], "thresholds.preset", false);
    ASSIGN_TEXT(c.threshold_why, t["why"], "thresholds.why", true);
    const YAML::Node e = root["expert"];
    if (e && e.IsMap()) {
      ASSIGN_TEXT(c.expert_name, e["name"], "expert.name", false);
      ASSIGN_TEXT(c.expert_qualification, e["qualification"], "expert.qualification", false);
      ASSIGN_TEXT(c.expert_date, e["date"], "expert.date", false);
    } else if (e && !e.IsNull()) {
      return absl::InvalidArgumentError("context: 'expert' must be a mapping");
    }
  } catch (const YAML::Exception&) {
    return absl::InvalidArgumentError("context: unexpected structure");
  }
  return c;
}

#undef ASSIGN_TEXT

// ---- the machine inputs --------------------------------------------------------------------

absl::StatusOr<json> ParseJson(const std::string& text, const char* what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(Cat(what, ": not a JSON object"));
  }
  return j;
}

// A RiskReportJson object reduced to what the report shows; null stays null.
absl::StatusOr<json> RiskSummary(const json& r, const std::string& where) {
  if (r.is_null()) return json();
  if (!r.is_object() || !r.contains("risk") || !r["risk"].is_object()) {
    return absl::InvalidArgumentError(Cat(where, ": expected a risk report with 'risk'"));
  }
  json out = json::object();
  for (const char* key : {"records", "classes", "k", "sample_uniques", "threshold"}) {
    if (r.contains(key)) out[key] = r[key];
  }
  const json& risk = r["risk"];
  for (const char* model : {"prosecutor", "journalist", "marketer"}) {
    if (risk.contains(model)) out[model] = risk[model];
  }
  if (r.contains("population_uniqueness")) out["population_uniqueness"] = r["population_uniqueness"];
  if (r.contains("sensitive")) out["sensitive"] = r["sensitive"];
  return out;
}

double Number(const json& j, std::initializer_list<const char*> path) {
  const json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return NAN;
    at = &(*at)[key];
  }
  return at->is_number() ? at->get<double>() : NAN;
}

std::string Show(const json& v) {
  if (v.is_null()) return "—";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return fmt::format("{:.6g}", v.get<double>());
  return v.dump();
}

std::string Now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// ---- HTML ----------------------------------------------------------------------------------

constexpr char kCss[] = R"(body{font-family:Georgia,serif;max-width:52em;margin:2em auto;color:#111;line-height:1.45}
h1{font-size:1.6em;border-bottom:2px solid #333}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #aaa}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eee}td.n{text-align:right;font-family:monospace}.warn{background:#fff3cd;border:1px solid #e0b000;padding:.5em}
.ok{color:#135f13}.bad{color:#a00}.sig td{height:2.2em}.small{font-size:.85em;color:#555}
@media print{body{margin:0}h2{page-break-after:avoid}})";

struct Html {
  std::string out;
  void Raw(std::string_view s) { out.append(s); }
  void H2(std::string_view s) { out += Cat("<h2>", Escape(s), "</h2>\n"); }
  void P(std::string_view s) { out += Cat("<p>", Escape(s), "</p>\n"); }
  void Row(std::initializer_list<std::string> cells, bool header = false) {
    out += "<tr>";
    for (const std::string& c : cells) {
      // Numbers right-aligned in a fixed-width font; text as text.
      double number = 0;
      const bool numeric = ParseNumber(StripAscii(c), number);
      const char* tag = header ? "th" : (numeric ? "td class=\"n\"" : "td");
      out += Cat("<", tag, ">", Escape(c), "</", header ? "th" : "td", ">");
    }
    out += "</tr>\n";
  }
};

void RiskTable(Html& h, const json& before, const json& after) {
  const bool two = !before.is_null();
  h.Raw("<table>\n");
  if (two) {
    h.Row({"Measure", "Before", "After"}, true);
  } else {
    h.Row({"Measure", "Value"}, true);
  }
  auto row = [&](const std::string& label, std::initializer_list<const char*> path) {
    auto cell = [&](const json& r) {
      const json* at = &r;
      for (const char* key : path) {
        if (!at->is_object() || !at->contains(key)) return std::string("—");
        at = &(*at)[key];
      }
      return Show(*at);
    };
    if (two) {
      h.Row({label, cell(before), cell(after)});
    } else {
      h.Row({label, cell(after)});
    }
  };
  row("Records", {"records"});
  row("Equivalence classes", {"classes"});
  row("k (smallest class)", {"k"});
  row("Sample uniques", {"sample_uniques"});
  row("Prosecutor risk, highest", {"prosecutor", "highest"});
  row("Prosecutor risk, average", {"prosecutor", "average"});
  row("Prosecutor: share of records above the threshold", {"prosecutor", "records_at_risk"});
  row("Journalist risk, highest", {"journalist", "highest"});
  row("Journalist risk, average", {"journalist", "average"});
  row("Journalist: share of records above the threshold", {"journalist", "records_at_risk"});
  row("Marketer risk", {"marketer", "average"});
  row("Population uniques (Dankar)", {"population_uniqueness", "dankar", "uniques"});
  row("Population uniqueness model", {"population_uniqueness", "dankar", "model"});
  h.Raw("</table>\n");
}

void SensitiveTable(Html& h, const json& analysis) {
  if (!analysis.is_object() || !analysis.contains("sensitive") || analysis["sensitive"].empty()) {
    return;
  }
  h.Raw("<table>\n");
  h.Row({"Sensitive attribute", "distinct-l", "entropy-l", "recursive-(c,l)", "t (equal)",
         "t (ordered)", "t (hierarchical)"},
        true);
  for (const json& s : analysis["sensitive"]) {
    auto get = [&](const char* k) { return s.contains(k) ? Show(s[k]) : std::string("—"); };
    std::string cl = s.contains("recursive_cl")
                         ? Cat("c=", Show(s["recursive_cl"]["c"]), ", l=", Show(s["recursive_cl"]["l"]))
                         : "—";
    h.Row({get("name"), get("distinct_l"), get("entropy_l"), cl, get("t_closeness"),
           get("t_closeness_ordered"), get("t_closeness_hierarchical")});
  }
  h.Raw("</table>\n");
}

}  // namespace

absl::StatusOr<DeterminationReport> BuildDeterminationReport(const ReportInputs& in) {
  if (in.anonymize_json.empty() && in.analyze_json.empty()) {
    return absl::InvalidArgumentError("give the anonymize report, the analyze report, or both");
  }
  auto ctx = ParseContext(in.context_yaml);
  if (!ctx.ok()) return ctx.status();
  json anon, analysis_raw;
  if (!in.anonymize_json.empty()) {
    auto j = ParseJson(in.anonymize_json, "anonymize report");
    if (!j.ok()) return j.status();
    anon = std::move(*j);
    if (!anon.contains("risk") || !anon["risk"].is_object() || !anon["risk"].contains("after")) {
      return absl::InvalidArgumentError("anonymize report: 'risk.after' is missing");
    }
  }
  if (!in.analyze_json.empty()) {
    auto j = ParseJson(in.analyze_json, "analyze report");
    if (!j.ok()) return j.status();
    analysis_raw = std::move(*j);
  }
  json before, after, analysis;
  if (!anon.is_null()) {
    auto b = RiskSummary(anon["risk"].value("before", json()), "anonymize report: risk.before");
    if (!b.ok()) return b.status();
    auto a = RiskSummary(anon["risk"]["after"], "anonymize report: risk.after");
    if (!a.ok()) return a.status();
    before = std::move(*b);
    after = std::move(*a);
  }
  if (!analysis_raw.is_null()) {
    auto a = RiskSummary(analysis_raw, "analyze report");
    if (!a.ok()) return a.status();
    analysis = std::move(*a);
    if (after.is_null()) after = analysis;
  }

  DeterminationReport out;
  // Quasi-identifiers: those the analysis used, with the context's reasons.
  std::vector<std::string> used;
  const json& qi_source = !anon.is_null() ? anon : analysis_raw;
  if (qi_source.contains("quasi_identifiers") && qi_source["quasi_identifiers"].is_array()) {
    for (const json& q : qi_source["quasi_identifiers"]) {
      used.push_back(q.is_string() ? q.get<std::string>() : q.value("name", q.dump()));
    }
  }
  std::vector<std::pair<std::string, std::string>> qis;
  for (const std::string& q : used) {
    std::string why;
    for (const auto& [name, reason] : ctx->qis) {
      if (name == q) why = reason;
    }
    if (StripAscii(why).empty()) {
      out.warnings.push_back(Cat("quasi-identifier '", q, "' has no reason in the context file"));
    }
    qis.emplace_back(q, why);
  }
  for (const auto& [name, reason] : ctx->qis) {
    if (std::find(used.begin(), used.end(), name) == used.end()) {
      out.warnings.push_back(
          Cat("the context names quasi-identifier '", name, "', which the analysis did not use"));
      qis.emplace_back(name, reason + " [not used in the analysis]");
    }
  }
  const double threshold = ctx->threshold ? *ctx->threshold : Number(after, {"threshold"});
  const double highest_after = Number(after, {"prosecutor", "highest"});
  const double journalist_after = Number(after, {"journalist", "highest"});
  const bool meets = !std::isnan(threshold) && !std::isnan(highest_after) &&
                     highest_after <= threshold + 1e-12;
  if (!std::isnan(threshold) && !std::isnan(highest_after) && !meets) {
    out.warnings.push_back(fmt::format(
        "the highest prosecutor risk after ({:.4g}) exceeds the threshold ({:.4g})",
        highest_after, threshold));
  }
  const std::string generated = in.generated_at.empty() ? Now() : in.generated_at;

  // JSON summary.
  json j;
  j["format"] = "phiguard-determination-report/1";
  j["generated_at"] = generated;
  j["dataset"] = {{"name", ctx->dataset_name},
                  {"description", ctx->dataset_description},
                  {"source", ctx->dataset_source}};
  if (!anon.is_null() && anon.contains("input")) j["dataset"]["input"] = anon["input"];
  j["quasi_identifiers"] = json::array();
  for (const auto& [name, why] : qis) j["quasi_identifiers"].push_back({{"name", name}, {"why", why}});
  j["recipient"] = ctx->recipient;
  j["environment"] = ctx->environment;
  j["threshold"] = {{"value", std::isnan(threshold) ? json() : json(threshold)},
                    {"preset", ctx->threshold_preset},
                    {"why", ctx->threshold_why}};
  j["privacy_models"] = anon.is_null() ? json::array() : anon.value("privacy_models", json::array());
  j["risk"] = {{"before", before}, {"after", after}};
  if (!analysis.is_null()) j["analysis"] = analysis;
  for (const char* key : {"transformation", "suppressed", "classes", "min_class_size", "utility", "search"}) {
    if (!anon.is_null() && anon.contains(key)) j[key] = anon[key];
  }
  j["meets_threshold"] = std::isnan(threshold) || std::isnan(highest_after) ? json() : json(meets);
  j["warnings"] = out.warnings;
  j["expert"] = {{"name", ctx->expert_name},
                 {"qualification", ctx->expert_qualification},
                 {"date", ctx->expert_date},
                 {"signature", nullptr}};
  out.json = j.dump(2) + "\n";

  // HTML.
  Html h;
  const std::string title =
      ctx->dataset_name.empty() ? "Expert Determination" : "Expert Determination: " + ctx->dataset_name;
  h.Raw(Cat("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", Escape(title),
            "</title><style>", kCss, "</style></head><body>\n"));
  h.Raw(Cat("<h1>", Escape(title), "</h1>\n"));
  h.Raw(Cat("<p class=\"small\">De-identification by Expert Determination, 45 CFR 164.514(b)(1). "
            "Generated by phiguard on ",
            Escape(generated), ".</p>\n"));
  if (!out.warnings.empty()) {
    h.Raw("<div class=\"warn\"><strong>Before signing:</strong><ul>");
    for (const std::string& w : out.warnings) h.Raw(Cat("<li>", Escape(w), "</li>"));
    h.Raw("</ul></div>\n");
  }
  h.H2("1. Data set");
  h.P(ctx->dataset_description);
  h.Raw("<table>\n");
  if (!ctx->dataset_source.empty()) h.Row({"Source", ctx->dataset_source});
  if (!anon.is_null() && anon.contains("input")) {
    h.Row({"Input file", Show(anon["input"].value("path", json()))});
    h.Row({"Records", Show(anon["input"].value("records", json()))});
  } else if (after.contains("records")) {
    h.Row({"Records", Show(after["records"])});
  }
  h.Raw("</table>\n");
  h.H2("2. Quasi-identifiers and why");
  h.Raw("<table>\n");
  h.Row({"Column", "Why an attacker could know it"}, true);
  for (const auto& [name, why] : qis) h.Row({name, why.empty() ? "(no reason given)" : why});
  h.Raw("</table>\n");
  h.H2("3. Anticipated recipient and environment");
  h.Raw(Cat("<p><strong>Recipient.</strong> ", Escape(ctx->recipient), "</p>\n"));
  h.Raw(Cat("<p><strong>Environment.</strong> ", Escape(ctx->environment), "</p>\n"));
  h.H2("4. Risk models and thresholds");
  h.P("Prosecutor risk: the attacker knows the person is in the data set; a record's risk is one "
      "over the size of its equivalence class. Journalist risk: the attacker knows the person is in "
      "a population the data set samples; the class's size in the population replaces its size in "
      "the data. Marketer risk: the expected share of records re-identified when every record is "
      "attacked. Population uniqueness: the estimated share of the population unique on the "
      "quasi-identifiers (Pitman, Zayatz or SNB, chosen by Dankar et al.'s rule).");
  h.Raw("<table>\n");
  h.Row({"Threshold (highest acceptable re-identification probability)",
         std::isnan(threshold) ? "—" : fmt::format("{:.4g}", threshold)},
        false);
  if (!ctx->threshold_preset.empty()) h.Row({"Preset", ctx->threshold_preset});
  h.Row({"Why this threshold", ctx->threshold_why});
  if (j["privacy_models"].is_array() && !j["privacy_models"].empty()) {
    std::string models;
    for (const json& m : j["privacy_models"]) models += (models.empty() ? "" : "; ") + Show(m);
    h.Row({"Privacy models enforced", models});
  }
  h.Raw("</table>\n");
  h.H2(before.is_null() ? "5. Results" : "5. Results before and after");
  RiskTable(h, before, after);
  if (!std::isnan(highest_after) && !std::isnan(threshold)) {
    h.Raw(Cat("<p class=\"", meets ? "ok" : "bad", "\">Highest prosecutor risk ",
              Escape(fmt::format("{:.4g}", highest_after)), meets ? " is within " : " exceeds ",
              "the threshold ", Escape(fmt::format("{:.4g}", threshold)),
              std::isnan(journalist_after)
                  ? ""
                  : Escape(fmt::format(" (journalist: {:.4g})", journalist_after)),
              ".</p>\n"));
  }
  SensitiveTable(h, analysis.is_null() ? after : analysis);
  h.H2("6. Transformation");
  if (!anon.is_null() && anon.contains("transformation") && anon["transformation"].is_object()) {
    h.Raw("<table>\n");
    h.Row({"Column", "Generalisation level"}, true);
    for (const auto& [col, level] : anon["transformation"].items()) h.Row({col, Show(level)});
    h.Raw("</table>\n<table>\n");
    for (const char* key : {"suppressed", "classes", "min_class_size"}) {
      if (anon.contains(key)) {
        static const std::map<std::string, std::string> kLabels = {
            {"suppressed", "Records suppressed"},
            {"classes", "Equivalence classes"},
            {"min_class_size", "Smallest class"}};
        h.Row({kLabels.at(key), Show(anon[key])});
      }
    }
    h.Raw("</table>\n");
  } else {
    h.P("No transformation: the data set is released as analysed.");
  }
  h.H2("7. Utility lost");
  if (!anon.is_null() && anon.contains("utility") && anon["utility"].is_object()) {
    h.Raw("<table>\n");
    h.Row({"Metric", Show(anon["utility"].value("metric", json()))});
    h.Row({"Value", Show(anon["utility"].value("value", json()))});
    h.Raw("</table>\n");
  } else {
    h.P("Not measured (no anonymisation report).");
  }
  h.H2("8. Determination");
  h.P("I have applied generally accepted statistical and scientific principles and methods for "
      "rendering information not individually identifiable, and determine that the risk is very "
      "small that the information could be used, alone or in combination with other reasonably "
      "available information, by the anticipated recipient to identify an individual who is a "
      "subject of the information.");
  h.Raw("<table class=\"sig\">\n");
  h.Row({"Expert's name", ctx->expert_name});
  h.Row({"Qualification", ctx->expert_qualification});
  h.Row({"Date", ctx->expert_date});
  h.Row({"Signature", ""});
  h.Raw("</table>\n</body></html>\n");
  out.html = std::move(h.out);

  out.summary = fmt::format(
      "determination report: {} quasi-identifiers, threshold {}, highest prosecutor risk after {}{}\n",
      qis.size(), std::isnan(threshold) ? "not set" : fmt::format("{:.4g}", threshold),
      std::isnan(highest_after) ? "unknown" : fmt::format("{:.4g}", highest_after),
      std::isnan(threshold) || std::isnan(highest_after) ? ""
      : meets                                             ? " (within)"
                                                          : " (EXCEEDS)");
  return out;
}

absl::StatusOr<std::string> FindChromium(const std::string& explicit_path) {
  auto executable = [](const std::string& p) { return ::access(p.c_str(), X_OK) == 0; };
  if (!explicit_path.empty()) {
    if (executable(explicit_path)) return explicit_path;
    return absl::NotFoundError(Cat("Chromium '", explicit_path, "' is not an executable file"));
  }
  const char* path = std::getenv("PATH");
  for (const char* name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    for (std::string_view dir : Split(path ? path : "", ':')) {
      if (dir.empty()) continue;
      std::string candidate = Cat(dir, "/", name);
      if (executable(candidate)) return candidate;
    }
  }
  return absl::NotFoundError(
      "PDF output needs Chromium and none is installed (looked for chromium, chromium-browser, "
      "google-chrome on PATH); install the Debian package 'chromium', pass --chromium PATH, or "
      "print the HTML report from a browser");
}

absl::Status RenderPdf(const std::string& chromium, const std::string& html,
                       const std::string& pdf_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = fs::temp_directory_path(ec) / Cat("phiguard-report-", ::getpid());
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError("cannot create a temporary directory for the PDF");
  const fs::path page = dir / "report.html";
  const fs::path pdf = dir / "report.pdf";
  {
    std::ofstream f(page, std::ios::binary);
    f << html;
    if (!f) {
      fs::remove_all(dir, ec);
      return absl::InternalError("cannot write the temporary HTML page");
    }
  }
  std::vector<std::string> args = {chromium,
                                   "--headless",
                                   "--disable-gpu",
                                   "--no-sandbox",
                                   "--no-pdf-header-footer",
                                   Cat("--user-data-dir=", (dir / "profile").string()),
                                   Cat("--print-to-pdf=", pdf.string()),
                                   Cat("file://", page.string())};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawn(&pid, chromium.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  absl::Status status;
  if (rc != 0) {
    status = absl::InternalError(Cat("cannot start Chromium (error ", rc, ")"));
  } else {
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || !fs::exists(pdf)) {
      status = absl::InternalError(
          Cat("Chromium did not print the PDF (exit status ",
              WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, ")"));
    } else {
      fs::rename(pdf, pdf_path, ec);
      if (ec) {
        fs::copy_file(pdf, pdf_path, fs::copy_options::overwrite_existing, ec);
        if (ec) status = absl::InternalError(Cat("cannot write ", pdf_path));
      }
    }
  }
  fs::remove_all(dir, ec);
  return status;
}

}  // namespace phiguard::risk
