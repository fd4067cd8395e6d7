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

enum LexiconFlag : uint16_t {
  kFirstName = 1 << 0,
  kSurname = 1 << 1,
  kEnglish = 1 << 2,       // ordinary English word
  kPlace = 1 << 3,         // US city or county
  kState = 1 << 4,         // US state name or postal abbreviation
  kClinical = 1 << 5,      // clinical term or abbreviation: never a name or place
  kFacilityWord = 1 << 6,  // distinctive word of a US hospital name
  kCommonName = 1 << 7,    // frequent first name or surname
};

struct LexiconEntry {
  uint16_t flags = 0;
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

 private:
  Lexicon() = default;
  void Add(std::string_view word, uint16_t flag, uint32_t count);
  std::vector<std::unique_ptr<char[]>> arena_blocks_;
  char* arena_pos_ = nullptr;
  size_t arena_left_ = 0;
  absl::flat_hash_map<std::string_view, LexiconEntry> map_;
};

}  // namespace phiguard::phi::internal
