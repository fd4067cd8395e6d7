#include "phi/internal/tokenizer.h"

#include <algorithm>
#include <cstring>
#include <string>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace phiguard::phi::internal {
namespace {

inline bool IsUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsLower(unsigned char c) { return c >= 'a' && c <= 'z'; }

}  // namespace

// Bit masks of a text, 64 bytes per word (bit k of word w is byte 64w + k): which bytes are
// letters, digits, upper-case ASCII, other letters and apostrophes.
namespace {

struct ByteMasks {
  // letter: letters and joining apostrophes ("O'Rourke"); apostrophe: every '\''; not_upper:
  // lower-case ASCII or non-ASCII.
  std::vector<uint64_t> letter, digit, upper, not_upper, apostrophe;
  size_t words = 0;
  size_t upper_letters = 0, lower_letters = 0;
  std::vector<uint32_t> starts, ends;          // token bounds of one chunk (TokenizeAndLower)
  std::vector<uint32_t> run_starts, run_ends;  // digit run bounds of one chunk
};

// Bits set in `x`, inline (without -mpopcnt __builtin_popcountll is a call into libgcc).
inline size_t PopCount(uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ull;
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return static_cast<size_t>((x * 0x0101010101010101ull) >> 56);
}

// Writes `base + i` for every set bit i of `bits`, in order, to `out`; returns how many.
inline size_t AppendBitPositions(uint64_t bits, uint32_t base, uint32_t* out) {
  size_t count = 0;
  for (; bits != 0; bits &= bits - 1) {
    out[count++] = base + static_cast<uint32_t>(__builtin_ctzll(bits));
  }
  return count;
}

// Sets the masks of `n` bytes at `s` and writes the ASCII-lower-cased bytes to `lo`.
void BuildMasks(const unsigned char* s, size_t n, unsigned char* lo, ByteMasks& m) {
  m.words = (n + 63) / 64;
  m.upper_letters = m.lower_letters = 0;
  for (auto* v : {&m.letter, &m.digit, &m.upper, &m.not_upper, &m.apostrophe}) {
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
    uint64_t up = 0, low = 0, high = 0, dig = 0, apos = 0;
#ifdef __SSE2__
    // c - 'A' < 26 (unsigned) as a signed compare after shifting by 128; the same for 'a', '0'.
    const __m128i limit26 = _mm_set1_epi8(static_cast<char>(-128 + 26));
    const __m128i limit10 = _mm_set1_epi8(static_cast<char>(-128 + 10));
    unsigned char lowered[64];
    unsigned char* dst = len == 64 ? lo + base : lowered;  // the last word: a copy of its part
    for (size_t k = 0; k < 64; k += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
      const __m128i u =
          _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(128 - 'A'))), limit26);
      const __m128i l =
          _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(128 - 'a'))), limit26);
      const __m128i d =
          _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(128 - '0'))), limit10);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + k),
                       _mm_add_epi8(v, _mm_and_si128(u, _mm_set1_epi8(32))));
      up |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(u))) << k;
      low |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(l))) << k;
      dig |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(d))) << k;
      high |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(v))) << k;
      apos |= static_cast<uint64_t>(static_cast<uint32_t>(
                  _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\''))))) << k;
    }
    if (len < 64) std::memcpy(lo + base, lowered, len);
#else
    for (size_t k = 0; k < 64; ++k) {
      const unsigned char c = p[k];
      up |= static_cast<uint64_t>(IsUpper(c)) << k;
      low |= static_cast<uint64_t>(IsLower(c)) << k;
      dig |= static_cast<uint64_t>(c >= '0' && c <= '9') << k;
      high |= static_cast<uint64_t>(c >= 0x80) << k;
      apos |= static_cast<uint64_t>(c == '\'') << k;
      if (k < len) lo[base + k] = static_cast<unsigned char>(IsUpper(c) ? c + 32 : c);
    }
#endif
    m.upper[w] = up;
    m.not_upper[w] = low | high;
    m.digit[w] = dig;
    m.upper_letters += PopCount(up);
    m.lower_letters += PopCount(low);
    m.letter[w] = up | low | high;
    m.apostrophe[w] = apos;
  }
}

