#include "phi/internal/name_rules.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "absl/container/flat_hash_map.h"

namespace phiguard::phi::internal {
namespace {

// A lone lower-case or all-caps word is taken for a name without context only when the name is
// this frequent (SSA births or Census bearers); rarer ones need context ("Dr.", "son", "RN").
constexpr uint32_t kCaselessStandaloneMinCount = 1000;

class Rules {
 public:
  Rules(std::string_view text, std::string_view lower, const std::vector<Token>& tokens,
        CaseMode mode, const Lexicon& lexicon, LexiconCache& cache, std::vector<PatternMatch>& out)
      : text_(text), tok_(tokens), mode_(mode), lex_(lexicon), cache_(cache), out_(out),
        lower_{lower.data(), tokens.data()} {}

  void Run() {
    const size_t n = tok_.size();
    for (size_t i = 0; i < n; ++i) {
      const Token& t = tok_[i];
      if (t.digits) continue;
      std::string_view w = lower_[i];
      if (Role(i, kRoleClinicianTitle) || Role(i, kRolePersonTitle)) {
        TitleRule(i, Role(i, kRoleClinicianTitle) ? PhiType::kClinicianName : PhiType::kName);
      }
      if (Role(i, kRoleRelative)) RelativeRule(i);
      if (Role(i, kRolePersonContext)) ContextNameRule(i);
      if (Role(i, kRoleCredential) && (t.upper || mode_ != CaseMode::kMixed)) CredentialRule(i);
      if (Role(i, kRoleFacilityKeyword)) FacilityRule(i);
      if (Role(i, kRolePlaceContext)) PlaceContextRule(i);
      // Words some rule needs by name (RuleKeywords() in rule_words.cc); order as emitted.
      const bool keyword = Role(i, kRoleRuleKeyword);
      if (keyword && (w == "st" || w == "saint") && i + 1 < n) SaintRule(i);
      if (keyword && (w == "u" || w == "univ" || w == "university") && i + 1 < n) UniversityRule(i);
      if (t.initial && i + 1 < n) InitialRule(i);
      if (keyword) {
        if ((w == "is" || w == "was") && i + 3 < n) SubjectOfAgeRule(i);
        if (w == "son" || w == "wife" || w == "husband" || w == "daughter") RelativeAfterRule(i);
        if (w == "cell" || w == "home" || w == "work" || w == "mobile" || w == "phone" ||
            w == "tel")
          PhoneLabelRule(i);
      }
      if ((F(i) & kFirstName) && i + 1 < n && Role(i + 1, kRoleVisitVerb)) VisitorRule(i);
      StandaloneRule(i);
      if (size_t e = 0; (tok_[i].flags & (kPlace | kPlacePrefix)) && PlaceBeforeState(i, &e))
        Emit(i, e, PhiType::kLocation, 0.8);
    }
    Propagate();
  }

 private:
  std::string_view Gap(size_t i) const {  // text between token i-1 and token i
    return text_.substr(tok_[i - 1].end, tok_[i].start - tok_[i - 1].end);
  }
  // True when tokens i-1 and i are in one phrase: only spaces, '-' or '\'' between (or '.' after
  // an initial or title, ',' when allowed), and no line break or sentence end.
  bool Joined(size_t i, bool allow_comma = false) const {
    if (i == 0 || i >= tok_.size()) return false;
    std::string_view g = Gap(i);
    if (g.size() > 3) return false;
    for (char c : g) {
      if (c == ' ' || c == '-' || c == '\'') continue;
      if (c == '.' && (tok_[i - 1].initial || Role(i - 1, kRoleClinicianTitle) ||
                       Role(i - 1, kRolePersonTitle) || lower_[i - 1] == "st"))
        continue;
      if (c == ',' && allow_comma) continue;
      return false;
    }
    return true;
  }

