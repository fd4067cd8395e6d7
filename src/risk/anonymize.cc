// The optimal search over the generalisation lattice (see anonymize.h) and node evaluation.
//
// Phase 1 (predictive tagging): every node is tagged anonymous or not for the monotone models
// (k-anonymity and highest risk, with the suppression limit). Nodes are visited in index order (a
// topological order: a node's predecessors have smaller indexes); from each untagged node a path
// of untagged nodes leads upwards, and a binary search along it checks O(log length) nodes. A
// check that passes tags the node's whole upward cone, one that fails its downward cone.
// Phase 2 (bounded best-first): from the minimal anonymous nodes, anonymous nodes are evaluated
// in order of a lower bound on the metric that never decreases upwards (the metric without
// suppression); the search stops once the smallest bound reaches the best value found, which
// proves the optimum. Non-monotone models (average risk with suppression) are checked per node.
#include "phiguard/risk/anonymize.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <queue>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "phiguard/core/strings.h"
#include "phiguard/risk/attribute_disclosure.h"
#include "risk/internal/encoded.h"

namespace phiguard::risk {
namespace {

using Clock = std::chrono::steady_clock;
using Internal = EncodedData::Internal;

uint64_t EffectiveK(const AnonymizeOptions& o) {
  // 1/|class| <= max_risk  <=>  |class| >= 1/max_risk.
  double from_risk = std::ceil(1.0 / o.max_risk - 1e-9);
  return std::max<uint64_t>(o.k, static_cast<uint64_t>(std::max(1.0, from_risk)));
}

uint64_t MaxOutliers(const AnonymizeOptions& o, size_t n) {
  return static_cast<uint64_t>(std::floor(o.suppression_limit * static_cast<double>(n)));
}

double NormalizeLoss(double sum, double n, double domain) {
  double min = n / domain;
  if (n - min <= 0) return 0;
  double v = (sum - min) / (n - min);
  return FloorTo1e10(v >= 0 ? v : 0);
}

double Precision(int level, int height) {
  return height > 1 ? static_cast<double>(level) / (height - 1) : 0.0;
}

// A lower bound on the metric of `levels` and of every node above it (needs no classes).
double StaticBound(const Internal& e, const int* levels, UtilityMetric metric) {
  const double n = static_cast<double>(e.n);
  switch (metric) {
    case UtilityMetric::kLoss: {
      double v[64];
      std::vector<double> big;
      double* values = v;
      if (e.dims > 64) {
        big.resize(e.dims);
        values = big.data();
      }
      for (int d = 0; d < e.dims; ++d) {
        values[d] = NormalizeLoss(e.static_loss[d][levels[d]], n, e.domain_size[d]);
      }
      return GeometricMeanLoss(values, e.dims);
    }
    case UtilityMetric::kEntropy: {
      double sum = 0;
      for (int d = 0; d < e.dims; ++d) sum += e.static_entropy[d][levels[d]];
      return sum;
    }
    case UtilityMetric::kPrecision: {
      double sum = 0;
      for (int d = 0; d < e.dims; ++d) {
        sum += Precision(levels[d], static_cast<int>(e.gen[d].size()));
      }
      return sum / e.dims;
    }
    case UtilityMetric::kDiscernibility:
      return n;  // every record alone in its class
    case UtilityMetric::kAecs:
      return 1;
  }
  return 0;
}

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
             const std::vector<uint8_t>& fails, const AnonymizeOptions& o, NodeEvaluation* eval) {
  const uint64_t k = EffectiveK(o);
  const double n = static_cast<double>(e.n);
  uint64_t small = 0, outliers = 0, outlier_classes = 0, min_size = UINT64_MAX;
  double dm_star = 0, dm = 0;
  std::vector<uint8_t> out(classes.size(), 0);
  for (size_t i = 0; i < classes.size(); ++i) {
    const ClassEntry& c = classes[i];
    const double cnt = c.count;
    dm_star += cnt * cnt;
    if (c.count < k) small += c.count;
    if (c.count < k || (!fails.empty() && fails[i])) {
      out[i] = 1;
      outliers += c.count;
      ++outlier_classes;
      dm += cnt * n;
    } else {
      dm += cnt * cnt;
      min_size = std::min<uint64_t>(min_size, c.count);
    }
  }
  Scored s;
  const uint64_t max_outliers = MaxOutliers(o, e.n);
  s.monotone_ok = small <= max_outliers;
  const uint64_t released = classes.size() - outlier_classes;
  const double groups = static_cast<double>(released) + (outliers > 0 ? 1.0 : 0.0);
  const double average_risk = groups / n;
  s.satisfies = outliers <= max_outliers && average_risk <= o.average_risk;

  double metrics[kUtilityMetricCount] = {};
  metrics[static_cast<int>(UtilityMetric::kDiscernibility)] = dm;
  metrics[static_cast<int>(UtilityMetric::kAecs)] = n / std::max(groups, 1.0);
  const bool need_all = eval != nullptr;
  const UtilityMetric m = o.metric;
  if (need_all || m == UtilityMetric::kLoss) {
    std::vector<double> loss(e.dims, 0.0);
    for (size_t i = 0; i < classes.size(); ++i) {
      const ClassEntry& c = classes[i];
      const uint32_t* rec = e.codes.data() + static_cast<size_t>(c.rep) * e.key_dims;
      for (int d = 0; d < e.dims; ++d) {
        loss[d] += out[i] ? c.count : c.count * e.share[d][levels[d]][e.gen[d][levels[d]][rec[d]]];
      }
    }
    for (int d = 0; d < e.dims; ++d) loss[d] = NormalizeLoss(loss[d], n, e.domain_size[d]);
    metrics[static_cast<int>(UtilityMetric::kLoss)] = GeometricMeanLoss(loss.data(), e.dims);
  }
  if (need_all || m == UtilityMetric::kEntropy) {
    // The no-suppression entropy, plus for each suppressed record log2(n / f(label)) per attribute
    // (its term -log2(f(v)/f(label)) becomes -log2(f(v)/n)).
    double entropy = 0;
    for (int d = 0; d < e.dims; ++d) entropy += e.static_entropy[d][levels[d]];
    for (size_t i = 0; i < classes.size(); ++i) {
      if (!out[i]) continue;
      const ClassEntry& c = classes[i];
      const uint32_t* rec = e.codes.data() + static_cast<size_t>(c.rep) * e.key_dims;
      for (int d = 0; d < e.dims; ++d) {
        const uint64_t f = e.label_freq[d][levels[d]][e.gen[d][levels[d]][rec[d]]];
        entropy += c.count * std::log2(n / static_cast<double>(f));
      }
    }
    metrics[static_cast<int>(UtilityMetric::kEntropy)] = entropy;
  }
  double precision = 0;
  for (int d = 0; d < e.dims; ++d) {
    double p = Precision(levels[d], static_cast<int>(e.gen[d].size()));
    precision += ((n - outliers) * p + outliers) / n;
  }
  metrics[static_cast<int>(UtilityMetric::kPrecision)] = precision / e.dims;

  s.value = metrics[static_cast<int>(m)];
  switch (m) {
    case UtilityMetric::kDiscernibility:
      s.bound = dm_star;
      break;
    case UtilityMetric::kAecs:
      s.bound = n / static_cast<double>(classes.size());
      break;
    default:
      s.bound = StaticBound(e, levels, m);
  }
  if (eval) {
    eval->levels.assign(levels, levels + e.dims);
    eval->satisfies = s.satisfies;
    eval->classes = released;
    eval->suppressed = outliers;
    eval->min_class_size = released ? min_size : 0;
    eval->average_risk = average_risk;
    std::copy(std::begin(metrics), std::end(metrics), eval->metrics);
  }
  return s;
}

// Grouping levels: the node's, then every sensitive attribute at `sensitive_level` (0 keeps the
// value: cells; 1 drops it: classes).
std::vector<int> KeyLevels(const Internal& e, const int* node_levels, int sensitive_level) {
  std::vector<int> levels(node_levels, node_levels + e.dims);
  levels.resize(e.key_dims, sensitive_level);
  return levels;
}

// An AttributeModel bound to the encoded data: its sensitive attribute's index and, for the
// ordered and hierarchical distances, the value order or the EMD hierarchy.
struct PreparedModel {
  AttributeModel model;
  int s = 0;                         // index among the sensitive attributes
  std::vector<uint32_t> ranks;       // kOrderedT: value id -> position
  std::vector<uint64_t> overall;     // the whole data set's counts (in rank order for kOrderedT)
  std::optional<EmdHierarchy> emd;   // kHierarchicalT
};
using Models = std::vector<PreparedModel>;

absl::StatusOr<Models> Prepare(const EncodedData& data, const AnonymizeOptions& o) {
  const Internal& e = data.internal();
  Models models;
  for (const AttributeModel& m : o.attribute_models) {
    PreparedModel p;
    p.model = m;
    auto it = std::find(data.sensitive().begin(), data.sensitive().end(), m.column);
    if (it == data.sensitive().end()) {
      return absl::InvalidArgumentError(
          Cat("attribute model on '", m.column, "', which is not a sensitive column"));
    }
    p.s = static_cast<int>(it - data.sensitive().begin());
    const std::vector<std::string>& dictionary = e.sensitive_values[p.s];
    p.overall = e.sensitive_overall[p.s];
    if (m.kind == AttributeModel::Kind::kOrderedT) {
      p.ranks = NumericRanks(dictionary);
      if (p.ranks.empty()) {
        return absl::InvalidArgumentError(
            Cat("ordered t-closeness on '", m.column, "' needs numeric values"));
      }
      std::vector<uint64_t> ordered(p.overall.size());
      for (size_t v = 0; v < p.overall.size(); ++v) ordered[p.ranks[v]] = p.overall[v];
      p.overall = std::move(ordered);
    }
    if (m.kind == AttributeModel::Kind::kHierarchicalT) {
      if (!m.hierarchy) {
        return absl::InvalidArgumentError(
            Cat("hierarchical t-closeness on '", m.column, "' needs a hierarchy"));
      }
      std::vector<std::vector<std::string>> rows(m.hierarchy->size());
      for (size_t r = 0; r < rows.size(); ++r) {
        for (size_t l = 0; l < m.hierarchy->levels(); ++l) rows[r].push_back(m.hierarchy->label(r, l));
      }
      auto emd = EmdHierarchy::Create(rows, dictionary);
      if (!emd.ok()) {
        return absl::InvalidArgumentError(Cat("'", m.column, "': ", emd.status().message()));
      }
      p.emd = std::move(*emd);
    }
    models.push_back(std::move(p));
  }
  return models;
}

// Whether a class with value counts `counts` (dense, by value id) satisfies `m`. `scratch` holds
// the counts in rank order for the ordered distance.
bool Holds(const PreparedModel& m, const std::vector<uint64_t>& counts,
           std::vector<uint64_t>& scratch) {
  constexpr double kSlack = 1e-12;  // floating-point slack at the threshold
  switch (m.model.kind) {
    case AttributeModel::Kind::kDistinctL:
      return static_cast<double>(DistinctL(counts)) >= m.model.l;
    case AttributeModel::Kind::kEntropyL:
      return EntropyL(counts) + kSlack >= m.model.l;
    case AttributeModel::Kind::kRecursiveCL:
      return RecursiveCL(counts, m.model.c, static_cast<uint64_t>(m.model.l));
    case AttributeModel::Kind::kEqualT:
      return EqualDistanceEmd(counts, m.overall) <= m.model.t + kSlack;
    case AttributeModel::Kind::kOrderedT:
      scratch.assign(counts.size(), 0);
      for (size_t v = 0; v < counts.size(); ++v) scratch[m.ranks[v]] = counts[v];
      return OrderedEmd(scratch, m.overall) <= m.model.t + kSlack;
    case AttributeModel::Kind::kHierarchicalT:
      return HierarchicalEmd(counts, m.overall, *m.emd) <= m.model.t + kSlack;
  }
  return true;
}

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
                                        std::vector<uint8_t>& fails) {
  fails.clear();
  class_of.clear();
  if (e.key_dims == e.dims) return cells;
  std::vector<int> levels = KeyLevels(e, node_levels, 1);
  grouper.GroupWithIndex(levels.data(), cells.data(), cells.size(), classes, class_of);
  if (models.empty()) return classes;
  fails.assign(classes.size(), 0);
  std::vector<uint64_t> counts, scratch;
  std::vector<uint32_t> touched;
  for (const PreparedModel& m : models) {
    counts.assign(e.sensitive_values[m.s].size(), 0);
    size_t current = SIZE_MAX;
    auto finish = [&] {
      if (current != SIZE_MAX && !fails[current] && !Holds(m, counts, scratch)) fails[current] = 1;
      for (uint32_t v : touched) counts[v] = 0;
      touched.clear();
    };
    ForEachCellByClass(e, cells, class_of, classes.size(), m.s,
                       [&](size_t c, uint32_t value, uint32_t count) {
                         if (c != current) {
                           finish();
                           current = c;
                         }
                         counts[value] += count;
                         touched.push_back(value);
                       });
    finish();
  }
  return classes;
}

