// Re-identification risk of a data set under HIPAA Expert Determination (45 CFR 164.514(b)(1)):
// records are grouped into equivalence classes by their quasi-identifiers, and the class sizes
// give k-anonymity and the prosecutor, journalist and marketer risk models (El Emam, "Guide to the
// De-Identification of Personal Health Information"; with ARX's definitions), plus population
// uniqueness estimates (population.h); sensitive attributes get l-diversity and t-closeness
// (attribute_disclosure.h).
//
// Two steps: BuildEquivalenceClasses groups records in one streaming pass (memory grows with the
// number of distinct quasi-identifier combinations, not with the number of records), and
// ComputeRisk computes every model from the classes — which the anonymiser also builds in memory
// to report risk before and after a transformation. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/core/csv.h"
#include "phiguard/risk/hierarchy.h"
#include "phiguard/risk/population.h"
#include "phiguard/risk/records.h"

namespace phiguard::risk {

struct RiskOptions {
  std::vector<std::string> quasi_identifiers;  // columns an attacker may know
  std::vector<std::string> sensitive;          // columns whose disclosure harms
  // A record is "at risk" when its re-identification probability exceeds this. El Emam's
  // presets (ThresholdPreset): 0.2 (cell size 5), 0.33 (3), 0.09 (11, public US releases),
  // 0.05 (20).
  double threshold = 0.2;
  // Population size N: when > 0, population uniqueness is estimated (Pitman, Zayatz, SNB, Dankar).
  double population_size = 0;
  PopulationSolverOptions solver;
  // c of recursive (c,l)-diversity: the report gives the largest l every class satisfies.
  double recursive_c = 2;
  // Ordered t-closeness: the order of an attribute's values, by attribute name. Attributes whose
  // values all parse as numbers are ordered numerically without an entry here.
  std::map<std::string, std::vector<std::string>> orders;
  // Hierarchical t-closeness: a hierarchy in ARX's layout (EmdHierarchy), by attribute name.
  std::map<std::string, Hierarchy> hierarchies;
};

// El Emam's thresholds by name: "cell3" 0.33, "cell5" 0.2, "cell11" 0.09, "cell20" 0.05.
// InvalidArgument listing the names for any other.
absl::StatusOr<double> ThresholdPreset(std::string_view name);

// One sensitive attribute over the classes of an EquivalenceClasses.
struct SensitiveCounts {
  std::string name;
  std::vector<std::string> dictionary;  // value id -> the value
  // counts[c][v] = records of class c with value id v; a vector shorter than the dictionary has
  // zeros after its end (so a class that saw only low ids stays small).
  std::vector<std::vector<uint64_t>> counts;
};

// The equivalence classes of a data set (or of a transformed one): what every risk model needs.
struct EquivalenceClasses {
  uint64_t records = 0;        // = sum of sizes
  std::vector<uint64_t> sizes; // per class, its number of records (> 0)
  // Per class, its size in the population (from a population table), for the journalist and
  // marketer models; empty: unknown, the data set is taken as its own population.
  std::vector<uint64_t> population_sizes;
  std::vector<SensitiveCounts> sensitive;
};

struct AttributeRisk {
  std::string name;
  uint64_t distinct_l = 0;   // fewest distinct values in any class (distinct-l-diversity)
  double entropy_l = 0;      // smallest exp(entropy) of any class (entropy-l-diversity)
  double recursive_c = 0;    // the c used
  uint64_t recursive_l = 0;  // largest l for which every class is recursive-(c,l)-diverse (0: none)
  double t_closeness = 0;    // largest equal-distance EMD between a class and the whole data set
  std::optional<double> t_ordered;       // largest ordered-distance EMD (ordered attributes)
  std::optional<double> t_hierarchical;  // largest hierarchical EMD (with a hierarchy)
};

struct RiskReport {
  uint64_t records = 0;
  uint64_t classes = 0;
  uint64_t k = 0;               // smallest class size (the data set is k-anonymous)
  uint64_t sample_uniques = 0;  // records alone in their class
  std::map<uint64_t, uint64_t> class_sizes;  // class size -> number of classes of that size
  // Prosecutor model (the attacker knows the person is in the data set): risk = 1/|class|.
  double prosecutor_highest = 0;   // 1 / k
  double prosecutor_average = 0;   // classes / records
  double records_at_risk = 0;      // share of records whose risk exceeds the threshold
  // Journalist model (the attacker knows the person is in a population the data set samples):
  // risk = 1/F with F the class's population size. Highest = 1/min F; average = max(classes /
  // sum F, marketer) as ARX computes it. Without a population table F = the class size, and the
  // journalist figures equal the prosecutor's.
  double journalist_highest = 0;
  double journalist_average = 0;
  double journalist_records_at_risk = 0;
  // Marketer model (re-identify as many as possible): (1/n) sum over classes of f/F; without a
  // population table classes / records.
  double marketer = 0;
  bool population_table = false;  // whether F came from a population table
  double threshold = 0;
  std::optional<PopulationUniqueness> population;  // when RiskOptions::population_size > 0
  std::vector<AttributeRisk> attributes;
};

// Every risk model over `classes`. InvalidArgument for a threshold outside (0, 1], a population
// size below the record count, inconsistent classes (a size of 0, population_sizes or a sensitive
// attribute's counts not one per class, counts not summing to the class size, a value id outside
// the dictionary, a population size below its class size), an order missing a value, or a
// hierarchy that EmdHierarchy::Create rejects (naming the attribute).
absl::StatusOr<RiskReport> ComputeRisk(const EquivalenceClasses& classes, const RiskOptions& options);

// Groups the records of `source` (fields: the quasi-identifiers, then the sensitive attributes, in
// RiskOptions order) into equivalence classes, in one pass. `population` (optional): population
// counts per quasi-identifier combination (ReadPopulationTable); a class missing from it is
// InvalidArgument. The source's own error (with file and line) for malformed input.
using PopulationTable = std::map<std::vector<std::string>, uint64_t>;
absl::StatusOr<EquivalenceClasses> BuildEquivalenceClasses(RecordSource& source,
                                                           const RiskOptions& options,
                                                           const PopulationTable* population = nullptr);

// Reads a population table: a CSV whose header holds the quasi-identifier columns and a count
// column `count_column`; one row per combination. InvalidArgument naming a missing column, a row
// (by line) with a count that is not a positive integer, or a combination given twice.
absl::StatusOr<PopulationTable> ReadPopulationTable(CsvReader& reader,
                                                    const std::vector<std::string>& quasi_identifiers,
                                                    const std::string& count_column = "count");

// BuildEquivalenceClasses + ComputeRisk over a CSV reader (its header names the columns).
// InvalidArgument naming a quasi-identifier or sensitive column that is not in the header, or when
// no quasi-identifier is given; the reader's own error (with file and line) for malformed input.
absl::StatusOr<RiskReport> AnalyzeRisk(CsvReader& reader, const RiskOptions& options);

// The report as JSON (RiskReportJson is also the "before"/"after" object of the anonymiser's
// --report-json), and as a table for a terminal.
std::string RiskReportJson(const RiskReport& report, const RiskOptions& options);
std::string FormatRiskReport(const RiskReport& report, const RiskOptions& options);

}  // namespace phiguard::risk