  uint32_t F(size_t i) const { return tok_[i].flags & kWordListMask; }
  bool Clinical(size_t i) const { return F(i) & kClinical; }
  bool Function(size_t i) const { return Role(i, kRoleFunction); }
  bool Role(size_t i, uint32_t role) const { return (tok_[i].flags & role) != 0; }
  bool Word(size_t i) const { return !tok_[i].digits; }
  // A state is no identifier under Safe Harbor, so "California" is never taken for a surname.
  bool Nameish(size_t i) const {
    return Word(i) && (F(i) & (kFirstName | kSurname)) && !Clinical(i) && !Function(i) &&
           !(F(i) & kState);
  }
  bool English(size_t i) const { return F(i) & kEnglish; }
  // A word in no list at all: in clinical notes mostly rare surnames or jargon.
  bool Unknown(size_t i) const { return Word(i) && F(i) == 0 && !Function(i); }
  // Capitalisation is evidence only in mixed-case text.
  bool CapOk(size_t i) const {
    if (mode_ != CaseMode::kMixed) return true;
    return tok_[i].title || (tok_[i].upper && tok_[i].end - tok_[i].start >= 3);
  }
  bool Capitalised(size_t i) const {
    return mode_ == CaseMode::kMixed && (tok_[i].title || tok_[i].upper);
  }
  // A word that can be a name given supporting context: a known name that is not an ordinary
  // English word (unless capitalised in mixed-case text), or an unknown word.
  bool NameCandidate(size_t i) const {
    if (!Word(i) || Clinical(i) || Function(i) || tok_[i].initial) return false;
    if (Role(i, kRoleRelative | kRoleClinicianTitle | kRolePersonTitle)) return false;
    if (Nameish(i)) return !English(i) || Capitalised(i);
    if (Unknown(i)) return mode_ != CaseMode::kMixed || tok_[i].title || tok_[i].upper;
    return false;
  }

  void Emit(size_t a, size_t b, PhiType type, float conf) {  // tokens [a, b]
    EmitOne(a, b, type, conf);
    if (type != PhiType::kName && type != PhiType::kClinicianName) return;
    // A list of names: "Suzette and Hank", "Drs Joseph and Robbinson", "Smokey, Morris and Roger".
    for (int guard = 0; guard < 4; ++guard) {
      size_t k = b + 1;
      if (k >= tok_.size() || Gap(k).find_first_not_of(" ,&") != std::string_view::npos ||
          Gap(k).size() > 3)
        return;
      bool conjunction = lower_[k] == "and" || lower_[k] == "or";
      if (conjunction) {
        ++k;
        if (k >= tok_.size() || Gap(k) != " ") return;
      } else if (Gap(k).find_first_of(",&") == std::string_view::npos) {
        return;
      }
      // After a comma only a known name continues the list ("Finn, RRT" ends it); after "and"
      // a capitalised unknown word does too ("Joseph and Robbinson").
      bool known = Nameish(k) && (!English(k) || Capitalised(k));
      bool unknown_ok = conjunction && Unknown(k) && !LooksLikeWordForm(lower_[k]) &&
                        (Capitalised(k) || mode_ != CaseMode::kMixed);
      if (!NameCandidate(k) || !(known || unknown_ok)) return;
      b = ExtendName(k, 2);
      EmitOne(k, b, type, conf * 0.9f);
    }
  }

  // A word found as a name or place in context ("son Hank", "to Quartermain 2") is the same PHI
  // wherever else it stands in the document ("Both Suzette and Hank", "F-MICU/QUARTERMAIN/CCU").
  void Propagate() {
    absl::flat_hash_map<std::string_view, std::pair<PhiType, float>> found;
    const size_t emitted = out_.size();
    for (size_t m = 0; m < emitted; ++m) {
      const PatternMatch& p = out_[m];
      bool person = p.type == PhiType::kName || p.type == PhiType::kClinicianName;
      if (!person && p.type != PhiType::kFacility && p.type != PhiType::kLocation) continue;
      if (p.confidence < 0.7f) continue;  // only words found with context
      // The span's word tokens (tokens are sorted by start: binary search, not a scan).
      auto first = std::lower_bound(tok_.begin(), tok_.end(), p.start,
                                    [](const Token& t, size_t pos) { return t.start < pos; });
      for (size_t k = static_cast<size_t>(first - tok_.begin());
           k < tok_.size() && tok_[k].start < p.end; ++k) {
        if (tok_[k].end > p.end) continue;
        if (!Word(k) || tok_[k].initial || tok_[k].end - tok_[k].start < 3 || English(k) ||
            Clinical(k) || Function(k) || Role(k, kRoleFacilityKeyword))
          continue;
        found.emplace(lower_[k], std::make_pair(p.type, p.confidence));
      }
    }
    if (found.empty()) return;
    for (size_t k = 0; k < tok_.size(); ++k) {
      if (!Word(k)) continue;
      auto it = found.find(lower_[k]);
      if (it == found.end()) continue;
      EmitOne(k, k, it->second.first, it->second.second * 0.9f);  // Resolve() merges repeats
    }
  }

