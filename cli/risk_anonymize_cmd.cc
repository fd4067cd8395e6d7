// phiguard risk anonymize: the optimal generalisation (global recoding plus suppression) that
// makes a CSV data set satisfy k-anonymity and risk thresholds with the least information loss.
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "commands.h"
#include "engine.h"
#include "phiguard/core/csv.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/risk/anonymize.h"

namespace phiguard::cli {
namespace {

namespace fs = std::filesystem;

struct AnonymizeFlags {
  std::string input = "-", out, report_json, hierarchy_dir, delimiter = ",", hierarchy_delimiter = ";";
  std::vector<std::string> qi, sensitive, hierarchy, generate, l_diversity, t_closeness;
  uint64_t k = 5;
  double suppression = 0, max_risk = 1, average_risk = 1, time_limit = 0, threshold = 0.2;
  double population_uniqueness = 0, population_size = 0;
  uint64_t max_nodes = 0;
  std::string metric = "loss", uniqueness_model = "dankar";
  bool drop_suppressed = false;
};

char OneChar(const std::string& s, const char* flag) {
  if (s.size() != 1) UsageError(Cat(flag, " must be one character"));
  return s[0];
}

// "col=VALUE" pairs; a usage error names the malformed one.
std::map<std::string, std::string> Pairs(const std::vector<std::string>& items, const char* flag) {
  std::map<std::string, std::string> out;
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      UsageError(Cat(flag, " takes COLUMN=VALUE, got '", item, "'"));
    }
    if (!out.emplace(item.substr(0, eq), item.substr(eq + 1)).second) {
      UsageError(Cat(flag, " names column '", item.substr(0, eq), "' twice"));
    }
  }
  return out;
}

// The hierarchy file for `column` in `dir`: ARX names them <dataset>_hierarchy_<column>.csv.
std::string FindInDir(const std::string& dir, const std::string& input, const std::string& column) {
  fs::path preferred = fs::path(dir) / (fs::path(input).stem().string() + "_hierarchy_" + column +
                                        ".csv");
  std::error_code ec;
  if (fs::exists(preferred, ec)) return preferred.string();
  std::string found;
  const std::string suffix = "_hierarchy_" + column + ".csv";
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      if (!found.empty()) {
        UsageError(Cat("--hierarchy-dir: several *", suffix, " files; name one with --hierarchy"));
      }
      found = entry.path().string();
    }
  }
  if (ec) Fail(absl::NotFoundError(Cat("--hierarchy-dir ", dir, ": ", ec.message())));
  return found;
}

// A private copy of the input's records, taken while they are read once (so the input may be
// stdin): a temporary file (mode 0600, from mkstemp) next to the output, where the transformed
// data set goes anyway, removed when done. Memory stays bounded: records pass through a 1 MiB
// buffer.
class Spool {
 public:
  explicit Spool(const std::string& out_path) {
    fs::path dir = fs::path(out_path).parent_path();
    path_ = ((dir.empty() ? fs::path(".") : dir) / ".phiguard-anonymize-XXXXXX").string();
    int fd = ::mkstemp(path_.data());
    if (fd < 0) {
      Fail(absl::UnavailableError(Cat("cannot create a temporary file next to ", out_path, ": ",
                                      std::strerror(errno))));
    }
    file_ = ::fdopen(fd, "w");
    if (file_ == nullptr) {
      ::close(fd);
      ::unlink(path_.c_str());
      Fail(absl::UnavailableError(Cat("cannot open the temporary file: ", std::strerror(errno))));
    }
  }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool() {
    if (file_ != nullptr) std::fclose(file_);
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

  absl::Status Add(const std::vector<std::string>& record, char delimiter) {
    AppendCsvRecord(buf_, record, delimiter);
    return buf_.size() >= (1u << 20) ? Flush() : absl::OkStatus();
  }
  // Flushes and closes the file, ready to be read.
  absl::Status Close() {
    absl::Status s = Flush();
    if (std::fclose(file_) != 0 && s.ok()) s = WriteError();
    file_ = nullptr;
    return s;
  }

 private:
  absl::Status Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) {
      return WriteError();
    }
    buf_.clear();
    return absl::OkStatus();
  }
  absl::Status WriteError() const {
    return absl::UnavailableError(Cat("writing the temporary copy of the input next to the "
                                      "output failed: ", std::strerror(errno)));
  }
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string buf_;
};

