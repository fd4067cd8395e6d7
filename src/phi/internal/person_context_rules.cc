// Names found by the words around them in clinical prose: "spoke with Healey", a name before a
// phone label ("Lopie Certusi cell# ..."), the subject of "is a 62 year-old". Part of Rules
// (rules.h).
#include "phi/internal/rules.h"

namespace phiguard::phi::internal {

void Rules::ContextNameRule(size_t i) {
  // REQUIRES: NameFollows(i) (rules.h; Dispatch tests it before the call): j exists, Nameish.
  // "with" and "by" introduce a person only after verbs of meeting or reporting ("spoke with",
  // "seen by"); "packed with Kling" is a dressing.
  std::string_view w = lower_[i];
  if ((w == "with" || w == "by" || w == "w") &&
      (i == 0 || !Role(i - 1, kRoleMeetingVerb)))
    return;
  size_t j = i + 1;
  if (!Joined(j)) return;
  // A period after "np" or "pa" ends a sentence here ("on 6l np. Face tent on/off").
  if (Gap(j).find('.') != std::string_view::npos) return;
  // "with Healey" but not "with neo": a lone word needs to be a well-known name, or capitalised
  // in mixed-case text; "with martin carey": a first name and a surname together.
  bool full = j + 1 < tok_.size() && Joined(j + 1) && (F(j) & kFirstName) &&
              (F(j + 1) & kSurname) && !Clinical(j + 1) && !Function(j + 1) &&
              (!English(j) || !English(j + 1));
  bool known = !English(j) && tok_[j].name_count >= kCaselessStandaloneMinCount;
  bool ok = full || (mode_ == CaseMode::kMixed ? tok_[j].title || known : known);
  if (!ok) return;
  // "MICUB 7P-7A RN Note" ending its line is a heading; "RN Hope at bedside" is a nurse.
  if (English(j) && !full && Role(i, kRoleCredential) && EndsLine(j)) return;
  Emit(j, ExtendName(j, 3), PhiType::kClinicianName, 0.75);
}

void Rules::PhoneLabelRule(size_t i) {
  // "Lopie Certusi cell# 410-322-1419": a name right before a phone label and number.
  if (i < 2 || !Joined(i)) return;
  size_t k = i + 1;
  if (k >= tok_.size() || !tok_[k].digits || tok_[k].start - tok_[i].end > 4) return;
  size_t b = i - 1, a = b;
  auto cand = [&](size_t x) {
    return NameCandidate(x) && (Nameish(x) || Capitalised(x) || mode_ != CaseMode::kMixed);
  };
  if (!cand(b)) return;
  while (a > 0 && b - a < 2 && Joined(a) && cand(a - 1)) --a;
  if (a == b && !Nameish(b)) return;  // one unknown word is too little
  Emit(a, b, PhiType::kName, 0.75);
}

// "Marine542 Ai120 is a 62 year-old female": the subject of "is a <age> year-old" is the
// patient, whatever the words look like.
void Rules::SubjectOfAgeRule(size_t i) {
  if (lower_[i + 1] != "a" && lower_[i + 1] != "an") return;
  if (!tok_[i + 2].digits) return;
  std::string_view unit = lower_[i + 3];
  if (!(unit == "year" || unit == "years" || unit == "yo" || unit == "y" || unit == "yr" ||
        unit == "yrs"))
    return;
  // "Mr. Bweighou se is a 70 y/o": after a person's title, every word up to "is" is the name,
  // even a fragment that no list knows (a surname split by a typo).
  for (size_t k = i; k > 0 && i - k <= 3 && Joined(k);) {
    const size_t p = k - 1;
    if (Role(p, kRolePersonTitle) && k < i && (mode_ != CaseMode::kMixed || tok_[p].title)) {
      Emit(k, i - 1, PhiType::kName, 0.85);
      return;
    }
    // Not "Mr. Lee also is a ...": a function word ends the search ("se", a clinical
    // abbreviation elsewhere, does not: nothing but the name stands here).
    if (!Word(p) || Function(p) || Role(p, kRoleRelative)) break;
    k = p;
  }
  size_t a = i, b = 0;
  bool any = false;
  for (size_t k = i; k > 0 && i - k < 8;) {
    --k;
    // Digits glued to a word belong to it ("Larue605").
    if (tok_[k].digits && k > 0 && tok_[k].start == tok_[k - 1].end) continue;
    std::string_view gap = text_.substr(tok_[k].end, tok_[k + 1].start - tok_[k].end);
    if (gap.find_first_of(".:;,(") != std::string_view::npos || gap.size() > 3) break;
    // The subject may sit on the line above "is a ..." but not span lines itself.
    if (k + 1 != i && gap.find('\n') != std::string_view::npos) break;
    bool capital = tok_[k].title || tok_[k].upper;
    // A word with digits glued to it is an identifier, not the article "An" ("An125").
    bool glued = k + 1 < tok_.size() && tok_[k + 1].digits && tok_[k + 1].start == tok_[k].end;
    if (tok_[k].digits || (Function(k) && !glued) || Clinical(k) || Role(k, kRoleRelative) ||
        !(capital || NameCandidate(k)))
      break;
    if (!any) b = k;
    a = k;
    any = true;
  }
  if (any && i - a <= 8) Emit(a, b, PhiType::kName, 0.8);
}

}  // namespace phiguard::phi::internal
