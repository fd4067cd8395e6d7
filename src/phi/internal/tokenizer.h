// Splits text into word tokens (runs of letters, or runs of digits) for the lexicon rules, and
// classifies the text's casing: in an all-caps or all-lower-case note capitalisation says nothing
// about names, so the rules must not rely on it there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phiguard::phi::internal {

enum class CaseMode : uint8_t { kMixed, kUpper, kLower };

// A maximal run of ASCII digits in a text, byte offsets (end exclusive). The tokenizer's digit
// tokens are exactly these runs; the pattern scanner's finders take them as a list.
struct DigitRun {
  size_t start, end;
  // How many runs end with this one, each one byte after the run before it ("7-22-2010": 1,
  // 2, 3): set by ChainDigitRuns.
  uint32_t chain = 1;
};

// Sets every run's `chain` (`runs` in text order).
void ChainDigitRuns(std::vector<DigitRun>& runs);

struct Token {
  uint32_t start;  // byte offsets, end exclusive
  uint32_t end;
  uint32_t flags = 0;  // LexiconFlag bits of the lower-cased word (0 for numbers)
  uint32_t name_count = 0;  // frequency as a first name or surname (0 if none)
  bool digits = false;  // a run of digits
  bool title = false;   // "Smith": upper then lower
  bool upper = false;   // "SMITH" (2+ letters)
  bool initial = false;  // a single letter
};

// Appends the tokens of `text` to `out`. Letters are ASCII letters and any non-ASCII byte, so
// "José" stays one token. Stops at 2^32-1 bytes (the caller bounds input size below that).
// Also writes the ASCII-lower-cased text to `lower` (same offsets) and counts letters by case.
// With `digit_runs`, also sets it to the text's digit runs in order (the digit tokens' bounds).
void Tokenize(std::string_view text, std::vector<Token>& out);
void TokenizeAndLower(std::string_view text, std::vector<Token>& out, std::string& lower,
                      size_t& upper_letters, size_t& lower_letters,
                      std::vector<DigitRun>* digit_runs = nullptr);

// Counts upper- and lower-case ASCII letters: mostly upper -> kUpper, mostly lower -> kLower.
CaseMode DetectCaseMode(std::string_view text);
// The same from letter counts.
CaseMode CaseModeFromCounts(size_t upper, size_t lower);

}  // namespace phiguard::phi::internal
