// The anonymisation summary as JSON (read by `phiguard risk report`) and as a terminal table.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "phiguard/risk/anonymize.h"

namespace phiguard::risk {
namespace {

nlohmann::json PrivacyModels(const AnonymizeOptions& o) {
  nlohmann::json models = nlohmann::json::array();
  models.push_back({{"model", "k-anonymity"}, {"k", o.k}});
  if (o.max_risk < 1) models.push_back({{"model", "highest-prosecutor-risk"}, {"threshold", o.max_risk}});
  if (o.average_risk < 1) {
    models.push_back({{"model", "average-prosecutor-risk"}, {"threshold", o.average_risk}});
  }
  for (const AttributeModel& m : o.attribute_models) {
    using Kind = AttributeModel::Kind;
    switch (m.kind) {
      case Kind::kDistinctL:
        models.push_back({{"model", "distinct-l-diversity"}, {"column", m.column}, {"l", m.l}});
        break;
      case Kind::kEntropyL:
        models.push_back({{"model", "entropy-l-diversity"}, {"column", m.column}, {"l", m.l}});
        break;
      case Kind::kRecursiveCL:
        models.push_back({{"model", "recursive-(c,l)-diversity"},
                          {"column", m.column},
                          {"c", m.c},
                          {"l", m.l}});
        break;
      case Kind::kEqualT:
      case Kind::kOrderedT:
      case Kind::kHierarchicalT: {
        const char* d = m.kind == Kind::kEqualT     ? "equal"
                        : m.kind == Kind::kOrderedT ? "ordered"
                                                    : "hierarchical";
        models.push_back(
            {{"model", "t-closeness"}, {"column", m.column}, {"distance", d}, {"t", m.t}});
        break;
      }
    }
  }
  if (o.population_uniqueness) {
    const PopulationUniquenessLimit& p = *o.population_uniqueness;
    models.push_back({{"model", "population-uniqueness"},
                      {"threshold", p.threshold},
                      {"population_size", p.population_size},
                      {"estimator", std::string(UniquenessEstimatorName(p.model))}});
  }
  models.push_back({{"model", "suppression-limit"}, {"limit", o.suppression_limit}});
  return models;
}

}  // namespace

std::string AnonymizationReportJson(const std::string& input_path, const EncodedData& data,
                                    const AnonymizeOptions& options,
                                    const AnonymizationResult& result,
                                    const std::string& risk_before_json,
                                    const std::string& risk_after_json) {
  const NodeEvaluation& b = result.best;
  nlohmann::json j;
  j["input"] = {{"path", input_path}, {"records", data.records()}};
  j["quasi_identifiers"] = data.names();
  j["privacy_models"] = PrivacyModels(options);
  nlohmann::json transformation = nlohmann::json::object(), heights = nlohmann::json::object();
  for (int d = 0; d < data.dimensions(); ++d) {
    transformation[data.names()[d]] = b.levels[d];
    heights[data.names()[d]] = data.hierarchy(d).levels() - 1;
  }
  j["transformation"] = transformation;
  j["hierarchy_heights"] = heights;
  j["suppressed"] = b.suppressed;
  j["classes"] = b.classes;
  j["min_class_size"] = b.min_class_size;
  nlohmann::json all = nlohmann::json::object();
  for (int m = 0; m < kUtilityMetricCount; ++m) {
    all[std::string(UtilityMetricName(static_cast<UtilityMetric>(m)))] = b.metrics[m];
  }
  j["utility"] = {{"metric", std::string(UtilityMetricName(options.metric))},
                  {"value", b.metric(options.metric)},
                  {"loss", b.metric(UtilityMetric::kLoss)},
                  {"metrics", all}};
  j["search"] = {{"lattice_nodes", result.search.lattice_nodes},
                 {"nodes_checked", result.search.nodes_checked},
                 {"nodes_tagged", result.search.nodes_tagged},
                 {"optimal", result.search.optimal},
                 {"strategy", result.search.best_effort ? "best-effort" : "exhaustive"},
                 {"milliseconds", result.search.milliseconds}};
  nlohmann::json risk = nlohmann::json::object();
  if (!risk_before_json.empty()) risk["before"] = nlohmann::json::parse(risk_before_json);
  if (!risk_after_json.empty()) risk["after"] = nlohmann::json::parse(risk_after_json);
  j["risk"] = risk;
  return j.dump(2) + "\n";
}

std::string FormatAnonymizationSummary(const EncodedData& data, const AnonymizeOptions& options,
                                       const AnonymizationResult& result) {
  const NodeEvaluation& b = result.best;
  std::string out;
  auto line = [&](std::string_view k, const std::string& v) {
    fmt::format_to(std::back_inserter(out), "{:<28} {}\n", k, v);
  };
  line("records", std::to_string(data.records()));
  std::string t;
  for (int d = 0; d < data.dimensions(); ++d) {
    t += fmt::format("{}{}={}/{}", d ? " " : "", data.names()[d], b.levels[d],
                     data.hierarchy(d).levels() - 1);
  }
  line("transformation (level/max)", t);
  line("suppressed records", std::to_string(b.suppressed));
  line("equivalence classes", std::to_string(b.classes));
  line("smallest class", std::to_string(b.min_class_size));
  line(fmt::format("utility ({})", UtilityMetricName(options.metric)),
       fmt::format("{:.10g}", b.metric(options.metric)));
  if (options.metric != UtilityMetric::kLoss) {
    line("loss", fmt::format("{:.10g}", b.metric(UtilityMetric::kLoss)));
  }
  const char* verdict = result.search.optimal ? "optimal"
                        : result.search.best_effort
                            ? "best-effort search (lattice too large): NOT proven optimal"
                            : "NOT proven optimal (time or node limit)";
  line("search", fmt::format("{} of {} nodes checked, {:.1f} ms, {}", result.search.nodes_checked,
                             result.search.lattice_nodes, result.search.milliseconds, verdict));
  return out;
}

}  // namespace phiguard::risk
