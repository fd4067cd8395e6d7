// Facility and employer names: words before a keyword ("Calvert Hospital", "Sacred Heart
// Memorial"), saints' hospitals ("St. Agnes"), universities ("University of Maryland") and
// employers ("CEO of IBM"). Part of Rules (rules.h).
#include "phi/internal/rules.h"

namespace phiguard::phi::internal {

bool Rules::FacilityNameWord(size_t j) const {
  if (!Word(j) || Function(j) || (Clinical(j) && lower_[j] != "st")) return false;
  std::string_view w = lower_[j];
  if (Role(j, kRoleGenericModifier)) return false;
  if (w == "st" || w == "saint" || w == "mt") return true;
  if (Role(j, kRoleFacilityKeyword)) return true;
  if (mode_ == CaseMode::kMixed) return tok_[j].title || tok_[j].upper;
  // Caseless text: "UNION HOSPITAL" (a place name) but not "NEED REHAB" (a verb).
  if (English(j)) return (F(j) & (kFacilityWord | kPlace)) != 0;
  if (F(j) & (kFacilityWord | kPlace | kFirstName | kSurname)) return true;
  return Unknown(j);
}

// A lower-case word that can be part of a facility's name: listed as a name, place or hospital
// word, and no function, clinical or generic word ("cardiac", "old").
bool Rules::LowerCaseFacilityNameWord(size_t j) const {
  return Word(j) && !Function(j) && !Clinical(j) && !Role(j, kRoleGenericModifier) &&
         tok_[j].end - tok_[j].start >= 3 &&
         (F(j) & (kFacilityWord | kPlace | kFirstName | kSurname)) != 0;
}

// "admitted from MD Hospital": a state's postal code in capitals right before a capitalised
// strong keyword, after a word of motion, names the hospital (elsewhere "MD" is a doctor). Not
// "VA": Veterans Affairs runs hospitals in every state, and "the VA" names none of them.
bool Rules::StateCodeNamesFacility(size_t j) const {
  if (mode_ != CaseMode::kMixed || !tok_[j].upper || tok_[j].end - tok_[j].start != 2 ||
      !(F(j) & kState) || !tok_[j + 1].title || lower_[j] == "va" || j == 0 || !Joined(j))
    return false;
  const std::string_view cue = lower_[j - 1];
  return cue == "from" || cue == "to" || cue == "at" || cue == "into" || cue == "@";
}

void Rules::FacilityRule(size_t i) {
  std::string_view w = lower_[i];
  bool strong = Role(i, kRoleStrongFacility);
  // "Medical Center", "Health Center": a center that is surely a facility.
  if ((w == "center" || w == "centre" || w == "ctr") && i > 0 &&
      (lower_[i - 1] == "medical" || lower_[i - 1] == "health" || lower_[i - 1] == "cancer" ||
       lower_[i - 1] == "trauma" || lower_[i - 1] == "surgical" || lower_[i - 1] == "med"))
    strong = true;
  if (w == "ed" && mode_ == CaseMode::kMixed && !tok_[i].upper) return;
  // "rehab(sacred heart Memorial)": before a capitalised "Memorial", "General" or "Regional" in a
  // mixed-case note, the writer may leave the rest of the name in lower case.
  const bool named_keyword = mode_ == CaseMode::kMixed && tok_[i].title &&
                             Role(i, kRoleDescriptive) && strong;
  size_t a = i;
  bool lower_case_name = false, hospital_word = false;  // words taken only by named_keyword
  while (a > 0 && i - a < 4 && Joined(a)) {
    if (FacilityNameWord(a - 1)) {
      --a;
    } else if (named_keyword && LowerCaseFacilityNameWord(a - 1)) {
      --a;
      lower_case_name = true;
    } else if (a == i && strong && StateCodeNamesFacility(a - 1)) {
      --a;
    } else {
      break;
    }
    hospital_word |= (F(a) & kFacilityWord) != 0;
  }
  if (a == i) return;
  // One of them must come from a hospital's name: not "a retired army General".
  if (lower_case_name && !hospital_word) return;
  // Leading keywords are not the name; trailing generic ones ("Hospital") are dropped, but
  // descriptive ones ("Memorial", "General") stay: they are part of the name.
  size_t first = a, last = i;
  while (first < i && Role(first, kRoleFacilityKeyword) && lower_[first] != "st" &&
         !Role(first, kRoleDescriptive))
    ++first;
  while (last > first && Role(last, kRoleFacilityKeyword) && !Role(last, kRoleDescriptive)) --last;
  if (Role(last, kRoleFacilityKeyword) && !Role(last, kRoleDescriptive)) return;
  if (first > last || (first == i && !Role(i, kRoleDescriptive))) return;
  bool distinctive = false;
  for (size_t k = first; k <= last; ++k) {
    if (Role(k, kRoleFacilityKeyword) && !Role(k, kRoleDescriptive)) continue;
    if (!English(k) || Capitalised(k) || (F(k) & kFacilityWord) || strong) distinctive = true;
  }
  if (!distinctive) return;
  if (!strong && !Capitalised(first) && !(F(first) & (kFacilityWord | kPlace))) return;
  // The span covers the keyword too: "Baltimore Rehab" is one name, and "[**FACILITY**]" reads
  // better than "[**FACILITY**] Hospital", where the kind of place narrows it down.
  Emit(first, i, PhiType::kFacility, strong ? 0.85 : 0.7);
}

void Rules::SaintRule(size_t i) {
  // "St. Agnes", "St Mary's", "ST. MARY"
  size_t j = i + 1;
  // "a bed @ St A.", "went to St J. yesterday": a saint's hospital by its initial, after "@",
  // "at", "to" or "from", with "St" capitalised in a mixed-case note (not "ST T. wave").
  if (tok_[j].initial && mode_ == CaseMode::kMixed && tok_[i].title && Gap(j) == " " &&
      text_[tok_[j].start] >= 'A' && text_[tok_[j].start] <= 'Z' && tok_[j].end < text_.size() &&
      text_[tok_[j].end] == '.' && i > 0) {
    const std::string_view cue = lower_[i - 1], gap = Gap(i);
    if (gap == " @ " || gap == "@" || gap == " @" ||
        (Joined(i) && (cue == "at" || cue == "to" || cue == "from")))
      Emit(i, j, PhiType::kFacility, 0.75);
    return;
  }
  if (!Joined(j) || !Word(j) || !(F(j) & kFirstName) || Function(j) || !CapOk(j)) return;
  if (i > 0 && tok_[i - 1].digits && tok_[i - 1].end == tok_[i].start) return;  // "1ST CASE"
  if (mode_ == CaseMode::kMixed && !(tok_[i].title || tok_[i].upper)) return;
  Emit(i, j, PhiType::kFacility, 0.8);
}

void Rules::UniversityRule(size_t i) {
  size_t j = i + 1;
  if (j < tok_.size() && lower_[j] == "of") ++j;
  if (j >= tok_.size() || !Joined(j) || Function(j) || Clinical(j) || tok_[j].end - tok_[j].start < 4 ||
      !(F(j) & (kState | kPlace)))
    return;
  if (mode_ == CaseMode::kMixed && !tok_[i].upper && !tok_[i].title && !tok_[i].initial) return;
  Emit(i, j, PhiType::kFacility, 0.8);
}

// "HUSBAND CEO OF IBM", "works at Home Depot", "retired from Verizon": an employer, named by
// the words after a job word and its preposition; capitalised in a mixed-case note, no English
// word in a note in one case ("WORKS AT HOME", "works for the state" stay).
void Rules::EmployerRule(size_t i) {
  const size_t n = tok_.size();
  size_t j = i + 1;
  if (j + 1 >= n || !Joined(j)) return;
  const std::string_view w = lower_[i], prep = lower_[j];
  const bool cue = (w == "ceo" || w == "owner")       ? prep == "of"
                   : (w == "works" || w == "worked") ? prep == "at" || prep == "for"
                   : w == "employed"                  ? prep == "by" || prep == "at"
                                                      : prep == "from";  // "retired"
  if (!cue) return;
  auto employer_word = [&](size_t k) {
    return Word(k) && !Function(k) && !Clinical(k) && !tok_[k].initial && !(F(k) & kState) &&
           (mode_ == CaseMode::kMixed ? Capitalised(k) : !English(k));
  };
  size_t k = j + 1;
  if (lower_[k] == "the" && k + 1 < n && Joined(k + 1)) ++k;
  if (!Joined(k) || !employer_word(k)) return;
  size_t e = k;
  while (e + 1 < n && e - k < 2 && Joined(e + 1) && employer_word(e + 1)) ++e;
  Emit(k, e, PhiType::kLocation, 0.7);
}

}  // namespace phiguard::phi::internal
