// Single-thread time of the two lexicon stages of Detect on the PhysioNet dev notes
// (../shared/data/physionet-deid/dev/id.text, or $PHIGUARD_BENCH_NOTES), each alone: the lexicon
// lookup of every token (TagTokens) and the context rules (FindNamesAndPlaces). The notes are
// tokenised and lower-cased once beforehand, so neither number holds the tokenizer; the lexicon
// has its rule words, as in Detect. Each note's text, lower-cased text and tokens are copied into
// scratch buffers before its stage runs, so that they are in L1 as in Detect (BM_StageCopy times
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

// One note's text, lower-cased text and tokens, copied for a stage to run on.
struct Scratch {
  std::string text, lower;
  std::vector<in::Token> tokens;
  void Load(const Note& n) {
    text.assign(n.text);
    lower.assign(n.lower);
    tokens.assign(n.tokens.begin(), n.tokens.end());
  }
};

// The copy alone: the floor of the two stages below.
void BM_StageCopy(benchmark::State& state) {
  Scratch s;
  for (auto _ : state) {
    for (const Note& n : Data().notes) {
      s.Load(n);
      benchmark::DoNotOptimize(s.tokens.data());
    }
  }
  Report(state);
}
BENCHMARK(BM_StageCopy)->Unit(benchmark::kMillisecond);

// TagTokens over every note's untagged tokens.
void BM_StageTag(benchmark::State& state) {
  const Corpus& c = Data();
  in::LexiconCache cache;
  Scratch s;
  for (auto _ : state) {
    for (const Note& n : c.notes) {
      s.Load(n);
      in::TagTokens(s.lower, *c.lexicon, cache, s.tokens);
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
  Scratch s;
  std::vector<in::PatternMatch> out;
  size_t found = 0;
  for (auto _ : state) {
    for (const Note& n : c.notes) {
      s.Load(n);
      out.clear();
      const std::string_view lower(s.lower.data(), s.text.size());
      in::FindNamesAndPlaces(s.text, lower, s.tokens, n.mode, *c.lexicon, cache, out);
      found += out.size();
    }
  }
  Report(state);
  state.counters["spans/iter"] = static_cast<double>(found) / state.iterations();
}
BENCHMARK(BM_StageRules)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
