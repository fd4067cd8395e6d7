// phiguard risk analyze | link | report: re-identification risk of a data set, linkage across
// sources, and the Expert Determination report.
#include <cstdio>
#include <fstream>

#include "commands.h"
#include "engine.h"
#include "phiguard/core/csv.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/risk/linkage.h"
#include "phiguard/risk/report.h"
#include "phiguard/risk/risk_analysis.h"

namespace phiguard::cli {
namespace {

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  for (std::string_view part : Split(s, ',')) {
    part = StripAscii(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

char DelimiterOf(const std::string& d, const char* option) {
  if (d == "\\t" || d == "tab") return '\t';
  if (d.size() != 1) UsageError(Cat(option, " must be one character (or \\t)"));
  return d[0];
}

// "name=value" -> (name, value); UsageError naming the option otherwise.
std::pair<std::string, std::string> NameValue(const std::string& s, const char* option) {
  size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
    UsageError(Cat(option, " takes NAME=VALUE, got '", s, "'"));
  }
  return {s.substr(0, eq), s.substr(eq + 1)};
}

// An input data set: CSV (any delimiter) or JSONL, chosen by --format or the file extension.
struct Input {
  std::string path = "-";
  std::string format;  // "csv", "jsonl" or "" (by extension)
  std::string delimiter = ",";
  std::unique_ptr<CsvReader> csv;
  std::unique_ptr<risk::RecordSource> records;

  bool IsJsonl() const {
    if (!format.empty()) return format == "jsonl";
    return path.ends_with(".jsonl") || path.ends_with(".ndjson");
  }
  // Opens the input reduced to `columns` (CSV header names, or JSONL keys / JSON pointers).
  void Open(const std::vector<std::string>& columns, const char* delimiter_option) {
    if (IsJsonl()) {
      auto r = risk::JsonlRecords(path, columns);
      if (!r.ok()) Fail(r.status());
      records = std::move(*r);
      return;
    }
    CsvOptions opts;
    opts.delimiter = DelimiterOf(delimiter, delimiter_option);
    auto reader = CsvReader::Open(path, opts);
    if (!reader.ok()) Fail(reader.status());
    csv = std::move(*reader);
    auto r = risk::CsvRecords(*csv, columns);
    if (!r.ok()) Fail(absl::InvalidArgumentError(Cat(path, ": ", r.status().message())));
    records = std::move(*r);
  }
};

void AddFormatOption(CLI::App* cmd, std::string& format, const char* name = "--format") {
  cmd->add_option(name, format, "Input format: csv or jsonl (default: by extension, .jsonl/.ndjson)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
}

// One value per line (blank lines skipped).
std::vector<std::string> ReadValues(const std::string& path) {
  auto lines = LineReader::Open(path, 1u << 20);
  if (!lines.ok()) Fail(lines.status());
  std::vector<std::string> values;
  std::string line;
  while ((*lines)->Next(line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!StripAscii(line).empty()) values.push_back(line);
  }
  if (!(*lines)->status().ok()) Fail((*lines)->status());
  return values;
}

void RegisterAnalyze(CLI::App* risk) {
  struct Opts {
    Input in;
    std::string out, qi, sensitive, preset, population_table, population_count = "count";
    std::string population_delimiter = ",", hierarchy_delimiter = ";";
    double threshold = 0.2, population_size = 0, recursive_c = 2;
    std::vector<std::string> orders, hierarchies;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* analyze = risk->add_subcommand(
      "analyze",
      "Equivalence classes over the quasi-identifiers: k, sample uniques, prosecutor, journalist\n"
      "and marketer risk, population uniqueness, l-diversity and t-closeness of sensitive columns.\n"
      "Example:\n  phiguard risk analyze --delimiter ';' --qi sex,age,race,marital-status \\\n"
      "      --sensitive salary-class --population-size 318857056 ../shared/data/arx-adult/adult.csv");
  analyze->add_option("input", o->in.path, "CSV or JSONL file ('-' or none: stdin)");
  analyze->add_option("--qi", o->qi,
                      "Quasi-identifiers, comma-separated (JSONL: keys or JSON pointers)")
      ->required();
  analyze->add_option("--sensitive", o->sensitive, "Sensitive attributes, comma-separated");
  auto* thr = analyze->add_option("--threshold", o->threshold,
                                  "Risk threshold: 0.2 (k=5), 0.33 (3), 0.09 (11), 0.05 (20)")
                  ->capture_default_str()
                  ->check(CLI::Range(0.000001, 1.0));
  analyze->add_option("--threshold-preset", o->preset,
                      "El Emam's threshold by name: cell3 (0.33), cell5 (0.2), cell11 (0.09), cell20 (0.05)")
      ->excludes(thr);
  analyze->add_option("--population-size", o->population_size,
                      "Population size N: estimate population uniques (Pitman, Zayatz, SNB, Dankar)")
      ->check(CLI::PositiveNumber);
  analyze->add_option("--population-table", o->population_table,
                      "CSV of quasi-identifier combinations and their population counts\n"
                      "(journalist and marketer risk)");
  analyze->add_option("--population-count-column", o->population_count,
                      "Count column of the population table")
      ->capture_default_str();
  analyze->add_option("--population-delimiter", o->population_delimiter,
                      "Field delimiter of the population table")
      ->capture_default_str();
  analyze->add_option("--recursive-c", o->recursive_c, "c of recursive (c,l)-diversity")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  analyze->add_option("--order", o->orders,
                      "COLUMN=FILE: the order of a sensitive column's values, one per line\n"
                      "(ordered t-closeness; numeric columns are ordered without it)");
  analyze->add_option("--hierarchy", o->hierarchies,
                      "COLUMN=FILE: an ARX hierarchy for a sensitive column (hierarchical t-closeness)");
  analyze->add_option("--hierarchy-delimiter", o->hierarchy_delimiter,
                      "Field delimiter of hierarchy files")
      ->capture_default_str();
  analyze->add_option("--delimiter", o->in.delimiter, "CSV field delimiter")->capture_default_str();
  AddFormatOption(analyze, o->in.format);
  analyze->add_option("-o,--out", o->out, "Write the report as JSON here");
  analyze->callback([o] {
    risk::RiskOptions opts;
    opts.quasi_identifiers = SplitList(o->qi);
    opts.sensitive = SplitList(o->sensitive);
    opts.threshold = o->threshold;
    if (!o->preset.empty()) {
      auto t = risk::ThresholdPreset(o->preset);
      if (!t.ok()) UsageError(std::string(t.status().message()));
      opts.threshold = *t;
    }
    opts.population_size = o->population_size;
    opts.recursive_c = o->recursive_c;
    if (opts.quasi_identifiers.empty()) UsageError("--qi names no column");
    // Check the column names before reading any file.
    auto sensitive_column = [&](const std::string& option, const std::string& spec) {
      auto [column, path] = NameValue(spec, option.c_str());
      if (std::find(opts.sensitive.begin(), opts.sensitive.end(), column) == opts.sensitive.end()) {
        UsageError(Cat(option, " names '", column, "', which is not a --sensitive column"));
      }
      return std::make_pair(column, path);
    };
    std::vector<std::pair<std::string, std::string>> orders, hierarchies;
    for (const std::string& s : o->orders) orders.push_back(sensitive_column("--order", s));
    for (const std::string& s : o->hierarchies) {
      hierarchies.push_back(sensitive_column("--hierarchy", s));
    }
    const char hdelim = DelimiterOf(o->hierarchy_delimiter, "--hierarchy-delimiter");
    for (const auto& [column, path] : orders) opts.orders[column] = ReadValues(path);
    for (const auto& [column, path] : hierarchies) {
      auto h = risk::Hierarchy::LoadArxCsv(path, hdelim);
      if (!h.ok()) Fail(h.status());
      opts.hierarchies.insert_or_assign(column, std::move(*h));
    }
    std::optional<risk::PopulationTable> table;
    if (!o->population_table.empty()) {
      CsvOptions popts;
      popts.delimiter = DelimiterOf(o->population_delimiter, "--population-delimiter");
      auto reader = CsvReader::Open(o->population_table, popts);
      if (!reader.ok()) Fail(reader.status());
      auto t = risk::ReadPopulationTable(**reader, opts.quasi_identifiers, o->population_count);
      if (!t.ok()) Fail(t.status());
      table = std::move(*t);
    }
    std::vector<std::string> columns = opts.quasi_identifiers;
    columns.insert(columns.end(), opts.sensitive.begin(), opts.sensitive.end());
    o->in.Open(columns, "--delimiter");
    auto classes = risk::BuildEquivalenceClasses(*o->in.records, opts, table ? &*table : nullptr);
    if (!classes.ok()) Fail(classes.status());
    auto report = risk::ComputeRisk(*classes, opts);
    if (!report.ok()) Fail(report.status());
    std::fputs(risk::FormatRiskReport(*report, opts).c_str(), stdout);
    if (!o->out.empty()) WriteWholeFile(o->out, risk::RiskReportJson(*report, opts));
  });
}

void RegisterLink(CLI::App* risk) {
  struct Opts {
    Input a, b;
    std::string qi, out;
    std::vector<std::string> maps;
    uint64_t small_group = 5;
    bool normalize = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* link = risk->add_subcommand(
      "link",
      "How many records of A link to exactly one record of B, to a small group, or to none, on\n"
      "the quasi-identifiers they share (can a de-identified set be re-linked with a registry?).\n"
      "Example:\n  phiguard risk link deid.csv registry.csv --qi zip3,birth_year,sex \\\n"
      "      --map birth_year=yob --small-group 5 -o link.json");
  link->add_option("a", o->a.path, "Data set A (CSV or JSONL)")->required();
  link->add_option("b", o->b.path, "Data set B (CSV or JSONL)")->required();
  link->add_option("--qi", o->qi, "Shared quasi-identifiers, comma-separated (names in A)")->required();
  link->add_option("--map", o->maps, "A_COLUMN=B_COLUMN where B names a column differently");
  link->add_option("--small-group", o->small_group, "Up to this many matches is a small group")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000}));
  link->add_flag("--normalize", o->normalize, "Ignore surrounding white space and ASCII case");
  link->add_option("--delimiter", o->a.delimiter, "CSV field delimiter of A")->capture_default_str();
  link->add_option("--b-delimiter", o->b.delimiter, "CSV field delimiter of B (default: A's)");
  AddFormatOption(link, o->a.format, "--format");
  AddFormatOption(link, o->b.format, "--b-format");
  link->add_option("-o,--out", o->out, "Write the report as JSON here");
  link->callback([o, link] {
    risk::LinkageOptions opts;
    opts.a_columns = SplitList(o->qi);
    if (opts.a_columns.empty()) UsageError("--qi names no column");
    opts.b_columns = opts.a_columns;
    for (const std::string& m : o->maps) {
      auto [a_col, b_col] = NameValue(m, "--map");
      auto it = std::find(opts.a_columns.begin(), opts.a_columns.end(), a_col);
      if (it == opts.a_columns.end()) UsageError(Cat("--map names '", a_col, "', which is not in --qi"));
      opts.b_columns[static_cast<size_t>(it - opts.a_columns.begin())] = b_col;
    }
    opts.small_group = o->small_group;
    opts.normalize = o->normalize;
    if (link->count("--b-delimiter") == 0) o->b.delimiter = o->a.delimiter;
    o->a.Open(opts.a_columns, "--delimiter");
    o->b.Open(opts.b_columns, "--b-delimiter");
    auto report = risk::Link(*o->a.records, *o->b.records, opts);
    if (!report.ok()) Fail(report.status());
    std::fputs(risk::FormatLinkageReport(*report, opts).c_str(), stdout);
    if (!o->out.empty()) WriteWholeFile(o->out, risk::LinkageReportJson(*report, opts));
  });
}

std::string ReadText(const std::string& path) {
  auto text = ReadFileBounded(path, 64u << 20);
  if (!text.ok()) Fail(text.status());
  return std::move(*text);
}

void RegisterReport(CLI::App* risk) {
  struct Opts {
    std::string anonymize_json, analyze_json, context, json_out, html_out, pdf_out, chromium;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* report = risk->add_subcommand(
      "report",
      "The Expert Determination report: a JSON summary and a self-contained HTML page (and a PDF\n"
      "when Chromium is installed) from `risk anonymize --report-json` and/or `risk analyze -o`\n"
      "output and a YAML context file (data set, why each quasi-identifier, recipient,\n"
      "environment, thresholds, expert).\n"
      "Example:\n  phiguard risk report --anonymize-json anon.json --context context.yaml \\\n"
      "      --json determination.json --html determination.html");
  report->add_option("--anonymize-json", o->anonymize_json, "`phiguard risk anonymize --report-json` output");
  report->add_option("--analyze-json", o->analyze_json, "`phiguard risk analyze -o` output");
  report->add_option("--context", o->context, "YAML context file (see docs/risk.md)")->required();
  report->add_option("--json", o->json_out, "Write the JSON summary here");
  report->add_option("--html", o->html_out, "Write the HTML report here");
  report->add_option("--pdf", o->pdf_out, "Write a PDF (needs Chromium) here");
  report->add_option("--chromium", o->chromium, "Chromium binary for --pdf (default: search PATH)");
  report->callback([o] {
    if (o->anonymize_json.empty() && o->analyze_json.empty()) {
      UsageError("give --anonymize-json, --analyze-json or both");
    }
    if (o->json_out.empty() && o->html_out.empty() && o->pdf_out.empty()) {
      UsageError("give --json, --html or --pdf");
    }
    risk::ReportInputs in;
    if (!o->anonymize_json.empty()) in.anonymize_json = ReadText(o->anonymize_json);
    if (!o->analyze_json.empty()) in.analyze_json = ReadText(o->analyze_json);
    in.context_yaml = ReadText(o->context);
    auto built = risk::BuildDeterminationReport(in);
    if (!built.ok()) Fail(built.status());
    std::string pdf_tool;
    if (!o->pdf_out.empty()) {
      auto tool = risk::FindChromium(o->chromium);
      if (!tool.ok()) Fail(tool.status());
      pdf_tool = *tool;
    }
    if (!o->json_out.empty()) WriteWholeFile(o->json_out, built->json);
    if (!o->html_out.empty()) WriteWholeFile(o->html_out, built->html);
    if (!o->pdf_out.empty()) {
      absl::Status s = risk::RenderPdf(pdf_tool, built->html, o->pdf_out);
      if (!s.ok()) Fail(s);
    }
    for (const std::string& w : built->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    std::printf("%s", built->summary.c_str());
  });
}

}  // namespace

void RegisterRisk(CLI::App& app, const GlobalOptions&) {
  CLI::App* risk = app.add_subcommand("risk", "Expert Determination: re-identification risk");
  risk->require_subcommand(1);
  RegisterRiskAnonymize(*risk);
  RegisterAnalyze(risk);
  RegisterLink(risk);
  RegisterReport(risk);
}

}  // namespace phiguard::cli
