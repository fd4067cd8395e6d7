// Optimal anonymisation on ARX's adult data set (30,162 records, 9 quasi-identifiers, ARX's
// hierarchies; ../shared/data/arx-adult or $PHIGUARD_BENCH_ADULT): the whole lattice search for
// k = 2, 5, 10, 25 without suppression and k = 5 with 2 % suppression, Loss metric, the settings
// of ARX's peer program (bench/risk_vs_arx.sh runs both). Counters: nodes checked and the
// optimum's loss; the label names the transformation found. Encoding the data is not timed (ARX's
// timing excludes loading too).
#include <benchmark/benchmark.h>

#include <cstdlib>
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

// range(0) = k, range(1) = suppression limit in tenths of a percent.
void BM_AdultOptimalLoss(benchmark::State& state) {
  const EncodedData& data = Adult();
  AnonymizeOptions o;
  o.k = static_cast<uint64_t>(state.range(0));
  o.suppression_limit = static_cast<double>(state.range(1)) / 1000.0;
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
  for (size_t i = 0; i < last.best.levels.size(); ++i) {
    t += (i ? "," : "") + std::to_string(last.best.levels[i]);
  }
  state.SetLabel(t + "]" + (last.search.optimal ? "" : " not optimal"));
  state.counters["nodes_checked"] = static_cast<double>(last.search.nodes_checked);
  state.counters["loss"] = last.best.metric(UtilityMetric::kLoss);
  state.counters["suppressed"] = static_cast<double>(last.best.suppressed);
}
BENCHMARK(BM_AdultOptimalLoss)
    ->Args({2, 0})
    ->Args({5, 0})
    ->Args({10, 0})
    ->Args({25, 0})
    ->Args({5, 20})
    ->Unit(benchmark::kMillisecond);

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
