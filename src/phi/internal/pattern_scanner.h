// PatternScanner: every fixed PHI pattern (dates, phone numbers, identifiers by format and by
// context) compiled into one Vectorscan database and found in a single pass over the text (and
// C++ finders for the shapes that would slow that pass down).
// Immutable after Create(); Scan() is thread-safe given a per-thread ScanScratch.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/phi/phi_type.h"
#include "phi/internal/tokenizer.h"

struct hs_database;
struct hs_scratch;

namespace phiguard::phi::internal {

// How a match turns into a PHI span.
enum class ValueMode : uint8_t {
  kWhole,          // the whole match is PHI
  kTrailingValue,  // "MRN: 12345": context words, then the value; only the final token is PHI
  kLeadingNumber,  // "92 yo": the leading number is PHI
  kAfterLabel,     // "fax: (410) 555-0143": the match from its first digit or '(' on
};

// A match is checked by `validate(text, start, end)` before it counts; nullptr accepts all.
using MatchValidator = bool (*)(std::string_view text, size_t start, size_t end);

// Appends to `ends` byte offsets in `text` where a pattern's match may end (see PatternDef::find),
// given every digit run of `text` in order (found once per scan for all finders).
using CandidateFinder = void (*)(std::string_view text, const std::vector<DigitRun>& digits,
                                 std::vector<size_t>& ends);

// Sets `out` to every maximal run of ASCII digits in `text`, in order, chained (ChainDigitRuns).
void FindDigitRuns(std::string_view text, std::vector<DigitRun>& out);

struct PatternDef {
  PhiType type;
  const char* regex;  // Vectorscan (PCRE subset) syntax
  bool caseless;
  ValueMode mode;
  float confidence;
  MatchValidator validate;
  // Optional: cheaper regexes for the one pass (each reports under this pattern), whose matches
  // together end everywhere `regex`'s do (and maybe elsewhere). Each end they report is confirmed
  // by `regex`'s own start-of-match scan of a window before it, so the spans are exactly those of
  // `regex` alone. Worth it where `regex` has no rare literal for Vectorscan to look for, or a
  // long or alternating part before its literal (both run an automaton over every byte), or an
  // alternation of long and very short literals ("phone|ph"): split, each part finds its own.
  std::vector<const char*> scan_regexes = {};
  // Optional: where the pattern's matches may end, found in C++ from the text's digit runs instead
  // of by a scan regex (each end confirmed as above): for a repeated character class with no
  // literal ("[0-9]{7,}"), which Vectorscan would run as an automaton over every byte.
  CandidateFinder find = nullptr;
  // Optional, for a whole-match pattern found by `regex` itself: the one pass tracks its start of
  // match (HS_FLAG_SOM_LEFTMOST), which costs that pass less than one start scan per match where
  // matches are many ("3/4" in every other note).
  bool start_in_pass = false;
};

// The built-in pattern table (patterns.cc).
const std::vector<PatternDef>& BuiltinPatterns();

struct PatternMatch {
  size_t start;  // byte offsets into the scanned text, end exclusive
  size_t end;
  PhiType type;
  float confidence;
};

class ScanScratch;

class PatternScanner {
 public:
  // Compiles `patterns`. InvalidArgument naming the pattern that failed to compile.
  //
  // With a `cache_dir`, the compiled databases are also kept there (one file per distinct pattern
  // set, Vectorscan version and CPU platform) and later calls load them instead of compiling:
  // compiling takes ~0.4 s, loading a few milliseconds. The cache is best effort: a missing,
  // unreadable, stale or corrupt file is ignored (and replaced), and a folder that cannot be
  // written only means the next process compiles again. It holds no text, only patterns.
  static absl::StatusOr<std::unique_ptr<PatternScanner>> Create(std::vector<PatternDef> patterns,
                                                                const std::string& cache_dir = "");
  ~PatternScanner();
  // Not copyable: owns the compiled database.
  PatternScanner(const PatternScanner&) = delete;
  PatternScanner& operator=(const PatternScanner&) = delete;

  absl::StatusOr<std::unique_ptr<ScanScratch>> NewScratch() const;

  // Appends validated matches (value part only, longest per start and pattern) to `out`.
  // `digit_runs`: the text's digit runs if the caller has them (the tokenizer's), else found here.
  absl::Status Scan(std::string_view text, ScanScratch& scratch, std::vector<PatternMatch>& out,
                    const std::vector<DigitRun>* digit_runs = nullptr) const;

 private:
  PatternScanner() = default;
  // The cache file's contents for this pattern set, and its path under `cache_dir`.
  std::string CacheKey() const;
  // Loads the databases from `data` if it was written for CacheKey(); false if not.
  bool LoadCache(std::string_view data, const std::string& key);
  std::string SerializeCache(const std::string& key) const;
  absl::Status Compile();
  // Whole-match patterns need their start of match recovered (start_db_).
  static bool NeedsStart(const PatternDef& p);
  // Patterns found by candidates (scan regexes, a finder) that `regex` must confirm.
  static bool Confirmed(const PatternDef& p);
  // Patterns with a start database: those needing their start, and confirmed ones.
  static bool HasStartDb(const PatternDef& p);
  // Patterns with an expression in the one pass (`regex` itself or scan regexes): all but those
  // found by a finder alone.
  static bool InOnePass(const PatternDef& p);
  // Leftmost start of pattern `id`'s match that ends at byte `end`, or `end` if none.
  size_t StartOf(unsigned id, std::string_view text, size_t end, ScanScratch& scratch) const;

  std::vector<PatternDef> patterns_;
  // One database of every pattern, without start-of-match tracking (it slows the whole pass down
  // several times); matches report only where they end. Null if every pattern has a finder.
  hs_database* db_ = nullptr;
  // Per pattern whose value starts where its match does, or whose scan regexes' ends need
  // confirming: a one-pattern database of `regex` with HS_FLAG_SOM_LEFTMOST, run only over a
  // short window before a match end to find its start (or that it has none).
  std::vector<hs_database*> start_db_;
  std::vector<unsigned> max_width_;  // longest possible match of each pattern (capped)
};

class ScanScratch {
 public:
  ~ScanScratch();
  ScanScratch(const ScanScratch&) = delete;
  ScanScratch& operator=(const ScanScratch&) = delete;

 private:
  friend class PatternScanner;
  ScanScratch() = default;
  hs_scratch* scratch_ = nullptr;
  struct Raw {
    unsigned id;
    size_t from, to;
  };
  std::vector<Raw> raw_;
  std::vector<DigitRun> digits_;  // the text's digit runs, for the finders
  std::vector<size_t> found_;     // a finder's candidate ends
  // Per pattern whose match may be longer than StartOf's window: every match over the whole text
  // (end, leftmost start), sorted by end, computed at most once per Scan.
  std::vector<std::pair<unsigned, std::vector<std::pair<size_t, size_t>>>> whole_text_;
};

}  // namespace phiguard::phi::internal
