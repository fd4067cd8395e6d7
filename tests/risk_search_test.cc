// The lattice search beyond k-anonymity: population uniqueness as a privacy model (hand-computed
// Zayatz estimates on a six-record table), the best-effort search for lattices too large to search
// exhaustively (a generated data set with a 2^28-node lattice), and property tests over random
// tables: the optimum satisfies the models, and no node below it does with a better value.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "phiguard/risk/anonymize.h"
#include "phiguard/risk/lattice.h"
#include "test_util.h"

namespace phiguard::risk {
namespace {

using testing_util::ReadFile;
using testing_util::ScopedTempDir;
using testing_util::WriteFile;

Hierarchy Rows(std::vector<std::vector<std::string>> rows) {
  auto h = Hierarchy::FromRows(std::move(rows), "test");
  EXPECT_TRUE(h.ok()) << h.status();
  return *h;
}

std::unique_ptr<EncodedData> Encode(const std::string& path,
                                    std::vector<QuasiIdentifierSpec> qis) {
  auto reader = CsvReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return nullptr;
  auto data = EncodedData::FromCsv(**reader, std::move(qis), path);
  EXPECT_TRUE(data.ok()) << data.status();
  return data.ok() ? std::move(*data) : nullptr;
}

// age: 20,25 -> [20-29]; 30,35 -> [30-39]; -> *.   sex: M, F -> *.
// Classes of the raw data: {20 M}, {25 M}, {25 F}, {30 F}, {35 F, 35 F}.
constexpr char kSmall[] =
    "age,sex,diagnosis\n"
    "20,M,flu\n25,M,flu\n25,F,asthma\n30,F,flu\n35,F,cancer\n35,F,flu\n";

std::unique_ptr<EncodedData> SmallData(ScopedTempDir& dir) {
  return Encode(WriteFile(dir.File("small.csv"), kSmall),
                {{"age",
                  Rows({{"20", "[20-29]", "*"},
                        {"25", "[20-29]", "*"},
                        {"30", "[30-39]", "*"},
                        {"35", "[30-39]", "*"}}),
                  std::nullopt},
                 {"sex", Rows({{"M", "*"}, {"F", "*"}}), std::nullopt}});
}

// Zayatz by hand, population N = 12, sample n = 6 (f = 1/2): P(a class of population size K
// shows once in the sample) is P1 = 1/2, P2 = 2 (1/2)(6/11) = 6/11,
// P3 = 3 (1/2)(6/11)(5/10) = 9/22;
// uniques = c1 * (c1 P1 / sum_K c_K P_K) / f.
//   sizes {1: 2, 2: 2}: uniques = 2 * (1 / (1 + 12/11)) * 2 = 44/23.
//   sizes {1: 1, 2: 1, 3: 1}: uniques = (11/22) / (32/22) * 2 = 11/16.
TEST(RiskPopulationUniqueness, ZayatzEstimateMatchesHandComputation) {
  auto a = EstimatePopulationUniques({{1, 2}, {2, 2}}, 12, UniquenessEstimator::kZayatz);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_NEAR(*a, 44.0 / 23, 1e-12);
  auto b = EstimatePopulationUniques({{1, 1}, {2, 1}, {3, 1}}, 12, UniquenessEstimator::kZayatz);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NEAR(*b, 11.0 / 16, 1e-12);
  // No sample uniques: no population uniques, whatever the model.
  EXPECT_EQ(*EstimatePopulationUniques({{2, 3}}, 100, UniquenessEstimator::kDankar), 0.0);
  // The single-model estimate agrees with the full report.
  auto full = EstimatePopulationUniqueness({{1, 2}, {2, 2}}, 12);
  ASSERT_TRUE(full.ok());
  EXPECT_DOUBLE_EQ(full->zayatz, *a);
  EXPECT_EQ(EstimatePopulationUniques({{1, 2}}, 1, UniquenessEstimator::kPitman).status().code(),
            absl::StatusCode::kInvalidArgument);  // N below n
  EXPECT_EQ(*ParseUniquenessEstimator("SNB"), UniquenessEstimator::kSnb);
  EXPECT_FALSE(ParseUniquenessEstimator("guess").ok());
}

// With k = 1 only population uniqueness constrains the search. Raw data: sizes {1: 4, 2: 1},
// uniques 44/7, share 11/21. (age 0, sex *): sizes {1: 2, 2: 2}, share (44/23)/12 = 0.1594.
// ([20-29]/[30-39], sex): sizes {1: 1, 2: 1, 3: 1}, share (11/16)/12 = 0.0573. Loss prefers
// generalising age one level (1/3) to sex (1).
TEST(RiskPopulationUniqueness, IsAConstraintOfTheSearch) {
  ScopedTempDir dir;
  auto data = SmallData(dir);
  ASSERT_TRUE(data);
  AnonymizeOptions o;
  o.k = 1;
  o.population_uniqueness = PopulationUniquenessLimit{0.05, 12, UniquenessEstimator::kZayatz};
  auto share_ok = [&](std::vector<int> levels) {
    auto e = EvaluateTransformation(*data, levels, o);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() && e->satisfies;
  };
  // 0.0573 > 0.05: only nodes without sample uniques pass.
  EXPECT_FALSE(share_ok({0, 0}));
  EXPECT_FALSE(share_ok({1, 0}));
  EXPECT_FALSE(share_ok({0, 1}));
  EXPECT_TRUE(share_ok({1, 1}));  // [20-29]: 3, [30-39]: 3
  EXPECT_TRUE(share_ok({2, 0}));  // M: 2, F: 4
  o.population_uniqueness->threshold = 0.06;  // 0.0573 passes, 0.1594 does not
  EXPECT_TRUE(share_ok({1, 0}));
  EXPECT_FALSE(share_ok({0, 1}));
  auto best = FindOptimalTransformation(*data, o);
  ASSERT_TRUE(best.ok()) << best.status();
  EXPECT_EQ(best->best.levels, (std::vector<int>{1, 0}));
  EXPECT_TRUE(best->search.optimal);
  o.population_uniqueness->threshold = 0.16;  // now (0, *) passes too, but loses more
  EXPECT_TRUE(share_ok({0, 1}));
  best = FindOptimalTransformation(*data, o);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->best.levels, (std::vector<int>{1, 0}));
  // Bad settings.
  o.population_uniqueness->population_size = 5;  // fewer than the 6 records
  EXPECT_EQ(FindOptimalTransformation(*data, o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o.population_uniqueness = PopulationUniquenessLimit{1.5, 12, UniquenessEstimator::kDankar};
  EXPECT_EQ(ValidateOptions(o).code(), absl::StatusCode::kInvalidArgument);
}

// With a suppression limit the smallest classes are suppressed until the estimate passes; the
// output suppresses exactly the records the evaluation counts.
TEST(RiskPopulationUniqueness, SuppressesSmallestClassesWithinTheLimit) {
  ScopedTempDir dir;
  std::string csv = "a,b\n";
  for (int i = 0; i < 60; ++i) {
    csv += std::to_string(i % 7 == 0 ? 100 + i : i % 5) + "," + std::to_string(i % 3) + "\n";
  }
  std::string path = WriteFile(dir.File("d.csv"), csv);
  auto data = Encode(path, {{"a", std::nullopt, GeneratorSpec{GeneratorSpec::Kind::kInterval, 4}},
                            {"b", std::nullopt, GeneratorSpec{GeneratorSpec::Kind::kInterval, 2}}});
  ASSERT_TRUE(data);
  AnonymizeOptions o;
  o.k = 1;
  o.suppression_limit = 0.2;
  o.population_uniqueness = PopulationUniquenessLimit{0.01, 600, UniquenessEstimator::kDankar};
  auto raw = EvaluateTransformation(*data, {0, 0}, o);
  ASSERT_TRUE(raw.ok());
  auto result = FindOptimalTransformation(*data, o);
  ASSERT_TRUE(result.ok()) << result.status();
  const NodeEvaluation& best = result->best;
  EXPECT_TRUE(best.satisfies);
  EXPECT_LE(best.suppressed, 12u);
  // The released classes pass the estimate on their own.
  EquivalenceClasses released = ClassesForRisk(*data, best, o, true);
  std::map<uint64_t, uint64_t> sizes;
  for (uint64_t s : released.sizes) ++sizes[s];
  EXPECT_EQ(released.records + best.suppressed, 60u);
  if (!sizes.empty()) {
    auto uniques = EstimatePopulationUniques(sizes, 600, UniquenessEstimator::kDankar);
    ASSERT_TRUE(uniques.ok());
    EXPECT_TRUE((*uniques > 0 && *uniques / 600 <= 0.01) || (*uniques == 0 && !sizes.count(1)));
  }
  auto reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok());
  auto writer = AtomicFileWriter::Open(dir.File("out.csv"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(WriteTransformed(*data, best, o, **reader, **writer, ',', true).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  std::string out = ReadFile(dir.File("out.csv"));
  const size_t lines = static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
  EXPECT_EQ(lines, 1 + 60 - best.suppressed);  // header + released records
}

// A data set whose lattice (2^28 nodes) is over the exhaustive limit: 28 two-level attributes.
std::unique_ptr<EncodedData> WideData(ScopedTempDir& dir, int records) {
  std::mt19937 rng(7);
  std::string csv;
  std::vector<QuasiIdentifierSpec> qis;
  for (int c = 0; c < 28; ++c) {
    csv += (c ? "," : "") + std::string("q") + std::to_string(c);
    qis.push_back({"q" + std::to_string(c), Rows({{"0", "*"}, {"1", "*"}}), std::nullopt});
  }
  csv += "\n";
  for (int r = 0; r < records; ++r) {
    for (int c = 0; c < 28; ++c) {
      // Most columns nearly constant, a few informative: there are cheap solutions to find.
      const bool one = c < 4 ? rng() % 2 : rng() % 50 == 0;
      csv += std::string(c ? "," : "") + (one ? "1" : "0");
    }
    csv += "\n";
  }
  return Encode(WriteFile(dir.File("wide.csv"), csv), std::move(qis));
}

TEST(RiskBestEffortSearch, LatticeOver2To27NodesGetsABestEffortResultWithinLimits) {
  ScopedTempDir dir;
  auto data = WideData(dir, 200);
  ASSERT_TRUE(data);
  AnonymizeOptions o;
  o.k = 3;
  o.max_nodes_checked = 3000;  // deterministic stop; the time limit works the same way
  auto result = FindOptimalTransformation(*data, o);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->search.lattice_nodes, uint64_t{1} << 28);
  EXPECT_TRUE(result->search.best_effort);
  EXPECT_FALSE(result->search.optimal);
  EXPECT_LE(result->search.nodes_checked, 3000u);
  const NodeEvaluation& best = result->best;
  ASSERT_TRUE(best.satisfies);
  auto again = EvaluateTransformation(*data, best.levels, o);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->satisfies);
  EXPECT_GE(again->min_class_size, 3u);
  // At least as good as the obvious solution: keep the four informative columns, generalise the
  // rare ones (16 cells of about 12 records each satisfy k = 3).
  std::vector<int> obvious(28, 1);
  for (int c = 0; c < 4; ++c) obvious[c] = 0;
  auto reference = EvaluateTransformation(*data, obvious, o);
  ASSERT_TRUE(reference.ok());
  ASSERT_TRUE(reference->satisfies);
  EXPECT_LE(best.metric(UtilityMetric::kLoss), reference->metric(UtilityMetric::kLoss));
  // The summary and the report say it is best effort.
  std::string summary = FormatAnonymizationSummary(*data, o, *result);
  EXPECT_NE(summary.find("best-effort"), std::string::npos) << summary;
  std::string json = AnonymizationReportJson("wide.csv", *data, o, *result, "", "");
  EXPECT_NE(json.find("\"strategy\": \"best-effort\""), std::string::npos);
  EXPECT_NE(json.find("\"optimal\": false"), std::string::npos);

  // Out of time at once: full generalisation (which satisfies k = 3) is the fallback.
  o.max_nodes_checked = 0;
  o.time_limit_seconds = 1e-9;
  result = FindOptimalTransformation(*data, o);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->search.best_effort);
  EXPECT_FALSE(result->search.optimal);
  EXPECT_TRUE(result->best.satisfies);
}

// Random tables of three quasi-identifiers (lattice 5 x 2 x 6), k-anonymity without suppression.
std::unique_ptr<EncodedData> RandomData(ScopedTempDir& dir, unsigned seed) {
  std::mt19937 rng(seed);
  const char* zips[] = {"02139", "02141", "02238", "10001", "10003", "10014"};
  std::string csv = "age,sex,zip\n";
  const int n = 30 + static_cast<int>(rng() % 40);
  for (int i = 0; i < n; ++i) {
    csv += std::to_string(20 + rng() % 40) + "," + (rng() % 3 ? "M" : "F") + "," +
           zips[rng() % 6] + "\n";
  }
  return Encode(WriteFile(dir.File("r" + std::to_string(seed) + ".csv"), csv),
                {{"age", std::nullopt, GeneratorSpec{GeneratorSpec::Kind::kInterval, 5}},
                 {"sex", Rows({{"M", "*"}, {"F", "*"}}), std::nullopt},
                 {"zip", std::nullopt, GeneratorSpec{GeneratorSpec::Kind::kZip, 0}}});
}

// The optimum satisfies the models; every node below it (its whole downward cone, so every node
// on every path up to it) either fails them or is no better; and the best-effort search, run to
// the end on the same small lattice, finds the same value (without suppression every metric only
// grows upwards, so not expanding solved nodes loses nothing).
TEST(RiskSearchProperties, OptimumSatisfiesAndNothingBelowItDoesBetter) {
  ScopedTempDir dir;
  for (unsigned seed = 1; seed <= 6; ++seed) {
    auto data = RandomData(dir, seed);
    ASSERT_TRUE(data);
    Lattice lattice(data->heights());
    for (uint64_t k : {2, 4}) {
      for (int m = 0; m < kUtilityMetricCount; ++m) {
        AnonymizeOptions o;
        o.k = k;
        o.metric = static_cast<UtilityMetric>(m);
        if (seed % 2 == 0 && o.metric == UtilityMetric::kLoss) {
          o.population_uniqueness =
              PopulationUniquenessLimit{0.02, 2000, UniquenessEstimator::kDankar};
        }
        SCOPED_TRACE(testing::Message() << "seed=" << seed << " k=" << k << " metric="
                                        << UtilityMetricName(o.metric));
        auto result = FindOptimalTransformation(*data, o);
        ASSERT_TRUE(result.ok()) << result.status();
        const NodeEvaluation& best = result->best;
        auto check = EvaluateTransformation(*data, best.levels, o);
        ASSERT_TRUE(check.ok());
        EXPECT_TRUE(check->satisfies);
        EXPECT_GE(check->min_class_size, k);
        const uint64_t top = lattice.Index(best.levels);
        for (uint64_t node = 0; node < lattice.size(); ++node) {
          if (node == top || !lattice.Below(node, top)) continue;
          auto e = EvaluateTransformation(*data, lattice.Levels(node), o);
          ASSERT_TRUE(e.ok());
          EXPECT_TRUE(!e->satisfies || e->metric(o.metric) >= best.metric(o.metric))
              << "node " << node;
        }
        if (o.population_uniqueness) continue;  // not monotone: best effort may miss it
        AnonymizeOptions heuristic = o;
        heuristic.max_lattice_nodes = 1;
        auto h = FindOptimalTransformation(*data, heuristic);
        ASSERT_TRUE(h.ok());
        EXPECT_TRUE(h->search.best_effort);
        EXPECT_DOUBLE_EQ(h->best.metric(o.metric), best.metric(o.metric));
      }
    }
  }
}

}  // namespace
}  // namespace phiguard::risk
