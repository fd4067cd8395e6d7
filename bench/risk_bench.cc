// Optimal anonymisation on ARX's adult data set (30,162 records, 9 quasi-identifiers, ARX's
// hierarchies; ../shared/data/arx-adult or $PHIGUARD_BENCH_ADULT): the whole lattice search for
// k = 2, 5, 10, 25 without suppression and k = 5 with 2 % suppression, Loss metric, the settings
// of ARX's peer program (bench/risk_vs_arx.sh runs both); every metric at k = 5; population
// uniqueness as the privacy model (bench/risk_arx_check.sh compares those optima with ARX's); and
// the best-effort search on the same lattice next to the exhaustive one (its baseline), plus on a
// generated data set whose 2^28-node lattice only the best-effort search takes. Counters: nodes
// checked and the metric's value; the label names the transformation found. Encoding the data is
// not timed (ARX's timing excludes loading too).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>

#include "phiguard/risk/anonymize.h"

namespace phiguard::risk {
namespace {

const EncodedData& Adult() {
  static const EncodedData* data = [] {
    const char* env = std::getenv("PHIGUARD_BENCH_ADULT");
    std::string dir = env ? env : "../shared/data/arx-adult";
    std::vector<QuasiIdentifierSpec> qis;
    for (const char* c : {"sex", "age", "race", "marital-status", "education", "native-country",
                          "workclass", "occupation", "salary-class"}) {
      auto h = Hierarchy::LoadArxCsv(dir + "/adult_hierarchy_" + c + ".csv");
      if (!h.ok()) {
        std::fprintf(stderr, "%s\n", std::string(h.status().message()).c_str());
        std::exit(1);
      }
      qis.push_back({c, std::move(*h), std::nullopt});
    }
    CsvOptions csv;
    csv.delimiter = ';';
    auto reader = CsvReader::Open(dir + "/adult.csv", csv);
    if (!reader.ok()) {
      std::fprintf(stderr, "%s\n", std::string(reader.status().message()).c_str());
      std::exit(1);
    }
    auto d = EncodedData::FromCsv(**reader, std::move(qis));
    if (!d.ok()) {
      std::fprintf(stderr, "%s\n", std::string(d.status().message()).c_str());
      std::exit(1);
    }
    return d->release();
  }();
  return *data;
}

void Run(benchmark::State& state, const EncodedData& data, const AnonymizeOptions& o) {
  AnonymizationResult last;
  for (auto _ : state) {
    auto r = FindOptimalTransformation(data, o);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    last = std::move(*r);
    benchmark::DoNotOptimize(last);
  }
  std::string t = "[";
  for (size_t i = 0; i < last.best.levels.size() && i < 12; ++i) {
    t += (i ? "," : "") + std::to_string(last.best.levels[i]);
  }
  if (last.best.levels.size() > 12) t += ",...";
  state.SetLabel(t + "]" + (last.search.best_effort ? " best-effort" : "") +
                 (last.search.optimal ? "" : " not optimal"));
  state.counters["nodes_checked"] = static_cast<double>(last.search.nodes_checked);
  state.counters["value"] = last.best.metric(o.metric);
  state.counters["suppressed"] = static_cast<double>(last.best.suppressed);
}

// range(0) = k, range(1) = suppression limit in tenths of a percent.
void BM_AdultOptimalLoss(benchmark::State& state) {
  AnonymizeOptions o;
  o.k = static_cast<uint64_t>(state.range(0));
  o.suppression_limit = static_cast<double>(state.range(1)) / 1000.0;
  Run(state, Adult(), o);
}
BENCHMARK(BM_AdultOptimalLoss)
    ->Args({2, 0})
    ->Args({5, 0})
    ->Args({10, 0})
    ->Args({25, 0})
    ->Args({5, 20})
    ->Unit(benchmark::kMillisecond);

// range(0) = metric (UtilityMetric), k = 5, no suppression.
void BM_AdultMetric(benchmark::State& state) {
  AnonymizeOptions o;
  o.k = 5;
  o.metric = static_cast<UtilityMetric>(state.range(0));
  Run(state, Adult(), o);
}
BENCHMARK(BM_AdultMetric)->DenseRange(0, kUtilityMetricCount - 1)->Unit(benchmark::kMillisecond);

// Population uniqueness (Dankar, USA population) <= range(0) / 10000, k = 1, Loss.
void BM_AdultPopulationUniqueness(benchmark::State& state) {
  AnonymizeOptions o;
  o.k = 1;
  o.population_uniqueness =
      PopulationUniquenessLimit{static_cast<double>(state.range(0)) / 10000, 318857056,
                                UniquenessEstimator::kDankar};
  Run(state, Adult(), o);
}
BENCHMARK(BM_AdultPopulationUniqueness)->Arg(100)->Arg(10)->Unit(benchmark::kMillisecond);

// The best-effort search forced onto adult's 12,960-node lattice (k = range(0), Loss), run to
// the end: its result and nodes checked next to BM_AdultOptimalLoss's exhaustive ones.
void BM_AdultBestEffort(benchmark::State& state) {
  AnonymizeOptions o;
  o.k = static_cast<uint64_t>(state.range(0));
  o.max_lattice_nodes = 1;
  Run(state, Adult(), o);
}
BENCHMARK(BM_AdultBestEffort)->Arg(2)->Arg(5)->Arg(25)->Unit(benchmark::kMillisecond);

// 30 binary quasi-identifiers (a lattice of 2^30 nodes), 100,000 generated records, k = 5:
// the best-effort search for range(0) checks.
void BM_WideBestEffort(benchmark::State& state) {
  static const EncodedData* data = [] {
    std::mt19937 rng(1);
    std::string csv;
    std::vector<QuasiIdentifierSpec> qis;
    for (int c = 0; c < 30; ++c) {
      csv += (c ? ",q" : "q") + std::to_string(c);
      qis.push_back({"q" + std::to_string(c),
                     *Hierarchy::FromRows({{"0", "*"}, {"1", "*"}}, "binary"), std::nullopt});
    }
    csv += "\n";
    for (int r = 0; r < 100000; ++r) {
      for (int c = 0; c < 30; ++c) {
        const bool one = rng() % (c < 8 ? 2 : 3 + c) == 0;
        csv += std::string(c ? "," : "") + (one ? "1" : "0");
      }
      csv += "\n";
    }
    const std::string path = "/tmp/phiguard-risk-bench-wide.csv";
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fwrite(csv.data(), 1, csv.size(), f);
    std::fclose(f);
    auto reader = CsvReader::Open(path);
    auto d = EncodedData::FromCsv(**reader, std::move(qis));
    std::remove(path.c_str());
    if (!d.ok()) std::exit(1);
    return d->release();
  }();
  AnonymizeOptions o;
  o.k = 5;
  o.max_nodes_checked = static_cast<uint64_t>(state.range(0));
  Run(state, *data, o);
}
BENCHMARK(BM_WideBestEffort)->Arg(200)->Arg(2000)->Unit(benchmark::kMillisecond);

// Encoding the data set (reading the CSV, ids and lookup tables), for reference.
void BM_AdultEncode(benchmark::State& state) {
  const char* env = std::getenv("PHIGUARD_BENCH_ADULT");
  std::string dir = env ? env : "../shared/data/arx-adult";
  std::vector<Hierarchy> hs;
  const char* cols[] = {"sex", "age", "race", "marital-status", "education", "native-country",
                        "workclass", "occupation", "salary-class"};
  for (const char* c : cols) hs.push_back(*Hierarchy::LoadArxCsv(dir + "/adult_hierarchy_" + c + ".csv"));
  for (auto _ : state) {
    std::vector<QuasiIdentifierSpec> qis;
    for (size_t i = 0; i < hs.size(); ++i) qis.push_back({cols[i], hs[i], std::nullopt});
    CsvOptions csv;
    csv.delimiter = ';';
    auto reader = CsvReader::Open(dir + "/adult.csv", csv);
    auto d = EncodedData::FromCsv(**reader, std::move(qis));
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_AdultEncode)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace phiguard::risk

BENCHMARK_MAIN();
