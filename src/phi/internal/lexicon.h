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
    uint64_t w = 0;
    __builtin_memcpy(&w, s.data() + i, s.size() - i);
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

 private:
  Lexicon() = default;
  void Add(std::string_view word, uint32_t flag, uint32_t count);
  std::vector<std::unique_ptr<char[]>> arena_blocks_;
  char* arena_pos_ = nullptr;
  size_t arena_left_ = 0;
  absl::flat_hash_map<std::string_view, LexiconEntry, WordHash> map_;
};

// A per-thread cache in front of a Lexicon: clinical notes repeat a few thousand words, and a hit
// here stays in L2 instead of missing cache in the 300k-entry table. A word of up to 24 bytes is
// its own key: three 64-bit words, zero-padded, compared without a call to memcmp; four ways per
// set of two 64-byte lines, most recent first.
class LexiconCache {
 public:
  // Bytes that must be readable (any value) after the last word passed to Get().
  static constexpr size_t kPadding = 24;
  LexiconCache() : sets_(kSets) {}

  // Entry for the lower-case word at `p` of `len` bytes (letters only, no NUL), where p[len] up
  // to p[len + kPadding) may be read.
  LexiconEntry Get(const char* p, size_t len, const Lexicon& lexicon) {
    if (len > kMaxLen || len == 0) return lexicon.Lookup(std::string_view(p, len));
    uint64_t k[3];
    Set& set = sets_[KeyAndSet(p, len, k)];
    if (set.way[0].Is(k)) return set.way[0].entry;
    for (size_t w = 1; w < kWays; ++w) {
      if (set.way[w].Is(k)) {  // move to the front: most recent first
        Slot hit = set.way[w];
        for (size_t m = w; m > 0; --m) set.way[m] = set.way[m - 1];
        set.way[0] = hit;
        return hit.entry;
      }
    }
    for (size_t m = kWays - 1; m > 0; --m) set.way[m] = set.way[m - 1];
    Slot& s = set.way[0];
    s.key[0] = k[0];
    s.key[1] = k[1];
    s.key[2] = k[2];
    s.entry = lexicon.Lookup(std::string_view(p, len));
    return s.entry;
  }

  // Starts loading the cache line Get(p, len, ...) will read, so that a lookup a few words later
  // does not wait for memory. Same preconditions as Get(); a hint only.
  void Prefetch(const char* p, size_t len) const {
    if (len > kMaxLen || len == 0) return;
    uint64_t k[3];
    const Set* set = &sets_[KeyAndSet(p, len, k)];
    __builtin_prefetch(set);
    __builtin_prefetch(reinterpret_cast<const char*>(set) + 64);
  }

 private:
  static constexpr size_t kSets = 8192;  // 1 MiB in all
  static constexpr size_t kWays = 4;
  static constexpr size_t kMaxLen = 24;
  struct Slot {
    uint64_t key[3] = {0, 0, 0};  // all zero: empty (no word is empty)
    LexiconEntry entry;
    bool Is(const uint64_t* k) const {
      return ((key[0] ^ k[0]) | (key[1] ^ k[1]) | (key[2] ^ k[2])) == 0;
    }
  };
  // Four ways in two cache lines: with two, ~3% of lookups in the dev notes missed on set
  // conflicts (8.8k distinct words) and each miss costs a probe of the 320k-word table.
  struct alignas(64) Set {
    Slot way[kWays];
  };
  // The word at `p` as its zero-padded key `k`, and the index of its set.
  // REQUIRES: 0 < len <= kMaxLen.
  static size_t KeyAndSet(const char* p, size_t len, uint64_t k[3]) {
    __builtin_memcpy(k, p, 3 * sizeof(uint64_t));
    for (size_t i = 0; i < 3; ++i) {
      size_t have = len > 8 * i ? len - 8 * i : 0;
      uint64_t mask = have >= 8 ? ~0ull : have == 0 ? 0 : (1ull << (8 * have)) - 1;
      k[i] &= mask;  // little-endian: the word's bytes are the low ones
    }
    uint64_t h = (k[0] * 0x9E3779B97F4A7C15ull) ^ (k[1] * 0xBF58476D1CE4E5B9ull) ^
                 (k[2] * 0x94D049BB133111EBull);
    return (h ^ (h >> 32)) & (kSets - 1);
  }
  std::vector<Set> sets_;
};

}  // namespace phiguard::phi::internal
