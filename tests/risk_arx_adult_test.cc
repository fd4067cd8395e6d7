// phiguard's risk figures for the raw adult data equal ARX 3.9.2's. The expected values were
// printed by ARX itself: bench/arx/run.sh (bench/arx/ArxRisk.java, compiled against
// ../shared/tools/peers/arx/arx-3.9.2.jar), output recorded in docs/benchmarks.md, section
// "Risk: analysis vs ARX".
#include <gtest/gtest.h>

#include <fstream>

#include "phiguard/risk/risk_analysis.h"

namespace phiguard::risk {
namespace {

constexpr char kAdult[] = "../shared/data/arx-adult/adult.csv";

absl::StatusOr<RiskReport> AnalyzeAdult(const RiskOptions& o) {
  CsvOptions csv;
  csv.delimiter = ';';
  auto reader = CsvReader::Open(kAdult, csv);
  if (!reader.ok()) return reader.status();
  return AnalyzeRisk(**reader, o);
}

RiskOptions AllNineColumns(double population_size) {
  RiskOptions o;
  o.quasi_identifiers = {"sex",       "age",          "race",         "marital-status", "education",
                         "native-country", "workclass", "occupation", "salary-class"};
  o.threshold = 0.2;
  o.population_size = population_size;
  return o;
}

TEST(RiskArxAdult, ReidentificationRiskEqualsArx) {
  if (!std::ifstream(kAdult)) GTEST_SKIP() << "MISSING TEST DATA: " << kAdult;
  auto r = AnalyzeAdult(AllNineColumns(318857056));
  ASSERT_TRUE(r.ok()) << r.status();
  // ARX: records=30162 classes=19502 sample_uniques=15512
  EXPECT_EQ(r->records, 30162u);
  EXPECT_EQ(r->classes, 19502u);
  EXPECT_EQ(r->sample_uniques, 15512u);
  // ARX: prosecutor highest=1.0 average=0.6465751607983555 records_at_risk=0.7781314236456468
  EXPECT_DOUBLE_EQ(r->prosecutor_highest, 1.0);
  EXPECT_DOUBLE_EQ(r->prosecutor_average, 0.6465751607983555);
  EXPECT_DOUBLE_EQ(r->records_at_risk, 0.7781314236456468);
  // ARX: journalist (no population table: the data set is the population) = prosecutor;
  // marketer average=0.6465751607983555
  EXPECT_DOUBLE_EQ(r->journalist_highest, 1.0);
  EXPECT_DOUBLE_EQ(r->journalist_average, 0.6465751607983555);
  EXPECT_DOUBLE_EQ(r->journalist_records_at_risk, 0.7781314236456468);
  EXPECT_DOUBLE_EQ(r->marketer, 0.6465751607983555);
}

TEST(RiskArxAdult, PopulationUniquenessEqualsArx) {
  if (!std::ifstream(kAdult)) GTEST_SKIP() << "MISSING TEST DATA: " << kAdult;
  // ARX, population 318857056: pitman=1.2384536391574515E7 zayatz=8.4358212240471E7 snb=0.0
  // dankar=1.2384536391574515E7 dankar_model=PITMAN
  auto r = AnalyzeAdult(AllNineColumns(318857056));
  ASSERT_TRUE(r.ok()) << r.status();
  const PopulationUniqueness& p = *r->population;
  EXPECT_NEAR(p.pitman, 1.2384536391574515E7, 1.2384536391574515E7 * 1e-6);
  EXPECT_NEAR(p.zayatz, 8.4358212240471E7, 8.4358212240471E7 * 1e-9);
  EXPECT_FALSE(p.snb_valid);
  EXPECT_EQ(p.snb, 0.0);
  EXPECT_EQ(p.dankar_model, UniquenessModel::kPitman);
  EXPECT_NEAR(p.dankar_share(), 0.038840402489241185, 0.038840402489241185 * 1e-6);
  // ARX, population 100000: pitman=37798.68293218873 zayatz=38690.65409041682 snb=0.0
  // dankar=38690.65409041682 dankar_model=ZAYATZ
  r = AnalyzeAdult(AllNineColumns(100000));
  ASSERT_TRUE(r.ok()) << r.status();
  const PopulationUniqueness& q = *r->population;
  EXPECT_NEAR(q.pitman, 37798.68293218873, 37798.68293218873 * 1e-6);
  EXPECT_NEAR(q.zayatz, 38690.65409041682, 38690.65409041682 * 1e-9);
  EXPECT_FALSE(q.snb_valid);
  EXPECT_EQ(q.dankar_model, UniquenessModel::kZayatz);
  EXPECT_NEAR(q.dankar, 38690.65409041682, 38690.65409041682 * 1e-9);
}

Hierarchy ArxHierarchy(const std::string& column) {
  auto h = Hierarchy::LoadArxCsv("../shared/data/arx-adult/adult_hierarchy_" + column + ".csv");
  EXPECT_TRUE(h.ok()) << h.status();
  return h.ok() ? *h : *Hierarchy::FromRows({{"?", "*"}}, "missing");
}

TEST(RiskArxAdult, AttributeDisclosureEqualsArx) {
  if (!std::ifstream(kAdult)) GTEST_SKIP() << "MISSING TEST DATA: " << kAdult;
  RiskOptions o;
  o.quasi_identifiers = {"sex", "race"};
  o.sensitive = {"salary-class", "education", "age"};
  o.hierarchies.insert_or_assign("salary-class", ArxHierarchy("salary-class"));
  o.hierarchies.insert_or_assign("education", ArxHierarchy("education"));
  auto r = AnalyzeAdult(o);
  ASSERT_TRUE(r.ok()) << r.status();
  // ARX finds each figure by bisection (to 2^-40) on whether the raw data satisfies the criterion;
  // entropy-l by bisection on l, so within 1e-9 relative.
  // ARX: salary-class distinct_l=2 entropy_l=1.2050185059879368 recursive_l(c=2)=1
  //      t_equal=0.20294547375215188 t_hierarchical=0.20294547375215188 (a one-level hierarchy)
  const AttributeRisk& salary = r->attributes[0];
  EXPECT_EQ(salary.distinct_l, 2u);
  EXPECT_NEAR(salary.entropy_l, 1.2050185059879368, 1e-8);
  EXPECT_EQ(salary.recursive_l, 1u);
  EXPECT_NEAR(salary.t_closeness, 0.20294547375215188, 1e-9);
  ASSERT_TRUE(salary.t_hierarchical.has_value());
  EXPECT_NEAR(*salary.t_hierarchical, 0.20294547375215188, 1e-9);
  // ARX: education distinct_l=12 entropy_l=5.971089823342481 recursive_l(c=2)=4
  //      t_equal=0.22324169396597426 t_hierarchical=0.1926868652299163
  const AttributeRisk& education = r->attributes[1];
  EXPECT_EQ(education.distinct_l, 12u);
  EXPECT_NEAR(education.entropy_l, 5.971089823342481, 5.97 * 1e-8);
  EXPECT_EQ(education.recursive_l, 4u);
  EXPECT_NEAR(education.t_closeness, 0.22324169396597426, 1e-9);
  ASSERT_TRUE(education.t_hierarchical.has_value());
  EXPECT_NEAR(*education.t_hierarchical, 0.1926868652299163, 1e-9);
  // ARX (age as an integer attribute): t_ordered=0.09193571485957364
  ASSERT_TRUE(r->attributes[2].t_ordered.has_value());
  EXPECT_NEAR(*r->attributes[2].t_ordered, 0.09193571485957364, 1e-9);
}

}  // namespace
}  // namespace phiguard::risk
