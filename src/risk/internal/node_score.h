// Scoring a lattice node, shared by the search (anonymize.cc) and the output (anonymize_output.cc):
// the privacy models and metrics over a node's classes, the attribute-disclosure models bound to
// the encoded data, and the step from cells (class x sensitive values) to classes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/risk/anonymize.h"
#include "phiguard/risk/attribute_disclosure.h"
#include "risk/internal/encoded.h"

namespace phiguard::risk::internal {

using Internal = EncodedData::Internal;

// Smallest released class size: k, raised by the highest-risk threshold (|class| >= 1/max_risk).
uint64_t EffectiveK(const AnonymizeOptions& o);
// Records that may be suppressed: floor(limit * n), as ARX counts them.
uint64_t MaxOutliers(const AnonymizeOptions& o, size_t n);
// A lower bound on the metric of `levels` and of every node above it (needs no classes).
double StaticBound(const Internal& e, const int* levels, UtilityMetric metric);

// Whether the released classes with these sizes (size -> classes) meet the population-uniqueness
// model (see PopulationUniquenessLimit).
bool PopulationUniquenessHolds(const PopulationUniquenessLimit& p,
                               const std::map<uint64_t, uint64_t>& sizes);
// Enforces the population-uniqueness model on the classes of `levels` that `out` does not already
// suppress: when it fails, suppresses the smallest classes as ARX does (see
// PopulationUniquenessLimit), marking them in `out` and adding their records to `outliers`. True
// when the model then holds (the caller still checks `outliers` against the limit).
bool EnforcePopulationUniqueness(const Internal& e, const int* levels,
                                 const PopulationUniquenessLimit& p,
                                 const std::vector<ClassEntry>& classes, uint64_t max_outliers,
                                 std::vector<uint8_t>& out, uint64_t& outliers);

struct Scored {
  bool monotone_ok = false;  // k-anonymity and highest risk within the suppression limit
  bool satisfies = false;    // every model
  double value = 0;          // the chosen metric
  double bound = 0;          // lower bound for this node and every node above it
};

// Evaluates the classes of `levels`; `fails[i]` (when not empty) marks a class that fails the
// attribute-disclosure models, so it is suppressed like a class smaller than k. Fills `eval`
// when given.
Scored Score(const Internal& e, const int* levels, const std::vector<ClassEntry>& classes,
             const std::vector<uint8_t>& fails, const AnonymizeOptions& o, NodeEvaluation* eval);

// Grouping levels: the node's, then every sensitive attribute at `sensitive_level` (0 keeps the
// value: cells; 1 drops it: classes).
std::vector<int> KeyLevels(const Internal& e, const int* node_levels, int sensitive_level);

// An AttributeModel bound to the encoded data: its sensitive attribute's index and, for the
// ordered and hierarchical distances, the value order or the EMD hierarchy.
struct PreparedModel {
  AttributeModel model;
  int s = 0;                        // index among the sensitive attributes
  std::vector<uint32_t> ranks;      // kOrderedT: value id -> position
  std::vector<uint64_t> overall;    // the whole data set's counts (in rank order for kOrderedT)
  std::optional<EmdHierarchy> emd;  // kHierarchicalT
};
using Models = std::vector<PreparedModel>;

// InvalidArgument for a model on a column that is not sensitive, ordered t-closeness on values
// that are not numbers, or a hierarchy EmdHierarchy rejects.
absl::StatusOr<Models> Prepare(const EncodedData& data, const AnonymizeOptions& o);

// Calls `visit(class, value id of attribute s, count)` for every cell, grouped by class.
template <typename Visit>
void ForEachCellByClass(const Internal& e, const std::vector<ClassEntry>& cells,
                        const std::vector<uint32_t>& class_of, size_t classes, int s,
                        Visit visit) {
  std::vector<uint32_t> start(classes + 1, 0), order(cells.size());
  for (uint32_t c : class_of) ++start[c + 1];
  for (size_t c = 0; c < classes; ++c) start[c + 1] += start[c];
  std::vector<uint32_t> next(start.begin(), start.end() - 1);
  for (size_t i = 0; i < cells.size(); ++i) order[next[class_of[i]]++] = static_cast<uint32_t>(i);
  for (size_t c = 0; c < classes; ++c) {
    for (uint32_t j = start[c]; j < start[c + 1]; ++j) {
      const ClassEntry& cell = cells[order[j]];
      visit(c, e.codes[static_cast<size_t>(cell.rep) * e.key_dims + e.dims + s], cell.count);
    }
  }
}

// The equivalence classes of a node from its cells, and which classes fail the
// attribute-disclosure models (`fails`, empty when there are none). `class_of[i]` = the class of
// cell i. Without sensitive attributes the cells are the classes: returns `cells` itself and
// leaves `class_of` empty.
const std::vector<ClassEntry>& Classify(const Internal& e, Grouper& grouper,
                                        const int* node_levels,
                                        const std::vector<ClassEntry>& cells, const Models& models,
                                        std::vector<ClassEntry>& classes,
                                        std::vector<uint32_t>& class_of,
                                        std::vector<uint8_t>& fails);

// Groups `source` (cells of a node below, or of the raw data) at `node_levels` into `cells` and
// scores the node; fills `eval` when given.
Scored GroupAndScore(const Internal& e, Grouper& grouper, const int* node_levels,
                     const std::vector<ClassEntry>& source, const AnonymizeOptions& o,
                     const Models& models, std::vector<ClassEntry>& cells, NodeEvaluation* eval);

// REQUIRES nothing; OK when `levels` has one level per quasi-identifier within its hierarchy,
// InvalidArgument otherwise.
absl::Status CheckLevels(const EncodedData& data, const std::vector<int>& levels);

}  // namespace phiguard::risk::internal
