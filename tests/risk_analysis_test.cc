// Risk analysis: class sizes, k, prosecutor/marketer risk, l-diversity and t-closeness against
// hand-computed answers, a cross-check on ARX's adult data, and the error paths.
#include "phiguard/risk/risk_analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "test_util.h"

namespace phiguard::risk {
namespace {

using testing_util::ScopedTempDir;
using testing_util::WriteFile;

absl::StatusOr<RiskReport> Analyze(const std::string& path, const RiskOptions& o, char d = ',') {
  CsvOptions csv;
  csv.delimiter = d;
  auto reader = CsvReader::Open(path, csv);
  if (!reader.ok()) return reader.status();
  return AnalyzeRisk(**reader, o);
}

// Classes over (zip3, sex): {021,F} x3, {021,M} x2, {100,F} x1.
constexpr char kData[] =
    "zip3,sex,diagnosis\n"
    "021,F,flu\n021,F,flu\n021,F,asthma\n"
    "021,M,flu\n021,M,flu\n"
    "100,F,cancer\n";

TEST(RiskAnalysis, ClassSizesKAndRiskModelsMatchHandComputation) {
  ScopedTempDir dir;
  RiskOptions o{{"zip3", "sex"}, {"diagnosis"}, 0.4};
  auto r = Analyze(WriteFile(dir.File("d.csv"), kData), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records, 6u);
  EXPECT_EQ(r->classes, 3u);
  EXPECT_EQ(r->k, 1u);
  EXPECT_EQ(r->sample_uniques, 1u);
  EXPECT_EQ(r->class_sizes, (std::map<uint64_t, uint64_t>{{1, 1}, {2, 1}, {3, 1}}));
  EXPECT_DOUBLE_EQ(r->prosecutor_highest, 1.0);
  EXPECT_DOUBLE_EQ(r->prosecutor_average, 3.0 / 6.0);
  // Risk 1/|class| above 0.4: the singleton (1.0) and the pair (0.5), 3 of 6 records.
  EXPECT_DOUBLE_EQ(r->records_at_risk, 0.5);
  EXPECT_DOUBLE_EQ(r->marketer, 0.5);
  ASSERT_EQ(r->attributes.size(), 1u);
  const AttributeRisk& a = r->attributes[0];
  EXPECT_EQ(a.distinct_l, 1u);  // {021,M} and {100,F} hold one diagnosis each
  EXPECT_DOUBLE_EQ(a.entropy_l, 1.0);
  // Overall: flu 4/6, asthma 1/6, cancer 1/6. Class {100,F}: cancer 1 -> EMD = (4/6+1/6+5/6)/2.
  EXPECT_NEAR(a.t_closeness, (4.0 / 6 + 1.0 / 6 + 5.0 / 6) / 2, 1e-12);
}

TEST(RiskAnalysis, KAnonymousDataHasNoRecordsAtRisk) {
  ScopedTempDir dir;
  auto r = Analyze(WriteFile(dir.File("d.csv"), "a,b\n1,x\n1,x\n1,x\n2,y\n2,y\n2,y\n"),
                   RiskOptions{{"a"}, {"b"}, 0.34});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->k, 3u);
  EXPECT_DOUBLE_EQ(r->prosecutor_highest, 1.0 / 3);
  EXPECT_DOUBLE_EQ(r->records_at_risk, 0.0);
  EXPECT_EQ(r->attributes[0].distinct_l, 1u);
}

TEST(RiskAnalysis, AdultDataCrossCheck) {
  const std::string path = "../shared/data/arx-adult/adult.csv";
  if (!std::ifstream(path)) GTEST_SKIP() << "MISSING TEST DATA: " << path;
  // Counted independently (Python csv + Counter) over the same four columns.
  auto r = Analyze(path, RiskOptions{{"sex", "age", "race", "marital-status"}, {}, 0.2}, ';');
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records, 30162u);
  EXPECT_EQ(r->classes, 1690u);
  EXPECT_EQ(r->k, 1u);
  EXPECT_EQ(r->sample_uniques, 543u);
  EXPECT_NEAR(r->records_at_risk, 0.06047344340560971, 1e-12);
}

TEST(RiskAnalysis, UnknownColumnsAndBadOptionsAreInvalidArgument) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("d.csv"), kData);
  EXPECT_EQ(Analyze(path, RiskOptions{{"nope"}, {}, 0.2}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Analyze(path, RiskOptions{{"sex"}, {"nope"}, 0.2}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Analyze(path, RiskOptions{{}, {}, 0.2}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Analyze(path, RiskOptions{{"sex"}, {}, 0.0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RiskAnalysis, MalformedCsvReportsTheReaderError) {
  ScopedTempDir dir;
  auto r = Analyze(WriteFile(dir.File("d.csv"), "a,b\n1,2\n3\n"), RiskOptions{{"a"}, {}, 0.2});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RiskAnalysis, JsonReportHasTheModels) {
  ScopedTempDir dir;
  RiskOptions o{{"zip3", "sex"}, {"diagnosis"}, 0.2};
  auto r = Analyze(WriteFile(dir.File("d.csv"), kData), o);
  ASSERT_TRUE(r.ok());
  std::string j = RiskReportJson(*r, o);
  for (const char* key : {"\"prosecutor\"", "\"marketer\"", "\"k\"", "\"sample_uniques\"",
                          "\"t_closeness\"", "\"class_sizes\""}) {
    EXPECT_NE(j.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace phiguard::risk
