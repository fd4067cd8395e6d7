// The context rules for names and places (FindNamesAndPlaces in name_rules.h) over one document's
// tokens. A Rules object holds the document (text, tokens, case mode), the token predicates every
// rule shares (inline here) and the spans found so far; each rule family is defined in its own
// file: title_rules.cc, relative_rules.cc, person_context_rules.cc, standalone_rule.cc,
// facility_rules.cc, place_rules.cc, with span output in rule_emit.cc and the per-token dispatch
// in name_rules.cc. One Rules per call of FindNamesAndPlaces: not shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "phi/internal/lexicon.h"
#include "phi/internal/pattern_scanner.h"
#include "phi/internal/tokenizer.h"

namespace phiguard::phi::internal {

class Rules {
 public:
  Rules(std::string_view text, std::string_view lower, const std::vector<Token>& tokens,
        CaseMode mode, const Lexicon& lexicon, LexiconCache& cache, std::vector<PatternMatch>& out)
      : text_(text), tok_(tokens), mode_(mode), lex_(lexicon), cache_(cache), out_(out),
        lower_{lower.data(), tokens.data()} {}
  Rules(const Rules&) = delete;  // holds references into the caller's document
  Rules& operator=(const Rules&) = delete;

  // Runs every rule over every token and appends the spans found to `out`.
  void Run();

 private:
  // Tries every rule family on token i, in a fixed order (name_rules.cc; Run calls it only on
  // the tokens some rule may act on).
  void Dispatch(size_t i);

  // A lone lower-case or all-caps word is taken for a name without context only when the name is
  // this frequent (SSA births or Census bearers); rarer ones need context ("Dr.", "son", "RN").
  static constexpr uint32_t kCaselessStandaloneMinCount = 1000;

