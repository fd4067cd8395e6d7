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
// proves the optimum. Non-monotone models (average risk with suppression, population uniqueness,
// l-diversity, t-closeness) are checked per node.
//
// Best-effort search (lattices over max_lattice_nodes, see anonymize.h): no per-node state; a set
// of the nodes already checked, and a queue of checked nodes that do not satisfy the models,
// cheapest first. A first solution comes from a binary search along one cheap path up the
// lattice (a few checks). From each node taken off the queue the search dives: it checks every successor,
// queues those that fail, and moves on to the cheapest failing one, until a successor satisfies
// the models (a solution: its successors are not explored from there) or the bound rules the
// rest out. Stops at the time or node limit or when the queue is empty; never proven optimal.
#include "phiguard/risk/anonymize.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <queue>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "phiguard/core/strings.h"
#include "risk/internal/node_score.h"

namespace phiguard::risk {
namespace {

using internal::CheckLevels;
using internal::ClassEntry;
using internal::Grouper;
using internal::GroupAndScore;
using internal::Internal;
using internal::Models;
using internal::Prepare;
using internal::Scored;
using internal::StaticBound;
using Clock = std::chrono::steady_clock;

class Search {
 public:
  // `best_effort`: the heuristic search, without per-node state.
  Search(const Internal& e, const Lattice& lattice, const AnonymizeOptions& o, const Models& models,
         bool best_effort)
      : e_(e), lat_(lattice), o_(o), models_(models), grouper_(e), best_effort_(best_effort) {
    if (!best_effort) state_.assign(lattice.size(), 0);
    start_ = Clock::now();
    double limit = o.time_limit_seconds;
    if (best_effort && limit == 0) limit = kDefaultBestEffortSeconds;
    if (limit > 0) {
      has_deadline_ = true;
      deadline_ = start_ + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(limit));
    }
  }

  AnonymizationResult Run() {
    bool complete = best_effort_ ? (BestEffort(), false) : TagAll() && Optimize();
    AnonymizationResult r;
    r.search.best_effort = best_effort_;
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
  static constexpr double kDefaultBestEffortSeconds = 30;  // ARX's default heuristic time limit

  // Out of time or of nodes to check.
  bool OutOfTime() {
    if (o_.max_nodes_checked > 0 && checked_ >= o_.max_nodes_checked) return true;
    return has_deadline_ && Clock::now() >= deadline_;
  }

  // A first solution in a few checks, so that a small budget still gets one and the bound prunes
  // from the start: the path up from the bottom that always raises the attribute whose step
  // costs least by the static bound (no data needed), binary-searched for its lowest node that
  // satisfies the models (exact when they are monotone along it).
  void Climb() {
    std::vector<uint64_t> path{lat_.bottom()};
    std::vector<int> levels(lat_.dimensions(), 0);
    while (path.back() != lat_.top()) {
      int best_d = -1;
      double best_bound = 0;
      for (int d = 0; d < lat_.dimensions(); ++d) {
        if (levels[d] + 1 >= lat_.height(d)) continue;
        ++levels[d];
        const double b = StaticBound(e_, levels.data(), o_.metric);
        --levels[d];
        if (best_d < 0 || b < best_bound) {
          best_d = d;
          best_bound = b;
        }
      }
      ++levels[best_d];
      path.push_back(path.back() + lat_.stride(best_d));
    }
    size_t lo = 1, hi = path.size() - 1;
    while (lo < hi && !OutOfTime()) {
      const size_t mid = (lo + hi) / 2;
      if (Evaluate(path[mid]).satisfies) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    if (!OutOfTime()) Evaluate(path[lo]);
  }

  // The best-effort search (see the top of this file).
  void BestEffort() {
    using Item = std::tuple<double, int, uint64_t>;  // value, rank, node
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
    absl::flat_hash_set<uint64_t> seen;
    const Scored bottom = Evaluate(lat_.bottom());
    seen.insert(lat_.bottom());
    if (bottom.satisfies) return;  // nothing is generalised: no node can lose less
    Climb();
    queue.emplace(bottom.value, 0, lat_.bottom());
    while (!queue.empty()) {
      uint64_t cur = std::get<2>(queue.top());
      queue.pop();
      if (has_best_ && scored_.at(cur).bound >= best_value_) continue;
      for (;;) {
        int rank = lat_.Rank(cur);
        uint64_t next = 0;
        bool found = false;
        double next_value = 0;
        for (int d = 0; d < lat_.dimensions(); ++d) {
          if (lat_.Level(cur, d) + 1 >= lat_.height(d)) continue;
          uint64_t y = cur + lat_.stride(d);
          if (!seen.insert(y).second) continue;
          if (OutOfTime()) return;
          const Scored s = Evaluate(y);
          if (s.satisfies || (has_best_ && s.bound >= best_value_)) continue;
          queue.emplace(s.value, rank + 1, y);
          if (!found || s.value < next_value) {
            found = true;
            next = y;
            next_value = s.value;
          }
        }
        if (!found) break;
        cur = next;  // dive; it stays queued, and finds its successors seen when taken again
      }
    }
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
  const bool best_effort_;
  bool has_deadline_ = false;
  std::vector<uint8_t> state_;  // per node; empty for the best-effort search
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


}  // namespace

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
  if (o.population_uniqueness) {
    const PopulationUniquenessLimit& p = *o.population_uniqueness;
    if (!(p.threshold > 0 && p.threshold < 1)) {
      return absl::InvalidArgumentError("the population uniqueness threshold must be in (0, 1)");
    }
    if (!(p.population_size > 0) || !std::isfinite(p.population_size)) {
      return absl::InvalidArgumentError("the population size must be a positive number");
    }
  }
  return absl::OkStatus();
}

namespace {

// ValidateOptions plus the checks that need the data.
absl::Status ValidateFor(const EncodedData& data, const AnonymizeOptions& o) {
  if (absl::Status s = ValidateOptions(o); !s.ok()) return s;
  if (o.population_uniqueness &&
      o.population_uniqueness->population_size < static_cast<double>(data.records())) {
    return absl::InvalidArgumentError(Cat("the population size ",
                                          o.population_uniqueness->population_size,
                                          " is below the number of records ", data.records()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<NodeEvaluation> EvaluateTransformation(const EncodedData& data,
                                                      const std::vector<int>& levels,
                                                      const AnonymizeOptions& options) {
  if (absl::Status s = ValidateFor(data, options); !s.ok()) return s;
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
  if (absl::Status s = ValidateFor(data, options); !s.ok()) return s;
  std::vector<int> heights = data.heights();
  double size = 1;
  for (int h : heights) size *= h;
  if (size >= 0x1p63) {
    return absl::InvalidArgumentError(
        Cat("the generalisation lattice has about ", size,
            " nodes, too many to number: use fewer quasi-identifiers or levels"));
  }
  const bool best_effort = size > static_cast<double>(options.max_lattice_nodes);
  Lattice lattice(std::move(heights));
  auto models = Prepare(data, options);
  if (!models.ok()) return models.status();
  Search search(data.internal(), lattice, options, *models, best_effort);
  AnonymizationResult result = search.Run();
  if (!search.found()) {
    return absl::FailedPreconditionError(
        "no transformation satisfies the privacy models, not even full generalisation "
        "(raise the suppression limit or relax the models)");
  }
  return result;
}

}  // namespace phiguard::risk
