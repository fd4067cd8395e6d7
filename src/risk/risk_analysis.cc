#include "phiguard/risk/risk_analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_map.h"
#include "phiguard/core/strings.h"

namespace phiguard::risk {
namespace {

// Per equivalence class: its size and, per sensitive attribute, value counts.
struct ClassStats {
  uint64_t size = 0;
  std::vector<absl::flat_hash_map<std::string, uint64_t>> sensitive;
};

absl::StatusOr<std::vector<size_t>> ColumnIndexes(const std::vector<std::string>& header,
                                                  const std::vector<std::string>& names,
                                                  const char* what) {
  std::vector<size_t> out;
  for (const std::string& n : names) {
    auto it = std::find(header.begin(), header.end(), n);
    if (it == header.end()) {
      return absl::InvalidArgumentError(Cat(what, " column '", n, "' is not in the header"));
    }
    out.push_back(static_cast<size_t>(it - header.begin()));
  }
  return out;
}

}  // namespace

absl::StatusOr<RiskReport> AnalyzeRisk(CsvReader& reader, const RiskOptions& options) {
  if (options.quasi_identifiers.empty()) {
    return absl::InvalidArgumentError("name at least one quasi-identifier column");
  }
  if (!(options.threshold > 0 && options.threshold <= 1)) {
    return absl::InvalidArgumentError("the risk threshold must be in (0, 1]");
  }
  auto qi = ColumnIndexes(reader.header(), options.quasi_identifiers, "quasi-identifier");
  if (!qi.ok()) return qi.status();
  auto sens = ColumnIndexes(reader.header(), options.sensitive, "sensitive");
  if (!sens.ok()) return sens.status();

  absl::flat_hash_map<std::string, ClassStats> classes;
  std::vector<absl::flat_hash_map<std::string, uint64_t>> overall(sens->size());
  RiskReport r;
  std::vector<std::string> row;
  std::string key;
  while (reader.Next(row)) {
    key.clear();
    for (size_t c : *qi) {
      key += row[c];
      key.push_back('\x1f');  // unit separator: cannot be confused with field content boundaries
    }
    ClassStats& cls = classes[key];
    ++cls.size;
    if (cls.sensitive.empty()) cls.sensitive.resize(sens->size());
    for (size_t s = 0; s < sens->size(); ++s) {
      ++cls.sensitive[s][row[(*sens)[s]]];
      ++overall[s][row[(*sens)[s]]];
    }
    ++r.records;
  }
  if (!reader.status().ok()) return reader.status();
  r.threshold = options.threshold;
  if (r.records == 0) return r;

  r.classes = classes.size();
  r.k = UINT64_MAX;
  uint64_t at_risk = 0;
  for (const auto& [k, cls] : classes) {
    r.k = std::min(r.k, cls.size);
    ++r.class_sizes[cls.size];
    if (cls.size == 1) ++r.sample_uniques;
    if (1.0 / static_cast<double>(cls.size) > options.threshold) at_risk += cls.size;
  }
  const double n = static_cast<double>(r.records);
  r.prosecutor_highest = 1.0 / static_cast<double>(r.k);
  r.prosecutor_average = static_cast<double>(r.classes) / n;
  r.records_at_risk = static_cast<double>(at_risk) / n;
  r.marketer = r.prosecutor_average;

  for (size_t s = 0; s < sens->size(); ++s) {
    AttributeRisk a;
    a.name = options.sensitive[s];
    a.distinct_l = UINT64_MAX;
    a.entropy_l = INFINITY;
    for (const auto& [k, cls] : classes) {
      const auto& counts = cls.sensitive[s];
      a.distinct_l = std::min<uint64_t>(a.distinct_l, counts.size());
      double h = 0, emd = 0;
      const double size = static_cast<double>(cls.size);
      for (const auto& [v, c] : counts) {
        double p = static_cast<double>(c) / size;
        h -= p * std::log(p);
      }
      a.entropy_l = std::min(a.entropy_l, std::exp(h));
      // Equal-distance EMD = half the L1 distance between the class and overall distributions.
      for (const auto& [v, total] : overall[s]) {
        auto it = counts.find(v);
        double pc = it == counts.end() ? 0.0 : static_cast<double>(it->second) / size;
        emd += std::abs(pc - static_cast<double>(total) / n);
      }
      a.t_closeness = std::max(a.t_closeness, emd / 2);
    }
    r.attributes.push_back(a);
  }
  return r;
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
               {"marketer", {{"average", r.marketer}}}};
  nlohmann::json sizes = nlohmann::json::object();
  for (const auto& [size, count] : r.class_sizes) sizes[std::to_string(size)] = count;
  j["class_sizes"] = sizes;
  j["sensitive"] = nlohmann::json::array();
  for (const AttributeRisk& a : r.attributes) {
    j["sensitive"].push_back({{"name", a.name},
                              {"distinct_l", a.distinct_l},
                              {"entropy_l", a.entropy_l},
                              {"t_closeness", a.t_closeness}});
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
  line("marketer risk (sample = population)", fmt::format("{:.4f}", r.marketer));
  for (const AttributeRisk& a : r.attributes) {
    line(fmt::format("{}: distinct-l", a.name), std::to_string(a.distinct_l));
    line(fmt::format("{}: entropy-l", a.name), fmt::format("{:.3f}", a.entropy_l));
    line(fmt::format("{}: t-closeness (equal distance)", a.name), fmt::format("{:.4f}", a.t_closeness));
  }
  return out;
}

}  // namespace phiguard::risk
