#include "phiguard/risk/attribute_disclosure.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "phiguard/core/strings.h"

namespace phiguard::risk {
namespace {

uint64_t Total(std::span<const uint64_t> counts) {
  return std::accumulate(counts.begin(), counts.end(), uint64_t{0});
}

uint64_t At(std::span<const uint64_t> v, size_t i) { return i < v.size() ? v[i] : 0; }

}  // namespace

uint64_t DistinctL(std::span<const uint64_t> counts) {
  return static_cast<uint64_t>(std::count_if(counts.begin(), counts.end(),
                                             [](uint64_t c) { return c != 0; }));
}

double EntropyL(std::span<const uint64_t> counts) {
  const double total = static_cast<double>(Total(counts));
  if (total == 0) return 0;
  double h = 0;
  for (uint64_t c : counts) {
    if (c == 0) continue;
    const double p = static_cast<double>(c) / total;
    h -= p * std::log(p);
  }
  return std::exp(h);
}

bool RecursiveCL(std::span<const uint64_t> counts, double c, uint64_t l) {
  std::vector<uint64_t> r;
  for (uint64_t v : counts) {
    if (v != 0) r.push_back(v);
  }
  if (l == 0 || r.size() < l) return false;
  std::sort(r.begin(), r.end(), std::greater<>());
  double tail = 0;  // r_l + ... + r_m
  for (size_t i = l - 1; i < r.size(); ++i) tail += static_cast<double>(r[i]);
  return static_cast<double>(r[0]) < c * tail;
}

double EqualDistanceEmd(std::span<const uint64_t> cls, std::span<const uint64_t> overall) {
  const double p_total = static_cast<double>(Total(cls));
  const double q_total = static_cast<double>(Total(overall));
  if (p_total == 0 || q_total == 0) return 0;
  double sum = 0;
  const size_t m = std::max(cls.size(), overall.size());
  for (size_t i = 0; i < m; ++i) {
    sum += std::abs(static_cast<double>(At(cls, i)) / p_total -
                    static_cast<double>(At(overall, i)) / q_total);
  }
  return sum / 2;
}

double OrderedEmd(std::span<const uint64_t> cls, std::span<const uint64_t> overall) {
  const double p_total = static_cast<double>(Total(cls));
  const double q_total = static_cast<double>(Total(overall));
  const size_t m = overall.size();
  if (m < 2 || p_total == 0 || q_total == 0) return 0;
  double running = 0, distance = 0;
  for (size_t i = 0; i < m; ++i) {
    running += static_cast<double>(At(cls, i)) / p_total - static_cast<double>(overall[i]) / q_total;
    distance += std::abs(running);
  }
  return distance / static_cast<double>(m - 1);
}

namespace {

std::vector<uint32_t> RanksOf(const std::vector<uint32_t>& ids_in_order) {
  std::vector<uint32_t> rank(ids_in_order.size());
  for (uint32_t pos = 0; pos < ids_in_order.size(); ++pos) rank[ids_in_order[pos]] = pos;
  return rank;
}

}  // namespace

std::vector<uint32_t> NumericRanks(const std::vector<std::string>& dictionary) {
  std::vector<double> numbers(dictionary.size());
  for (size_t i = 0; i < dictionary.size(); ++i) {
    if (!ParseNumber(StripAscii(dictionary[i]), numbers[i])) return {};
  }
  std::vector<uint32_t> ids(dictionary.size());
  std::iota(ids.begin(), ids.end(), 0u);
  std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
    if (numbers[a] != numbers[b]) return numbers[a] < numbers[b];
    return dictionary[a] < dictionary[b];
  });
  return RanksOf(ids);
}

