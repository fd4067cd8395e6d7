// Appends a string as a JSON string literal (RFC 8259) with the same bytes nlohmann::json's
// dump() writes: quotes and backslashes escaped, \b \f \n \r \t by name, other control characters
// as \u00xx, everything else (valid UTF-8 included) passed through. Writers that must produce
// canonical bytes (audit leaves) or stream at speed (de-identified JSON) use it instead of
// building a JSON object. REQUIRES: `s` is valid UTF-8.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace phiguard {

namespace json_string_internal {

// True if one of the 8 bytes of `w` needs escaping: below 0x20, '"' or '\\'. For n <= 0x80,
// (x - n * 0x01..) & ~x & 0x80.. is non-zero iff some byte of x is below n (a borrow only
// spreads upward from such a byte); '"' and '\\' are the zero bytes of x ^ '"'.., x ^ '\\'...
inline bool AnyNeedsEscape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const uint64_t quote = w ^ (kOnes * '"'), slash = w ^ (kOnes * '\\');
  const uint64_t control = (w - kOnes * 0x20) & ~w;
  return ((control | ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash)) & kHigh) != 0;
}

}  // namespace json_string_internal

inline void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;
  size_t i = 0;
  while (i < s.size()) {
    // Eight bytes at a time while none needs escaping (almost all text): the de-identified FHIR
    // and JSONL writers escape every value they emit, megabytes of base64 notes included.
    if (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!json_string_internal::AnyNeedsEscape(w)) {
        i += 8;
        continue;
      }
    }
    const size_t end = i + 8 <= s.size() ? i + 8 : s.size();
    for (; i < end; ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out.append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

}  // namespace phiguard