  // ---- Token predicates (shared by all rules) ----
  std::string_view Gap(size_t i) const {  // text between token i-1 and token i
    return text_.substr(tok_[i - 1].end, tok_[i].start - tok_[i - 1].end);
  }
  // True when tokens i-1 and i are in one phrase: only spaces, '-' or '\'' between (or '.' after
  // an initial or title, ',' when allowed), and no line break or sentence end.
  bool Joined(size_t i, bool allow_comma = false) const {
    if (i == 0 || i >= tok_.size()) return false;
    const char* g = text_.data() + tok_[i - 1].end;
    const size_t len = tok_[i].start - tok_[i - 1].end;
    if (len == 1 && *g == ' ') return true;  // the usual gap
    if (len > 3) return false;
    for (size_t k = 0; k < len; ++k) {
      const char c = g[k];
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
  // In a note written in lower case a capitalised word stands out: the writer meant it.
  bool StandsOut(size_t i) const { return mode_ == CaseMode::kLower && tok_[i].title; }
  // A word that can be a name given supporting context: a known name that is not an ordinary
  // English word (unless capitalised in mixed-case text), or an unknown word.
  bool NameCandidate(size_t i) const {
    if (!Word(i) || Clinical(i) || Function(i) || tok_[i].initial) return false;
    if (Role(i, kRoleRelative | kRoleClinicianTitle | kRolePersonTitle)) return false;
    if (Nameish(i)) return !English(i) || Capitalised(i);
    if (Unknown(i)) return mode_ != CaseMode::kMixed || tok_[i].title || tok_[i].upper;
    return false;
  }

  // ---- Span output (rule_emit.cc) ----
  void Emit(size_t a, size_t b, PhiType type, float conf);  // tokens [a, b], then a name list
  void EmitOne(size_t a, size_t b, PhiType type, float conf);
  size_t ExtendName(size_t j, size_t max_tokens) const;
  bool ClauseEndsAfter(size_t k) const;
  bool EndsLine(size_t k) const;
  size_t AfterBlanks(size_t k) const;
  void Propagate();
  // A word that names the same PHI at its other mentions: no short, English, clinical, function
  // or facility keyword ("Hospital"). Inline and without branches: Propagate tests every token.
  bool Propagates(size_t k) const {
    const Token& t = tok_[k];
    const bool word = !t.digits;
    return word & (t.end - t.start >= 3) &
           ((t.flags & (kEnglish | kClinical | kRoleFunction | kRoleFacilityKeyword)) == 0);
  }

  // ---- Titles, credentials, initials (title_rules.cc) ----
  void TitleRule(size_t i, PhiType type);
  bool IsOSurname(size_t k) const;
  void CredentialRule(size_t i);
  void InitialRule(size_t i);

  // ---- Relatives and visitors (relative_rules.cc) ----
  void RelativeRule(size_t i);
  static bool LooksLikeWordForm(std::string_view w);
  void RelativeAfterRule(size_t i);
  void VisitorRule(size_t i);

  // ---- Names by the prose around them (person_context_rules.cc) ----
  // ContextNameRule's name: a word of a name list after the cue (tested inline by Dispatch, so
  // that the cues before other words, most of them, cost no call).
  bool NameFollows(size_t i) const { return i + 1 < tok_.size() && Nameish(i + 1); }
  void ContextNameRule(size_t i);  // REQUIRES: NameFollows(i)
  void PhoneLabelRule(size_t i);
  void SubjectOfAgeRule(size_t i);

  // ---- Names and places without context (standalone_rule.cc) ----
  // Whether StandaloneRule can take token i at all (tested inline by Run: most tokens are not).
  bool StandaloneCandidate(size_t i) const {
    const Token& t = tok_[i];
    return !t.initial && t.end - t.start >= 3 && !(t.flags & (kClinical | kRoleFunction));
  }
  bool FollowedByDose(size_t i) const;
  bool SplitWordTail(size_t i) const;
  void StandaloneRule(size_t i);

  // ---- Facilities and employers (facility_rules.cc) ----
  bool FacilityNameWord(size_t j) const;
  bool LowerCaseFacilityNameWord(size_t j) const;
  bool StateCodeNamesFacility(size_t j) const;
  void FacilityRule(size_t i);
  void SaintRule(size_t i);
  void UniversityRule(size_t i);
  void EmployerRule(size_t i);

  // ---- Places and wards (place_rules.cc) ----
  bool PlaceAt(size_t j, size_t* end, size_t min_len = 3) const;
  // Whether the word after place cue i can start a span of PlaceContextRule (tested inline by
  // Dispatch): a listed place, place abbreviation or hospital word (PlaceAt, "Balt", "Harbor",
  // "GBMC"), a word neither English nor clinical ("area", ward, "MGH"), two capitals ("DC") or a
  // compass word after "the" (4 to 8 letters). Most cues ("in", "of", "the") stand before an
  // English or clinical word or a number, which none of its tests takes. Bitwise: which cues
  // pass is data-dependent.
  bool PlaceCueTakes(size_t i) const {
    const size_t j = i + 1;
    if (j >= tok_.size()) return false;
    const Token& u = tok_[j];
    const uint32_t fj = u.flags;
    const uint32_t len_j = u.end - u.start;
    const bool word = !u.digits;
    const bool listed = (fj & (kPlace | kPlacePrefix | kPlaceAbbreviation | kFacilityAcronym |
                               kFacilityWord)) != 0;
    const bool unlisted = word & ((fj & (kEnglish | kClinical)) == 0) & (len_j >= 2);
    const bool capitals = u.upper & (len_j == 2);
    const bool compass_length = (len_j >= 4) & (len_j <= 8);
    return (listed | unlisted | capitals) || (compass_length && lower_[i] == "the");
  }
  void PlaceContextRule(size_t i);  // REQUIRES: PlaceCueTakes(i)
  bool CompassRegion(size_t j) const;
  bool ScheduledEvent(size_t k) const;
  bool WardNumberEnds(size_t pos) const;
  bool PlaceBeforeState(size_t i, size_t* end) const;

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

}  // namespace phiguard::phi::internal
