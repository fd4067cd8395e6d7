#include "phiguard/phi/detector.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>

#include "phiguard/core/strings.h"
#include "phi/internal/lexicon.h"
#include "phi/internal/name_rules.h"
#include "phi/internal/rule_words.h"
#include "phi/internal/pattern_scanner.h"
#include "phi/internal/tokenizer.h"
#include "phiguard/core/utf8.h"

namespace phiguard::phi {

using internal::PatternMatch;

std::string DefaultDataDir() {
  const char* env = std::getenv("PHIGUARD_DATA_DIR");
  if (env != nullptr && *env != '\0') return env;
  return PHIGUARD_DATA_DIR;
}

std::string DefaultCacheDir() {
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : nullptr;
  };
  if (const char* dir = env("PHIGUARD_CACHE_DIR")) return dir;
  if (const char* xdg = env("XDG_CACHE_HOME")) return phiguard::Cat(xdg, "/phiguard");
  if (const char* home = env("HOME")) return phiguard::Cat(home, "/.cache/phiguard");
  return "-";
}

struct Detector::Impl {
  DetectorOptions options;
  std::unique_ptr<internal::Lexicon> lexicon;
  std::unique_ptr<internal::PatternScanner> scanner;
  struct Extra {
    std::unique_ptr<RE2> re;
    PhiType type;
  };
  std::vector<Extra> extras;
};

struct Detector::Scratch::State {
  std::unique_ptr<internal::ScanScratch> scan;
  std::vector<PatternMatch> matches;
  std::vector<internal::Token> tokens;
  std::vector<internal::DigitRun> digit_runs;
  std::string lower;
  internal::LexiconCache lexicon_cache;
};

Detector::Scratch::Scratch() : state_(std::make_unique<State>()) {}
Detector::Scratch::~Scratch() = default;

Detector::Detector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Detector::~Detector() = default;

