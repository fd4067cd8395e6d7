// Names of relatives and visitors: "wife Mary", "Hank Przybylo (son)", "social: bob visited".
// Part of Rules (rules.h).
#include "phi/internal/rules.h"

namespace phiguard::phi::internal {

void Rules::RelativeRule(size_t i) {
  // "wife Mary", "daughter, Jane Smith", "son (Bob)", "sister is Ann", "DAUGHTER-LUCI",
  // "Sons Smokey, Morris and Roger".
  size_t j = i + 1;
  for (int skip = 0; skip < 2 && j < tok_.size(); ++skip) {
    std::string_view w = lower_[j];
    if (w == "is" || w == "named" || w == "s" || w == "in" || w == "law" || w == "name" ||
        w == "inlaw")
      ++j;
    else break;
  }
  if (j >= tok_.size() || tok_[j].start - tok_[j - 1].end > 4) return;
  std::string_view g = Gap(j);
  if (g.find('\n') != std::string_view::npos || g.find('.') != std::string_view::npos) return;
  auto candidate = [&](size_t k) {
    if (NameCandidate(k)) {
      // An unknown lower-case word after "husband" is a name only if it does not look like an
      // English word form ("visisted", "reintubation").
      return !(Unknown(k) && !Capitalised(k) && LooksLikeWordForm(lower_[k]));
    }
    if ((F(k) & kFirstName) && !Clinical(k) && !Function(k) && tok_[k].name_count >= 100000)
      return true;
    // "Son, Ed, was updated": a capitalised first name set off by commas after the relative
    // word is a name even when it is also an abbreviation (ED); "ED" in capitals stays one.
    return k == i + 1 && mode_ == CaseMode::kMixed && tok_[k].title && (F(k) & kFirstName) &&
           !Function(k) && Gap(k).find(',') != std::string_view::npos && k + 1 < tok_.size() &&
           Gap(k + 1).starts_with(",");
  };
  while (j < tok_.size() && candidate(j)) {
    size_t e = ExtendName(j, 3);
    Emit(j, e, PhiType::kName, 0.85);
    // A list of names: ", Morris and Roger".
    size_t k = e + 1;
    if (k < tok_.size() && lower_[k] == "and" && Gap(k).find_first_not_of(" ,") == std::string_view::npos) ++k;
    if (k >= tok_.size() || (k == e + 1 && Gap(k).find(',') == std::string_view::npos)) break;
    if (Gap(k).find_first_not_of(" ,") != std::string_view::npos) break;
    j = k;
  }
}

bool Rules::LooksLikeWordForm(std::string_view w) {
  if (w.size() < 4) return true;
  // English word forms, and drug-name stems ("hydralazine", "metoprolol", "heparin").
  for (std::string_view suf : {"tion", "ed", "ing", "ness", "ment", "ly", "ity", "ous", "ive",
                               "able", "ful", "less", "ize", "ise", "ers", "ine", "ol", "pril",
                               "zole", "mycin", "cillin", "pam", "lam", "statin", "sartan",
                               "pine", "parin", "ide", "one", "vir", "mab", "nib", "azine"}) {
    if (w.ends_with(suf)) return true;
  }
  return false;
}

// True when token k is the last word of its clause: the text, its line or its sentence ends.
bool Rules::ClauseEndsAfter(size_t k) const {
  const size_t p = AfterBlanks(k);
  return p >= text_.size() || std::string_view("\r\n.,;:)").find(text_[p]) != std::string_view::npos;
}

// True when token k is the last word of its line (or of the text).
bool Rules::EndsLine(size_t k) const {
  const size_t p = AfterBlanks(k);
  return p >= text_.size() || text_[p] == '\n' || text_[p] == '\r';
}

// The offset of the first character after token k that is no space or tab.
size_t Rules::AfterBlanks(size_t k) const {
  size_t p = tok_[k].end;
  while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
  return p;
}

void Rules::RelativeAfterRule(size_t i) {
  // "Hank Przybylo (son)", "Mary, his wife"
  if (i < 2) return;
  std::string_view g = Gap(i);
  size_t b = i - 1;
  if (lower_[b] == "his" || lower_[b] == "her" || lower_[b] == "pt" || lower_[b] == "s") {
    --b;
    if (b == 0) return;
    g = Gap(b + 1);
  }
  if (g.find_first_not_of(" ,(") != std::string_view::npos || g.empty()) return;
  // As after the relative word: an unknown word that looks like an English word form is none
  // ("HUSBAND NOTIFIED OF REINTUBATION, DAUGHTER HERE").
  if (!NameCandidate(b) || (Unknown(b) && !Capitalised(b) && LooksLikeWordForm(lower_[b]))) return;
  size_t a = b;
  while (a > 0 && b - a < 2 && Joined(a) && NameCandidate(a - 1)) --a;
  Emit(a, b, PhiType::kName, 0.8);
}

// "social: bob visited", "Bill called once": a well-known first name opening a clause before
// a verb of visiting or calling is a person even in lower case or when it is also a word.
void Rules::VisitorRule(size_t i) {
  if (!Joined(i + 1) || Clinical(i) || Function(i) || tok_[i].initial ||
      Role(i, kRoleRelative | kRoleClinicianTitle | kRolePersonTitle | kRoleCredential) ||
      (F(i) & kState) || tok_[i].name_count < 50000)
    return;
  // The clause starts here: the text's start, a line break, or ':', ';', '.' before the name.
  if (i > 0) {
    std::string_view g = Gap(i);
    if (g.find_first_of("\n:;.") == std::string_view::npos) return;
  }
  Emit(i, i, PhiType::kName, 0.75);
}

}  // namespace phiguard::phi::internal
