// Names and places without context: a name frequent enough in the lexicons to stand alone, a
// listed place that is no English word. Part of Rules (rules.h).
#include "phi/internal/rules.h"

#include <cstring>

namespace phiguard::phi::internal {

// "Camila 28 day pack", "Errin 0.35 mg": a brand name before a dose, not a person.
bool Rules::FollowedByDose(size_t i) const {
  if (i + 2 >= tok_.size() || !tok_[i + 1].digits) return false;
  static constexpr std::string_view kUnits[] = {"mg", "mcg", "g", "ml", "day", "units", "unit",
                                                "tab", "tablet", "tablets", "cap", "capsule",
                                                "meq", "mmol", "puff", "puffs", "hr", "actuat"};
  for (size_t k = i + 2; k < tok_.size() && k <= i + 3; ++k) {
    if (tok_[k].digits) continue;
    for (std::string_view u : kUnits) {
      if (lower_[k] == u) return true;
    }
    return false;
  }
  return false;
}

// "improved responsive ness": a word the writer did not capitalise that makes an English word
// with the word before it ("responsiveness") is that word split by a typo, not a surname.
bool Rules::SplitWordTail(size_t i) const {
  if (i == 0 || Capitalised(i) || Gap(i) != " " || !Word(i - 1)) return false;
  const std::string_view a = lower_[i - 1], b = lower_[i];
  char joined[kMaxPlaceKey + LexiconCache::kPadding] = {};
  if (a.size() + b.size() > kMaxPlaceKey) return false;
  std::memcpy(joined, a.data(), a.size());
  std::memcpy(joined + a.size(), b.data(), b.size());
  return (cache_.Get(joined, a.size() + b.size(), lex_).flags & kEnglish) != 0;
}

void Rules::StandaloneRule(size_t i) {
  const Token& t = tok_[i];
  // REQUIRES: StandaloneCandidate(i) (rules.h; Run tests it before the call).
  if (i + 2 < tok_.size() && tok_[i + 1].digits && FollowedByDose(i)) return;
  if (English(i)) {
    // "John Moreau": a very common first name that is also a word, before a surname that is not.
    size_t k = i + 1;
    if ((F(i) & kFirstName) && t.name_count >= 100000 && k < tok_.size() && Joined(k) &&
        Nameish(k) && !English(k) && CapOk(i) && CapOk(k) && !Role(i, kRoleRelative))
      Emit(i, k, PhiType::kName, 0.75);
    return;
  }
  if (!CapOk(i)) return;
  if (Nameish(i)) {
    if (SplitWordTail(i)) return;
    uint32_t count = tok_[i].name_count;
    // Pairs ("john smith") count more than a lone rare surname.
    bool pair = (i + 1 < tok_.size() && Joined(i + 1) && Nameish(i + 1) && !English(i + 1)) ||
                (i > 0 && Joined(i) && Nameish(i - 1) && !English(i - 1));
    if (mode_ != CaseMode::kMixed && !pair && !StandsOut(i) && count < kCaselessStandaloneMinCount)
      return;
    // A first name carries the words after it ("Karen Ann Yanulis", "Mary Rueping").
    size_t e = (F(i) & kFirstName) ? ExtendName(i, 3) : i;
    Emit(i, e, PhiType::kName, pair ? 0.8 : (F(i) & kCommonName) ? 0.65 : 0.5);
    return;
  }
  size_t end = 0;
  if (PlaceAt(i, &end)) Emit(i, end, PhiType::kLocation, 0.5);
}

}  // namespace phiguard::phi::internal
