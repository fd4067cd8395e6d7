// PatternScanner: every fixed PHI pattern (dates, phone numbers, identifiers by format and by
// context) compiled into one Vectorscan database and found in a single pass over the text.
// Immutable after Create(); Scan() is thread-safe given a per-thread ScanScratch.
#pragma once

#include <memory>
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
  static absl::StatusOr<std::unique_ptr<PatternScanner>> Create(std::vector<PatternDef> patterns);
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
