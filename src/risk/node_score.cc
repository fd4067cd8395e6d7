// Scoring a lattice node: privacy models, metrics and attribute-disclosure models over its classes
// (see risk/internal/node_score.h).
#include "risk/internal/node_score.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "phiguard/core/strings.h"

namespace phiguard::risk {

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

namespace internal {

uint64_t EffectiveK(const AnonymizeOptions& o) {
  // 1/|class| <= max_risk  <=>  |class| >= 1/max_risk.
  double from_risk = std::ceil(1.0 / o.max_risk - 1e-9);
  return std::max<uint64_t>(o.k, static_cast<uint64_t>(std::max(1.0, from_risk)));
}

uint64_t MaxOutliers(const AnonymizeOptions& o, size_t n) {
  return static_cast<uint64_t>(std::floor(o.suppression_limit * static_cast<double>(n)));
}

namespace {

double NormalizeLoss(double sum, double n, double domain) {
  double min = n / domain;
  if (n - min <= 0) return 0;
  double v = (sum - min) / (n - min);
  return FloorTo1e10(v >= 0 ? v : 0);
}

double Precision(int level, int height) {
  return height > 1 ? static_cast<double>(level) / (height - 1) : 0.0;
}

}  // namespace

bool PopulationUniquenessHolds(const PopulationUniquenessLimit& p,
                               const std::map<uint64_t, uint64_t>& sizes) {
  if (sizes.empty()) return true;  // everything suppressed
  auto uniques = EstimatePopulationUniques(sizes, p.population_size, p.model);
  if (!uniques.ok()) return false;  // N below the released records: cannot hold
  const double share = *uniques / p.population_size;
  if (share > 0) return share <= p.threshold;
  return !sizes.count(1);  // no valid estimate: passes only without sample uniques (as ARX)
}

bool EnforcePopulationUniqueness(const Internal& e, const int* levels,
                                 const PopulationUniquenessLimit& p,
                                 const std::vector<ClassEntry>& classes, uint64_t max_outliers,
                                 std::vector<uint8_t>& out, uint64_t& outliers) {
  // Released classes, smallest first, as ARX orders suppressible classes; ties by the classes'
  // generalised values, so the order does not depend on which record represents a class.
  std::vector<uint32_t> order;
  std::map<uint64_t, uint64_t> sizes;
  for (size_t i = 0; i < classes.size(); ++i) {
    if (out[i]) continue;
    order.push_back(static_cast<uint32_t>(i));
    ++sizes[classes[i].count];
  }
  if (PopulationUniquenessHolds(p, sizes)) return true;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (classes[a].count != classes[b].count) return classes[a].count < classes[b].count;
    const uint32_t* ra = e.codes.data() + static_cast<size_t>(classes[a].rep) * e.key_dims;
    const uint32_t* rb = e.codes.data() + static_cast<size_t>(classes[b].rep) * e.key_dims;
    for (int d = 0; d < e.dims; ++d) {
      const uint32_t la = e.gen[d][levels[d]][ra[d]], lb = e.gen[d][levels[d]][rb[d]];
      if (la != lb) return la < lb;
    }
    return false;
  });
  // prefix_records[i]: records in the i smallest classes.
  std::vector<uint64_t> prefix_records(order.size() + 1, 0);
  for (size_t i = 0; i < order.size(); ++i) {
    prefix_records[i + 1] = prefix_records[i] + classes[order[i]].count;
  }
  size_t suppressed = 0;  // the first `suppressed` classes of `order` are suppressed
  auto suppress_to = [&](size_t count) {
    for (; suppressed < count; ++suppressed) {
      uint64_t& left = sizes[classes[order[suppressed]].count];
      if (--left == 0) sizes.erase(classes[order[suppressed]].count);
    }
    for (; suppressed > count; --suppressed) ++sizes[classes[order[suppressed - 1]].count];
  };
  enum class State { kFulfilled, kNotFulfilled, kAbort };
  auto state = [&] {
    if (PopulationUniquenessHolds(p, sizes)) return State::kFulfilled;
    return outliers + prefix_records[suppressed] > max_outliers ? State::kAbort
                                                                 : State::kNotFulfilled;
  };
  // ARX's HashGroupifyDistribution.suppressWhileNotFulfilledBinary, on prefix lengths.
  int64_t low = 0, high = static_cast<int64_t>(order.size()) - 1, mid = (low + high) / 2;
  suppress_to(static_cast<size_t>(mid + 1));
  State st = State::kAbort;
  while (low <= high) {
    st = state();
    if (st == State::kAbort) break;
    if (st == State::kFulfilled) {
      high = mid - 1;
    } else {
      low = mid + 1;
    }
    mid = (low + high) / 2;
    // Fulfilled: release all from mid + 1 on; not fulfilled: suppress up to mid.
    const int64_t keep = st == State::kFulfilled ? 0 : static_cast<int64_t>(suppressed);
    suppress_to(static_cast<size_t>(std::max(mid + 1, keep)));
  }
  if (st != State::kAbort && state() == State::kNotFulfilled &&
      static_cast<size_t>(mid + 1) < order.size() && suppressed <= static_cast<size_t>(mid + 1)) {
    suppress_to(static_cast<size_t>(mid + 2));
  }
  const bool holds = PopulationUniquenessHolds(p, sizes);
  for (size_t i = 0; i < suppressed; ++i) out[order[i]] = 1;
  outliers += prefix_records[suppressed];
  return holds;
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

// Evaluates the classes of `levels`; `fails[i]` (when not empty) marks a class that fails the
// attribute-disclosure models, so it is suppressed like a class smaller than k. Fills `eval`
// when given.
Scored Score(const Internal& e, const int* levels, const std::vector<ClassEntry>& classes,
             const std::vector<uint8_t>& fails, const AnonymizeOptions& o, NodeEvaluation* eval) {
  const uint64_t k = EffectiveK(o);
  const double n = static_cast<double>(e.n);
  const uint64_t max_outliers = MaxOutliers(o, e.n);
  uint64_t small = 0, outliers = 0;
  std::vector<uint8_t> out(classes.size(), 0);
  for (size_t i = 0; i < classes.size(); ++i) {
    const ClassEntry& c = classes[i];
    if (c.count < k) small += c.count;
    if (c.count < k || (!fails.empty() && fails[i])) {
      out[i] = 1;
      outliers += c.count;
    }
  }
  bool models_hold = true;
  if (o.population_uniqueness && outliers <= max_outliers) {
    models_hold = EnforcePopulationUniqueness(e, levels, *o.population_uniqueness, classes,
                                              max_outliers, out, outliers);
  }
  uint64_t outlier_classes = 0, min_size = UINT64_MAX;
  double dm_star = 0, dm = 0;
  for (size_t i = 0; i < classes.size(); ++i) {
    const double cnt = classes[i].count;
    dm_star += cnt * cnt;
    if (out[i]) {
      ++outlier_classes;
      dm += cnt * n;
    } else {
      dm += cnt * cnt;
      min_size = std::min<uint64_t>(min_size, classes[i].count);
    }
  }
  Scored s;
  s.monotone_ok = small <= max_outliers;
  const uint64_t released = classes.size() - outlier_classes;
  const double groups = static_cast<double>(released) + (outliers > 0 ? 1.0 : 0.0);
  const double average_risk = groups / n;
  s.satisfies = models_hold && outliers <= max_outliers && average_risk <= o.average_risk;

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
      auto emd = EmdHierarchy::Create(*m.hierarchy, dictionary);
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
namespace {

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

}  // namespace

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

}  // namespace internal
}  // namespace phiguard::risk
