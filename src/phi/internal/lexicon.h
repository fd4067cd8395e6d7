// Lexicon: one compact word table for the name and place recognizers. Every entry is a lower-case
// word (or multi-word phrase) mapped to a bit set of the lists it appears in and, for names, its
// frequency. Strings live in a single arena; the hash map holds views into it, so a 300k-entry
// lexicon costs one allocation for text plus the table. Immutable after Load(); thread-safe reads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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

// A per-thread, direct-mapped cache in front of a Lexicon: clinical notes repeat a few thousand
// words, and a hit here stays in L2 instead of missing cache in the 300k-entry table.
class LexiconCache {
 public:
  LexiconCache() : slots_(kSlots) {}
  template <typename Fn>
  LexiconEntry Get(std::string_view w, Fn&& miss) {
    if (w.size() > kMaxLen) return miss(w);
    size_t h = WordHash()(w);
    Slot& s = slots_[h & (kSlots - 1)];
    if (s.len == w.size() && __builtin_memcmp(s.word, w.data(), w.size()) == 0) return s.entry;
    s.entry = miss(w);
    s.len = static_cast<uint8_t>(w.size());
    __builtin_memcpy(s.word, w.data(), w.size());
    return s.entry;
  }

 private:
  static constexpr size_t kSlots = 32768;
  static constexpr size_t kMaxLen = 22;
  struct Slot {
    LexiconEntry entry;
    uint8_t len = 255;
    char word[kMaxLen + 1];
  };
  std::vector<Slot> slots_;
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

}  // namespace phiguard::phi::internal
