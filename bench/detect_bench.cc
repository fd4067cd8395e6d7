// Single-thread throughput of PHI detection and detection + redaction on the PhysioNet dev notes
// (../shared/data/physionet-deid/dev/id.text, or $PHIGUARD_BENCH_NOTES), note by note, as the
// pipeline runs them. The UTF-8 check is the floor (one memory-bound pass over the same bytes).
// Peers (deid.pl, redact-pii, openredaction) run side by side in bench/peers/bench_text.sh.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "phiguard/core/utf8.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/eval/physionet.h"
#include "phiguard/phi/detector.h"

namespace {

using namespace phiguard;

const std::vector<std::string>& Notes() {
  static const std::vector<std::string>* notes = [] {
    const char* env = std::getenv("PHIGUARD_BENCH_NOTES");
    std::string path = env ? env : "../shared/data/physionet-deid/dev/id.text";
    auto parsed = eval::ReadPhysionetNotes(path);
    auto* out = new std::vector<std::string>();
    if (!parsed.ok()) {
      std::fprintf(stderr, "detect_bench: %s\n", std::string(parsed.status().message()).c_str());
      std::exit(1);
    }
    for (auto& n : *parsed) out->push_back(std::move(n.text));
    return out;
  }();
  return *notes;
}

size_t TotalBytes() {
  size_t n = 0;
  for (const auto& s : Notes()) n += s.size();
  return n;
}

const phi::Detector& SharedDetector() {
  static auto* d = phi::Detector::Create({})->release();
  return *d;
}

void BM_Utf8Validate(benchmark::State& state) {
  for (auto _ : state) {
    for (const auto& note : Notes()) benchmark::DoNotOptimize(FindInvalidUtf8(note));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
}
BENCHMARK(BM_Utf8Validate)->Unit(benchmark::kMillisecond);

void BM_Detect(benchmark::State& state) {
  const phi::Detector& det = SharedDetector();
  auto scratch = std::move(*det.NewScratch());
  std::vector<phi::Span> spans;
  size_t found = 0;
  for (auto _ : state) {
    for (const auto& note : Notes()) {
      if (!det.Detect(note, *scratch, spans).ok()) state.SkipWithError("detect failed");
      found += spans.size();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
  state.counters["spans/iter"] = static_cast<double>(found) / state.iterations();
}
BENCHMARK(BM_Detect)->Unit(benchmark::kMillisecond);

void BM_DetectAndRedact(benchmark::State& state) {
  const phi::Detector& det = SharedDetector();
  auto scratch = std::move(*det.NewScratch());
  auto profile = *deid::BuiltinProfile(state.range(0) == 0 ? "redact" : "pseudonymize");
  auto tr = std::move(*deid::Transformer::Create(profile, std::nullopt));
  std::vector<phi::Span> spans;
  size_t out_bytes = 0;
  for (auto _ : state) {
    for (const auto& note : Notes()) {
      if (!det.Detect(note, *scratch, spans).ok()) state.SkipWithError("detect failed");
      out_bytes += tr->Apply(note, spans, {"patient"}).size();
    }
  }
  benchmark::DoNotOptimize(out_bytes);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
  state.SetLabel(profile.name);
}
BENCHMARK(BM_DetectAndRedact)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