// Groups `source` (cells of a node below, or of the raw data) at `node_levels` and scores the
// node; fills `eval` when given.
Scored GroupAndScore(const Internal& e, Grouper& grouper, const int* node_levels,
                     const std::vector<ClassEntry>& source, const AnonymizeOptions& o,
                     const Models& models, std::vector<ClassEntry>& cells, NodeEvaluation* eval) {
  std::vector<int> levels = KeyLevels(e, node_levels, 0);
  grouper.Group(levels.data(), source.data(), source.size(), cells);
  std::vector<ClassEntry> scratch;
  std::vector<uint32_t> class_of;
  std::vector<uint8_t> fails;
  const std::vector<ClassEntry>& classes =
      Classify(e, grouper, node_levels, cells, models, scratch, class_of, fails);
  return Score(e, node_levels, classes, fails, o, eval);
}

class Search {
 public:
  Search(const Internal& e, const Lattice& lattice, const AnonymizeOptions& o, const Models& models)
      : e_(e), lat_(lattice), o_(o), models_(models), grouper_(e), state_(lattice.size(), 0) {
    start_ = Clock::now();
    if (o.time_limit_seconds > 0) {
      deadline_ = start_ + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(o.time_limit_seconds));
    }
  }

  AnonymizationResult Run() {
    bool complete = TagAll() && Optimize();
    AnonymizationResult r;
    r.search.lattice_nodes = lat_.size();
    r.search.nodes_checked = checked_;
    r.search.nodes_tagged = tagged_;
    r.search.optimal = complete && has_best_;
    if (!has_best_) {
      // Out of time before any solution: full generalisation is the fallback candidate.
      Evaluate(lat_.top());
    }
    if (has_best_) r.best = best_;
    r.search.milliseconds =
        std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
    found_ = has_best_;
    return r;
  }
  bool found() const { return found_; }

 private:
  static constexpr uint8_t kKnown = 1, kAnonymous = 2, kQueued = 4;

  bool OutOfTime() {
    return o_.time_limit_seconds > 0 && Clock::now() >= deadline_;
  }

  // The classes of a checked node below `node` with the fewest classes: a direct predecessor
  // when one is kept, else the most recent checks, else the raw data's.
  const std::vector<ClassEntry>* Source(uint64_t node) {
    const std::vector<ClassEntry>* source = &e_.bottom;
    for (int d = 0; d < lat_.dimensions(); ++d) {
      if (lat_.Level(node, d) == 0) continue;
      auto it = kept_.find(node - lat_.stride(d));
      if (it != kept_.end() && it->second.size() < source->size()) source = &it->second;
    }
    if (source != &e_.bottom) return source;
    for (const Cached& c : recent_) {
      if (c.classes.size() < source->size() && lat_.Below(c.node, node)) source = &c.classes;
    }
    return source;
  }

  // Checks `node` (once): computes its classes, scores it and keeps the best solution.
  const Scored& Evaluate(uint64_t node) {
    auto it = scored_.find(node);
    if (it != scored_.end()) return it->second;
    const std::vector<ClassEntry>* source = Source(node);
    std::vector<int> levels = lat_.Levels(node);
    std::vector<ClassEntry> classes;  // cells, when there are sensitive attributes
    Scored s = GroupAndScore(e_, grouper_, levels.data(), *source, o_, models_, classes, nullptr);
    ++checked_;
    if (s.satisfies && (!has_best_ || s.value < best_value_)) {
      std::vector<ClassEntry> again;
      GroupAndScore(e_, grouper_, levels.data(), classes, o_, models_, again, &best_);
      best_value_ = s.value;
      has_best_ = true;
    }
    // Keep the classes for the nodes above: by node while the budget lasts, and in a ring of
    // recent checks (found by a scan) for paths that jump.
    if (kept_entries_ + classes.size() <= kKeptEntries) {
      kept_entries_ += classes.size();
      kept_.emplace(node, classes);
    }
    if (recent_.size() < kRecent) {
      recent_.push_back({node, std::move(classes)});
    } else {
      recent_[next_recent_] = {node, std::move(classes)};
      next_recent_ = (next_recent_ + 1) % kRecent;
    }
    return scored_.emplace(node, s).first->second;
  }

  void Tag(uint64_t start, bool anonymous) {
    const uint8_t tag = anonymous ? (kKnown | kAnonymous) : kKnown;
    state_[start] = (state_[start] & kQueued) | tag;
    stack_.assign(1, start);
    while (!stack_.empty()) {
      uint64_t x = stack_.back();
      stack_.pop_back();
      for (int d = 0; d < lat_.dimensions(); ++d) {
        int level = lat_.Level(x, d);
        uint64_t y;
        if (anonymous) {
          if (level + 1 >= lat_.height(d)) continue;
          y = x + lat_.stride(d);
        } else {
          if (level == 0) continue;
          y = x - lat_.stride(d);
        }
        if (state_[y] & kKnown) continue;
        state_[y] |= tag;
        ++tagged_;
        stack_.push_back(y);
      }
    }
  }

  bool Anonymous(uint64_t node) { return state_[node] & kAnonymous; }

  // Phase 1. False when out of time.
  bool TagAll() {
    std::vector<uint64_t> path;
    for (uint64_t node = 0; node < lat_.size(); ++node) {
      if (state_[node] & kKnown) continue;
      path.assign(1, node);
      for (uint64_t cur = node;;) {
        bool extended = false;
        for (int d = 0; d < lat_.dimensions() && !extended; ++d) {
          if (lat_.Level(cur, d) + 1 >= lat_.height(d)) continue;
          uint64_t next = cur + lat_.stride(d);
          if (!(state_[next] & kKnown)) {
            path.push_back(next);
            cur = next;
            extended = true;
          }
        }
        if (!extended) break;
      }
      int64_t lo = 0, hi = static_cast<int64_t>(path.size()) - 1;
      while (lo <= hi) {
        if (OutOfTime()) return false;
        int64_t mid = (lo + hi) / 2;
        uint64_t x = path[mid];
        if (!(state_[x] & kKnown)) Tag(x, Evaluate(x).monotone_ok);
        if (Anonymous(x)) {
          hi = mid - 1;
        } else {
          lo = mid + 1;
        }
      }
    }
    return true;
  }

  // Phase 2. False when out of time.
  bool Optimize() {
    using Item = std::tuple<double, int, uint64_t>;  // bound, rank, node
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
    std::vector<int> levels(lat_.dimensions());
    auto bound_of = [&](uint64_t node) {
      for (int d = 0; d < lat_.dimensions(); ++d) levels[d] = lat_.Level(node, d);
      return StaticBound(e_, levels.data(), o_.metric);
    };
    for (uint64_t node = 0; node < lat_.size(); ++node) {
      if (!Anonymous(node)) continue;
      bool minimal = true;
      for (int d = 0; d < lat_.dimensions() && minimal; ++d) {
        if (lat_.Level(node, d) > 0 && Anonymous(node - lat_.stride(d))) minimal = false;
      }
      if (!minimal) continue;
      state_[node] |= kQueued;
      queue.emplace(bound_of(node), lat_.Rank(node), node);
    }
    while (!queue.empty()) {
      auto [priority, rank, node] = queue.top();
      queue.pop();
      if (has_best_ && priority >= best_value_) return true;
      if (OutOfTime()) return false;
      const Scored s = Evaluate(node);
      if (has_best_ && s.bound >= best_value_) continue;
      for (int d = 0; d < lat_.dimensions(); ++d) {
        if (lat_.Level(node, d) + 1 >= lat_.height(d)) continue;
        uint64_t next = node + lat_.stride(d);
        if (state_[next] & kQueued) continue;
        state_[next] |= kQueued;
        queue.emplace(std::max(s.bound, bound_of(next)), rank + 1, next);
      }
    }
    return true;
  }

  struct Cached {
    uint64_t node;
    std::vector<ClassEntry> classes;
  };
  static constexpr size_t kRecent = 32;
  // Class entries kept by node (8 bytes each): 64 MiB.
  static constexpr size_t kKeptEntries = size_t{8} << 20;

  const Internal& e_;
  const Lattice& lat_;
  const AnonymizeOptions& o_;
  const Models& models_;
  Grouper grouper_;
  std::vector<uint8_t> state_;
  std::vector<uint64_t> stack_;
  std::vector<Cached> recent_;
  size_t next_recent_ = 0;
  absl::flat_hash_map<uint64_t, std::vector<ClassEntry>> kept_;
  size_t kept_entries_ = 0;
  absl::flat_hash_map<uint64_t, Scored> scored_;
  NodeEvaluation best_;
  double best_value_ = 0;
  bool has_best_ = false;
  bool found_ = false;
  uint64_t checked_ = 0, tagged_ = 0;
  Clock::time_point start_, deadline_;
};

