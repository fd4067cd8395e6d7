// Single-thread throughput of PHI detection and detection + redaction on the PhysioNet dev notes
// (../shared/data/physionet-deid/dev/id.text, or $PHIGUARD_BENCH_NOTES), note by note, as the
// pipeline runs them. The UTF-8 check is the floor (one memory-bound pass over the same bytes).
// Peers (deid.pl, redact-pii, openredaction) run side by side in bench/peers/bench_text.sh.
// The BM_Stage* benchmarks time the stages of Detect alone (profile aid), with the exact regexes
// in one Vectorscan pass (with and without start-of-match) as baselines of the pattern stage.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "phiguard/core/utf8.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/eval/physionet.h"
#include "phiguard/phi/detector.h"
#include "phi/internal/lexicon.h"
#include "phi/internal/name_rules.h"
#include "phi/internal/pattern_scanner.h"
#include "phi/internal/tokenizer.h"

#include <hs/hs.h>

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

// ---- Stages of Detect, each alone over the same notes. ----

// The fixed-pattern pass as Detect runs it: one Vectorscan database without start-of-match
// tracking and C++ finders propose match ends, the exact regexes confirm them and recover starts
// (the digit runs found here; Detect takes the tokenizer's).
void BM_StagePatternScan(benchmark::State& state) {
  auto scanner = std::move(*phi::internal::PatternScanner::Create(phi::internal::BuiltinPatterns()));
  auto scratch = std::move(*scanner->NewScratch());
  std::vector<phi::internal::PatternMatch> out;
  for (auto _ : state) {
    for (const auto& note : Notes()) {
      out.clear();
      if (!scanner->Scan(note, *scratch, out).ok()) state.SkipWithError("scan failed");
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
}
BENCHMARK(BM_StagePatternScan)->Unit(benchmark::kMillisecond);

// Baselines for the stage above, raw hs_scan only: every pattern's exact regex in one database,
// with HS_FLAG_SOM_LEFTMOST on every whole-match pattern (how the pass ran first; range(0) == 1)
// or without (the one pass before scan regexes and finders took the patterns that slowed it).
void BM_StagePatternScanSomBaseline(benchmark::State& state) {
  const auto& patterns = phi::internal::BuiltinPatterns();
  const bool som = state.range(0) == 1;
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < patterns.size(); ++i) {
    const auto& p = patterns[i];
    bool whole = p.mode == phi::internal::ValueMode::kWhole ||
                 p.mode == phi::internal::ValueMode::kAfterLabel;
    exprs.push_back(p.regex);
    flags.push_back((whole && som ? HS_FLAG_SOM_LEFTMOST : 0u) |
                    (p.caseless ? HS_FLAG_CASELESS : 0u));
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    hs_free_compile_error(err);
    state.SkipWithError("compile failed");
    return;
  }
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  size_t matches = 0;
  auto on_match = [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
    ++*static_cast<size_t*>(ctx);
    return 0;
  };
  for (auto _ : state) {
    for (const auto& note : Notes()) {
      hs_scan(db, note.data(), static_cast<unsigned>(note.size()), 0, scratch, on_match, &matches);
    }
  }
  benchmark::DoNotOptimize(matches);
  hs_free_scratch(scratch);
  hs_free_database(db);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
  state.SetLabel(som ? "exact regexes, start of match" : "exact regexes, one pass");
}
BENCHMARK(BM_StagePatternScanSomBaseline)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

// Tokenising and lower-casing (with the digit runs for the scanner, as Detect does), then the
// lexicon lookup of every word (through the cache).
void BM_StageTokenizeAndTag(benchmark::State& state) {
  auto lexicon = std::move(*phi::internal::Lexicon::Load(phi::DefaultDataDir() + "/lexicons"));
  phi::internal::LexiconCache cache;
  std::vector<phi::internal::Token> tokens;
  std::vector<phi::internal::DigitRun> runs;
  std::string lower;
  const bool tag = state.range(0) == 1;
  for (auto _ : state) {
    for (const auto& note : Notes()) {
      tokens.clear();
      size_t up = 0, lo = 0;
      phi::internal::TokenizeAndLower(note, tokens, lower, up, lo, &runs);
      if (!tag) continue;
      lower.append(phi::internal::LexiconCache::kPadding, '\0');
      phi::internal::TagTokens(lower, *lexicon, cache, tokens);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
  state.SetLabel(tag ? "tokenize+lexicon" : "tokenize");
}
BENCHMARK(BM_StageTokenizeAndTag)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
