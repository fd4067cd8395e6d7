// Risk analysis: class sizes, k, prosecutor/journalist/marketer risk, population tables,
// l-diversity and t-closeness against hand-computed answers, CSV and JSONL input, a cross-check on
// ARX's adult data, and the error paths.
#include "phiguard/risk/risk_analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "test_util.h"

namespace phiguard::risk {
namespace {

using testing_util::ScopedTempDir;
using testing_util::WriteFile;

RiskOptions Opts(std::vector<std::string> qi, std::vector<std::string> sensitive, double threshold) {
  RiskOptions o;
  o.quasi_identifiers = std::move(qi);
  o.sensitive = std::move(sensitive);
  o.threshold = threshold;
  return o;
}

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
  RiskOptions o = Opts({"zip3", "sex"}, {"diagnosis"}, 0.4);
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
                   Opts({"a"}, {"b"}, 0.34));
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
  auto r = Analyze(path, Opts({"sex", "age", "race", "marital-status"}, {}, 0.2), ';');
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
  EXPECT_EQ(Analyze(path, Opts({"nope"}, {}, 0.2)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Analyze(path, Opts({"sex"}, {"nope"}, 0.2)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Analyze(path, Opts({}, {}, 0.2)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Analyze(path, Opts({"sex"}, {}, 0.0)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RiskAnalysis, MalformedCsvReportsTheReaderError) {
  ScopedTempDir dir;
  auto r = Analyze(WriteFile(dir.File("d.csv"), "a,b\n1,2\n3\n"), Opts({"a"}, {}, 0.2));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RiskAnalysis, JsonReportHasTheModels) {
  ScopedTempDir dir;
  RiskOptions o = Opts({"zip3", "sex"}, {"diagnosis"}, 0.2);
  auto r = Analyze(WriteFile(dir.File("d.csv"), kData), o);
  ASSERT_TRUE(r.ok());
  std::string j = RiskReportJson(*r, o);
  for (const char* key : {"\"prosecutor\"", "\"marketer\"", "\"k\"", "\"sample_uniques\"",
                          "\"t_closeness\"", "\"class_sizes\""}) {
    EXPECT_NE(j.find(key), std::string::npos) << key;
  }
}

// Three classes of sizes 3, 2, 1 whose population sizes are 30, 4 and 2.
EquivalenceClasses ClassesWithPopulation() {
  EquivalenceClasses ec;
  ec.records = 6;
  ec.sizes = {3, 2, 1};
  ec.population_sizes = {30, 4, 2};
  return ec;
}

TEST(RiskAnalysis, JournalistAndMarketerUseThePopulationSizes) {
  RiskOptions o;
  o.threshold = 0.3;
  auto r = ComputeRisk(ClassesWithPopulation(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->population_table);
  EXPECT_DOUBLE_EQ(r->prosecutor_highest, 1.0);
  EXPECT_DOUBLE_EQ(r->records_at_risk, 1.0);  // 1/3, 1/2 and 1 all exceed 0.3
  EXPECT_DOUBLE_EQ(r->journalist_highest, 0.5);  // 1 / min F
  // Marketer: (3/30 + 2/4 + 1/2) / 6; journalist average = max(3 / 36, marketer).
  EXPECT_NEAR(r->marketer, 1.1 / 6, 1e-12);
  EXPECT_NEAR(r->journalist_average, 1.1 / 6, 1e-12);
  // Only the class with F = 2 (risk 0.5) exceeds 0.3: 1 record of 6.
  EXPECT_NEAR(r->journalist_records_at_risk, 1.0 / 6, 1e-12);
}

TEST(RiskAnalysis, WithoutPopulationJournalistEqualsProsecutor) {
  EquivalenceClasses ec = ClassesWithPopulation();
  ec.population_sizes.clear();
  auto r = ComputeRisk(ec, RiskOptions());
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->journalist_highest, r->prosecutor_highest);
  EXPECT_DOUBLE_EQ(r->journalist_average, r->prosecutor_average);
  EXPECT_DOUBLE_EQ(r->journalist_records_at_risk, r->records_at_risk);
  EXPECT_DOUBLE_EQ(r->marketer, 0.5);
}

TEST(RiskAnalysis, InconsistentClassesAreInvalidArgument) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EquivalenceClasses ec = ClassesWithPopulation();
  ec.population_sizes[1] = 1;  // smaller than the class
  EXPECT_EQ(ComputeRisk(ec, RiskOptions()).status().code(), kInvalid);
  ec = ClassesWithPopulation();
  ec.records = 7;
  EXPECT_EQ(ComputeRisk(ec, RiskOptions()).status().code(), kInvalid);
  ec = ClassesWithPopulation();
  ec.sensitive.push_back({"s", {"x"}, {{3}, {2}, {2}}});  // last class counts 2 of 1 record
  EXPECT_EQ(ComputeRisk(ec, RiskOptions()).status().code(), kInvalid);
  ec.sensitive[0].counts = {{3}, {2}, {0, 1}};  // value id 1 outside the dictionary
  EXPECT_EQ(ComputeRisk(ec, RiskOptions()).status().code(), kInvalid);
  RiskOptions o;
  o.population_size = 5;  // fewer than the 6 records
  EXPECT_EQ(ComputeRisk(ClassesWithPopulation(), o).status().code(), kInvalid);
}

// Classes over zip: {1} x3 ages 40, 30, 30; {2} x2 ages 50, 50; {3} x1 age 30.
constexpr char kAges[] = "zip,age\n1,40\n1,30\n2,50\n1,30\n2,50\n3,30\n";

TEST(RiskAnalysis, NumericAttributesGetOrderedTClosenessAndRecursiveL) {
  ScopedTempDir dir;
  RiskOptions o = Opts({"zip"}, {"age"}, 0.2);
  auto r = Analyze(WriteFile(dir.File("d.csv"), kAges), o);
  ASSERT_TRUE(r.ok()) << r.status();
  const AttributeRisk& a = r->attributes[0];
  // Overall in order (30, 40, 50): (3, 1, 2)/6. Class {2}: cumulative differences -1/2, -2/3, 0
  // -> 7/6 / (3 - 1) = 7/12, the largest of 1/4, 7/12 and 5/12.
  ASSERT_TRUE(a.t_ordered.has_value());
  EXPECT_NEAR(*a.t_ordered, 7.0 / 12, 1e-12);
  EXPECT_FALSE(a.t_hierarchical.has_value());
  // c = 2: class {1} has (2, 1): l = 1 holds (2 < 6), l = 2 fails (2 < 2).
  EXPECT_EQ(a.recursive_l, 1u);
  o.orders["age"] = {"50", "40", "30"};  // a user order reverses it: the same distances
  r = Analyze(dir.File("d.csv"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(*r->attributes[0].t_ordered, 7.0 / 12, 1e-12);
  o.orders["age"] = {"50", "40"};
  EXPECT_EQ(Analyze(dir.File("d.csv"), o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RiskAnalysis, HierarchicalTClosenessUsesTheGivenHierarchy) {
  ScopedTempDir dir;
  RiskOptions o = Opts({"zip"}, {"age"}, 0.2);
  o.hierarchies.insert_or_assign(
      "age", *Hierarchy::FromRows(
                 {{"30", "30-39", "*"}, {"40", "40-59", "*"}, {"50", "40-59", "*"}}, "test"));
  auto r = Analyze(WriteFile(dir.File("d.csv"), kAges), o);
  ASSERT_TRUE(r.ok()) << r.status();
  // Class {2} (all 50) against (30: 1/2, 40: 1/6, 50: 1/3): 1/6 moves 50 -> 40 inside 40-59
  // (distance 1/2), 1/2 moves 40-59 -> 30-39 across the root (distance 1): 1/12 + 1/2.
  EXPECT_NEAR(*r->attributes[0].t_hierarchical, 1.0 / 12 + 0.5, 1e-12);
  // 40 and 50 have no row.
  o.hierarchies.insert_or_assign("age", *Hierarchy::FromRows({{"30", "*"}}, "test"));
  EXPECT_EQ(Analyze(dir.File("d.csv"), o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RiskAnalysis, JsonlRecordsReadKeysAndPointers) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("d.jsonl"),
                               "{\"zip\": \"021\", \"p\": {\"sex\": \"F\"}, \"dx\": \"flu\"}\n"
                               "\n"
                               "{\"zip\": \"021\", \"p\": {\"sex\": \"F\"}, \"dx\": \"asthma\"}\n"
                               "{\"zip\": 100, \"p\": {\"sex\": null}, \"dx\": \"flu\"}\n");
  RiskOptions o = Opts({"zip", "/p/sex"}, {"dx"}, 0.2);
  auto source = JsonlRecords(path, {"zip", "/p/sex", "dx"});
  ASSERT_TRUE(source.ok());
  auto ec = BuildEquivalenceClasses(**source, o);
  ASSERT_TRUE(ec.ok()) << ec.status();
  EXPECT_EQ(ec->records, 3u);
  EXPECT_EQ(ec->sizes, (std::vector<uint64_t>{2, 1}));
  EXPECT_EQ(ec->sensitive[0].dictionary, (std::vector<std::string>{"flu", "asthma"}));
  EXPECT_EQ(ec->sensitive[0].counts, (std::vector<std::vector<uint64_t>>{{1, 1}, {1}}));
}

TEST(RiskAnalysis, JsonlErrorsNameTheLine) {
  ScopedTempDir dir;
  RiskOptions o = Opts({"zip"}, {}, 0.2);
  auto run = [&](const std::string& content) {
    auto source = JsonlRecords(WriteFile(dir.File("d.jsonl"), content), {"zip"});
    if (!source.ok()) return source.status();
    return BuildEquivalenceClasses(**source, o).status();
  };
  absl::Status s = run("{\"zip\": 1}\n{\"zap\": 2}\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(":2:"), std::string::npos) << s;
  EXPECT_EQ(run("{\"zip\": 1}\n[1, 2]\n").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(run("{\"zip\": 1\n").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(JsonlRecords(dir.File("missing.jsonl"), {"zip"}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(RiskAnalysis, PopulationTableGivesJournalistRisk) {
  ScopedTempDir dir;
  auto table_reader = CsvReader::Open(WriteFile(dir.File("pop.csv"),
                                                "sex,zip3,count\nF,021,30\nM,021,4\nF,100,2\n"));
  ASSERT_TRUE(table_reader.ok());
  auto table = ReadPopulationTable(**table_reader, {"zip3", "sex"});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->at({"021", "M"}), 4u);
  auto data = CsvReader::Open(WriteFile(dir.File("d.csv"), kData));
  ASSERT_TRUE(data.ok());
  RiskOptions o = Opts({"zip3", "sex"}, {}, 0.3);
  auto source = CsvRecords(**data, {"zip3", "sex"});
  ASSERT_TRUE(source.ok());
  auto ec = BuildEquivalenceClasses(**source, o, &*table);
  ASSERT_TRUE(ec.ok()) << ec.status();
  EXPECT_EQ(ec->population_sizes, (std::vector<uint64_t>{30, 4, 2}));
  auto r = ComputeRisk(*ec, o);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->journalist_highest, 0.5);
}

TEST(RiskAnalysis, BadPopulationTablesAreInvalidArgument) {
  ScopedTempDir dir;
  auto read = [&](const std::string& content) {
    auto reader = CsvReader::Open(WriteFile(dir.File("pop.csv"), content));
    if (!reader.ok()) return reader.status();
    return ReadPopulationTable(**reader, {"zip3"}).status();
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(read("zip3,n\n021,3\n").code(), kInvalid);           // no count column
  EXPECT_EQ(read("zip3,count\n021,many\n").code(), kInvalid);    // not a number
  EXPECT_EQ(read("zip3,count\n021,0\n").code(), kInvalid);       // not positive
  EXPECT_EQ(read("zip3,count\n021,3\n021,4\n").code(), kInvalid);  // twice
  // A data set class missing from the table.
  auto reader = CsvReader::Open(WriteFile(dir.File("pop.csv"), "zip3,count\n021,30\n"));
  ASSERT_TRUE(reader.ok());
  auto table = ReadPopulationTable(**reader, {"zip3"});
  ASSERT_TRUE(table.ok());
  auto data = CsvReader::Open(WriteFile(dir.File("d.csv"), kData));
  ASSERT_TRUE(data.ok());
  auto source = CsvRecords(**data, {"zip3"});
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(BuildEquivalenceClasses(**source, Opts({"zip3"}, {}, 0.2), &*table).status().code(),
            kInvalid);
}

TEST(RiskAnalysis, ThresholdPresetsAreElEmams) {
  EXPECT_DOUBLE_EQ(*ThresholdPreset("cell3"), 0.33);
  EXPECT_DOUBLE_EQ(*ThresholdPreset("cell5"), 0.2);
  EXPECT_DOUBLE_EQ(*ThresholdPreset("CELL11"), 0.09);
  EXPECT_DOUBLE_EQ(*ThresholdPreset("cell20"), 0.05);
  EXPECT_EQ(ThresholdPreset("strict").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RiskAnalysis, PopulationSizeAddsUniquenessEstimatesToTheReport) {
  ScopedTempDir dir;
  RiskOptions o = Opts({"zip3", "sex"}, {"diagnosis"}, 0.2);
  o.population_size = 1000;
  auto r = Analyze(WriteFile(dir.File("d.csv"), kData), o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->population.has_value());
  EXPECT_EQ(r->population->sample_size, 6u);
  std::string j = RiskReportJson(*r, o);
  for (const char* key : {"\"population_uniqueness\"", "\"dankar\"", "\"journalist\"",
                          "\"recursive_cl\"", "\"t_closeness_ordered\""}) {
    if (std::string(key) == "\"t_closeness_ordered\"") {
      EXPECT_EQ(j.find(key), std::string::npos) << "diagnosis is not ordered";
    } else {
      EXPECT_NE(j.find(key), std::string::npos) << key;
    }
  }
}

}  // namespace
}  // namespace phiguard::risk