// Adds to m.letter the apostrophes that join a one-letter prefix to the letters after it
// ("O'Rourke", "D'Angelo"), so that a token is one run of letter bits. A prefix must start its
// token: in "A'B'C" the second apostrophe follows the prefix's own token ("A'B"), so it does
// not join ("A'B", "C"); such chains are resolved in text order.
void JoinApostrophes(ByteMasks& m) {
  const size_t words = m.words;
  uint64_t* letter = m.letter.data();
  const uint64_t* apos = m.apostrophe.data();
  // Candidates: a letter before that has no letter before it, and a letter after (the letter
  // bits as classified: each word is changed only after the next one has read it).
  uint64_t prev_letter = 0, prev_join = 0;  // the word before: its letters, its joins
  for (size_t w = 0; w < words; ++w) {
    const uint64_t l = letter[w];
    const uint64_t next = w + 1 < words ? letter[w + 1] : 0;
    if (apos[w] == 0) {
      prev_letter = l;
      prev_join = 0;
      continue;
    }
    const uint64_t before1 = (l << 1) | (prev_letter >> 63);
    const uint64_t before2 = (l << 2) | (prev_letter >> 62);
    const uint64_t after1 = (l >> 1) | (next << 63);
    uint64_t j = apos[w] & before1 & ~before2 & after1;
    // A candidate two bytes after a join is the "'C" of "A'B'C": resolved bit by bit, in order.
    uint64_t chain = j & ((j << 2) | (prev_join >> 62));
    while (chain != 0) {
      const int k = __builtin_ctzll(chain);
      const uint64_t two_before = k >= 2 ? (j >> (k - 2)) & 1 : (prev_join >> (62 + k)) & 1;
      if (two_before) j &= ~(1ull << k);
      chain &= chain - 1;
    }
    prev_letter = l;
    prev_join = j;
    letter[w] = l | j;
  }
}

// Whether any bit of `mask` in bytes [b, e) is set.
bool AnyIn(const uint64_t* mask, size_t b, size_t e) {
  while (b < e) {
    const size_t w = b >> 6, k = b & 63;
    const size_t span = std::min<size_t>(64 - k, e - b);
    const uint64_t bits = span == 64 ? ~0ull : ((1ull << span) - 1) << k;
    if (mask[w] & bits) return true;
    b += span;
  }
  return false;
}

// The token [b, e) with its flags; `s` the text, the masks of ByteMasks.
inline Token MakeToken(const unsigned char* s, size_t b, size_t e, const uint64_t* digit,
                       const uint64_t* upper, const uint64_t* not_upper) {
  Token t;
  t.start = static_cast<uint32_t>(b);
  t.end = static_cast<uint32_t>(e);
  // Without branches on the token's kind (they are data, and mispredicted): the token's bits in
  // the mask word of its first byte, then any further words (rare).
  const size_t wb = b >> 6, len = e - b, stop = e - (wb << 6);
  const uint64_t first = 1ull << (b & 63);
  const uint64_t range = (stop >= 64 ? ~0ull : (1ull << stop) - 1) & ~(first - 1);
  bool any_not_upper = (not_upper[wb] & range) != 0;
  bool any_upper_after = (upper[wb] & range & ~first) != 0;
  if (stop > 64) {
    any_not_upper |= AnyIn(not_upper, (wb + 1) << 6, e);
    any_upper_after |= AnyIn(upper, (wb + 1) << 6, e);
  }
  const bool digits = (digit[wb] & first) != 0, two = len >= 2;
  // "O'Rourke": after "O'" one more upper-case letter. s[b + 1] only when it is in the token.
  const bool o_prefix = (len > 2) & (s[b + (len > 2)] == '\'');
  t.digits = digits;
  t.initial = (len == 1) & !digits;
  // Upper: every letter upper-case ASCII (the apostrophe is neither); title: an upper-case
  // first letter and no other upper-case one.
  t.upper = two & !digits & !any_not_upper;
  t.title = two & ((upper[wb] & first) != 0) & (!any_upper_after | o_prefix);
  return t;
}

}  // namespace