absl::StatusOr<std::vector<uint32_t>> RanksInOrder(const std::vector<std::string>& dictionary,
                                                   const std::vector<std::string>& order) {
  absl::flat_hash_map<std::string_view, uint32_t> position;
  for (const std::string& v : order) {
    position.emplace(v, static_cast<uint32_t>(position.size()));
  }
  std::vector<uint32_t> pos(dictionary.size());
  for (size_t v = 0; v < dictionary.size(); ++v) {
    auto it = position.find(dictionary[v]);
    if (it == position.end()) {
      return absl::InvalidArgumentError(Cat("the order lacks value #", v + 1, " of the data"));
    }
    pos[v] = it->second;
  }
  std::vector<uint32_t> ids(dictionary.size());
  std::iota(ids.begin(), ids.end(), 0u);
  std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return pos[a] < pos[b]; });
  return RanksOf(ids);
}

absl::StatusOr<EmdHierarchy> EmdHierarchy::Create(const Hierarchy& hierarchy,
                                                  const std::vector<std::string>& dictionary) {
  const size_t width = hierarchy.levels();
  if (width < 2) {
    return absl::InvalidArgumentError(
        "the hierarchy needs at least two columns (the value and one generalisation)");
  }
  // Hierarchy has checked the layout and that it is a tree; only the node ids are built here.
  EmdHierarchy h;
  h.height_ = static_cast<int>(width - 1);
  std::vector<absl::flat_hash_map<std::string_view, uint32_t>> node_ids(width);
  h.node_parent_.resize(width - 2);
  h.leaf_parent_.resize(hierarchy.size());
  std::vector<uint32_t> ids(width);
  for (size_t r = 0; r < hierarchy.size(); ++r) {
    for (size_t l = 1; l < width; ++l) {
      auto& level = node_ids[l];
      ids[l] = level.emplace(hierarchy.label(r, l), static_cast<uint32_t>(level.size()))
                   .first->second;
    }
    h.leaf_parent_[r] = ids[1];
    for (size_t l = 1; l + 1 < width; ++l) {
      auto& parents = h.node_parent_[l - 1];
      if (ids[l] == parents.size()) parents.push_back(ids[l + 1]);
    }
  }
  for (size_t l = 1; l < width; ++l) h.level_nodes_.push_back(node_ids[l].size());
  h.value_row_.resize(dictionary.size());
  for (size_t v = 0; v < dictionary.size(); ++v) {
    std::optional<size_t> row = hierarchy.Find(dictionary[v]);
    if (!row) {
      return absl::InvalidArgumentError(
          Cat("value #", v + 1, " of the attribute has no row in the hierarchy"));
    }
    h.value_row_[v] = static_cast<uint32_t>(*row);
  }
  return h;
}

double HierarchicalEmd(std::span<const uint64_t> cls, std::span<const uint64_t> overall,
                       const EmdHierarchy& h) {
  const double p_total = static_cast<double>(Total(cls));
  const double q_total = static_cast<double>(Total(overall));
  if (p_total == 0 || q_total == 0 || h.height_ < 1) return 0;
  // Extra mass of the whole data set over the class, per leaf (row).
  std::vector<double> extra(h.leaf_parent_.size(), 0.0);
  const size_t m = std::min(overall.size(), h.value_row_.size());
  for (size_t v = 0; v < m; ++v) {
    extra[h.value_row_[v]] += static_cast<double>(overall[v]) / q_total -
                              static_cast<double>(At(cls, v)) / p_total;
  }
  const double height = h.height_;
  double cost = 0;
  const std::vector<uint32_t>* parent = &h.leaf_parent_;
  for (int level = 1; level <= h.height_; ++level) {
    const size_t nodes = h.level_nodes_[level - 1];
    std::vector<double> pos(nodes, 0.0), neg(nodes, 0.0);
    for (size_t child = 0; child < extra.size(); ++child) {
      const double e = extra[child];
      if (e > 0) {
        pos[(*parent)[child]] += e;
      } else {
        neg[(*parent)[child]] -= e;
      }
    }
    std::vector<double> next(nodes);
    for (size_t n = 0; n < nodes; ++n) {
      cost += (level / height) * std::min(pos[n], neg[n]);
      next[n] = pos[n] - neg[n];
    }
    extra = std::move(next);
    if (level < h.height_) parent = &h.node_parent_[level - 1];
  }
  return cost;
}

}  // namespace phiguard::risk
