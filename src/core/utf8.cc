#include "phiguard/core/utf8.h"

#include <cstdint>

namespace phiguard {

std::optional<size_t> FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Fast path: eight ASCII bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      __builtin_memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::nullopt;
}

CodePointIndex::CodePointIndex(std::string_view text) {
  // 32 bytes at a time: most clinical text is ASCII, and then there is no table.
  const size_t n = text.size();
  uint64_t high = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    uint64_t w[4];
    __builtin_memcpy(w, text.data() + i, sizeof w);
    if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ull) {
      high = 1;
      break;
    }
  }
  for (; i < n && high == 0; ++i) high = static_cast<unsigned char>(text[i]) >> 7;
  if (high == 0) return;
  table_.resize(text.size() + 1);
  uint32_t cp = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && i > 0) ++cp;
    table_[i] = cp;
  }
  table_[text.size()] = text.empty() ? 0 : cp + 1;
}

size_t CodePointIndex::ToCodePoint(size_t byte) const {
  if (table_.empty()) return byte;
  return table_[byte];
}

}  // namespace phiguard
