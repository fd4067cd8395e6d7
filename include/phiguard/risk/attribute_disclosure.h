// Attribute disclosure: how much an equivalence class reveals about a sensitive attribute.
// l-diversity (Machanavajjhala et al., "l-Diversity: Privacy Beyond k-Anonymity", 2007) and
// t-closeness (Li, Li, Venkatasubramanian, "t-Closeness: Privacy Beyond k-Anonymity and
// l-Diversity", ICDE 2007), with the definitions ARX implements.
//
// A distribution is a count vector indexed by value id: counts[v] = number of records with value v.
// The l-diversity functions ignore zero entries, so they take either a dense vector or just the
// non-zero counts. The t-closeness functions compare a class's dense vector with the whole data
// set's (`overall`, the same indexing); a class vector shorter than `overall` has zeros after its
// end. Stateless functions and an immutable EmdHierarchy: thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/risk/hierarchy.h"

namespace phiguard::risk {

// Distinct l-diversity: the number of values that occur (non-zero counts).
uint64_t DistinctL(std::span<const uint64_t> counts);

// Entropy l-diversity: e^H with H = -sum p_v ln p_v, the "effective number of values" (a class is
// entropy-l-diverse when this is >= l; ARX tests H >= log2 l, the same condition). 0 when empty.
double EntropyL(std::span<const uint64_t> counts);

// Recursive (c,l)-diversity: with the counts sorted r_1 >= r_2 >= ... >= r_m, true when at least
// l values occur and r_1 < c * (r_l + r_{l+1} + ... + r_m). REQUIRES: l >= 1.
bool RecursiveCL(std::span<const uint64_t> counts, double c, uint64_t l);

// t-closeness with equal ground distance: half the L1 distance between the class's and the whole
// data set's value shares, in [0, 1]. 0 when either is empty.
double EqualDistanceEmd(std::span<const uint64_t> cls, std::span<const uint64_t> overall);

// t-closeness with ordered ground distance |i - j| / (m - 1) for an attribute whose value ids are
// in the attribute's order (0 = smallest): sum_i |sum_{j<=i} (p_j - q_j)| / (m - 1) with m =
// overall.size(). 0 when m < 2 or either is empty.
double OrderedEmd(std::span<const uint64_t> cls, std::span<const uint64_t> overall);

// Orders for OrderedEmd: rank[id] = the position of value id in the attribute's order; renumber a
// count vector through it (ordered[rank[id]] = counts[id]) before OrderedEmd.
// NumericRanks: numeric order when every value parses as a number (ties by text); empty otherwise.
std::vector<uint32_t> NumericRanks(const std::vector<std::string>& dictionary);
// RanksInOrder: the order `order` gives (values of `order` absent from the dictionary are skipped).
// InvalidArgument naming the id of a dictionary value that `order` lacks.
absl::StatusOr<std::vector<uint32_t>> RanksInOrder(const std::vector<std::string>& dictionary,
                                                   const std::vector<std::string>& order);

// A generalisation hierarchy for t-closeness with hierarchical ground distance, built on a
// Hierarchy (hierarchy.h: ARX's layout, already checked to be a tree). The ground distance
// between two values is level(lowest common ancestor) / height, height = levels - 1. Immutable
// after Create.
class EmdHierarchy {
 public:
  // `dictionary[id]` = the attribute value with that id. InvalidArgument when the hierarchy has
  // fewer than 2 levels or a dictionary value has no row (naming the value's id, never the value).
  static absl::StatusOr<EmdHierarchy> Create(const Hierarchy& hierarchy,
                                             const std::vector<std::string>& dictionary);

  int height() const { return height_; }
  size_t leaves() const { return leaf_parent_.size(); }

 private:
  friend double HierarchicalEmd(std::span<const uint64_t>, std::span<const uint64_t>,
                                const EmdHierarchy&);
  int height_ = 0;
  std::vector<uint32_t> value_row_;                 // value id -> row (leaf)
  std::vector<uint32_t> leaf_parent_;               // row -> node index at level 1
  std::vector<std::vector<uint32_t>> node_parent_;  // [level-1][node at level] -> node at level+1
  std::vector<size_t> level_nodes_;                 // nodes per level, levels 1..height
};

// t-closeness with hierarchical ground distance (Li et al. 2007, section 4.2, as ARX computes it):
// leaf extras p_v - q_v flow up the tree; an inner node at level l costs (l / height) *
// min(positive extras, negative extras) of its children. In [0, 1]. 0 when either is empty.
double HierarchicalEmd(std::span<const uint64_t> cls, std::span<const uint64_t> overall,
                       const EmdHierarchy& hierarchy);

}  // namespace phiguard::risk
