// Places: listed cities and counties after a cue ("lives in Towson") or before their state
// ("towson maryland"), wards ("to Quartermain 2") and hospitals from the public list after "to",
// "from", "at", "by". Part of Rules (rules.h).
#include "phi/internal/rules.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

namespace phiguard::phi::internal {

// A listed place at token j (one word of at least `min_len` bytes, or two words), whatever
// its casing; sets *end to its last token.
bool Rules::PlaceAt(size_t j, size_t* end, size_t min_len) const {
  // Two-word places first ("San Diego", "Glen Burnie").
  if ((tok_[j].flags & kPlacePrefix) && j + 1 < tok_.size() &&
      (tok_[j + 1].flags & kPlaceSecondWord) && Joined(j + 1) && Word(j + 1)) {
    // "san diego": both words and one space, zero-padded for the cache (no allocation).
    char two[kMaxPlaceKey + LexiconCache::kPadding] = {};
    std::string_view a = lower_[j], b = lower_[j + 1];
    size_t len = a.size() + 1 + b.size();
    if (len <= kMaxPlaceKey) {
      std::memcpy(two, a.data(), a.size());
      two[a.size()] = ' ';
      std::memcpy(two + a.size() + 1, b.data(), b.size());
    }
    if (len <= kMaxPlaceKey && (cache_.Get(two, len, lex_).flags & kPlace)) {
      *end = j + 1;
      return true;
    }
  }
  // A state is not a Safe Harbor identifier; an English word ("Cool", "House") needs more
  // than a place list to be a place.
  if (!Word(j) || Clinical(j) || Function(j) || !(F(j) & kPlace) || (F(j) & kState)) return false;
  if (English(j)) return false;
  if (tok_[j].end - tok_[j].start < min_len) return false;
  *end = j;
  return true;
}

// "Eastern Shore", "WEST COAST": a compass word and a word for a region, both capitalised where
// case tells.
bool Rules::CompassRegion(size_t j) const {
  static constexpr std::string_view kCompass[] = {"north",    "south",    "east",    "west",
                                                  "northern", "southern", "eastern", "western"};
  static constexpr std::string_view kRegion[] = {"shore", "coast", "peninsula", "panhandle"};
  // Only where case tells: not "THE EAST SIDE (OF THE BED)" in a note in capitals.
  static constexpr std::string_view kCasedRegion[] = {"side", "end"};
  auto in = [](const auto& list, std::string_view w) {
    return std::find(std::begin(list), std::end(list), w) != std::end(list);
  };
  const std::string_view b = lower_[j + 1];
  if (!in(kCompass, lower_[j])) return false;
  if (mode_ == CaseMode::kMixed) {
    return (in(kRegion, b) || in(kCasedRegion, b)) && Capitalised(j) && Capitalised(j + 1);
  }
  return in(kRegion, b);
}

void Rules::PlaceContextRule(size_t i) {
  // REQUIRES: PlaceCueTakes(i) (rules.h; Dispatch tests it before the call): j exists.
  size_t j = i + 1, end = 0;
  if (!Joined(j)) return;
  if (PlaceAt(j, &end) && CapOk(j)) {
    Emit(j, end, PhiType::kLocation, 0.8);
    return;
  }
  // "from the VA in Balt": the first letters of a listed one-word place, a word of no list,
  // capitalised by the writer ("Balt", not "BALT" in a note in capitals), after "in", "from" or
  // "near".
  if ((tok_[j].flags & kPlaceAbbreviation) && tok_[j].title &&
      (lower_[i] == "in" || lower_[i] == "from" || lower_[i] == "near")) {
    Emit(j, j, PhiType::kLocation, 0.7);
    return;
  }
  // "lives in DC": the District of Columbia is the city of Washington, no state. "DC" is also
  // "discontinue" ("will DC in am"), so only in capitals after a word for living somewhere.
  if (lower_[j] == "dc" && tok_[j].upper && lower_[i] == "in" && i > 0 && Joined(i) &&
      (lower_[i - 1] == "lives" || lower_[i - 1] == "lived" || lower_[i - 1] == "living" ||
       lower_[i - 1] == "resides" || lower_[i - 1] == "live")) {
    Emit(j, j, PhiType::kLocation, 0.75);
    return;
  }
  // "the Eastern Shore", "the West Coast": a region named by a compass word.
  if (lower_[i] == "the" && j + 1 < tok_.size() && Joined(j + 1) && CompassRegion(j)) {
    Emit(j, j + 1, PhiType::kLocation, 0.75);
    return;
  }
  // "in Edgemere area", "from the Dundalk area": a name before "area" after a place cue.
  if (j + 1 < tok_.size() && lower_[j + 1] == "area" && Joined(j + 1) && Word(j) &&
      !English(j) && !Clinical(j) && !Function(j) && !(F(j) & kState) &&
      tok_[j].end - tok_[j].start >= 4 && CapOk(j)) {
    Emit(j, j, PhiType::kLocation, 0.75);
    return;
  }
  std::string_view w = lower_[i];
  bool motion = w == "to" || w == "from" || w == "at" || w == "into" || w == "@";
  // Ward or unit names: "transferred to Quartermain 2"; in lower case ("transfer to
  // quartermain 2") only an unknown word, apart from its number, that ends there.
  const bool apart = j + 1 < tok_.size() && tok_[j + 1].start > tok_[j].end &&
                     (tok_[j + 1].end >= text_.size() ||
                      std::string_view(" ,;)\n").find(text_[tok_[j + 1].end]) !=
                          std::string_view::npos);
  bool ward_word = CapOk(j) || (Unknown(j) && tok_[j].end - tok_[j].start >= 6 && apart);
  if ((motion || w == "per" || w == "transfer" || w == "on") && j + 1 < tok_.size() &&
      tok_[j + 1].digits && tok_[j + 1].end - tok_[j + 1].start == 1 && Joined(j + 1) &&
      ward_word && !English(j) && tok_[j].end - tok_[j].start >= 4 &&
      (NameCandidate(j) || (Unknown(j) && apart)) && WardNumberEnds(tok_[j + 1].end)) {
    Emit(j, j + 1, PhiType::kFacility, 0.7);
    return;
  }
  // Facilities named by a public hospital list after "to", "from", "at", "by": a distinctive
  // word ("went to Harbor") or the initials of a hospital name ("seen by GBMC").
  bool arrive = motion || w == "by";
  if (arrive && !Clinical(j) && !Function(j) && !(F(j) & kState)) {
    if ((tok_[j].flags & kFacilityAcronym) && !English(j) &&
        (tok_[j].upper || mode_ != CaseMode::kMixed)) {
      Emit(j, j, PhiType::kFacility, 0.75);
      return;
    }
    // "meeting at harbor": after a scheduled event and "at", a word of a hospital's name is the
    // hospital in any casing ("care at home", "seen at all" stay: generic and function words;
    // "appointment at medicine clinic" names a kind of clinic, not one).
    if (w == "at" && (F(j) & kFacilityWord) && !Role(j, kRoleGenericModifier | kRoleRelative) &&
        i > 0 && Joined(i) && ScheduledEvent(i - 1) &&
        !(j + 1 < tok_.size() && Joined(j + 1) && Role(j + 1, kRoleFacilityKeyword))) {
      Emit(j, j, PhiType::kFacility, 0.7);
      return;
    }
    // A common first name or surname after "to" is more likely a person ("went to Grace").
    if ((F(j) & kFacilityWord) && tok_[j].title && mode_ == CaseMode::kMixed &&
        !(F(j) & kCommonName)) {
      Emit(j, j, PhiType::kFacility, 0.7);
      return;
    }
  }
  // Facility abbreviations: "to GH", "at MGH", "from BMH".
  if (w == "the" && i > 0 && (lower_[i - 1] == "to" || lower_[i - 1] == "at")) motion = true;
  size_t len = tok_[j].end - tok_[j].start;
  if (motion && len >= 2 && len <= 4 && lower_[j].back() == 'h' && !English(j) && !Clinical(j) &&
      (mode_ != CaseMode::kMixed || tok_[j].upper || len <= 3)) {
    Emit(j, j, PhiType::kFacility, 0.75);
  }
}

// A scheduled event that happens at a place: "meeting", "appointment", "visit", "dialysis".
bool Rules::ScheduledEvent(size_t k) const {
  static constexpr std::string_view kEvents[] = {"meeting", "appointment", "appt", "visit",
                                                 "dialysis", "surgery", "procedure"};
  return std::find(std::begin(kEvents), std::end(kEvents), lower_[k]) != std::end(kEvents);
}

// "Quartermain 2" ends there (or "2/3"); "INTUBATION 7.23", "80'S", "40%" are numbers.
bool Rules::WardNumberEnds(size_t pos) const {
  if (pos >= text_.size()) return true;
  char c = text_[pos];
  // "7.23" is a decimal, "1-2u/hr" a range.
  if ((c == '.' || c == '-') && pos + 1 < text_.size() && text_[pos + 1] >= '0' &&
      text_[pos + 1] <= '9')
    return false;
  if (c == '%' || c == '\'' || (c >= '0' && c <= '9')) return false;
  // "Kefzol 1gm", "DOPAMINE 5 MCG": a dose, not a ward.
  size_t k = pos;
  while (k < text_.size() && k < pos + 2 && text_[k] == ' ') ++k;
  std::string unit;
  while (k < text_.size() && unit.size() < 6 && std::isalpha(static_cast<unsigned char>(text_[k])))
    unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text_[k++]))));
  static constexpr std::string_view kUnits[] = {"mg", "mcg", "gm", "g", "u", "units", "unit",
                                                "bag", "bags", "cc", "ml", "l", "amp", "amps",
                                                "tab", "tabs", "mcgs", "gtt", "meq", "liter"};
  for (std::string_view u : kUnits) {
    if (unit == u) return false;
  }
  return true;
}

// "towson maryland", "Dundalk, MD": a listed place right before its state is a place in any
// casing (the state itself is no identifier and stays).
bool Rules::PlaceBeforeState(size_t i, size_t* end) const {
  size_t e = 0;
  if (!PlaceAt(i, &e, /*min_len=*/4) || e + 1 >= tok_.size() || !Joined(e + 1, /*allow_comma=*/true))
    return false;
  size_t k = e + 1;
  if (!(F(k) & kState) || Clinical(k)) return false;
  // A full state name, or a postal code in capitals ("MD" is also a doctor in prose).
  bool code = tok_[k].end - tok_[k].start == 2;
  if (code && !tok_[k].upper) return false;
  *end = e;
  return true;
}

}  // namespace phiguard::phi::internal