// Bytes are classified 64 at a time into bit masks (with the lower-cased copy written on the way).
// A token is a run of letter bits or of digit bits: the runs' first and last bytes come from
// shifts of the masks, a word at a time, and are listed with bit scans, so no token waits for the
// one before it to find where it ends.
void TokenizeAndLower(std::string_view text, std::vector<Token>& out, std::string& lower,
                      size_t& upper_letters, size_t& lower_letters,
                      std::vector<DigitRun>* digit_runs) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  lower.resize(n);
  thread_local ByteMasks masks;
  ByteMasks& m = masks;
  BuildMasks(s, n, reinterpret_cast<unsigned char*>(lower.data()), m);
  JoinApostrophes(m);
  upper_letters = m.upper_letters;
  lower_letters = m.lower_letters;

  const uint64_t* letter = m.letter.data();
  const uint64_t* digit = m.digit.data();
  const uint64_t* upper = m.upper.data();
  const uint64_t* not_upper = m.not_upper.data();
  const size_t words = m.words;
  // A chunk of 64 words (4 KiB of text) at a time: its run starts and ends, then its tokens.
  // Letter and digit runs never overlap, so the k-th start and the k-th end make a token; a run
  // still open at the chunk's end carries its start over.
  constexpr size_t kChunkWords = 64;
  m.starts.resize(kChunkWords * 64 + 1);
  m.ends.resize(kChunkWords * 64);
  uint32_t* starts = m.starts.data();
  uint32_t* ends = m.ends.data();
  // Digit runs the same way, from the digit mask alone (a tenth of the tokens).
  uint32_t* run_starts = nullptr;
  uint32_t* run_ends = nullptr;
  if (digit_runs != nullptr) {
    digit_runs->clear();
    m.run_starts.resize(kChunkWords * 64 + 1);
    m.run_ends.resize(kChunkWords * 64);
    run_starts = m.run_starts.data();
    run_ends = m.run_ends.data();
  }
  out.reserve(out.size() + n / 4 + 1);
  size_t open = 0;      // 1 when starts[0] is a run carried over from the chunk before
  size_t run_open = 0;  // the same for run_starts[0]
  for (size_t c = 0; c < words; c += kChunkWords) {
    size_t ns = open, ne = 0, nrs = run_open, nre = 0;
    const size_t last = std::min(words, c + kChunkWords);
    for (size_t w = c; w < last; ++w) {
      const uint64_t l = letter[w], d = digit[w];
      const uint64_t lp = w > 0 ? letter[w - 1] >> 63 : 0, dp = w > 0 ? digit[w - 1] >> 63 : 0;
      const uint64_t ln = w + 1 < words ? letter[w + 1] << 63 : 0;
      const uint64_t dn = w + 1 < words ? digit[w + 1] << 63 : 0;
      const uint64_t digit_first = d & ~((d << 1) | dp), digit_end = d & ~((d >> 1) | dn);
      const uint32_t base = static_cast<uint32_t>(w * 64);
      ns += AppendBitPositions((l & ~((l << 1) | lp)) | digit_first, base, starts + ns);
      ne += AppendBitPositions((l & ~((l >> 1) | ln)) | digit_end, base + 1, ends + ne);
      if (run_starts != nullptr && d != 0) {
        nrs += AppendBitPositions(digit_first, base, run_starts + nrs);
        nre += AppendBitPositions(digit_end, base + 1, run_ends + nre);
      }
    }
    for (size_t k = 0; k < ne; ++k) {
      out.push_back(MakeToken(s, starts[k], ends[k], digit, upper, not_upper));
    }
    open = ns - ne;  // 0 or 1
    if (open != 0) starts[0] = starts[ne];
    if (run_starts != nullptr) {
      for (size_t k = 0; k < nre; ++k) digit_runs->push_back({run_starts[k], run_ends[k], 1});
      run_open = nrs - nre;
      if (run_open != 0) run_starts[0] = run_starts[nre];
    }
  }
  if (digit_runs != nullptr) ChainDigitRuns(*digit_runs);
}

void ChainDigitRuns(std::vector<DigitRun>& runs) {
  uint32_t chain = 0;
  size_t prev_end = 0;
  for (DigitRun& r : runs) {
    chain = r.start == prev_end + 1 && chain > 0 ? chain + 1 : 1;
    r.chain = chain;
    prev_end = r.end;
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
