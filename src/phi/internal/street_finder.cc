#include "phi/internal/street_finder.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "phi/internal/byte_class.h"

namespace phiguard::phi::internal {
namespace {

// Street addresses: every place a match may end. After a street suffix ("St", "St.") and after
// each word end of a unit that follows ("Apt 4B", "Suite 12", "# 3").
void AddStreetEnds(std::string_view text, size_t e, std::vector<size_t>& ends) {
  const size_t n = text.size();
  ends.push_back(e);
  std::vector<size_t> from = {e};
  if (e < n && text[e] == '.') {
    ends.push_back(e + 1);
    from.push_back(e + 1);
  }
  for (size_t q : from) {
    while (q < n && IsSpaceByte(text[q])) ++q;
    if (q < n && text[q] == ',') ++q;
    while (q < n && IsSpaceByte(text[q])) ++q;
    for (std::string_view unit : {"apt", "apartment", "suite", "ste", "unit", "#"}) {
      if (!WordAt(text, q, unit)) continue;
      size_t v = q + unit.size();
      if (v < n && text[v] == '.') ++v;
      while (v < n && IsSpaceByte(text[v])) ++v;
      if (v < n && text[v] == '#') ++v;
      for (size_t k = v; k < n && (IsWordByte(text[k]) || text[k] == '-') && text[k] != '_'; ++k) {
        if (IsWordByte(text[k]) != (k + 1 < n && IsWordByte(text[k + 1]))) ends.push_back(k + 1);
      }
    }
  }
}

// The suffixes of the regex, by length.
constexpr std::string_view kSuffixes[10][5] = {
    {},
    {},
    {"st", "rd", "ln", "ct", "pl"},
    {"ave", "way", "cir", "hwy", "row"},
    {"road", "blvd", "lane", "pkwy", "pike"},
    {"drive", "court", "place", "alley", "trail"},
    {"street", "avenue", "circle", "square"},
    {"terrace", "highway", "parkway"},
    {},
    {"boulevard"}};

// The first eight bytes of `word` as a little-endian number, zero-padded.
constexpr uint64_t Key(std::string_view word) {
  uint64_t k = 0;
  for (size_t i = 0; i < word.size() && i < 8; ++i) k |= static_cast<uint64_t>(word[i]) << (8 * i);
  return k;
}

// kSuffixes as keys (0: none), compared at once with the letters' own key.
const auto kSuffixKeys = [] {
  std::array<std::array<uint64_t, 5>, 10> keys{};
  for (size_t len = 0; len < 10; ++len) {
    for (size_t k = 0; k < 5; ++k) keys[len][k] = Key(kSuffixes[len][k]);
  }
  return keys;
}();

// The letters [at, end) followed by a byte that is no word byte (or nothing): if they are a
// street suffix, its ends.
void SuffixEnds(std::string_view text, size_t at, size_t end, std::vector<size_t>& ends) {
  const size_t len = end - at;
  if (len >= 10 || len < 2) return;
  if (len <= 8 && at + 8 <= text.size()) {
    // Letters only: `| 0x20` lower-cases each; the bytes after the word are masked off.
    uint64_t key;
    std::memcpy(&key, text.data() + at, 8);
    key = (key | 0x2020202020202020ull) & (len == 8 ? ~0ull : (1ull << (8 * len)) - 1);
    bool suffix = false;
    for (uint64_t k : kSuffixKeys[len]) suffix |= key == k;  // unrolled, no branch per key
    if (suffix) AddStreetEnds(text, end, ends);
    return;
  }
  for (std::string_view suffix : kSuffixes[len]) {
    if (!suffix.empty() && WordAt(text, at, suffix)) AddStreetEnds(text, end, ends);
  }
}

// The words after the number, from `i` (a byte after the blanks that follow it), a byte at a
// time: up to five words of letters (and '.', '\'', '-' after them) separated by blanks; the
// second to fifth may be a suffix.
void WalkBytes(std::string_view text, size_t i, std::vector<size_t>& ends) {
  const size_t n = text.size();
  for (int words = 0; i < n && IsAlphaByte(text[i]); ++words) {
    size_t e = i + 1;  // the word's letters
    while (e < n && IsAlphaByte(text[e])) ++e;
    if (words > 0 && (e == n || !IsWordByte(text[e]))) SuffixEnds(text, i, e, ends);
    if (words == 4) break;
    size_t j = e;  // the rest of the word, then blanks
    while (j < n && (IsAlphaByte(text[j]) || text[j] == '.' || text[j] == '\'' || text[j] == '-'))
      ++j;
    if (j >= n || !IsSpaceByte(text[j])) break;
    while (j < n && IsSpaceByte(text[j])) ++j;
    i = j;
  }
}

// Bit k of each: byte p[k] (k < 64) is a letter, a blank, a letter or one of ".'-" (the rest of
// a word), a word byte.
struct ByteMasks {
  uint64_t alpha = 0, space = 0, rest = 0, word = 0;
};

ByteMasks Classify(const char* p) {
  ByteMasks m;
#if defined(__SSE2__)
  // c - lo < span (unsigned) as a signed compare after shifting by 128.
  auto in_range = [](__m128i v, char lo, char span) {
    return _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(-128 - lo))),
                          _mm_set1_epi8(static_cast<char>(-128 + span)));
  };
  auto is = [](__m128i v, char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
  auto bits = [](__m128i v, int k) {
    return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(v))) << k;
  };
  for (int k = 0; k < 64; k += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
    const __m128i alpha = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 26);
    const __m128i space = _mm_or_si128(is(v, ' '), in_range(v, '\t', 5));
    const __m128i rest = _mm_or_si128(_mm_or_si128(alpha, is(v, '.')),
                                      _mm_or_si128(is(v, '\''), is(v, '-')));
    const __m128i word = _mm_or_si128(_mm_or_si128(alpha, in_range(v, '0', 10)), is(v, '_'));
    m.alpha |= bits(alpha, k);
    m.space |= bits(space, k);
    m.rest |= bits(rest, k);
    m.word |= bits(word, k);
  }
