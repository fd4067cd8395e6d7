#include "phiguard/risk/utility_metrics.h"

#include <cmath>

#include "phiguard/core/strings.h"

namespace phiguard::risk {

std::string_view UtilityMetricName(UtilityMetric metric) {
  switch (metric) {
    case UtilityMetric::kLoss:
      return "loss";
    case UtilityMetric::kDiscernibility:
      return "discernibility";
    case UtilityMetric::kAecs:
      return "aecs";
    case UtilityMetric::kEntropy:
      return "entropy";
    case UtilityMetric::kPrecision:
      return "precision";
  }
  return "unknown";
}

absl::StatusOr<UtilityMetric> ParseUtilityMetric(std::string_view name) {
  for (int i = 0; i < kUtilityMetricCount; ++i) {
    auto m = static_cast<UtilityMetric>(i);
    if (EqualsIgnoreCase(name, UtilityMetricName(m))) return m;
  }
  return absl::InvalidArgumentError(
      Cat("unknown metric '", name, "' (use loss, discernibility, aecs, entropy or precision)"));
}

double FloorTo1e10(double value) { return std::floor(value * 1e10) / 1e10; }

double GeometricMeanLoss(const double* values, int count) {
  double result = 1.0;
  for (int i = 0; i < count; ++i) result *= std::pow(values[i] + 1.0, 1.0 / count);
  return result - 1.0;
}

}  // namespace phiguard::risk
