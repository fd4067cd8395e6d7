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

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

inline bool NeedsEscape(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
}

// The index of the first byte of p[i, n) that needs escaping, or n. Sixteen bytes at a time with
// SSE2 (eight without) while none does (almost all text): the de-identified FHIR and JSONL writers
// escape every value they emit, megabytes of notes included.
inline size_t FindEscape(const char* p, size_t i, size_t n) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\');
  const __m128i max_control = _mm_set1_epi8(0x1F);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // v <= 0x1F (unsigned) iff min(v, 0x1F) == v.
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)),
                                     _mm_cmpeq_epi8(_mm_min_epu8(v, max_control), v));
    if (const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit)); mask != 0) {
      return i + static_cast<size_t>(__builtin_ctz(mask));
    }
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (AnyNeedsEscape(w)) break;
  }
  while (i < n && !NeedsEscape(p[i])) ++i;
  return i;
}

}  // namespace json_string_internal

// Appends `s` escaped as the inside of a JSON string literal: AppendJsonString without the
// quotes, for writers that build one literal from several pieces. REQUIRES: `s` is valid UTF-8.
inline void AppendJsonEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* p = s.data();
  const size_t n = s.size();
  size_t run = 0;
  for (size_t i = json_string_internal::FindEscape(p, 0, n); i < n;
       i = json_string_internal::FindEscape(p, i, n)) {
    out.append(p + run, i - run);
    const unsigned char c = static_cast<unsigned char>(p[i]);
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
    run = ++i;
  }
  out.append(p + run, n - run);
}

inline void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  AppendJsonEscaped(out, s);
  out.push_back('"');
}

}  // namespace phiguard
