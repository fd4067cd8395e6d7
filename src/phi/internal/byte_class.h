// ASCII byte classes as the pattern table's regexes see them (Vectorscan without UTF-8 mode:
// every byte >= 0x80 is outside all of them), for the C++ candidate finders.
#pragma once

#include <cstddef>
#include <string_view>

namespace phiguard::phi::internal {

inline bool IsDigitByte(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlphaByte(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// "\\w": ASCII letters, digits and '_' (whatever the C locale says).
inline bool IsWordByte(char c) { return IsDigitByte(c) || IsAlphaByte(c) || c == '_'; }
// "\\s": blank, tab, newline, vertical tab, form feed, carriage return.
inline bool IsSpaceByte(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Whether `text` has `word` (lower case) at `at`, ASCII letters in any case.
inline bool WordAt(std::string_view text, size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    const char c = text[at + k];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != word[k]) return false;
  }
  return true;
}

// Whether `word` (lower case) ends at `at` in `text`, in any case, and starts a word: nothing
// before it or a byte that is no word byte ("\\bon").
inline bool WordEndsAt(std::string_view text, size_t at, std::string_view word) {
  if (at < word.size()) return false;
  const size_t b = at - word.size();
  return WordAt(text, b, word) && (b == 0 || !IsWordByte(text[b - 1]));
}

// The first byte of the blanks that end at `at` (`at` itself if text[at - 1] is no blank).
inline size_t SpacesStartBefore(std::string_view text, size_t at) {
  while (at > 0 && IsSpaceByte(text[at - 1])) --at;
  return at;
}

}  // namespace phiguard::phi::internal
