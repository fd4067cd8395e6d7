// phiguard risk analyze: k-anonymity and re-identification risk of a CSV data set.
#include <cstdio>

#include "commands.h"
#include "engine.h"
#include "phiguard/core/csv.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
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

}  // namespace

void RegisterRisk(CLI::App& app, const GlobalOptions&) {
  CLI::App* risk = app.add_subcommand("risk", "Expert Determination: re-identification risk");
  risk->require_subcommand(1);
  struct Opts {
    std::string input = "-", out, qi, sensitive, delimiter = ",";
    double threshold = 0.2;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* analyze = risk->add_subcommand(
      "analyze",
      "Equivalence classes over the quasi-identifiers: k, sample uniques, prosecutor and marketer\n"
      "risk, l-diversity and t-closeness of sensitive columns.\n"
      "Example:\n  phiguard risk analyze --delimiter ';' --qi sex,age,race,marital-status \\\n"
      "      --sensitive salary-class ../shared/data/arx-adult/adult.csv");
  analyze->add_option("input", o->input, "CSV file ('-' or none: stdin)");
  analyze->add_option("--qi", o->qi, "Quasi-identifier columns, comma-separated")->required();
  analyze->add_option("--sensitive", o->sensitive, "Sensitive columns, comma-separated");
  analyze->add_option("--threshold", o->threshold,
                      "Risk threshold: 0.2 (k=5), 0.33 (3), 0.09 (11), 0.05 (20)")
      ->capture_default_str()
      ->check(CLI::Range(0.000001, 1.0));
  analyze->add_option("--delimiter", o->delimiter, "Field delimiter")->capture_default_str();
  analyze->add_option("-o,--out", o->out, "Write the report as JSON here");
  analyze->callback([o] {
    if (o->delimiter.size() != 1) UsageError("--delimiter must be one character");
    risk::RiskOptions opts;
    opts.quasi_identifiers = SplitList(o->qi);
    opts.sensitive = SplitList(o->sensitive);
    opts.threshold = o->threshold;
    if (opts.quasi_identifiers.empty()) UsageError("--qi names no column");
    CsvOptions csv;
    csv.delimiter = o->delimiter[0];
    auto reader = CsvReader::Open(o->input, csv);
    if (!reader.ok()) Fail(reader.status());
    auto report = risk::AnalyzeRisk(**reader, opts);
    if (!report.ok()) Fail(report.status());
    std::fputs(risk::FormatRiskReport(*report, opts).c_str(), stdout);
    if (!o->out.empty()) {
      WriteWholeFile(o->out, risk::RiskReportJson(*report, opts));
    }
  });
}

}  // namespace phiguard::cli
