// Utility (information loss) metrics of a generalised data set, as ARX defines them, so that the
// optimum phiguard finds is the one ARX finds. Lower is better for every metric.
//  - Loss: ARX's "Loss" (Iyengar's generalisation intensity). Per quasi-identifier, each record
//    contributes the share of the hierarchy's rows its generalised value covers (a suppressed
//    record contributes 1); the sum S is normalised to (S - n/D) / (n - n/D) (n records, D rows in
//    the hierarchy), floored at 1e-10, and the attributes are combined by ARX's geometric mean
//    prod((v_i + 1)^(1/m)) - 1.
//  - Discernibility: sum of |class|^2 over released classes, plus n for every suppressed record.
//  - AECS: average equivalence class size, n / (released classes + 1 if any record is suppressed).
//  - Entropy: non-uniform entropy, the sum over records and attributes of
//    -log2(f(original value) / f(generalised value)), frequencies over the input; a suppressed
//    record counts as generalised to the root (frequency n).
//  - Precision: per attribute the mean generalisation height level/max_level over records (1 for
//    a suppressed record), averaged over the attributes.
// Thread-safe (plain functions).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"

namespace phiguard::risk {

// Values are written to reports by name; do not renumber (the search indexes by them).
enum class UtilityMetric { kLoss = 0, kDiscernibility = 1, kAecs = 2, kEntropy = 3, kPrecision = 4 };

inline constexpr int kUtilityMetricCount = 5;

// "loss", "discernibility", "aecs", "entropy", "precision".
std::string_view UtilityMetricName(UtilityMetric metric);
// Parses the names above (case-insensitive). InvalidArgument naming the choices otherwise.
absl::StatusOr<UtilityMetric> ParseUtilityMetric(std::string_view name);

// ARX's rounding of normalised loss values: floor to 10 decimal places.
double FloorTo1e10(double value);

// ARX's geometric mean of per-attribute losses: prod over i of (v_i + 1)^(1/m), minus 1.
double GeometricMeanLoss(const double* values, int count);

}  // namespace phiguard::risk
