// Single-thread time of the two lexicon stages of Detect on the PhysioNet dev notes
// (../shared/data/physionet-deid/dev/id.text, or $PHIGUARD_BENCH_NOTES), each alone: the lexicon
// lookup of every token (TagTokens) and the context rules (FindNamesAndPlaces). The notes are
// tokenised and lower-cased once beforehand, so neither number holds the tokenizer; the lexicon
// has its rule words, as in Detect. Each note's tokens and lower-cased text are copied into one
// scratch buffer before its stage runs, so that they are in L1 as in Detect (BM_StageCopy times
// the copy alone). detect_bench times Detect as a whole.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "phiguard/eval/physionet.h"
#include "phiguard/phi/detector.h"
#include "phi/internal/lexicon.h"
#include "phi/internal/name_rules.h"
#include "phi/internal/pattern_scanner.h"
#include "phi/internal/rule_words.h"
#include "phi/internal/tokenizer.h"

namespace {

using namespace phiguard;
namespace in = phiguard::phi::internal;

// One note as Detect holds it before the lexicon stages.
struct Note {
  std::string text;
  std::string lower;  // lower-cased, then LexiconCache::kPadding zero bytes
  std::vector<in::Token> tokens;
  in::CaseMode mode;
};

struct Corpus {
  std::vector<Note> notes;
  std::unique_ptr<in::Lexicon> lexicon;
  size_t bytes = 0, tokens = 0;
};

const Corpus& Data() {
  static const Corpus* corpus = [] {
    const char* env = std::getenv("PHIGUARD_BENCH_NOTES");
    const std::string path = env ? env : "../shared/data/physionet-deid/dev/id.text";
    auto parsed = eval::ReadPhysionetNotes(path);
    const std::string dir = phi::DefaultDataDir() + "/lexicons";
    auto lexicon = in::Lexicon::Load(dir);
    if (!parsed.ok() || !lexicon.ok() || !in::AddRuleWords(**lexicon, dir).ok()) {
      std::fprintf(stderr, "rules_bench: cannot read the notes or the lexicons\n");
      std::exit(1);
    }
    auto* c = new Corpus();
    c->lexicon = std::move(*lexicon);
    for (auto& p : *parsed) {
      Note n;
      n.text = std::move(p.text);
      size_t up = 0, lo = 0;
      in::TokenizeAndLower(n.text, n.tokens, n.lower, up, lo);
      n.lower.append(in::LexiconCache::kPadding, '\0');
      n.mode = in::CaseModeFromCounts(up, lo);
      c->bytes += n.text.size();
      c->tokens += n.tokens.size();
      c->notes.push_back(std::move(n));
    }
    return c;
  }();
  return *corpus;
}

void Report(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Data().bytes));
  state.counters["tokens"] = static_cast<double>(Data().tokens);
  state.counters["ns/token"] = benchmark::Counter(
      static_cast<double>(state.iterations() * Data().tokens) * 1e-9,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Copies one note's tokens and lower-cased text into the scratch buffers.
void Load(const Note& n, std::vector<in::Token>& tokens, std::string& lower) {
  tokens.assign(n.tokens.begin(), n.tokens.end());
  lower.assign(n.lower);
}

// The copy alone: the floor of the two stages below.
void BM_StageCopy(benchmark::State& state) {
  std::vector<in::Token> tokens;
  std::string lower;
  for (auto _ : state) {
    for (const Note& n : Data().notes) {
      Load(n, tokens, lower);
      benchmark::DoNotOptimize(tokens.data());
      benchmark::DoNotOptimize(lower.data());
    }
  }
  Report(state);
}
BENCHMARK(BM_StageCopy)->Unit(benchmark::kMillisecond);

// TagTokens over every note's untagged tokens.
void BM_StageTag(benchmark::State& state) {
  const Corpus& c = Data();
  in::LexiconCache cache;
  std::vector<in::Token> tokens;
  std::string lower;
  for (auto _ : state) {
    for (const Note& n : c.notes) {
      Load(n, tokens, lower);
      in::TagTokens(lower, *c.lexicon, cache, tokens);
    }
  }
  Report(state);
}
BENCHMARK(BM_StageTag)->Unit(benchmark::kMillisecond);

// The context rules over the tagged tokens of every note (tagged once, before the timing).
void BM_StageRules(benchmark::State& state) {
  Corpus& c = const_cast<Corpus&>(Data());
  in::LexiconCache cache;
  for (Note& n : c.notes) in::TagTokens(n.lower, *c.lexicon, cache, n.tokens);
  std::vector<in::Token> tokens;
  std::string lower_buffer;
  std::vector<in::PatternMatch> out;
  size_t found = 0;
  for (auto _ : state) {
    for (const Note& n : c.notes) {
      Load(n, tokens, lower_buffer);
      out.clear();
      const std::string_view lower(lower_buffer.data(), n.text.size());
      in::FindNamesAndPlaces(n.text, lower, tokens, n.mode, *c.lexicon, cache, out);
      found += out.size();
    }
  }
  Report(state);
  state.counters["spans/iter"] = static_cast<double>(found) / state.iterations();
}
BENCHMARK(BM_StageRules)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
