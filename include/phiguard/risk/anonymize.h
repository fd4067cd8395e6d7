// Optimal anonymisation by global recoding: every value of a quasi-identifier is generalised to the
// same level of its hierarchy, and records in classes too small for the privacy models are
// suppressed (up to a limit). The search over the generalisation lattice finds the transformation
// that satisfies the privacy models with the least information loss (see utility_metrics.h), in
// the spirit of Flash (Kohlmayer et al., 2012): predictive tagging of nodes for the monotone
// models (an anonymous node's successors are anonymous, a non-anonymous node's predecessors are
// not), class counts rolled up from an already checked node below instead of re-scanning the data,
// and a lower bound on the metric that prunes whole upward cones. The data is encoded once as
// integer ids with per-level lookup tables, so checking a node is a tight loop over classes.
//
// EncodedData is immutable once built and safe to share between threads; each search call keeps
// its own scratch state, so concurrent searches over the same data are safe.
//
// Usage:
//   auto data = EncodedData::FromCsv(*reader, {{"age", age_hierarchy}, {"zip", {}, zip_gen}});
//   AnonymizeOptions opts;  opts.k = 5;
//   auto result = FindOptimalTransformation(**data, opts);
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/core/csv.h"
#include "phiguard/core/file_io.h"
#include "phiguard/risk/hierarchy.h"
#include "phiguard/risk/lattice.h"
#include "phiguard/risk/population.h"
#include "phiguard/risk/risk_analysis.h"
#include "phiguard/risk/utility_metrics.h"

namespace phiguard::risk {

// One quasi-identifier: its column and either a hierarchy or a generator for one.
struct QuasiIdentifierSpec {
  std::string column;
  std::optional<Hierarchy> hierarchy;
  std::optional<GeneratorSpec> generator;  // used when `hierarchy` is empty
};

// The quasi-identifier columns of a data set, encoded for the search.
class EncodedData {
 public:
  // Reads every record of `reader`, keeping only the quasi-identifier columns as ids. Builds
  // generated hierarchies from the distinct values. InvalidArgument for a column not in the header,
  // a quasi-identifier named twice or without a hierarchy, or a value missing from its hierarchy
  // (naming the input's path and line and the column, never the value); the reader's error for
  // malformed input. Memory: 4 bytes per record and quasi-identifier plus the distinct values.
  // `sensitive`: columns the attribute-disclosure models (l-diversity, t-closeness) look at.
  // `each_record`, when set, gets every record as read (so a caller can keep what it needs to
  // write the output without reading the input again); its error ends the read.
  using RecordSink = std::function<absl::Status(const std::vector<std::string>& record)>;
  static absl::StatusOr<std::unique_ptr<EncodedData>> FromCsv(
      CsvReader& reader, std::vector<QuasiIdentifierSpec> quasi_identifiers,
      const std::string& source_name = "input", const std::vector<std::string>& sensitive = {},
      const RecordSink& each_record = {});
  // Not copyable: holds the encoded data set, which may be large.
  EncodedData(const EncodedData&) = delete;
  EncodedData& operator=(const EncodedData&) = delete;
  ~EncodedData();

  size_t records() const { return records_; }
  int dimensions() const { return static_cast<int>(names_.size()); }
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<std::string>& sensitive() const { return sensitive_; }
  const Hierarchy& hierarchy(int d) const { return hierarchies_[d]; }
  // Levels per attribute (the lattice's heights).
  std::vector<int> heights() const;

  struct Internal;  // the encoding (src/risk/internal/encoded.h)
  const Internal& internal() const { return *internal_; }