absl::Status CheckLevels(const EncodedData& data, const std::vector<int>& levels) {
  if (static_cast<int>(levels.size()) != data.dimensions()) {
    return absl::InvalidArgumentError(Cat("the transformation has ", levels.size(),
                                          " levels for ", data.dimensions(),
                                          " quasi-identifiers"));
  }
  for (int d = 0; d < data.dimensions(); ++d) {
    if (levels[d] < 0 || levels[d] >= static_cast<int>(data.hierarchy(d).levels())) {
      return absl::InvalidArgumentError(Cat("level ", levels[d], " of '", data.names()[d],
                                            "' is outside its hierarchy (0..",
                                            data.hierarchy(d).levels() - 1, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AttributeModel> ParseAttributeModel(std::string_view spec) {
  std::vector<std::string_view> parts = Split(spec, ':');
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(Cat("attribute model '", spec, "': ", why));
  };
  if (parts.size() < 3 || parts[0].empty()) {
    return bad("use COLUMN:distinct|entropy:L, COLUMN:recursive:C:L or "
               "COLUMN:equal|ordered|hierarchical:T");
  }
  AttributeModel m;
  m.column = std::string(parts[0]);
  std::string_view kind = parts[1];
  double a = 0, b = 0;
  if (!ParseNumber(parts[2], a) || !(a > 0) || !std::isfinite(a)) return bad("not a positive number");
  if (kind == "recursive") {
    if (parts.size() != 4 || !ParseNumber(parts[3], b) || !(b >= 1) || b != std::floor(b)) {
      return bad("recursive takes C:L with L a whole number >= 1");
    }
    m.kind = AttributeModel::Kind::kRecursiveCL;
    m.c = a;
    m.l = b;
    return m;
  }
  if (parts.size() != 3) return bad("too many fields");
  if (kind == "distinct" || kind == "entropy") {
    if (a < 1) return bad("l must be at least 1");
    m.kind = kind == "distinct" ? AttributeModel::Kind::kDistinctL : AttributeModel::Kind::kEntropyL;
    m.l = a;
  } else if (kind == "equal" || kind == "ordered" || kind == "hierarchical") {
    if (a > 1) return bad("t must be in (0, 1]");
    m.kind = kind == "equal"     ? AttributeModel::Kind::kEqualT
             : kind == "ordered" ? AttributeModel::Kind::kOrderedT
                                 : AttributeModel::Kind::kHierarchicalT;
    m.t = a;
  } else {
    return bad("unknown model (distinct, entropy, recursive, equal, ordered, hierarchical)");
  }
  return m;
}

absl::Status ValidateOptions(const AnonymizeOptions& o) {
  if (o.k < 1) return absl::InvalidArgumentError("k must be at least 1");
  if (!(o.suppression_limit >= 0 && o.suppression_limit <= 1)) {
    return absl::InvalidArgumentError("the suppression limit must be in [0, 1]");
  }
  if (!(o.max_risk > 0 && o.max_risk <= 1)) {
    return absl::InvalidArgumentError("the highest risk allowed must be in (0, 1]");
  }
  if (!(o.average_risk > 0 && o.average_risk <= 1)) {
    return absl::InvalidArgumentError("the average risk allowed must be in (0, 1]");
  }
  if (!(o.time_limit_seconds >= 0) || !std::isfinite(o.time_limit_seconds)) {
    return absl::InvalidArgumentError("the time limit must be a non-negative number of seconds");
  }
  return absl::OkStatus();
}

absl::StatusOr<NodeEvaluation> EvaluateTransformation(const EncodedData& data,
                                                      const std::vector<int>& levels,
                                                      const AnonymizeOptions& options) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  if (absl::Status s = CheckLevels(data, levels); !s.ok()) return s;
  const Internal& e = data.internal();
  std::vector<ClassEntry> cells;
  Grouper grouper(e);
  NodeEvaluation eval;
  auto models = Prepare(data, options);
  if (!models.ok()) return models.status();
  GroupAndScore(e, grouper, levels.data(), e.bottom, options, *models, cells, &eval);
  return eval;
}

absl::StatusOr<AnonymizationResult> FindOptimalTransformation(const EncodedData& data,
                                                              const AnonymizeOptions& options) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  std::vector<int> heights = data.heights();
  double size = 1;
  for (int h : heights) size *= h;
  if (size > static_cast<double>(options.max_lattice_nodes)) {
    return absl::InvalidArgumentError(
        Cat("the generalisation lattice has ", static_cast<uint64_t>(size), " nodes, over the ",
            options.max_lattice_nodes, " allowed: use fewer quasi-identifiers or levels"));
  }
  Lattice lattice(std::move(heights));
  auto models = Prepare(data, options);
  if (!models.ok()) return models.status();
  Search search(data.internal(), lattice, options, *models);
  AnonymizationResult result = search.Run();
  if (!search.found()) {
    return absl::FailedPreconditionError(
        "no transformation satisfies the privacy models, not even full generalisation "
        "(raise the suppression limit or relax the models)");
  }
  return result;
}

namespace {

// The classes of `node` over the records of `source` (with `record_class[i]` = the class of
// source entry i) and whether each is suppressed in `node`.
struct NodeClasses {
  std::vector<ClassEntry> cells;
  std::vector<uint32_t> cell_class;  // empty: cells are classes
  std::vector<ClassEntry> classes;
  std::vector<uint32_t> entry_class;
  std::vector<uint8_t> suppressed;
};

NodeClasses ClassesOf(const Internal& e, const NodeEvaluation& node,
                      const std::vector<ClassEntry>& source, const AnonymizeOptions& o,
                      const Models& models) {
  Grouper grouper(e);
  std::vector<int> levels = KeyLevels(e, node.levels.data(), 0);
  std::vector<ClassEntry> cells, scratch;
  std::vector<uint32_t> cell_of, class_of;
  std::vector<uint8_t> fails;
  grouper.GroupWithIndex(levels.data(), source.data(), source.size(), cells, cell_of);
  const std::vector<ClassEntry>& classes =
      Classify(e, grouper, node.levels.data(), cells, models, scratch, class_of, fails);
  NodeClasses out;
  out.cells = cells;
  out.cell_class = class_of;
  out.classes = classes;
  out.entry_class = std::move(cell_of);
  if (!class_of.empty()) {
    for (uint32_t& c : out.entry_class) c = class_of[c];
  }
  const uint64_t k = EffectiveK(o);
  out.suppressed.resize(out.classes.size());
  for (size_t i = 0; i < out.classes.size(); ++i) {
    out.suppressed[i] = node.suppressed > 0 &&
                        (out.classes[i].count < k || (!fails.empty() && fails[i]));
  }
  return out;
}

}  // namespace

EquivalenceClasses ClassesForRisk(const EncodedData& data, const NodeEvaluation& node,
                                  const AnonymizeOptions& options, bool released_only) {
  const Internal& e = data.internal();
  auto models = Prepare(data, options);
  NodeClasses nc = ClassesOf(e, node, e.bottom, options, models.ok() ? *models : Models{});
  // Released classes get consecutive indexes.
  std::vector<int64_t> index(nc.classes.size(), -1);
  EquivalenceClasses out;
  for (size_t i = 0; i < nc.classes.size(); ++i) {
    if (released_only && nc.suppressed[i]) continue;
    index[i] = static_cast<int64_t>(out.sizes.size());
    out.sizes.push_back(nc.classes[i].count);
    out.records += nc.classes[i].count;
  }
  std::vector<uint32_t> class_of = nc.cell_class;
  if (class_of.empty()) {
    class_of.resize(nc.cells.size());
    for (size_t i = 0; i < class_of.size(); ++i) class_of[i] = static_cast<uint32_t>(i);
  }
  for (size_t s = 0; s < data.sensitive().size(); ++s) {
    SensitiveCounts sc;
    sc.name = data.sensitive()[s];
    sc.dictionary = e.sensitive_values[s];
    sc.counts.resize(out.sizes.size());
    ForEachCellByClass(e, nc.cells, class_of, nc.classes.size(), static_cast<int>(s),
                       [&](size_t c, uint32_t value, uint32_t count) {
                         if (index[c] < 0) return;
                         std::vector<uint64_t>& v = sc.counts[index[c]];
                         if (v.size() <= value) v.resize(value + 1, 0);
                         v[value] += count;
                       });
    out.sensitive.push_back(std::move(sc));
  }
  return out;
}

absl::Status WriteTransformed(const EncodedData& data, const NodeEvaluation& node,
                              const AnonymizeOptions& options, CsvReader& input,
                              AtomicFileWriter& out, char delimiter, bool drop_suppressed) {
  if (absl::Status s = CheckLevels(data, node.levels); !s.ok()) return s;
  const Internal& e = data.internal();
  std::vector<ClassEntry> records(e.n);
  for (size_t i = 0; i < e.n; ++i) records[i] = {static_cast<uint32_t>(i), 1};
  auto models = Prepare(data, options);
  if (!models.ok()) return models.status();
  NodeClasses nc = ClassesOf(e, node, records, options, *models);

  const auto& header = input.header();
  std::vector<size_t> col;
  for (const std::string& name : data.names()) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      return absl::FailedPreconditionError(Cat("the input no longer has column '", name, "'"));
    }
    col.push_back(static_cast<size_t>(it - header.begin()));
  }
  std::string buf;
  AppendCsvRecord(buf, header, delimiter);
  std::vector<std::string> row;
  size_t i = 0;
  while (input.Next(row)) {
    if (i >= e.n) break;
    const uint32_t* rec = e.codes.data() + i * e.key_dims;
    const bool suppressed = nc.suppressed[nc.entry_class[i]];
    for (int d = 0; d < e.dims; ++d) {
      const Hierarchy& h = data.hierarchy(d);
      const size_t hrow = e.row_of[d][rec[d]];
      if (row[col[d]] != h.label(hrow, 0)) {
        return absl::FailedPreconditionError(
            Cat("line ", input.line_number(), ": the input changed since it was read"));
      }
      row[col[d]] = suppressed ? "*" : h.label(hrow, node.levels[d]);
    }
    ++i;
    if (suppressed && drop_suppressed) continue;
    AppendCsvRecord(buf, row, delimiter);
    if (buf.size() > (1u << 20)) {
      if (absl::Status s = out.Write(buf); !s.ok()) return s;
      buf.clear();
    }
  }
  if (!input.status().ok()) return input.status();
  if (i != e.n || input.Next(row)) {
    return absl::FailedPreconditionError("the input changed since it was read (record count)");
  }
  return out.Write(buf);
}

}  // namespace phiguard::risk