void RunAnonymize(const AnonymizeFlags& f) {
  const char delimiter = OneChar(f.delimiter, "--delimiter");
  const char hdelim = OneChar(f.hierarchy_delimiter, "--hierarchy-delimiter");
  if (f.qi.empty()) UsageError("--qi names no column");
  auto files = Pairs(f.hierarchy, "--hierarchy");
  auto generators = Pairs(f.generate, "--generate");
  risk::AnonymizeOptions opts;
  opts.k = f.k;
  opts.suppression_limit = f.suppression;
  opts.max_risk = f.max_risk;
  opts.average_risk = f.average_risk;
  opts.time_limit_seconds = f.time_limit;
  opts.max_nodes_checked = f.max_nodes;
  if (f.population_uniqueness > 0) {
    if (f.population_size <= 0) UsageError("--population-uniqueness needs --population-size");
    auto model = risk::ParseUniquenessEstimator(f.uniqueness_model);
    if (!model.ok()) UsageError(std::string(model.status().message()));
    opts.population_uniqueness =
        risk::PopulationUniquenessLimit{f.population_uniqueness, f.population_size, *model};
  } else if (f.population_size > 0) {
    UsageError("--population-size is only used with --population-uniqueness");
  }
  auto metric = risk::ParseUtilityMetric(f.metric);
  if (!metric.ok()) UsageError(std::string(metric.status().message()));
  opts.metric = *metric;
  if (absl::Status s = risk::ValidateOptions(opts); !s.ok()) UsageError(std::string(s.message()));

  // The hierarchy of `column`: --hierarchy, else --hierarchy-dir; empty when neither has one.
  auto hierarchy_of = [&](const std::string& column) -> std::optional<risk::Hierarchy> {
    std::string path = files.count(column) ? files[column] : "";
    if (path.empty() && !f.hierarchy_dir.empty()) path = FindInDir(f.hierarchy_dir, f.input, column);
    if (path.empty()) return std::nullopt;
    auto h = risk::Hierarchy::LoadArxCsv(path, hdelim);
    if (!h.ok()) Fail(h.status());
    return std::move(*h);
  };
  std::vector<risk::QuasiIdentifierSpec> specs;
  for (const std::string& column : f.qi) {
    risk::QuasiIdentifierSpec spec{column, std::nullopt, std::nullopt};
    if (auto g = generators.find(column); g != generators.end()) {
      if (files.count(column)) UsageError(Cat("'", column, "' has both --hierarchy and --generate"));
      auto gen = risk::ParseGeneratorSpec(g->second);
      if (!gen.ok()) UsageError(std::string(gen.status().message()));
      spec.generator = *gen;
    } else {
      spec.hierarchy = hierarchy_of(column);
      if (!spec.hierarchy) {
        UsageError(Cat("no hierarchy for '", column,
                       "': give --hierarchy, --hierarchy-dir or --generate"));
      }
    }
    specs.push_back(std::move(spec));
  }
  // Attribute-disclosure models; their columns join the sensitive ones.
  std::vector<std::string> sensitive = f.sensitive;
  auto add_models = [&](const std::vector<std::string>& items, bool l_family) {
    for (const std::string& item : items) {
      auto m = risk::ParseAttributeModel(item);
      if (!m.ok()) UsageError(std::string(m.status().message()));
      using Kind = risk::AttributeModel::Kind;
      bool is_l = m->kind == Kind::kDistinctL || m->kind == Kind::kEntropyL ||
                  m->kind == Kind::kRecursiveCL;
      if (is_l != l_family) {
        UsageError(Cat("'", item, "' belongs to ", is_l ? "--l-diversity" : "--t-closeness"));
      }
      if (std::find(f.qi.begin(), f.qi.end(), m->column) != f.qi.end()) {
        UsageError(Cat("'", m->column, "' is a quasi-identifier, not a sensitive column"));
      }
      if (m->kind == Kind::kHierarchicalT) {
        m->hierarchy = hierarchy_of(m->column);
        if (!m->hierarchy) UsageError(Cat("hierarchical t-closeness on '", m->column,
                                          "' needs --hierarchy or --hierarchy-dir"));
      }
      if (std::find(sensitive.begin(), sensitive.end(), m->column) == sensitive.end()) {
        sensitive.push_back(m->column);
      }
      opts.attribute_models.push_back(std::move(*m));
    }
  };
  add_models(f.l_diversity, true);
  add_models(f.t_closeness, false);
  for (const auto& [column, unused] : files) {
    if (std::find(f.qi.begin(), f.qi.end(), column) == f.qi.end() &&
        std::find(sensitive.begin(), sensitive.end(), column) == sensitive.end()) {
      UsageError(Cat("--hierarchy names '", column, "', which is not in --qi"));
    }
  }
  for (const auto& [column, unused] : generators) {
    if (std::find(f.qi.begin(), f.qi.end(), column) == f.qi.end()) {
      UsageError(Cat("--generate names '", column, "', which is not in --qi"));
    }
  }

  CsvOptions csv;
  csv.delimiter = delimiter;
  const std::string input_name = f.input == "-" ? "stdin" : f.input;
  auto reader = CsvReader::Open(f.input, csv);
  if (!reader.ok()) Fail(reader.status());
  // The input is read once; the spool keeps its records for writing the output.
  Spool spool(f.out);
  if (absl::Status s = spool.Add((*reader)->header(), delimiter); !s.ok()) Fail(s);
  auto data = risk::EncodedData::FromCsv(
      **reader, std::move(specs), input_name, sensitive,
      [&](const std::vector<std::string>& record) { return spool.Add(record, delimiter); });
  if (!data.ok()) Fail(data.status());
  if (absl::Status s = spool.Close(); !s.ok()) Fail(s);
  auto result = risk::FindOptimalTransformation(**data, opts);
  if (!result.ok()) Fail(result.status());

  // Write the transformed records atomically, from the spooled copy.
  auto again = CsvReader::Open(spool.path(), csv);
  if (!again.ok()) Fail(again.status());
  ::unlink(spool.path().c_str());  // the open reader keeps it; no name left behind from here on
  auto writer = AtomicFileWriter::Open(f.out);
  if (!writer.ok()) Fail(writer.status());
  if (absl::Status s = risk::WriteTransformed(**data, result->best, opts, **again, **writer,
                                              delimiter, f.drop_suppressed);
      !s.ok()) {
    Fail(s);
  }
  if (absl::Status s = (*writer)->Commit(); !s.ok()) Fail(s);

  // Risk before (the raw data's classes) and after (the released classes).
  risk::RiskOptions ro;
  ro.quasi_identifiers = f.qi;
  ro.sensitive = sensitive;
  ro.threshold = f.threshold;
  risk::NodeEvaluation raw;
  raw.levels.assign(f.qi.size(), 0);
  auto before = risk::ComputeRisk(risk::ClassesForRisk(**data, raw, opts, false), ro);
  if (!before.ok()) Fail(before.status());
  auto after = risk::ComputeRisk(risk::ClassesForRisk(**data, result->best, opts, true), ro);
  if (!after.ok()) Fail(after.status());

  std::string summary = risk::FormatAnonymizationSummary(**data, opts, *result);
  summary += fmt::format("{:<28} {:.4f} -> {:.4f}\n", "prosecutor risk, highest",
                         before->prosecutor_highest, after->prosecutor_highest);
  summary += fmt::format("{:<28} {:.4f} -> {:.4f}\n", "prosecutor risk, average",
                         before->prosecutor_average, after->prosecutor_average);
  summary += fmt::format("{:<28} {:.2f}% -> {:.2f}%\n",
                         fmt::format("records at risk (> {:.2f})", f.threshold),
                         100 * before->records_at_risk, 100 * after->records_at_risk);
  std::fputs(summary.c_str(), stdout);
  if (!f.report_json.empty()) {
    WriteWholeFile(f.report_json, risk::AnonymizationReportJson(
                                      input_name, **data, opts, *result,
                                      risk::RiskReportJson(*before, ro),
                                      risk::RiskReportJson(*after, ro)));
  }
}

}  // namespace

