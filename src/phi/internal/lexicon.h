// Lexicon: one compact word table for the name and place recognizers. Every entry is a lower-case
// word (or multi-word phrase) mapped to a bit set of the lists it appears in and, for names, its
// frequency. Strings live in a single arena; the hash map holds views into it, so a 300k-entry
// lexicon costs one allocation for text plus the table. Immutable after Load(); thread-safe reads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace phiguard::phi::internal {

enum LexiconFlag : uint32_t {
  kFirstName = 1 << 0,
  kSurname = 1 << 1,
  kEnglish = 1 << 2,       // ordinary English word
  kPlace = 1 << 3,         // US city or county
  kState = 1 << 4,         // US state name or postal abbreviation
  kClinical = 1 << 5,      // clinical term or abbreviation: never a name or place
  kFacilityWord = 1 << 6,  // distinctive word of a US hospital name
  kCommonName = 1 << 7,    // frequent first name or surname
  kWordListMask = (1 << 8) - 1,
  // Roles of keywords in the context rules (name_rules.cc), added by AddRuleWords().
  kRoleClinicianTitle = 1 << 8,   // "Dr."
  kRolePersonTitle = 1 << 9,      // "Mrs."
  kRoleRelative = 1 << 10,        // "daughter"
  kRolePersonContext = 1 << 11,   // "spoke with"
  kRoleCredential = 1 << 12,      // "RN"
  kRoleFacilityKeyword = 1 << 13, // "hospital"
  kRoleStrongFacility = 1 << 14,  // keyword enough on its own
  kRoleDescriptive = 1 << 15,     // "Memorial": part of the name
  kRoleGenericModifier = 1 << 16, // "cardiac" rehab
  kRolePlaceContext = 1 << 17,    // "lives in"
  kRoleFunction = 1 << 18,        // closed-class word
  kPlacePrefix = 1 << 19,         // first word of a multi-word place ("san" of "san diego")
  kFacilityAcronym = 1 << 20,     // initials of a US hospital name ("gbmc")
  kRoleMeetingVerb = 1 << 21,     // "spoke" (with), "seen" (by)
  kRoleVisitVerb = 1 << 23,       // "called", "visited": a person did it
  kRoleRuleKeyword = 1 << 22,     // a word some rule tests by name ("st", "son", "cell"): see
                                  // RuleKeywords() in rule_words.cc
  kPlaceAbbreviation = 1 << 24,   // first 4-5 letters of a one-word place, in no list ("balt")
  kRuleStart = 1 << 25,           // some context rule may act on the word whatever stands around
                                  // it: a keyword, a name or a place (MarkRuleStarts() in
                                  // name_rules.cc)
  kPlaceSecondWord = 1 << 30,     // second word of a two-word place ("diego" of "san diego"):
                                  // no phrase lookup without it
};

// A fast hash for short words (most tokens are under 16 bytes).
struct WordHash {
  size_t operator()(std::string_view s) const {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      __builtin_memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
    }
    // The last 0-7 bytes with fixed-size loads (a memcpy of a variable length is a call):
    // overlapping 4-byte loads, or first, middle and last byte; with the length mixed in above,
    // each is a one-to-one code of the bytes.
    const char* p = s.data() + i;
    const size_t rest = s.size() - i;
    uint64_t w = 0;
    if (rest >= 4) {
      uint32_t a, b;
      __builtin_memcpy(&a, p, 4);
      __builtin_memcpy(&b, p + rest - 4, 4);
      w = a | (static_cast<uint64_t>(b) << 32);
    } else if (rest > 0) {
      w = static_cast<unsigned char>(p[0]) | (static_cast<uint64_t>(static_cast<unsigned char>(p[rest / 2])) << 8) |
          (static_cast<uint64_t>(static_cast<unsigned char>(p[rest - 1])) << 16);
    }
    h = (h ^ w) * 0x94D049BB133111EBull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

struct LexiconEntry {
  uint32_t flags = 0;
  uint32_t name_count = 0;  // max of first-name and surname frequency
};

class Lexicon {
 public:
  // Loads the bundled lists from `dir` (data/lexicons). NotFound naming the missing file;
  // InvalidArgument naming file and line for a malformed row.
  static absl::StatusOr<std::unique_ptr<Lexicon>> Load(const std::string& dir);
  Lexicon(const Lexicon&) = delete;
  Lexicon& operator=(const Lexicon&) = delete;

  // Entry for `lower` (already lower-case), or an empty entry.
  LexiconEntry Lookup(std::string_view lower) const {
    auto it = map_.find(lower);
    return it == map_.end() ? LexiconEntry{} : it->second;
  }
  size_t size() const { return map_.size(); }
  // Adds `flags` to `word` (inserting it). Only before the lexicon is shared between threads.
  void AddFlags(std::string_view word, uint32_t flags) { Add(word, flags, 0); }
  // Sets the flags of every entry to fn(word, entry). Only before the lexicon is shared between
  // threads.
  template <typename Fn>
  void UpdateFlags(Fn fn) {
    for (auto& entry : map_) entry.second.flags = fn(entry.first, entry.second);
  }

