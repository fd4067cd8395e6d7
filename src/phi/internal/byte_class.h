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

// Whether `text` has `word` (lower-case letters, or '#') at `at`, in any case.
inline bool WordAt(std::string_view text, size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (static_cast<char>(text[at + k] | 0x20) != word[k]) return false;
  }
  return true;
}

}  // namespace phiguard::phi::internal
