// Re-identification risk of a data set under HIPAA Expert Determination (45 CFR 164.514(b)(1)):
// records are grouped into equivalence classes by their quasi-identifiers, and the class sizes
// give k-anonymity and the prosecutor and marketer risk models (El Emam, "Guide to the
// De-Identification of Personal Health Information"); sensitive attributes get distinct- and
// entropy-l-diversity and equal-distance t-closeness. One streaming pass; memory grows with the
// number of distinct quasi-identifier combinations, not with the number of records.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/core/csv.h"

namespace phiguard::risk {

struct RiskOptions {
  std::vector<std::string> quasi_identifiers;  // columns an attacker may know
  std::vector<std::string> sensitive;          // columns whose disclosure harms
  // A record is "at risk" when its re-identification probability exceeds this. El Emam's
  // presets: 0.2 (cell size 5), 0.33 (3), 0.09 (11, public US releases), 0.05 (20).
  double threshold = 0.2;
};

struct AttributeRisk {
  std::string name;
  uint64_t distinct_l = 0;   // fewest distinct values in any class (distinct-l-diversity)
  double entropy_l = 0;      // smallest exp(entropy) of any class (entropy-l-diversity)
  double t_closeness = 0;    // largest equal-distance EMD between a class and the whole data set
};

struct RiskReport {
  uint64_t records = 0;
  uint64_t classes = 0;
  uint64_t k = 0;               // smallest class size (the data set is k-anonymous)
  uint64_t sample_uniques = 0;  // records alone in their class
  std::map<uint64_t, uint64_t> class_sizes;  // class size -> number of classes of that size
  // Prosecutor model (the attacker knows the person is in the data set).
  double prosecutor_highest = 0;   // 1 / k
  double prosecutor_average = 0;   // classes / records
  double records_at_risk = 0;      // share of records whose risk 1/|class| exceeds the threshold
  // Marketer model (re-identify as many as possible); without a population table the data set is
  // taken as the population, which makes it equal to the average prosecutor risk.
  double marketer = 0;
  double threshold = 0;
  std::vector<AttributeRisk> attributes;
};

// Analyzes the records of `reader` (its header names the columns). InvalidArgument naming a
// quasi-identifier or sensitive column that is not in the header, or when no quasi-identifier is
// given; the reader's own error (with file and line) for malformed input.
absl::StatusOr<RiskReport> AnalyzeRisk(CsvReader& reader, const RiskOptions& options);

// The report as JSON, and as a table for a terminal.
std::string RiskReportJson(const RiskReport& report, const RiskOptions& options);
std::string FormatRiskReport(const RiskReport& report, const RiskOptions& options);

}  // namespace phiguard::risk