 private:
  Lexicon() = default;
  void Add(std::string_view word, uint32_t flag, uint32_t count);
  std::vector<std::unique_ptr<char[]>> arena_blocks_;
  char* arena_pos_ = nullptr;
  size_t arena_left_ = 0;
  absl::flat_hash_map<std::string_view, LexiconEntry, WordHash> map_;
};

// A per-thread cache in front of a Lexicon: clinical notes repeat a few thousand words, and a hit
// here stays in L1/L2 instead of missing cache in the 320k-entry table. A word is its own key,
// zero-padded to 8, 16 or 32 bytes by length (92% of the words in clinical notes have at most 8
// bytes, all but 0.01% at most 16), compared without a call to memcmp; four ways per set, most
// recent first. For words of up to 8 bytes a set is one 64-byte line (keys, then entries), so a
// lookup touches one line of a 256 KiB table; the three tables take 560 KiB in all.
class LexiconCache {
 public:
  // Bytes that must be readable (any value) after the last word passed to Get().
  static constexpr size_t kPadding = 24;
  LexiconCache() = default;

  // Entry for the lower-case word at `p` of `len` bytes (no NUL byte), where p[len] up to
  // p[len + kPadding) may be read.
  LexiconEntry Get(const char* p, size_t len, const Lexicon& lexicon) {
    if (len - 1 < 8) return short_.Get(p, len, lexicon);  // len 0 wraps around: not here
    if (len - 1 < 16) return medium_.Get(p, len, lexicon);
    if (len - 1 < 32) return long_.Get(p, len, lexicon);
    return lexicon.Lookup(std::string_view(p, len));
  }

  // Starts loading the cache line Get(p, len, ...) will read, so that a lookup a few words later
  // does not wait for memory. Same preconditions as Get(); a hint only.
  void Prefetch(const char* p, size_t len) const {
    if (len - 1 < 8) short_.Prefetch(p, len);
    else if (len - 1 < 16) medium_.Prefetch(p, len);
  }

 private:
  // Words of up to 8 * kWords bytes, 2^kSetBits sets of four ways.
  template <size_t kWords, size_t kSetBits>
  class Table {
   public:
    Table() : sets_(size_t{1} << kSetBits) {}

    // REQUIRES: 8 * (kWords / 2) < len <= 8 * kWords (len > 0 for one word).
    LexiconEntry Get(const char* p, size_t len, const Lexicon& lexicon) {
      uint64_t k[kWords];
      Set& set = sets_[KeyAndSet(p, len, k)];
      for (size_t w = 0; w < kWays; ++w) {
        if (!set.Is(w, k)) continue;
        const LexiconEntry hit = set.entry[w];
        if (w > 0) {  // move to the front: most recent first
          set.ShiftDown(w);
          set.Put(0, k, hit);
        }
        return hit;
      }
      set.ShiftDown(kWays - 1);
      const LexiconEntry e = lexicon.Lookup(std::string_view(p, len));
      set.Put(0, k, e);
      return e;
    }
    void Prefetch(const char* p, size_t len) const {
      uint64_t k[kWords];
      const char* set = reinterpret_cast<const char*>(&sets_[KeyAndSet(p, len, k)]);
      for (size_t line = 0; line < sizeof(Set); line += 64) __builtin_prefetch(set + line);
    }

   private:
    static constexpr size_t kWays = 4;
    // Keys first, then entries: for one-word keys the set is exactly one cache line.
    struct alignas(64) Set {
      uint64_t key[kWays][kWords] = {};  // all zero: empty (no word is empty)
      LexiconEntry entry[kWays];
      bool Is(size_t w, const uint64_t* k) const {
        uint64_t diff = 0;
        for (size_t i = 0; i < kWords; ++i) diff |= key[w][i] ^ k[i];
        return diff == 0;
      }
      // Ways 0 .. w-1 move to 1 .. w (way w is overwritten). Written out: as a loop, GCC makes
      // it a call of memmove.
      void ShiftDown(size_t w) {
        static_assert(kWays == 4);
        if (w >= 3) Move(2, 3);
        if (w >= 2) Move(1, 2);
        Move(0, 1);
      }
      void Move(size_t from, size_t to) {
        for (size_t i = 0; i < kWords; ++i) key[to][i] = key[from][i];
        entry[to] = entry[from];
      }
      void Put(size_t w, const uint64_t* k, LexiconEntry e) {
        for (size_t i = 0; i < kWords; ++i) key[w][i] = k[i];
        entry[w] = e;
      }
    };
    // The word at `p` as its zero-padded key `k`, and the index of its set.
    static size_t KeyAndSet(const char* p, size_t len, uint64_t* k) {
      __builtin_memcpy(k, p, kWords * sizeof(uint64_t));
      uint64_t h = 0;
      for (size_t i = 0; i < kWords; ++i) {
        const size_t have = len > 8 * i ? len - 8 * i : 0;
        const uint64_t mask = have >= 8 ? ~0ull : have == 0 ? 0 : (1ull << (8 * have)) - 1;
        k[i] &= mask;  // little-endian: the word's bytes are the low ones
        h = (h ^ k[i]) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
      }
      return static_cast<size_t>(h >> (64 - kSetBits));
    }
    std::vector<Set> sets_;
  };

  Table<1, 12> short_;   // 4096 sets of 64 bytes: 256 KiB, 16k words of up to 8 bytes
  Table<2, 11> medium_;  // 2048 sets of 128 bytes: 256 KiB
  Table<4, 8> long_;     // 256 sets of 192 bytes: 48 KiB
};

}  // namespace phiguard::phi::internal
