#include "phiguard/risk/risk_analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "phiguard/core/strings.h"
#include "phiguard/risk/attribute_disclosure.h"

namespace phiguard::risk {
namespace {

// Largest l for which counts are recursive-(c,l)-diverse (0: not even l = 1).
uint64_t LargestRecursiveL(std::vector<uint64_t>& nonzero, double c) {
  std::sort(nonzero.begin(), nonzero.end(), std::greater<>());
  // tail(l) = r_l + ... + r_m shrinks as l grows, so the condition r_1 < c * tail(l) holds for
  // every l up to the largest one.
  double tail = std::accumulate(nonzero.begin(), nonzero.end(), 0.0);
  uint64_t best = 0;
  for (size_t l = 1; l <= nonzero.size(); ++l) {
    if (!(static_cast<double>(nonzero[0]) < c * tail)) break;
    best = l;
    tail -= static_cast<double>(nonzero[l - 1]);
  }
  return best;
}

absl::Status CheckClasses(const EquivalenceClasses& ec) {
  uint64_t total = 0;
  for (size_t c = 0; c < ec.sizes.size(); ++c) {
    if (ec.sizes[c] == 0) return absl::InvalidArgumentError(Cat("class ", c, " has size 0"));
    total += ec.sizes[c];
  }
  if (total != ec.records) {
    return absl::InvalidArgumentError(
        Cat("the class sizes add up to ", total, " records, not ", ec.records));
  }
  if (!ec.population_sizes.empty()) {
    if (ec.population_sizes.size() != ec.sizes.size()) {
      return absl::InvalidArgumentError("population_sizes must hold one size per class");
    }
    for (size_t c = 0; c < ec.sizes.size(); ++c) {
      if (ec.population_sizes[c] < ec.sizes[c]) {
        return absl::InvalidArgumentError(
            Cat("class ", c, " is larger in the data set (", ec.sizes[c], ") than in the population (",
                ec.population_sizes[c], ")"));
      }
    }
  }
  for (const SensitiveCounts& s : ec.sensitive) {
    if (s.counts.size() != ec.sizes.size()) {
      return absl::InvalidArgumentError(
          Cat("sensitive attribute '", s.name, "' must have counts for each class"));
    }
    for (size_t c = 0; c < s.counts.size(); ++c) {
      if (s.counts[c].size() > s.dictionary.size()) {
        return absl::InvalidArgumentError(
            Cat("sensitive attribute '", s.name, "': class ", c, " counts a value id outside the dictionary"));
      }
      if (std::accumulate(s.counts[c].begin(), s.counts[c].end(), uint64_t{0}) != ec.sizes[c]) {
        return absl::InvalidArgumentError(
            Cat("sensitive attribute '", s.name, "': the counts of class ", c, " do not add up to its size"));
      }
    }
  }
  return absl::OkStatus();
}

// Ordered attribute: rank[id] = position of the value in the attribute's order (a user order, or
// numeric); empty when the attribute is not ordered.
absl::StatusOr<std::vector<uint32_t>> OrderOf(const SensitiveCounts& s, const RiskOptions& o) {
  auto it = o.orders.find(s.name);
  if (it == o.orders.end()) return NumericRanks(s.dictionary);
  auto rank = RanksInOrder(s.dictionary, it->second);
  if (!rank.ok()) {
    return absl::InvalidArgumentError(Cat("order of '", s.name, "': ", rank.status().message()));
  }
  return rank;
}

absl::StatusOr<AttributeRisk> AttributeRiskOf(const SensitiveCounts& s, const RiskOptions& o) {
  AttributeRisk a;
  a.name = s.name;
  a.recursive_c = o.recursive_c;
  const size_t m = s.dictionary.size();
  std::vector<uint64_t> overall(m, 0);
  for (const auto& counts : s.counts) {
    for (size_t v = 0; v < counts.size(); ++v) overall[v] += counts[v];
  }
  auto rank = OrderOf(s, o);
  if (!rank.ok()) return rank.status();
  std::vector<uint64_t> overall_ordered;
  if (!rank->empty()) {
    overall_ordered.assign(m, 0);
    for (size_t v = 0; v < m; ++v) overall_ordered[(*rank)[v]] = overall[v];
    a.t_ordered = 0.0;
  }
  std::optional<EmdHierarchy> hierarchy;
  if (auto h = o.hierarchies.find(s.name); h != o.hierarchies.end()) {
    auto built = EmdHierarchy::Create(h->second, s.dictionary);
    if (!built.ok()) {
      return absl::InvalidArgumentError(
          Cat("hierarchy of '", s.name, "': ", built.status().message()));
    }
    hierarchy = std::move(*built);
    a.t_hierarchical = 0.0;
  }
  a.distinct_l = UINT64_MAX;
  a.entropy_l = INFINITY;
  a.recursive_l = UINT64_MAX;
  std::vector<uint64_t> nonzero, ordered(rank->empty() ? 0 : m);
  for (const auto& counts : s.counts) {
    a.distinct_l = std::min(a.distinct_l, DistinctL(counts));
    a.entropy_l = std::min(a.entropy_l, EntropyL(counts));
    nonzero.clear();
    for (uint64_t c : counts) {
      if (c != 0) nonzero.push_back(c);
    }
    a.recursive_l = std::min(a.recursive_l, LargestRecursiveL(nonzero, o.recursive_c));
    a.t_closeness = std::max(a.t_closeness, EqualDistanceEmd(counts, overall));
    if (a.t_ordered) {
      std::fill(ordered.begin(), ordered.end(), 0);
      for (size_t v = 0; v < counts.size(); ++v) ordered[(*rank)[v]] = counts[v];
      a.t_ordered = std::max(*a.t_ordered, OrderedEmd(ordered, overall_ordered));
    }
    if (hierarchy) {
      a.t_hierarchical = std::max(*a.t_hierarchical, HierarchicalEmd(counts, overall, *hierarchy));
    }
  }
  if (s.counts.empty()) a.distinct_l = 0, a.entropy_l = 0, a.recursive_l = 0;
  return a;
}

}  // namespace

absl::StatusOr<double> ThresholdPreset(std::string_view name) {
  static const std::pair<std::string_view, double> kPresets[] = {
      {"cell3", 0.33}, {"cell5", 0.2}, {"cell11", 0.09}, {"cell20", 0.05}};
  for (const auto& [n, t] : kPresets) {
    if (EqualsIgnoreCase(name, n)) return t;
  }
  return absl::InvalidArgumentError(Cat("unknown threshold preset '", name,
                                        "' (cell3 = 0.33, cell5 = 0.2, cell11 = 0.09, cell20 = 0.05)"));
}

absl::StatusOr<RiskReport> ComputeRisk(const EquivalenceClasses& ec, const RiskOptions& options) {
  if (!(options.threshold > 0 && options.threshold <= 1)) {
    return absl::InvalidArgumentError("the risk threshold must be in (0, 1]");
  }
  if (absl::Status s = CheckClasses(ec); !s.ok()) return s;
  RiskReport r;
  r.threshold = options.threshold;
  r.records = ec.records;
  r.population_table = !ec.population_sizes.empty();
  if (ec.records == 0) return r;
  if (options.population_size > 0 && options.population_size < static_cast<double>(ec.records)) {
    return absl::InvalidArgumentError(Cat("the population size must be at least the number of records (",
                                          ec.records, ")"));
  }

  r.classes = ec.sizes.size();
  r.k = UINT64_MAX;
  uint64_t at_risk = 0, journalist_at_risk = 0, smallest_population = UINT64_MAX;
  double population_total = 0, sample_share = 0;
  for (size_t c = 0; c < ec.sizes.size(); ++c) {
    const uint64_t size = ec.sizes[c];
    const uint64_t population = r.population_table ? ec.population_sizes[c] : size;
    r.k = std::min(r.k, size);
    ++r.class_sizes[size];
    if (size == 1) ++r.sample_uniques;
    if (1.0 / static_cast<double>(size) > options.threshold) at_risk += size;
    if (1.0 / static_cast<double>(population) > options.threshold) journalist_at_risk += size;
    smallest_population = std::min(smallest_population, population);
    population_total += static_cast<double>(population);
    sample_share += static_cast<double>(size) / static_cast<double>(population);
  }
  const double n = static_cast<double>(r.records);
  r.prosecutor_highest = 1.0 / static_cast<double>(r.k);
  r.prosecutor_average = static_cast<double>(r.classes) / n;
  r.records_at_risk = static_cast<double>(at_risk) / n;
  r.marketer = sample_share / n;
  r.journalist_highest = 1.0 / static_cast<double>(smallest_population);
  r.journalist_average = std::max(static_cast<double>(r.classes) / population_total, r.marketer);
  r.journalist_records_at_risk = static_cast<double>(journalist_at_risk) / n;
  if (options.population_size > 0) {
    auto pu = EstimatePopulationUniqueness(r.class_sizes, options.population_size, options.solver);
    if (!pu.ok()) return pu.status();
    r.population = *pu;
  }
  for (const SensitiveCounts& s : ec.sensitive) {
    auto a = AttributeRiskOf(s, options);
    if (!a.ok()) return a.status();
    r.attributes.push_back(std::move(*a));
  }
  return r;
}

absl::StatusOr<EquivalenceClasses> BuildEquivalenceClasses(RecordSource& source,
                                                           const RiskOptions& options,
                                                           const PopulationTable* population) {
  const size_t nqi = options.quasi_identifiers.size();
  const size_t nsens = options.sensitive.size();
  EquivalenceClasses ec;
  ec.sensitive.resize(nsens);
  std::vector<absl::flat_hash_map<std::string, uint32_t>> value_ids(nsens);
  for (size_t s = 0; s < nsens; ++s) ec.sensitive[s].name = options.sensitive[s];
  absl::flat_hash_map<std::string, uint32_t> class_of;
  std::vector<std::string> fields;
  std::string key;
  while (source.Next(fields)) {
    key.clear();
    for (size_t q = 0; q < nqi; ++q) {
      // Length-prefixed, so no field content can make two different combinations collide.
      key += std::to_string(fields[q].size());
      key.push_back(':');
      key += fields[q];
    }
    auto [it, inserted] = class_of.try_emplace(key, static_cast<uint32_t>(ec.sizes.size()));
    if (inserted) {
      ec.sizes.push_back(0);
      for (auto& s : ec.sensitive) s.counts.emplace_back();
      if (population != nullptr) {
        auto p = population->find(std::vector<std::string>(fields.begin(), fields.begin() + nqi));
        if (p == population->end()) {
          return absl::InvalidArgumentError(
              Cat("record ", ec.records + 1,
                  ": its quasi-identifier combination is not in the population table"));
        }
        ec.population_sizes.push_back(p->second);
      }
    }
    const uint32_t c = it->second;
    ++ec.sizes[c];
    ++ec.records;
    for (size_t s = 0; s < nsens; ++s) {
      auto& dict = ec.sensitive[s].dictionary;
      auto [v, fresh] = value_ids[s].try_emplace(fields[nqi + s], static_cast<uint32_t>(dict.size()));
      if (fresh) dict.push_back(fields[nqi + s]);
      auto& counts = ec.sensitive[s].counts[c];
      if (counts.size() <= v->second) counts.resize(v->second + 1, 0);
      ++counts[v->second];
    }
  }
  if (!source.status().ok()) return source.status();
  return ec;
}

absl::StatusOr<PopulationTable> ReadPopulationTable(CsvReader& reader,
                                                    const std::vector<std::string>& qis,
                                                    const std::string& count_column) {
  std::vector<std::string> columns = qis;
  columns.push_back(count_column);
  auto source = CsvRecords(reader, columns);
  if (!source.ok()) {
    return absl::InvalidArgumentError(Cat("population table: ", source.status().message()));
  }
  PopulationTable table;
  std::vector<std::string> fields;
  while ((*source)->Next(fields)) {
    uint64_t count = 0;
    if (!ParseNumber(StripAscii(fields.back()), count) || count == 0) {
      return absl::InvalidArgumentError(Cat("population table line ", reader.line_number(), ": '",
                                            count_column, "' is not a positive integer"));
    }
    fields.pop_back();
    if (!table.emplace(fields, count).second) {
      return absl::InvalidArgumentError(Cat("population table line ", reader.line_number(),
                                            ": the combination appears twice"));
    }
  }
  if (!reader.status().ok()) return reader.status();
  return table;
}

absl::StatusOr<RiskReport> AnalyzeRisk(CsvReader& reader, const RiskOptions& options) {
  if (options.quasi_identifiers.empty()) {
    return absl::InvalidArgumentError("name at least one quasi-identifier column");
  }
  if (!(options.threshold > 0 && options.threshold <= 1)) {
    return absl::InvalidArgumentError("the risk threshold must be in (0, 1]");
  }
  std::vector<std::string> columns = options.quasi_identifiers;
  columns.insert(columns.end(), options.sensitive.begin(), options.sensitive.end());
  auto source = CsvRecords(reader, columns);
  if (!source.ok()) return source.status();
  auto classes = BuildEquivalenceClasses(**source, options);
  if (!classes.ok()) return classes.status();
  return ComputeRisk(*classes, options);
}

std::string RiskReportJson(const RiskReport& r, const RiskOptions& o) {
  nlohmann::json j;
  j["records"] = r.records;
  j["quasi_identifiers"] = o.quasi_identifiers;
  j["classes"] = r.classes;
  j["k"] = r.k;
  j["sample_uniques"] = r.sample_uniques;
  j["threshold"] = r.threshold;
  j["risk"] = {{"prosecutor", {{"highest", r.prosecutor_highest},
                               {"average", r.prosecutor_average},
                               {"records_at_risk", r.records_at_risk}}},
               {"journalist", {{"highest", r.journalist_highest},
                               {"average", r.journalist_average},
                               {"records_at_risk", r.journalist_records_at_risk},
                               {"population_table", r.population_table}}},
               {"marketer", {{"average", r.marketer}}}};
  if (r.population) {
    const PopulationUniqueness& p = *r.population;
    auto model = [](double v, bool valid) { return valid ? nlohmann::json(v) : nlohmann::json(); };
    j["population_uniqueness"] = {
        {"population_size", p.population_size},
        {"sampling_fraction", p.sampling_fraction},
        {"pitman", model(p.pitman, p.pitman_valid)},
        {"zayatz", model(p.zayatz, p.zayatz_valid)},
        {"snb", model(p.snb, p.snb_valid)},
        {"dankar", {{"model", UniquenessModelName(p.dankar_model)},
                    {"uniques", p.dankar},
                    {"share", p.dankar_share()}}}};
  }
  nlohmann::json sizes = nlohmann::json::object();
  for (const auto& [size, count] : r.class_sizes) sizes[std::to_string(size)] = count;
  j["class_sizes"] = sizes;
  j["sensitive"] = nlohmann::json::array();
  for (const AttributeRisk& a : r.attributes) {
    nlohmann::json s = {{"name", a.name},
                        {"distinct_l", a.distinct_l},
                        {"entropy_l", a.entropy_l},
                        {"recursive_cl", {{"c", a.recursive_c}, {"l", a.recursive_l}}},
                        {"t_closeness", a.t_closeness}};
    if (a.t_ordered) s["t_closeness_ordered"] = *a.t_ordered;
    if (a.t_hierarchical) s["t_closeness_hierarchical"] = *a.t_hierarchical;
    j["sensitive"].push_back(s);
  }
  return j.dump(2) + "\n";
}

std::string FormatRiskReport(const RiskReport& r, const RiskOptions& o) {
  std::string out;
  auto line = [&](std::string_view k, const std::string& v) {
    fmt::format_to(std::back_inserter(out), "{:<44} {}\n", k, v);
  };
  line("records", std::to_string(r.records));
  std::string qis;
  for (const auto& q : o.quasi_identifiers) qis += (qis.empty() ? "" : ", ") + q;
  line("quasi-identifiers", qis);
  line("equivalence classes", std::to_string(r.classes));
  line("k (smallest class)", std::to_string(r.k));
  line("sample uniques", fmt::format("{} ({:.2f}%)", r.sample_uniques,
                                     r.records ? 100.0 * r.sample_uniques / r.records : 0.0));
  line("prosecutor risk, highest", fmt::format("{:.4f}", r.prosecutor_highest));
  line("prosecutor risk, average", fmt::format("{:.4f}", r.prosecutor_average));
  line(fmt::format("records at risk (> {:.2f})", r.threshold),
       fmt::format("{:.2f}%", 100 * r.records_at_risk));
  line("population for journalist, marketer",
       r.population_table ? "population table" : "the data set itself (no table)");
  line("journalist risk, highest", fmt::format("{:.4f}", r.journalist_highest));
  line("journalist risk, average", fmt::format("{:.4f}", r.journalist_average));
  line(fmt::format("journalist records at risk (> {:.2f})", r.threshold),
       fmt::format("{:.2f}%", 100 * r.journalist_records_at_risk));
  line("marketer risk", fmt::format("{:.4f}", r.marketer));
  if (r.population) {
    const PopulationUniqueness& p = *r.population;
    auto est = [](double v, bool valid) {
      return valid ? fmt::format("{:.1f}", v) : std::string("no estimate");
    };
    line("population size", fmt::format("{:.0f} (sampling fraction {:.4g})", p.population_size,
                                         p.sampling_fraction));
    line("population uniques, Pitman", est(p.pitman, p.pitman_valid));
    line("population uniques, Zayatz", est(p.zayatz, p.zayatz_valid));
    line("population uniques, SNB", est(p.snb, p.snb_valid));
    line(fmt::format("population uniques, Dankar ({})", UniquenessModelName(p.dankar_model)),
         fmt::format("{:.1f} ({:.4f}% of the population)", p.dankar, 100 * p.dankar_share()));
  }
  for (const AttributeRisk& a : r.attributes) {
    line(fmt::format("{}: distinct-l", a.name), std::to_string(a.distinct_l));
    line(fmt::format("{}: entropy-l", a.name), fmt::format("{:.3f}", a.entropy_l));
    line(fmt::format("{}: recursive-(c={:g},l)", a.name, a.recursive_c), std::to_string(a.recursive_l));
    line(fmt::format("{}: t-closeness (equal distance)", a.name), fmt::format("{:.4f}", a.t_closeness));
    if (a.t_ordered) {
      line(fmt::format("{}: t-closeness (ordered)", a.name), fmt::format("{:.4f}", *a.t_ordered));
    }
    if (a.t_hierarchical) {
      line(fmt::format("{}: t-closeness (hierarchical)", a.name),
           fmt::format("{:.4f}", *a.t_hierarchical));
    }
  }
  return out;
}

}  // namespace phiguard::risk
