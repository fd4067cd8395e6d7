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

// Regression: the class sizes of bench/risk_analyze_bench.sh's 1M-row data set, where the Pitman
// fit has alpha < 0. The closed forms (digamma of large negative arguments) once led Newton to a
// second root (t = -8.3, alpha = 0.59: 190817.9 uniques). Reference: ARX 3.9.2 139591.34490938112
// (bench/arx/ArxRiskFile.java) and population_reference.py 139591.34480928996.
TEST(RiskPopulation, PitmanWithNegativeAlphaFindsArxsRoot) {
  const std::map<uint64_t, uint64_t> sizes = {
      {1, 181743}, {2, 82700}, {3, 43636}, {4, 25416}, {5, 16494}, {6, 11439}, {7, 8311},
      {8, 5994},   {9, 4306},  {10, 2875}, {11, 1819}, {12, 1116}, {13, 623},  {14, 338},
      {15, 189},   {16, 121},  {17, 99},   {18, 75},   {19, 81},   {20, 114},  {21, 116},
      {22, 127},   {23, 141},  {24, 145},  {25, 131},  {26, 138},  {27, 117},  {28, 108},
      {29, 90},    {30, 82},   {31, 61},   {32, 54},   {33, 45},   {34, 25},   {35, 11},
      {36, 13},    {37, 9},    {38, 4},    {39, 3},    {40, 2},    {42, 1},    {46, 1},
      {47, 1}};
  auto r = EstimatePopulationUniqueness(sizes, 330000000);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->pitman_valid);
  EXPECT_NEAR(r->pitman, 139591.3449, 139591.3449 * 1e-8);
  EXPECT_EQ(r->dankar_model, UniquenessModel::kPitman);
}

}  // namespace
}  // namespace phiguard::risk