 private:
  EncodedData();
  size_t records_ = 0;
  std::vector<std::string> names_;
  std::vector<std::string> sensitive_;
  std::vector<Hierarchy> hierarchies_;
  std::unique_ptr<Internal> internal_;
};

// An attribute-disclosure model on one sensitive column (attribute_disclosure.h), applied to each
// class: a class that fails it is suppressed like a class smaller than k. These models are not
// monotone with suppression, so the search checks them at every node it evaluates and never uses
// them for predictive tagging (as ARX does).
struct AttributeModel {
  enum class Kind {
    kDistinctL,     // at least l distinct values
    kEntropyL,      // e^H >= l
    kRecursiveCL,   // recursive (c,l)-diversity
    kEqualT,        // equal-distance EMD to the whole data set <= t
    kOrderedT,      // ordered-distance EMD <= t (values must be numbers)
    kHierarchicalT  // hierarchical EMD <= t (needs `hierarchy`)
  };
  std::string column;
  Kind kind = Kind::kDistinctL;
  double l = 2;
  double c = 3;
  double t = 0.2;
  std::optional<Hierarchy> hierarchy;
};

// Parses "COLUMN:distinct:L", "COLUMN:entropy:L", "COLUMN:recursive:C:L", "COLUMN:equal:T",
// "COLUMN:ordered:T" or "COLUMN:hierarchical:T". InvalidArgument naming the spec otherwise.
absl::StatusOr<AttributeModel> ParseAttributeModel(std::string_view spec);

// Population uniqueness as a privacy model (ARX's PopulationUniqueness criterion): the share of
// the population estimated to be unique on the quasi-identifiers, from the released classes'
// sizes (population.h), must be at most `threshold`. An estimate of 0 (no valid estimate) passes
// only when no released class has one record. When it fails, the smallest released classes are
// suppressed (ordered by size, then first record) as ARX does, by a binary search over how many,
// within the suppression limit. Not monotone: checked at every node the search evaluates.
struct PopulationUniquenessLimit {
  double threshold = 0.01;       // in (0, 1)
  double population_size = 0;    // N, at least the number of records
  UniquenessEstimator model = UniquenessEstimator::kDankar;
};

// Privacy models, search limits and the metric. Plain struct; defaults are conservative.
struct AnonymizeOptions {
  // k-anonymity: every released class has at least k records. REQUIRES k >= 1.
  uint64_t k = 2;
  // Share of records that may be suppressed (their class is too small), in [0, 1].
  double suppression_limit = 0.0;
  // Highest prosecutor risk allowed, 1/|class| <= max_risk for every released class (in (0, 1]).
  double max_risk = 1.0;
  // Average prosecutor risk allowed: (released classes + 1 if any record is suppressed) / records
  // (suppressed records form one class of '*' values). In (0, 1].
  double average_risk = 1.0;
  // l-diversity and t-closeness; each column must be one of EncodedData::sensitive().
  std::vector<AttributeModel> attribute_models;
  std::optional<PopulationUniquenessLimit> population_uniqueness;
  UtilityMetric metric = UtilityMetric::kLoss;
  // Wall-clock budget for the search in seconds; 0 = none (for the best-effort search: 30 s, as
  // ARX's default). When it runs out, the best transformation found so far is returned with
  // `optimal` false.
  double time_limit_seconds = 0.0;
  // Most nodes checked (classes computed); 0 = no limit. Reaching it ends the search like the
  // time limit: the best transformation so far, `optimal` false.
  uint64_t max_nodes_checked = 0;
  // Largest lattice searched exhaustively (one byte of state per node). A larger lattice gets the
  // best-effort search (SearchStats::best_effort), which never materialises the lattice: a
  // greedy best-first walk up from the raw data (in the spirit of ARX's Lightning), diving along
  // the cheapest successor to reach a solution quickly, then expanding the cheapest unsolved nodes
  // whose lower bound can still beat the best solution, until the time or node limit.
  uint64_t max_lattice_nodes = uint64_t{1} << 27;
};

// One transformation (lattice node) applied to the data.
struct NodeEvaluation {
  std::vector<int> levels;         // per quasi-identifier, its hierarchy level
  bool satisfies = false;          // all privacy models hold (with suppression within the limit)
  uint64_t classes = 0;            // released (non-suppressed) equivalence classes
  uint64_t suppressed = 0;         // records suppressed (0 when !satisfies)
  uint64_t min_class_size = 0;     // smallest released class (0 when none)
  double average_risk = 0;         // as in AnonymizeOptions::average_risk
  // Every metric, each as defined in utility_metrics.h (lower is better).
  double metrics[kUtilityMetricCount] = {};
  double metric(UtilityMetric m) const { return metrics[static_cast<int>(m)]; }
};

struct SearchStats {
  uint64_t lattice_nodes = 0;
  uint64_t nodes_checked = 0;  // nodes whose classes were computed
  uint64_t nodes_tagged = 0;   // nodes decided by predictive tagging without a check
  bool optimal = false;        // false when a limit cut the search short, or best-effort
  bool best_effort = false;    // the lattice was over max_lattice_nodes: heuristic search
  double milliseconds = 0;
};

struct AnonymizationResult {
  NodeEvaluation best;
  SearchStats search;
};

// Checks the options. InvalidArgument naming the bad one.
absl::Status ValidateOptions(const AnonymizeOptions& options);

// Applies the transformation `levels` and evaluates it. InvalidArgument for a wrong number of
// levels or a level outside its hierarchy.
absl::StatusOr<NodeEvaluation> EvaluateTransformation(const EncodedData& data,
                                                      const std::vector<int>& levels,
                                                      const AnonymizeOptions& options);

// Searches the lattice for the transformation with the lowest metric that satisfies the models.
// FailedPrecondition when none does (not even full generalisation with suppression);
// InvalidArgument for bad options or a lattice over max_lattice_nodes.
absl::StatusOr<AnonymizationResult> FindOptimalTransformation(const EncodedData& data,
                                                              const AnonymizeOptions& options);

// The equivalence classes of `node` as ComputeRisk (risk_analysis.h) takes them: sizes and, per
// sensitive column, per-class value counts. With `released_only`, classes the node suppresses are
// left out. The raw data's classes are those of the node with every level 0.
EquivalenceClasses ClassesForRisk(const EncodedData& data, const NodeEvaluation& node,
                                  const AnonymizeOptions& options, bool released_only);

// Writes the transformed data set: `input` must read the same records FromCsv encoded (the
// input again, or a copy FromCsv's `each_record` kept); every
// quasi-identifier is replaced by its label at the chosen level, and records of suppressed classes
// get '*' in every quasi-identifier (as ARX writes them) or, with `drop_suppressed`, are left out.
// Other columns are copied unchanged. FailedPrecondition when `input` differs from the encoded
// records; the writer's error otherwise. Nothing is committed here: the caller commits `out`.
absl::Status WriteTransformed(const EncodedData& data, const NodeEvaluation& node,
                              const AnonymizeOptions& options, CsvReader& input,
                              AtomicFileWriter& out, char delimiter, bool drop_suppressed);

// The machine-readable summary (`--report-json`): input (path, records), quasi_identifiers,
// privacy_models, transformation (column -> level), hierarchy_heights, suppressed, classes,
// min_class_size, utility (metric, value, loss and every metric), search (lattice_nodes,
// nodes_checked, nodes_tagged, optimal, milliseconds) and risk {before, after}, where each of
// `risk_before_json` / `risk_after_json` is a JSON object (empty string: left out).
std::string AnonymizationReportJson(const std::string& input_path, const EncodedData& data,
                                    const AnonymizeOptions& options,
                                    const AnonymizationResult& result,
                                    const std::string& risk_before_json,
                                    const std::string& risk_after_json);

// The same summary as a table for a terminal.
std::string FormatAnonymizationSummary(const EncodedData& data, const AnonymizeOptions& options,
                                       const AnonymizationResult& result);

}  // namespace phiguard::risk
