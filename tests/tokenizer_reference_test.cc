// TokenizeAndLower classifies 64 bytes at a time and finds token ends with bit scans. Here it must
// agree, token for token and flag for flag, with the plain byte-by-byte definition below, on
// texts built to cross the 64-byte word boundaries in every way.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "phi/internal/pattern_scanner.h"
#include "phi/internal/tokenizer.h"

namespace phiguard::phi::internal {
namespace {

bool Letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
bool Digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool Upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool Lower(unsigned char c) { return c >= 'a' && c <= 'z'; }

// The definition, one byte at a time.
void Reference(std::string_view text, std::vector<Token>& out, std::string& lower, size_t& ups,
               size_t& los) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  lower.assign(text);
  ups = los = 0;
  for (size_t i = 0; i < n; ++i) {
    ups += Upper(s[i]);
    los += Lower(s[i]);
    if (Upper(s[i])) lower[i] = static_cast<char>(s[i] + 32);
  }
  size_t i = 0;
  while (i < n) {
    if (Letter(s[i])) {
      size_t b = i;
      bool all_upper = true, rest_lower = true;
      while (i < n && Letter(s[i])) {
        if (!Upper(s[i])) all_upper = false;
        if (i > b && Upper(s[i])) rest_lower = false;
        ++i;
        if (i == b + 1 && i + 1 < n && s[i] == '\'' && Letter(s[i + 1])) {
          ++i;
          rest_lower = true;
        }
      }
      Token t;
      t.start = static_cast<uint32_t>(b);
      t.end = static_cast<uint32_t>(i);
      size_t len = i - b;
      t.initial = len == 1;
      t.upper = all_upper && len >= 2;
      t.title = Upper(s[b]) && (rest_lower || (len > 2 && s[b + 1] == '\'')) && len >= 2;
      out.push_back(t);
    } else if (Digit(s[i])) {
      size_t b = i;
      while (i < n && Digit(s[i])) ++i;
      Token t;
      t.start = static_cast<uint32_t>(b);
      t.end = static_cast<uint32_t>(i);
      t.digits = true;
      out.push_back(t);
    } else {
      ++i;
    }
  }
}

std::string Describe(const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& t : tokens) {
    out += std::to_string(t.start) + "-" + std::to_string(t.end) + (t.digits ? "d" : "") +
           (t.title ? "t" : "") + (t.upper ? "u" : "") + (t.initial ? "i" : "") + " ";
  }
  return out;
}

void ExpectSame(const std::string& text) {
  std::vector<Token> got, want;
  std::string got_lower, want_lower;
  size_t got_up = 0, got_lo = 0, want_up = 0, want_lo = 0;
  TokenizeAndLower(text, got, got_lower, got_up, got_lo);
  Reference(text, want, want_lower, want_up, want_lo);
  ASSERT_EQ(Describe(got), Describe(want)) << "text: " << text;
  ASSERT_EQ(got_lower, want_lower) << "text: " << text;
  ASSERT_EQ(got_up, want_up);
  ASSERT_EQ(got_lo, want_lo);
  // The digit runs handed to the pattern scanner: the same tokens, and exactly the runs the
  // scanner would find itself.
  std::vector<Token> with_runs;
  std::vector<DigitRun> runs, scanner_runs;
  TokenizeAndLower(text, with_runs, got_lower, got_up, got_lo, &runs);
  FindDigitRuns(text, scanner_runs);
  ASSERT_EQ(Describe(with_runs), Describe(want)) << "text: " << text;
  ASSERT_EQ(runs.size(), scanner_runs.size()) << "text: " << text;
  for (size_t i = 0; i < runs.size(); ++i) {
    ASSERT_EQ(runs[i].start, scanner_runs[i].start) << "text: " << text;
    ASSERT_EQ(runs[i].end, scanner_runs[i].end) << "text: " << text;
    ASSERT_EQ(runs[i].chain, scanner_runs[i].chain) << "text: " << text;
    const bool follows = i > 0 && runs[i].start == runs[i - 1].end + 1;
    ASSERT_EQ(runs[i].chain, follows ? runs[i - 1].chain + 1 : 1u) << "text: " << text;
  }
}

TEST(TokenizerReference, WordBoundaryCases) {
  ExpectSame("");
  ExpectSame("a");
  ExpectSame("7");
  for (size_t pad : {61u, 62u, 63u, 64u, 65u, 127u, 128u}) {
    const std::string fill(pad, ' ');
    for (const char* tail : {"O'Rourke", "o'", "O'ROURKE x", "Smith", "SMITH", "J", "1234567",
                             "ab12CD", "Jos\xC3\xA9", "D'a", "x'1", "A'B'C",
                             "a'b'c'd'e'f", "1a'b", "'a'b"}) {
      ExpectSame(fill + tail);
      ExpectSame(fill + tail + ".");
      ExpectSame(std::string(pad, 'a') + tail);  // a run that crosses the boundary
      ExpectSame(std::string(pad, 'Q') + tail);
      ExpectSame(std::string(pad, '9') + tail);
    }
  }
}

TEST(TokenizerReference, RandomTexts) {
  std::mt19937 rng(20261202);
  const std::string alphabet = "aZqM09' '.-/\n\xC3\xA9";
  for (int round = 0; round < 3000; ++round) {
    std::string text(rng() % 300, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    ExpectSame(text);
  }
}

// Texts longer than the tokenizer's 4 KiB chunk: runs and tokens open across chunk ends.
TEST(TokenizerReference, LongRandomTexts) {
  std::mt19937 rng(20261203);
  const std::string alphabet = "aZ0123456789 .";
  for (int round = 0; round < 20; ++round) {
    std::string text(4000 + rng() % 9000, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    ExpectSame(text);
  }
}

}  // namespace
}  // namespace phiguard::phi::internal
