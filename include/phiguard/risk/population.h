// Population uniqueness: how many people are unique in the population on the quasi-identifiers,
// estimated from a sample's class-size frequencies (how many equivalence classes have size 1, 2,
// ...), the sample size n and the population size N. Three models, as ARX implements them:
//   - Pitman (Hoshino 2001): maximum-likelihood fit of the Pitman sampling formula;
//   - Zayatz (1991): hypergeometric conditional probability that a sample unique is a population
//     unique;
//   - SNB (Chen & Keller-McNulty 1998): slide negative binomial, with Shlosser's estimate of the
//     number of non-empty population classes;
// and Dankar et al.'s decision rule ("Estimating the re-identification risk of clinical data sets",
// BMC Med Inform Decis Mak 2012): Pitman when the sampling fraction n/N <= 10 % (Zayatz if Pitman
// has no valid estimate), otherwise the smaller of Zayatz and SNB (Zayatz if SNB has none).
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>

#include "absl/status/statusor.h"

namespace phiguard::risk {

// Newton-Raphson settings for the Pitman and SNB maximum-likelihood fits. The defaults are ARX's:
// accuracy 1e-6 on both equations, 1000 iterations per start and 10000 in all, restarts from a 4x4
// grid of start values in [0, 1) when a start diverges. (ARX also stops after 1 s; this does not.)
struct PopulationSolverOptions {
  double accuracy = 1e-6;
  int iterations_per_try = 1000;
  int iterations_total = 10000;
  // ARX's Shlosser estimate (used by SNB) subtracts 1 per distinct class size in one denominator
  // where Shlosser's formula subtracts (1-f)^i c_i. true (default): as ARX, so the figures match
  // ARX's; false: Shlosser's formula.
  bool shlosser_as_arx = true;
};

enum class UniquenessModel { kNone, kPitman, kZayatz, kSnb };
std::string_view UniquenessModelName(UniquenessModel m);  // "pitman", "zayatz", "snb", "none"

struct PopulationUniqueness {
  double population_size = 0;  // N
  uint64_t sample_size = 0;    // n
  double sampling_fraction = 0;
  // Estimated number of population uniques per model; 0 where the model has no valid estimate
  // (the solver did not converge, or the estimate fell outside [0, N]) — as ARX reports it.
  double pitman = 0;
  double zayatz = 0;
  double snb = 0;
  bool pitman_valid = false, zayatz_valid = false, snb_valid = false;
  // Dankar et al.'s choice and its estimate; kNone with 0 when there are no sample uniques.
  UniquenessModel dankar_model = UniquenessModel::kNone;
  double dankar = 0;
  // Share of the population that is unique according to Dankar's rule (dankar / N).
  double dankar_share() const { return population_size > 0 ? dankar / population_size : 0; }
};

// `class_sizes` maps class size -> number of classes of that size (as RiskReport::class_sizes).
// InvalidArgument when it is empty, holds a size or count of 0, or when N is below the sample size
// n = sum size * count.
absl::StatusOr<PopulationUniqueness> EstimatePopulationUniqueness(
    const std::map<uint64_t, uint64_t>& class_sizes, double population_size,
    const PopulationSolverOptions& options = {});

// The estimate a privacy model uses (ARX's PopulationUniquenessModel): Dankar's rule or one model.
// Do not renumber (names are looked up by value).
enum class UniquenessEstimator { kDankar = 0, kPitman = 1, kZayatz = 2, kSnb = 3 };
// "dankar", "pitman", "zayatz", "snb" (case-insensitive); InvalidArgument naming them otherwise.
absl::StatusOr<UniquenessEstimator> ParseUniquenessEstimator(std::string_view name);
std::string_view UniquenessEstimatorName(UniquenessEstimator e);

// The estimated number of population uniques by one estimator, computing only the models it
// needs; 0 where it has no valid estimate, and 0 without sample uniques. kDankar applies the rule
// as ARX's PopulationUniqueness criterion does: without the Zayatz fallback when Pitman fails at a
// sampling fraction <= 10 %. Errors as EstimatePopulationUniqueness.
absl::StatusOr<double> EstimatePopulationUniques(const std::map<uint64_t, uint64_t>& class_sizes,
                                                 double population_size,
                                                 UniquenessEstimator estimator,
                                                 const PopulationSolverOptions& options = {});

}  // namespace phiguard::risk
