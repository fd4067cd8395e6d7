// Population uniqueness estimators against reference values from an independent pure-Python
// implementation (bench/arx/population_reference.py: term-by-term sums, exact binomials,
// finite-difference Newton), Dankar's decision rule, and the error paths.
#include "phiguard/risk/population.h"

#include <gtest/gtest.h>

namespace phiguard::risk {
namespace {

// 270 records in 118 classes.
const std::map<uint64_t, uint64_t> kSizes = {{1, 50}, {2, 30}, {3, 20}, {4, 10}, {6, 5}, {10, 3}};

TEST(RiskPopulation, SmallSamplingFractionUsesPitman) {
  auto r = EstimatePopulationUniqueness(kSizes, 10000);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->sample_size, 270u);
  EXPECT_DOUBLE_EQ(r->sampling_fraction, 0.027);
  ASSERT_TRUE(r->pitman_valid);
  EXPECT_NEAR(r->pitman, 3.945091811434594, 1e-4);
  ASSERT_TRUE(r->zayatz_valid);
  EXPECT_NEAR(r->zayatz, 367.8660631694917, 1e-8);
  EXPECT_EQ(r->dankar_model, UniquenessModel::kPitman);
  EXPECT_DOUBLE_EQ(r->dankar, r->pitman);
  EXPECT_DOUBLE_EQ(r->dankar_share(), r->pitman / 10000);
}

TEST(RiskPopulation, LargeSamplingFractionTakesTheSmallerOfZayatzAndSnb) {
  auto r = EstimatePopulationUniqueness(kSizes, 300);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->zayatz, 49.04012811338024, 1e-8);
  ASSERT_TRUE(r->snb_valid);
  EXPECT_NEAR(r->snb, 46.70159093989555, 1e-4);
  EXPECT_EQ(r->dankar_model, UniquenessModel::kSnb);
  EXPECT_DOUBLE_EQ(r->dankar, r->snb);
  EXPECT_EQ(UniquenessModelName(r->dankar_model), "snb");
}

TEST(RiskPopulation, ShlosserFormulaCanReplaceArxsVariant) {
  PopulationSolverOptions o;
  o.shlosser_as_arx = false;
  auto r = EstimatePopulationUniqueness(kSizes, 300, o);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->snb, 46.725283373572566, 1e-4);
}

TEST(RiskPopulation, NoSampleUniquesMeansNoPopulationUniques) {
  auto r = EstimatePopulationUniqueness({{2, 10}, {5, 3}}, 1e6);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dankar_model, UniquenessModel::kNone);
  EXPECT_EQ(r->dankar, 0.0);
  EXPECT_EQ(r->pitman, 0.0);
}

TEST(RiskPopulation, BadInputIsInvalidArgument) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(EstimatePopulationUniqueness({}, 100).status().code(), kInvalid);
  EXPECT_EQ(EstimatePopulationUniqueness(kSizes, 269).status().code(), kInvalid);  // N < n
  EXPECT_EQ(EstimatePopulationUniqueness({{0, 3}}, 100).status().code(), kInvalid);
  EXPECT_EQ(EstimatePopulationUniqueness({{1, 0}}, 100).status().code(), kInvalid);
}

}  // namespace
}  // namespace phiguard::risk
