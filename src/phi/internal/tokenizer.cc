#include "phi/internal/tokenizer.h"

#include <string>

namespace phiguard::phi::internal {
namespace {

inline bool IsLetter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsLower(unsigned char c) { return c >= 'a' && c <= 'z'; }

}  // namespace

// One pass: tokens, the lower-cased copy and the letter counts together.
void TokenizeAndLower(std::string_view text, std::vector<Token>& out, std::string& lower,
                      size_t& upper_letters, size_t& lower_letters) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  lower.resize(n);
  char* lo = lower.data();
  size_t ups = 0, los = 0;
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (IsLetter(c)) {
      size_t b = i;
      bool all_upper = true, rest_lower = true;
      while (i < n && IsLetter(s[i])) {
        unsigned char x = s[i];
        bool up = IsUpper(x);
        ups += up;
        los += IsLower(x);
        lo[i] = static_cast<char>(up ? x + 32 : x);
        if (!up) all_upper = false;
        if (i > b && !IsLower(x) && x < 0x80) rest_lower = false;
        ++i;
        // "O'Rourke", "D'Angelo": an apostrophe after a one-letter prefix joins the name.
        if (i == b + 1 && i + 1 < n && s[i] == '\'' && IsLetter(s[i + 1])) {
          lo[i] = '\'';
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
      t.title = IsUpper(s[b]) && (rest_lower || (len > 2 && s[b + 1] == '\'')) && len >= 2;
      out.push_back(t);
    } else if (IsDigit(c)) {
      size_t b = i;
      while (i < n && IsDigit(s[i])) {
        lo[i] = static_cast<char>(s[i]);
        ++i;
      }
      Token t;
      t.start = static_cast<uint32_t>(b);
      t.end = static_cast<uint32_t>(i);
      t.digits = true;
      out.push_back(t);
    } else {
      lo[i] = static_cast<char>(c);
      ++i;
    }
  }
  upper_letters = ups;
  lower_letters = los;
}

void Tokenize(std::string_view text, std::vector<Token>& out) {
  std::string lower;
  size_t upper_letters = 0, lower_letters = 0;
  TokenizeAndLower(text, out, lower, upper_letters, lower_letters);
}

CaseMode DetectCaseMode(std::string_view text) {
  size_t upper = 0, lower = 0;
  for (unsigned char c : text) {
    upper += IsUpper(c);
    lower += IsLower(c);
  }
  return CaseModeFromCounts(upper, lower);
}

CaseMode CaseModeFromCounts(size_t upper, size_t lower) {
  size_t total = upper + lower;
  if (total == 0) return CaseMode::kMixed;
  if (lower * 10 < total) return CaseMode::kUpper;
  if (upper * 40 < total) return CaseMode::kLower;
  return CaseMode::kMixed;
}

}  // namespace phiguard::phi::internal
