// PatternScanner: every fixed PHI pattern (dates, phone numbers, identifiers by format and by
// context) compiled into one Vectorscan database and found in a single pass over the text.
// Immutable after Create(); Scan() is thread-safe given a per-thread ScanScratch.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/phi/phi_type.h"

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

struct PatternDef {
  PhiType type;
  const char* regex;  // Vectorscan (PCRE subset) syntax
  bool caseless;
  ValueMode mode;
  float confidence;
  MatchValidator validate;
  // Optional, only for kWhole and kAfterLabel: a cheaper regex for the one pass, whose matches end
  // everywhere `regex`'s do (and maybe elsewhere). Each end it reports is confirmed by `regex`'s
  // own start-of-match scan, so the spans are exactly those of `regex` alone.
  const char* scan_regex = nullptr;
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
  absl::Status Scan(std::string_view text, ScanScratch& scratch,
                    std::vector<PatternMatch>& out) const;

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
  // Leftmost start of pattern `id`'s match that ends at byte `end`, or `end` if none.
  size_t StartOf(unsigned id, std::string_view text, size_t end, ScanScratch& scratch) const;

  std::vector<PatternDef> patterns_;
  // One database of every pattern, without start-of-match tracking (it slows the whole pass down
  // several times); matches report only where they end.
  hs_database* db_ = nullptr;
  // Per pattern whose value starts where its match does: a one-pattern database with
  // HS_FLAG_SOM_LEFTMOST, run only over a short window before a match end to find its start.
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
};

}  // namespace phiguard::phi::internal