  void EmitOne(size_t a, size_t b, PhiType type, float conf) {
    size_t end = tok_[b].end;
    // Digits glued to a name are part of it ("Larue605" in generated records, "QUARTERMAIN7").
    while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
    // "Mary's": the possessive belongs to the name.
    if (end + 1 < text_.size() && text_[end] == '\'' && (text_[end + 1] == 's' || text_[end + 1] == 'S'))
      end += 2;
    out_.push_back({tok_[a].start, end, type, conf});
  }

  // Extends a name that ends at token j over the following name words ("John A. Smith").
  size_t ExtendName(size_t j, size_t max_tokens) const {
    size_t i = j;
    while (j + 1 < tok_.size() && j + 1 - i < max_tokens && Joined(j + 1) &&
           (NameCandidate(j + 1) || (tok_[j + 1].initial && CapOk(j + 1))))
      ++j;
    // A trailing initial without its surname is not part of the name ("John A" then ".").
    return j;
  }

  void TitleRule(size_t i, PhiType type) {
    size_t j = i + 1;
    if (j >= tok_.size() || !Joined(j) || !Word(j) || Function(j)) return;
    // After a title even a clinical-looking word is a name ("Dr. Foley"), except clear jargon in
    // lower-case after "ms" (mental status) or "dr" (a ward).
    if (lower_[i] == "ms" && (tok_[i].upper || mode_ == CaseMode::kLower) && !Nameish(j)) return;
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
  bool IsOSurname(size_t k) const {
    std::string_view w = lower_[k];
    if (w.size() < 3 || w.size() > 30) return false;
    char key[32 + LexiconCache::kPadding] = {};
    key[0] = 'o';
    std::memcpy(key + 1, w.data(), w.size());
    return (cache_.Get(key, w.size() + 1, lex_).flags & kSurname) != 0;
  }

  void RelativeRule(size_t i) {
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

  static bool LooksLikeWordForm(std::string_view w) {
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

  void RelativeAfterRule(size_t i) {
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
    if (!NameCandidate(b)) return;
    size_t a = b;
    while (a > 0 && b - a < 2 && Joined(a) && NameCandidate(a - 1)) --a;
    Emit(a, b, PhiType::kName, 0.8);
  }

  // "Marine542 Ai120 is a 62 year-old female": the subject of "is a <age> year-old" is the
  // patient, whatever the words look like.
  void SubjectOfAgeRule(size_t i) {
    if (lower_[i + 1] != "a" && lower_[i + 1] != "an") return;
    if (!tok_[i + 2].digits) return;
    std::string_view unit = lower_[i + 3];
    if (!(unit == "year" || unit == "years" || unit == "yo" || unit == "y" || unit == "yr" ||
          unit == "yrs"))
      return;
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

  // "social: bob visited", "Bill called once": a well-known first name opening a clause before
  // a verb of visiting or calling is a person even in lower case or when it is also a word.
  void VisitorRule(size_t i) {
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

  void PhoneLabelRule(size_t i) {
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

  void ContextNameRule(size_t i) {
    // "with" and "by" introduce a person only after verbs of meeting or reporting ("spoke with",
    // "seen by"); "packed with Kling" is a dressing.
    std::string_view w = lower_[i];
    if ((w == "with" || w == "by" || w == "w") &&
        (i == 0 || !Role(i - 1, kRoleMeetingVerb)))
      return;
    size_t j = i + 1;
    if (j >= tok_.size() || !Joined(j) || !Nameish(j)) return;
    // "with Healey" but not "with neo": a lone word needs to be a well-known name, or capitalised
    // in mixed-case text; "with martin carey": a first name and a surname together.
    bool full = j + 1 < tok_.size() && Joined(j + 1) && (F(j) & kFirstName) &&
                (F(j + 1) & kSurname) && !Clinical(j + 1) && !Function(j + 1) &&
                (!English(j) || !English(j + 1));
    bool known = !English(j) && tok_[j].name_count >= kCaselessStandaloneMinCount;
    bool ok = full || (mode_ == CaseMode::kMixed ? tok_[j].title || known : known);
    if (!ok) return;
    Emit(j, ExtendName(j, 3), PhiType::kClinicianName, 0.75);
  }

  void CredentialRule(size_t i) {
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

  void InitialRule(size_t i) {
    // "W. MAROTTA", "Q. Lander": an initial, a period, then a name word.
    size_t j = i + 1;
    if (Gap(j) != ". " && Gap(j) != ".") return;
    // The initial must stand alone ("W. Marotta"), not end a word or number ("150K. CHEM").
    size_t s = tok_[i].start;
    if (s > 0 && !(text_[s - 1] == ' ' || text_[s - 1] == '\n' || text_[s - 1] == '(' ||
                   text_[s - 1] == '\t'))
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

  bool FacilityNameWord(size_t j) const {
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

  void FacilityRule(size_t i) {
    std::string_view w = lower_[i];
    bool strong = Role(i, kRoleStrongFacility);
    // "Medical Center", "Health Center": a center that is surely a facility.
    if ((w == "center" || w == "centre" || w == "ctr") && i > 0 &&
        (lower_[i - 1] == "medical" || lower_[i - 1] == "health" || lower_[i - 1] == "cancer" ||
         lower_[i - 1] == "trauma" || lower_[i - 1] == "surgical" || lower_[i - 1] == "med"))
      strong = true;
    if (w == "ed" && mode_ == CaseMode::kMixed && !tok_[i].upper) return;
    size_t a = i;
    while (a > 0 && i - a < 4 && Joined(a) && FacilityNameWord(a - 1)) --a;
    if (a == i) return;
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

  // A listed place at token j (one word of at least `min_len` bytes, or two words), whatever
  // its casing; sets *end to its last token.
  bool PlaceAt(size_t j, size_t* end, size_t min_len = 3) const {
    // Two-word places first ("San Diego", "Glen Burnie").
    if ((tok_[j].flags & kPlacePrefix) && j + 1 < tok_.size() && Joined(j + 1) && Word(j + 1)) {
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

  void PlaceContextRule(size_t i) {
    size_t j = i + 1, end = 0;
    if (j >= tok_.size() || !Joined(j)) return;
    if (PlaceAt(j, &end) && CapOk(j)) {
      Emit(j, end, PhiType::kLocation, 0.8);
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

  // "Quartermain 2" ends there (or "2/3"); "INTUBATION 7.23", "80'S", "40%" are numbers.
  bool WardNumberEnds(size_t pos) const {
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

  void SaintRule(size_t i) {
    // "St. Agnes", "St Mary's", "ST. MARY"
    size_t j = i + 1;
    if (!Joined(j) || !Word(j) || !(F(j) & kFirstName) || Function(j) || !CapOk(j)) return;
    if (i > 0 && tok_[i - 1].digits && tok_[i - 1].end == tok_[i].start) return;  // "1ST CASE"
    if (mode_ == CaseMode::kMixed && !(tok_[i].title || tok_[i].upper)) return;
    Emit(i, j, PhiType::kFacility, 0.8);
  }

  void UniversityRule(size_t i) {
    size_t j = i + 1;
    if (j < tok_.size() && lower_[j] == "of") ++j;
    if (j >= tok_.size() || !Joined(j) || Function(j) || Clinical(j) || tok_[j].end - tok_[j].start < 4 ||
        !(F(j) & (kState | kPlace)))
      return;
    if (mode_ == CaseMode::kMixed && !tok_[i].upper && !tok_[i].title && !tok_[i].initial) return;
    Emit(i, j, PhiType::kFacility, 0.8);
  }

  // "Camila 28 day pack", "Errin 0.35 mg": a brand name before a dose, not a person.
  bool FollowedByDose(size_t i) const {
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

  void StandaloneRule(size_t i) {
    const Token& t = tok_[i];
    if (t.initial || t.end - t.start < 3 || Clinical(i) || Function(i)) return;
    if (FollowedByDose(i)) return;
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
      uint32_t count = tok_[i].name_count;
      // Pairs ("john smith") count more than a lone rare surname.
      bool pair = (i + 1 < tok_.size() && Joined(i + 1) && Nameish(i + 1) && !English(i + 1)) ||
                  (i > 0 && Joined(i) && Nameish(i - 1) && !English(i - 1));
      // In a note written in lower case a capitalised word stands out: the writer meant it.
      bool stands_out = mode_ == CaseMode::kLower && t.title;
      if (mode_ != CaseMode::kMixed && !pair && !stands_out && count < kCaselessStandaloneMinCount)
        return;
      // A first name carries the words after it ("Karen Ann Yanulis", "Mary Rueping").
      size_t e = (F(i) & kFirstName) ? ExtendName(i, 3) : i;
      Emit(i, e, PhiType::kName, pair ? 0.8 : (F(i) & kCommonName) ? 0.65 : 0.5);
      return;
    }
    size_t end = 0;
    if (PlaceAt(i, &end)) Emit(i, end, PhiType::kLocation, 0.5);
  }

  // "towson maryland", "Dundalk, MD": a listed place right before its state is a place in any
  // casing (the state itself is no identifier and stays).
  bool PlaceBeforeState(size_t i, size_t* end) const {
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

  std::string_view text_;
  const std::vector<Token>& tok_;
  CaseMode mode_;
  // Longest two-word place looked up ("san francisco"); listed ones are far shorter.
  static constexpr size_t kMaxPlaceKey = 64;
  // lower_[i]: token i of the lower-cased text, computed on use (no per-document vector).
  struct LowerWords {
    const char* lower;
    const Token* tok;
    std::string_view operator[](size_t i) const {
      return std::string_view(lower + tok[i].start, tok[i].end - tok[i].start);
    }
  };

  const Lexicon& lex_;
  LexiconCache& cache_;
  std::vector<PatternMatch>& out_;
  const LowerWords lower_;
};

}  // namespace

void TagTokens(std::string_view lower, const Lexicon& lexicon, LexiconCache& cache,
               std::vector<Token>& tokens) {
  // The cache line of the word kAhead tokens on is requested before this word is looked up:
  // under load the 1 MiB cache is mostly out of L1/L2, and waiting for it was most of the cost.
  constexpr size_t kAhead = 6;
  const size_t n = tokens.size();
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) {
      const Token& next = tokens[i + kAhead];
      if (!next.digits) cache.Prefetch(lower.data() + next.start, next.end - next.start);
    }
    Token& t = tokens[i];
    if (t.digits || t.end - t.start > 40) continue;
    LexiconEntry e = cache.Get(lower.data() + t.start, t.end - t.start, lexicon);
    // "o'brien": the Census lists O'Brien, D'Angelo as OBRIEN, DANGELO.
    if (e.flags == 0 && t.end - t.start >= 4 && lower[t.start + 1] == '\'') {
      char key[40 + LexiconCache::kPadding] = {};
      const size_t len = t.end - t.start - 1;
      key[0] = lower[t.start];
      std::memcpy(key + 1, lower.data() + t.start + 2, len - 1);
      e = cache.Get(key, len, lexicon);
    }
    t.flags = e.flags;
    t.name_count = e.name_count;
  }
}

void FindNamesAndPlaces(std::string_view text, std::string_view lower,
                        const std::vector<Token>& tokens, CaseMode mode, const Lexicon& lexicon,
                        LexiconCache& cache, std::vector<PatternMatch>& out) {
  Rules(text, lower, tokens, mode, lexicon, cache, out).Run();
}

}  // namespace phiguard::phi::internal
