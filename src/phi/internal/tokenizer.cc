#include "phi/internal/tokenizer.h"

#include <algorithm>
#include <cstring>
#include <string>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace phiguard::phi::internal {
namespace {

inline bool IsLetter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsLower(unsigned char c) { return c >= 'a' && c <= 'z'; }

}  // namespace

// Bit masks of a text, 64 bytes per word (bit k of word w is byte 64w + k): which bytes are
// letters, digits, either, upper-case and lower-case ASCII, and non-ASCII.
namespace {

struct ByteMasks {
  std::vector<uint64_t> letter, digit, any, upper, lower, high;
  size_t words = 0;
};

// Sets the masks of `n` bytes at `s` and writes the ASCII-lower-cased bytes to `lo`.
void BuildMasks(const unsigned char* s, size_t n, unsigned char* lo, ByteMasks& m) {
  m.words = (n + 63) / 64;
  for (auto* v : {&m.letter, &m.digit, &m.any, &m.upper, &m.lower, &m.high}) {
    if (v->size() < m.words) v->resize(m.words);
  }
  unsigned char tail[64];
  for (size_t w = 0; w < m.words; ++w) {
    const size_t base = w * 64;
    const unsigned char* p = s + base;
    const size_t len = std::min<size_t>(64, n - base);
    if (len < 64) {  // the last word: zero bytes are neither letters nor digits
      std::memset(tail, 0, sizeof tail);
      std::memcpy(tail, p, len);
      p = tail;
    }
    uint64_t up = 0, low = 0, high = 0, dig = 0;
#ifdef __SSE2__
    // c - 'A' < 26 (unsigned) as a signed compare after shifting by 128; the same for 'a', '0'.
    const __m128i limit26 = _mm_set1_epi8(static_cast<char>(-128 + 26));
    const __m128i limit10 = _mm_set1_epi8(static_cast<char>(-128 + 10));
    unsigned char lowered[64];
    for (size_t k = 0; k < 64; k += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
      const __m128i u =
          _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(128 - 'A'))), limit26);
      const __m128i l =
          _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(128 - 'a'))), limit26);
      const __m128i d =
          _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(128 - '0'))), limit10);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(lowered + k),
                       _mm_add_epi8(v, _mm_and_si128(u, _mm_set1_epi8(32))));
      up |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(u))) << k;
      low |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(l))) << k;
      dig |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(d))) << k;
      high |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(v))) << k;
    }
    std::memcpy(lo + base, lowered, len);
#else
    for (size_t k = 0; k < 64; ++k) {
      const unsigned char c = p[k];
      up |= static_cast<uint64_t>(IsUpper(c)) << k;
      low |= static_cast<uint64_t>(IsLower(c)) << k;
      dig |= static_cast<uint64_t>(IsDigit(c)) << k;
      high |= static_cast<uint64_t>(c >= 0x80) << k;
      if (k < len) lo[base + k] = static_cast<unsigned char>(IsUpper(c) ? c + 32 : c);
    }
#endif
    m.upper[w] = up;
    m.lower[w] = low;
    m.high[w] = high;
    m.digit[w] = dig;
    m.letter[w] = up | low | high;
    m.any[w] = up | low | high | dig;
  }
}

// The first byte at or after `pos` whose bit is set (`set`) or clear in `mask`; `n` if none.
size_t Next(const std::vector<uint64_t>& mask, size_t words, size_t pos, size_t n, bool set) {
  size_t w = pos >> 6;
  if (w >= words) return n;
  uint64_t x = (set ? mask[w] : ~mask[w]) & (~0ull << (pos & 63));
  while (x == 0) {
    if (++w >= words) return n;
    x = set ? mask[w] : ~mask[w];
  }
  return std::min(n, (w << 6) + static_cast<size_t>(__builtin_ctzll(x)));
}

// Whether any bit of `mask` in bytes [b, e) is set.
bool AnyIn(const std::vector<uint64_t>& mask, size_t b, size_t e) {
  while (b < e) {
    const size_t w = b >> 6, k = b & 63;
    const size_t span = std::min<size_t>(64 - k, e - b);
    const uint64_t bits = span == 64 ? ~0ull : ((1ull << span) - 1) << k;
    if (mask[w] & bits) return true;
    b += span;
  }
  return false;
}

}  // namespace

// Bytes are classified 64 at a time into bit masks (with the lower-cased copy written on the way);
// token boundaries are then found with bit scans instead of a branch per byte.
void TokenizeAndLower(std::string_view text, std::vector<Token>& out, std::string& lower,
                      size_t& upper_letters, size_t& lower_letters) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  lower.resize(n);
  thread_local ByteMasks masks;
  ByteMasks& m = masks;
  BuildMasks(s, n, reinterpret_cast<unsigned char*>(lower.data()), m);
  size_t ups = 0, los = 0;
  for (size_t w = 0; w < m.words; ++w) {
    ups += static_cast<size_t>(__builtin_popcountll(m.upper[w]));
    los += static_cast<size_t>(__builtin_popcountll(m.lower[w]));
  }
  upper_letters = ups;
  lower_letters = los;

  size_t i = Next(m.any, m.words, 0, n, true);
  while (i < n) {
    const size_t b = i;
    Token t;
    t.start = static_cast<uint32_t>(b);
    if (IsDigit(s[b])) {
      i = Next(m.digit, m.words, b, n, false);
      t.digits = true;
    } else {
      i = Next(m.letter, m.words, b, n, false);
      // "O'Rourke", "D'Angelo": an apostrophe after a one-letter prefix joins the name.
      const bool joined = i == b + 1 && i + 1 < n && s[i] == '\'' && IsLetter(s[i + 1]);
      if (joined) i = Next(m.letter, m.words, i + 1, n, false);
      const size_t len = i - b;
      t.initial = len == 1;
      // Upper: every letter upper-case ASCII (the apostrophe is neither).
      t.upper = len >= 2 && !AnyIn(m.lower, b, i) && !AnyIn(m.high, b, i);
      const bool rest_lower = !AnyIn(m.upper, b + 1, i);
      t.title = IsUpper(s[b]) && (rest_lower || (len > 2 && s[b + 1] == '\'')) && len >= 2;
    }
    t.end = static_cast<uint32_t>(i);
    out.push_back(t);
    i = Next(m.any, m.words, i, n, true);
  }
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