void RegisterRiskAnonymize(CLI::App& risk) {
  auto f = std::make_shared<AnonymizeFlags>();
  CLI::App* cmd = risk.add_subcommand(
      "anonymize",
      "Optimal generalisation: the transformation (one hierarchy level per quasi-identifier, plus\n"
      "suppression of records in too-small classes) that satisfies k-anonymity and the risk\n"
      "thresholds with the least information loss, found by a Flash-style lattice search.\n"
      "Example:\n  phiguard risk anonymize ../shared/data/arx-adult/adult.csv --delimiter ';' \\\n"
      "      --qi sex,age,race,marital-status,education,native-country,workclass,occupation,"
      "salary-class \\\n"
      "      --hierarchy-dir ../shared/data/arx-adult --k 5 -o adult-k5.csv --report-json k5.json");
  cmd->add_option("input", f->input, "CSV file; - or none: stdin (read once)");
  cmd->add_option("--qi", f->qi, "Quasi-identifier columns, comma-separated")
      ->required()
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--sensitive", f->sensitive,
                  "Sensitive columns (comma-separated): their l-diversity and t-closeness are "
                  "reported before and after")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--l-diversity", f->l_diversity,
                  "COLUMN:distinct:L | COLUMN:entropy:L | COLUMN:recursive:C:L (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--t-closeness", f->t_closeness,
                  "COLUMN:equal:T | COLUMN:ordered:T | COLUMN:hierarchical:T (repeatable; "
                  "hierarchical takes the column's --hierarchy)")
      ->allow_extra_args(false);
  cmd->add_option("--hierarchy", f->hierarchy, "COLUMN=PATH: an ARX hierarchy CSV (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--hierarchy-dir", f->hierarchy_dir,
                  "Directory with ARX hierarchies named <dataset>_hierarchy_<column>.csv");
  cmd->add_option("--hierarchy-delimiter", f->hierarchy_delimiter,
                  "Field delimiter of hierarchy files")
      ->capture_default_str();
  cmd->add_option("--generate", f->generate,
                  "COLUMN=zip|date|interval:WIDTH: build the hierarchy from the data (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--k", f->k, "k-anonymity: smallest class size")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32));
  cmd->add_option("--suppression", f->suppression, "Share of records that may be suppressed")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-risk", f->max_risk, "Highest prosecutor risk allowed (1/class size)")
      ->capture_default_str()
      ->check(CLI::Range(0.000001, 1.0));
  cmd->add_option("--average-risk", f->average_risk, "Average prosecutor risk allowed")
      ->capture_default_str()
      ->check(CLI::Range(0.000001, 1.0));
  cmd->add_option("--risk-threshold", f->threshold,
                  "Risk threshold for 'records at risk' in the report: 0.2 (k=5), 0.33, 0.09, 0.05")
      ->capture_default_str()
      ->check(CLI::Range(0.000001, 1.0));
  cmd->add_option("--population-uniqueness", f->population_uniqueness,
                  "Highest share of the population estimated unique (ARX's population "
                  "uniqueness model, e.g. 0.01); needs --population-size")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--population-size", f->population_size,
                  "Population size N for --population-uniqueness (e.g. 318857056 for the USA)")
      ->check(CLI::Range(1.0, 1e15));
  cmd->add_option("--uniqueness-model", f->uniqueness_model,
                  "Estimator for --population-uniqueness: dankar | pitman | zayatz | snb")
      ->capture_default_str();
  cmd->add_option("--max-nodes", f->max_nodes,
                  "Most lattice nodes to check; 0 = no limit. Like --time-limit, reaching it "
                  "returns the best transformation found, not proven optimal")
      ->capture_default_str();
  cmd->add_option("--metric", f->metric, "loss | discernibility | aecs | entropy | precision")
      ->capture_default_str();
  cmd->add_option("--time-limit", f->time_limit,
                  "Seconds for the search; 0 = none (30 s for the best-effort search that lattices "
                  "over 2^27 nodes get). When it runs out the best transformation found so far "
                  "is used and reported as not proven optimal")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("-o,--out", f->out, "Write the transformed CSV here (atomically)")->required();
  cmd->add_option("--report-json", f->report_json, "Write the summary as JSON here");
  cmd->add_option("--delimiter", f->delimiter, "Field delimiter of the input and output")
      ->capture_default_str();
  cmd->add_flag("--drop-suppressed", f->drop_suppressed,
                "Leave suppressed records out instead of writing '*' in their quasi-identifiers");
  cmd->callback([f] { RunAnonymize(*f); });
}

}  // namespace phiguard::cli