absl::StatusOr<std::unique_ptr<Detector>> Detector::Create(const DetectorOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::string dir = options.lexicon_dir.empty() ? DefaultDataDir() + "/lexicons"
                                                : options.lexicon_dir;
  auto lex = internal::Lexicon::Load(dir);
  if (!lex.ok()) return lex.status();
  if (auto s = internal::AddRuleWords(**lex, dir); !s.ok()) return s;
  impl->lexicon = std::move(*lex);
  std::string cache_dir = options.cache_dir.empty() ? DefaultCacheDir() : options.cache_dir;
  if (cache_dir == "-") cache_dir.clear();
  auto scanner = internal::PatternScanner::Create(internal::BuiltinPatterns(), cache_dir);
  if (!scanner.ok()) return scanner.status();
  impl->scanner = std::move(*scanner);
  for (const ExtraPattern& p : options.extra_patterns) {
    RE2::Options re_opts;
    re_opts.set_log_errors(false);
    auto re = std::make_unique<RE2>(p.regex, re_opts);
    if (!re->ok()) {
      return absl::InvalidArgumentError(
          phiguard::Cat("extra pattern '", p.name, "': ", re->error()));
    }
    if (re->NumberOfCapturingGroups() > 1) {
      return absl::InvalidArgumentError(
          phiguard::Cat("extra pattern '", p.name, "': at most one capture group"));
    }
    impl->extras.push_back({std::move(re), p.type});
  }
  return std::unique_ptr<Detector>(new Detector(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<Detector::Scratch>> Detector::NewScratch() const {
  std::unique_ptr<Scratch> s(new Scratch());
  auto scan = impl_->scanner->NewScratch();
  if (!scan.ok()) return scan.status();
  s->state_->scan = std::move(*scan);
  return s;
}

namespace {

// Merges overlapping or touching matches into disjoint spans. A merged span takes the type of its
// most confident part: recall first (the union is removed), then the best label.
void Resolve(std::vector<PatternMatch>& m, std::string_view text) {
  std::sort(m.begin(), m.end(), [](const PatternMatch& a, const PatternMatch& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  size_t w = 0;
  for (size_t r = 0; r < m.size(); ++r) {
    if (w > 0) {
      PatternMatch& last = m[w - 1];
      bool overlap = m[r].start < last.end;
      // Adjacent parts of one name ("John" + "Smith") join across a single space or hyphen.
      bool adjacent_same = m[r].type == last.type && m[r].start >= last.end &&
                           m[r].start - last.end <= 1 &&
                           (m[r].start == last.end || text[last.end] == ' ' ||
                            text[last.end] == '-');
      if (overlap || adjacent_same) {
        if (m[r].confidence > last.confidence) {
          last.type = m[r].type;
          last.confidence = m[r].confidence;
        }
        last.end = std::max(last.end, m[r].end);
        continue;
      }
    }
    m[w++] = m[r];
  }
  m.resize(w);
}

}  // namespace

absl::Status Detector::Detect(std::string_view text, Scratch& scratch_handle,
                              std::vector<Span>& spans) const {
  Scratch::State& scratch = *scratch_handle.state_;
  spans.clear();
  if (text.size() > impl_->options.max_input_bytes) {
    return absl::InvalidArgumentError(phiguard::Cat("text of ", text.size(),
                                                   " bytes exceeds the limit of ",
                                                   impl_->options.max_input_bytes));
  }
  if (auto bad = FindInvalidUtf8(text)) {
    return absl::InvalidArgumentError(phiguard::Cat("invalid UTF-8 at byte ", *bad));
  }
  // Tokens first: their digit runs serve the scanner's finders too.
  scratch.tokens.clear();
  size_t upper = 0, lower = 0;
  internal::TokenizeAndLower(text, scratch.tokens, scratch.lower, upper, lower,
                             &scratch.digit_runs);
  auto& matches = scratch.matches;
  matches.clear();
  if (absl::Status s = impl_->scanner->Scan(text, *scratch.scan, matches, &scratch.digit_runs);
      !s.ok()) {
    return s;
  }
  scratch.lower.append(internal::LexiconCache::kPadding, '\0');  // the cache reads words whole
  const std::string_view lowered(scratch.lower.data(), text.size());
  internal::TagTokens(scratch.lower, *impl_->lexicon, scratch.lexicon_cache, scratch.tokens);
  internal::FindNamesAndPlaces(text, lowered, scratch.tokens,
                               internal::CaseModeFromCounts(upper, lower), *impl_->lexicon,
                               scratch.lexicon_cache, matches);

  for (const Impl::Extra& e : impl_->extras) {
    re2::StringPiece input(text.data(), text.size());
    re2::StringPiece groups[2];
    int ngroups = e.re->NumberOfCapturingGroups() + 1;
    size_t pos = 0;
    while (pos <= text.size() &&
           e.re->Match(input, pos, text.size(), RE2::UNANCHORED, groups, ngroups)) {
      const re2::StringPiece& g = groups[ngroups - 1];
      size_t s = static_cast<size_t>(g.data() - text.data());
      if (!g.empty()) matches.push_back({s, s + g.size(), e.type, 0.99f});
      size_t whole_end = static_cast<size_t>(groups[0].data() - text.data()) + groups[0].size();
      pos = groups[0].empty() ? whole_end + 1 : whole_end;
    }
  }

  const float min_conf = impl_->options.min_confidence;
  if (min_conf > 0) {
    std::erase_if(matches, [&](const PatternMatch& m) { return m.confidence < min_conf; });
  }
  Resolve(matches, text);
  CodePointIndex cp(text);
  spans.reserve(matches.size());
  for (const PatternMatch& m : matches) {
    spans.push_back({cp.ToCodePoint(m.start), cp.ToCodePoint(m.end), m.start, m.end, m.type,
                     m.confidence});
  }
  return absl::OkStatus();
}

}  // namespace phiguard::phi
