#include "phi/internal/lexicon.h"

#include <cstring>

#include "absl/functional/function_ref.h"

#include "phiguard/core/strings.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/file_io.h"

namespace phiguard::phi::internal {
namespace {

constexpr size_t kMaxLexiconBytes = 64u << 20;
// A name at least this frequent (SSA births 1880-2023 or Census 2010 bearers) is "common".
constexpr uint32_t kCommonNameCount = 20000;

// Generic words of facility names: "Calvert Memorial Hospital" contributes only "calvert".
bool IsGenericFacilityWord(std::string_view w) {
  static constexpr std::string_view kGeneric[] = {
      "hospital", "hospitals", "medical", "center", "centre", "memorial", "regional", "general",
      "community", "county", "health", "healthcare", "system", "university", "of", "the", "and",
      "st", "st.", "saint", "mount", "mt", "valley", "clinic", "rehabilitation", "specialty",
      "behavioral", "psychiatric", "institute", "childrens", "children's", "womens", "women's",
      "inc", "llc", "campus", "district", "area", "care", "surgical", "surgery", "heart",
      "baptist", "methodist", "presbyterian", "lutheran", "catholic", "mercy", "good", "samaritan",
      "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
      "new", "city", "rural", "critical", "access", "long", "term", "acute", "-", "&"};
  for (std::string_view g : kGeneric) {
    if (w == g) return true;
  }
  return false;
}

using RowFn = absl::FunctionRef<absl::Status(std::string_view line, size_t line_no)>;

absl::Status ForEachLine(const std::string& path, RowFn fn) {
  auto content = ReadFileBounded(path, kMaxLexiconBytes);
  if (!content.ok()) return content.status();
  size_t line_no = 0;
  // Lines found in place (no vector of 300k views): the lists are read by every process.
  std::string_view rest(*content);
  for (bool more = true; more;) {
    const size_t nl = rest.find('\n');
    more = nl != std::string_view::npos;
    std::string_view line = rest.substr(0, nl);
    if (more) rest.remove_prefix(nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (absl::Status s = fn(line, line_no); !s.ok()) {
      return absl::InvalidArgumentError(phiguard::Cat(path, ":", line_no, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void Lexicon::Add(std::string_view word, uint32_t flag, uint32_t count) {
  // One hash and probe per word (find, then emplace, was two): a new word is copied into the
  // arena only when the map makes its slot.
  auto it = map_.lazy_emplace(word, [&](const auto& construct) {
    if (arena_left_ < word.size()) {
      size_t block = std::max<size_t>(1 << 20, word.size());
      arena_blocks_.push_back(std::make_unique<char[]>(block));
      arena_pos_ = arena_blocks_.back().get();
      arena_left_ = block;
    }
    std::memcpy(arena_pos_, word.data(), word.size());
    std::string_view stored(arena_pos_, word.size());
    arena_pos_ += word.size();
    arena_left_ -= word.size();
    construct(stored, LexiconEntry{});
  });
  it->second.flags |= flag;
  if (count > it->second.name_count) it->second.name_count = count;
  if (it->second.name_count >= kCommonNameCount) it->second.flags |= kCommonName;
}

absl::StatusOr<std::unique_ptr<Lexicon>> Lexicon::Load(const std::string& dir) {
  std::unique_ptr<Lexicon> lex(new Lexicon());
  lex->map_.reserve(320000);
  std::string lowered;  // reused: one lower-cased word at a time
  auto lower = [&](std::string_view w) -> std::string_view {
    lowered.assign(w);
    for (char& c : lowered) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return lowered;
  };
  auto add_counted = [&](const char* file, uint32_t flag) {
    return ForEachLine(phiguard::Cat(dir, "/", file), [&](std::string_view line, size_t) {
      const size_t tab = line.find('\t');
      uint32_t count = 0;
      if (tab == std::string_view::npos || line.find('\t', tab + 1) != std::string_view::npos ||
          !phiguard::ParseNumber(line.substr(tab + 1), count)) {
        return absl::InvalidArgumentError("expected 'name<TAB>count'");
      }
      lex->Add(lower(line.substr(0, tab)), flag, count);
      return absl::OkStatus();
    });
  };
  auto add_plain = [&](const char* file, uint32_t flag) {
    return ForEachLine(phiguard::Cat(dir, "/", file), [&](std::string_view line, size_t) {
      lex->Add(lower(phiguard::StripAscii(line)), flag, 0);
      return absl::OkStatus();
    });
  };
  if (auto s = add_counted("first_names.tsv", kFirstName); !s.ok()) return s;
  if (auto s = add_counted("surnames.tsv", kSurname); !s.ok()) return s;
  if (auto s = add_plain("english_words.txt", kEnglish); !s.ok()) return s;
  if (auto s = add_plain("us_places.txt", kPlace); !s.ok()) return s;
  if (auto s = ForEachLine(phiguard::Cat(dir, "/us_places.txt"), [&](std::string_view line, size_t) {
        line = phiguard::StripAscii(line);
        size_t sp = line.find(' ');
        if (sp == std::string_view::npos) return absl::OkStatus();
        lex->Add(phiguard::ToLowerAscii(line.substr(0, sp)), kPlacePrefix, 0);
        // Only a one-word rest can be the token after the prefix (PlaceAt looks up "a b").
        if (std::string_view rest = line.substr(sp + 1); rest.find(' ') == std::string_view::npos)
          lex->Add(phiguard::ToLowerAscii(rest), kPlaceSecondWord, 0);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  if (auto s = add_plain("non_phi_words.txt", kClinical); !s.ok()) return s;
  if (auto s = ForEachLine(phiguard::Cat(dir, "/us_states.tsv"),
                           [&](std::string_view line, size_t) {
                             for (std::string_view p : phiguard::Split(line, '\t')) {
                               lex->Add(phiguard::ToLowerAscii(p), kState, 0);
                             }
                             return absl::OkStatus();
                           });
      !s.ok()) {
    return s;
  }
  if (auto s = ForEachLine(phiguard::Cat(dir, "/us_hospitals.txt"),
                           [&](std::string_view line, size_t) {
                             // Initials of the name: "Greater Baltimore Medical Center" -> GBMC.
                             std::string acronym;
                             for (std::string_view w : phiguard::Split(line, ' ')) {
                               if (w.empty() || w == "of" || w == "the" || w == "and" ||
                                   w == "&" || w == "-" || w == "at")
                                 continue;
                               char c = w[0];
                               if (c >= 'a' && c <= 'z') acronym.push_back(c);
                               else if (c >= 'A' && c <= 'Z') acronym.push_back(static_cast<char>(c + 32));
                             }
                             if (acronym.size() >= 3 && acronym.size() <= 5) {
                               lex->Add(acronym, kFacilityAcronym, 0);
                             }
                             for (std::string_view w :
                                  phiguard::Split(line, ' ')) {
                               std::string lower = phiguard::ToLowerAscii(w);
                               if (lower.size() >= 3 && lower.size() < 40 && !IsGenericFacilityWord(lower)) {
                                 lex->Add(lower, kFacilityWord, 0);
                               }
                             }
                             return absl::OkStatus();
                           });
      !s.ok()) {
    return s;
  }
  return lex;
}

}  // namespace phiguard::phi::internal
