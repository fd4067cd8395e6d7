// Names marked by what stands around them in a person's title: "Dr. Healey", "Mrs. Powers",
// "Healey RN", "Jane Smith, MD", "W. Marotta". Part of Rules (rules.h).
#include "phi/internal/rules.h"

#include <cstring>

namespace phiguard::phi::internal {

void Rules::TitleRule(size_t i, PhiType type) {
  size_t j = i + 1;
  if (j >= tok_.size() || !Joined(j) || !Word(j)) return;
  // An initial with its period ("MS S. CARE"), even one that is also a word ("s", "i").
  const bool dotted_initial = tok_[j].initial && j + 1 < tok_.size() && Gap(j + 1).starts_with('.');
  if (Function(j) && !dotted_initial) return;
  // After a title even a clinical-looking word is a name ("Dr. Foley"), except clear jargon in
  // lower-case after "ms" (mental status) or "dr" (a ward).
  // An initial with its period after "MS" is a name's initial, though: "WITH MS S. CARE".
  if (lower_[i] == "ms" && (tok_[i].upper || mode_ == CaseMode::kLower) && !Nameish(j) &&
      !dotted_initial)
    return;
  // In mixed-case text "MR"/"MS" are mitral regurgitation and mental status, "ms" morphine.
  if ((lower_[i] == "mr" || lower_[i] == "ms") && mode_ == CaseMode::kMixed && !tok_[i].title)
    return;
  bool known = (F(j) & (kFirstName | kSurname)) != 0;
  // "NP" is also "nasal prongs" ("6L NP cough"): only a known name that is no English word.
  if (lower_[i] == "np" && !(Nameish(j) && (!English(j) || tok_[j].name_count >= 50000))) return;
  if (lower_[i] == "sister" && !(Nameish(j) && !English(j))) return;
  // After a title a known name counts even when it is also a word ("Mrs. Powers", "Dr. Foley").
  if (!tok_[j].initial && !NameCandidate(j) && !known) return;
  // "Dr. o rourke": an O' surname written without its apostrophe.
  if (lower_[j] == "o" && j + 1 < tok_.size() && Gap(j + 1) == " " && Word(j + 1) &&
      !Function(j + 1) && IsOSurname(j + 1)) {
    Emit(j, j + 1, type, 0.9);
    return;
  }
  if (tok_[j].initial && (j + 1 >= tok_.size() || Gap(j + 1).empty() || Gap(j + 1)[0] != '.')) return;
  Emit(j, ExtendName(j, 3), type, 0.95);
}

// Whether "o" + token k is a listed surname ("rourke" -> "orourke").
bool Rules::IsOSurname(size_t k) const {
  std::string_view w = lower_[k];
  if (w.size() < 3 || w.size() > 30) return false;
  char key[32 + LexiconCache::kPadding] = {};
  key[0] = 'o';
  std::memcpy(key + 1, w.data(), w.size());
  return (cache_.Get(key, w.size() + 1, lex_).flags & kSurname) != 0;
}

void Rules::CredentialRule(size_t i) {
  // "Healey RN", "Jane Smith, MD", "q. lander rrt"
  if (i == 0 || !Joined(i, /*allow_comma=*/true)) return;
  size_t b = i - 1;
  // A known name, or an unknown word long enough not to be an abbreviation ("IJ", "RT").
  // "MD", "RN" and "NP" also appear in prose ("see MD notes", "hour MD aware"): before them an
  // ordinary English word is no name. Rarer credentials ("RRT") make even "Lander" a name.
  std::string_view cred = lower_[i];
  bool prose_credential = cred == "md" || cred == "rn" || cred == "np";
  auto candidate = [&](size_t k) {
    if (!Word(k) || Function(k) || tok_[k].initial) return false;
    if (prose_credential && English(k) && !Capitalised(k)) return false;
    if (Nameish(k) || ((F(k) & (kFirstName | kSurname)) && Capitalised(k))) return true;
    return NameCandidate(k) && tok_[k].end - tok_[k].start >= 5;
  };
  if (!candidate(b)) return;
  size_t a = b;
  // Once a surname is anchored, the words before it only need to be known names ("WARREN").
  while (a > 0 && b - a < 3 && Joined(a) &&
         (candidate(a - 1) || tok_[a - 1].initial || (Nameish(a - 1) && !English(b))))
    --a;
  Emit(a, b, PhiType::kClinicianName, 0.8);
}

void Rules::InitialRule(size_t i) {
  // "W. MAROTTA", "Q. Lander": an initial, a period, then a name word.
  size_t j = i + 1;
  if (Gap(j) != ". " && Gap(j) != ".") return;
  // The initial must stand alone ("W. Marotta"), not end a word or number ("150K. CHEM"); a
  // hyphen may glue it to the word before ("GIVEN CARAFATE-W. MAROTTA AWARE").
  size_t s = tok_[i].start;
  if (s > 0 && !(text_[s - 1] == ' ' || text_[s - 1] == '\n' || text_[s - 1] == '(' ||
                 text_[s - 1] == '\t' || text_[s - 1] == '-'))
    return;
  if (mode_ != CaseMode::kMixed && !Nameish(j)) return;
  if (English(j) || (Unknown(j) && tok_[j].end - tok_[j].start < 4)) return;
  if (tok_[j].end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[tok_[j].end]))) return;
  if (mode_ == CaseMode::kMixed && !(text_[tok_[i].start] >= 'A' && text_[tok_[i].start] <= 'Z'))
    return;
  if (!NameCandidate(j) || !(Nameish(j) || Unknown(j))) return;
  if (i > 0 && (Role(i - 1, kRoleClinicianTitle) || Role(i - 1, kRolePersonTitle))) return;
  size_t a = i;
  if (a > 0 && Joined(a) && NameCandidate(a - 1) && Nameish(a - 1)) --a;  // "Dan A. Forman"
  Emit(a, ExtendName(j, 3), PhiType::kName, 0.7);
}

}  // namespace phiguard::phi::internal