#else
  for (int k = 0; k < 64; ++k) {
    const char c = p[k];
    const uint64_t bit = 1ull << k;
    if (IsAlphaByte(c)) m.alpha |= bit;
    if (IsSpaceByte(c)) m.space |= bit;
    if (IsAlphaByte(c) || c == '.' || c == '\'' || c == '-') m.rest |= bit;
    if (IsWordByte(c)) m.word |= bit;
  }
#endif
  return m;
}

// The end of the run of set bits of `mask` from bit `i` (i < 64): `i` if bit i is clear, 64 if
// the run reaches the mask's end.
unsigned RunEnd(uint64_t mask, unsigned i) {
  const uint64_t clear = ~(mask >> i);
  return clear == 0 ? 64 : i + static_cast<unsigned>(__builtin_ctzll(clear));
}

// WalkBytes over the 64 bytes from `base` (all in the text), each step a bit scan of masks
// instead of a loop with a mispredicted exit at every word's end. False if the walk would go past
// those bytes (the caller then walks byte by byte; ends found so far may be listed again).
bool WalkInWindow(std::string_view text, size_t base, std::vector<size_t>& ends) {
  const ByteMasks m = Classify(text.data() + base);
  unsigned i = 0;
  for (int words = 0; (m.alpha >> i) & 1; ++words) {
    const unsigned e = RunEnd(m.alpha, i);
    if (e >= 64) return false;
    if (words > 0 && !((m.word >> e) & 1)) SuffixEnds(text, base + i, base + e, ends);
    if (words == 4) return true;
    const unsigned j = RunEnd(m.rest, e);
    if (j >= 64) return false;
    if (!((m.space >> j) & 1)) return true;
    i = RunEnd(m.space, j);
    if (i >= 64) return false;
  }
  return true;
}

size_t Len(const DigitRun& r) { return r.end - r.start; }

}  // namespace

void FindStreetEnds(std::string_view text, const std::vector<DigitRun>& digits,
                    std::vector<size_t>& ends) {
  const size_t n = text.size();
  for (const DigitRun& d : digits) {
    if (Len(d) > 6) continue;
    size_t i = d.end;
    if (i < n && IsAlphaByte(text[i])) ++i;
    if (i >= n || !IsSpaceByte(text[i])) continue;
    while (i < n && IsSpaceByte(text[i])) ++i;
    if (i + 64 <= n && WalkInWindow(text, i, ends)) continue;
    WalkBytes(text, i, ends);
  }
}

}  // namespace phiguard::phi::internal
