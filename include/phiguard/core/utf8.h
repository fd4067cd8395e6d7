// UTF-8 helpers. phiguard works on UTF-8 bytes internally and reports offsets to users in Unicode
// code points, so every public span can be checked against the text in any language. These helpers
// are pure functions, safe to call from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace phiguard {

// Returns the byte offset of the first invalid UTF-8 sequence in `text` (overlong forms, surrogates
// and code points above U+10FFFF are invalid), or nullopt if `text` is valid UTF-8.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

// Maps byte offsets of a valid UTF-8 text to code-point offsets. Built once per text in O(n);
// lookups are O(1) after that. REQUIRES: `text` is valid UTF-8 and outlives nothing (it is copied
// into a table, not referenced).
class CodePointIndex {
 public:
  explicit CodePointIndex(std::string_view text);
  // Code-point offset of byte offset `byte` (0 <= byte <= text.size()). A byte in the middle of a
  // sequence maps to the code point that contains it.
  size_t ToCodePoint(size_t byte) const;
  // True when every byte is ASCII, so byte and code-point offsets are equal.
  bool ascii() const { return table_.empty(); }

 private:
  std::vector<uint32_t> table_;  // empty when ASCII; else code-point offset of each byte
};

}  // namespace phiguard
