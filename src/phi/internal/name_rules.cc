// Entry points of the name and place rules: TagTokens looks every token up in the lexicon once,
// and Rules::Run (declared in rules.h) tries each rule family on the tokens whose role bits call
// for it.
#include "phi/internal/name_rules.h"

#include <algorithm>
#include <cstring>

#include "phi/internal/rules.h"

namespace phiguard::phi::internal {

namespace {
constexpr uint32_t kContextRoles = kRoleClinicianTitle | kRolePersonTitle | kRoleRelative |
                                   kRolePersonContext | kRoleCredential | kRoleFacilityKeyword |
                                   kRolePlaceContext | kRoleRuleKeyword;

// Whether a rule in Rules::Dispatch may act on a word whatever stands around it, from the
// word's lexicon entry and length. Each clause is implied by the test Dispatch (or the rule)
// makes before it acts:
//  - a context role or rule keyword (TitleRule ... EmployerRule);
//  - StandaloneCandidate (three or more letters: no initial), and then either an English word
//    that is a first name of 100000 or more bearers (StandaloneRule's only English case) or, for
//    a word that is no English word, a name (Nameish) or a place (PlaceAt needs kPlace or
//    kPlacePrefix).
bool StartsRule(const LexiconEntry& e, size_t len) {
  const uint32_t f = e.flags;
  if (f & kContextRoles) return true;
  if (len < 3 || (f & (kClinical | kRoleFunction))) return false;
  if (f & kEnglish) return (f & kFirstName) && e.name_count >= 100000;
  return (f & (kFirstName | kSurname | kPlace | kPlacePrefix)) != 0;
}

// Whether any rule in Rules::Dispatch can act on token t, computed without branches (bitwise,
// not short-circuit): kRuleStart (StartsRule above), or
//  - an initial followed by a period and another token (InitialRule's first test: "W. Marotta");
//  - a first name before a visit verb (VisitorRule);
//  - a place or place prefix with a state one or two tokens on (PlaceBeforeState).
// `f1` and `f2` are the flags of the next two tokens (0 where there are none); `dot`: a period
// follows t and so does another token. A number has no flags and is no initial: never listed.
// Each test is a flag bit shifted to bit 0 (GCC compiles `(x & k) != 0` of bools to a setcc each).
inline bool MayAct(const Token& t, uint32_t f1, uint32_t f2, bool dot) {
  static_assert(kFirstName == 1 << 0 && kRoleVisitVerb == 1 << 23 && kState == 1 << 4 &&
                kPlace == 1 << 3 && kPlacePrefix == 1 << 19 && kRuleStart == 1 << 25);
  const uint32_t f = t.flags;
  const uint32_t visitor = (f1 >> 23) & f;
  const uint32_t place_state = ((f1 | f2) >> 4) & ((f >> 3) | (f >> 19));
  return ((f >> 25) | visitor | place_state | (t.initial & dot)) & 1;
}
}  // namespace

void Rules::Run() {
  // Most tokens can start no rule. A branch-free pass over a block of tokens first lists the
  // ones that may (MayAct: a necessary condition for each rule, so none is lost); only those take
  // the data-dependent branches of the dispatch, in token order as before (Propagate keeps the
  // first span found for a word, so the order of emission matters).
  const size_t n = tok_.size();
  const char* text = text_.data();
  const Token* tok = tok_.data();
  constexpr size_t kBlock = 256;
  uint32_t act[kBlock];
  for (size_t base = 0; base < n; base += kBlock) {
    const size_t stop = std::min(n, base + kBlock);
    size_t m = 0, i = base;
    // Up to n - 2, two tokens follow token i: their flags and the byte after token i (before
    // token i + 1, so within the text) are read without bounds tests.
    for (const size_t both = std::min(stop, n > 2 ? n - 2 : 0); i < both; ++i) {
      act[m] = static_cast<uint32_t>(i);
      m += MayAct(tok[i], tok[i + 1].flags, tok[i + 2].flags, text[tok[i].end] == '.');
    }
    for (; i < stop; ++i) {  // the last two tokens of the text
      act[m] = static_cast<uint32_t>(i);
      const bool next = i + 1 < n;
      m += MayAct(tok[i], next ? tok[i + 1].flags : 0, i + 2 < n ? tok[i + 2].flags : 0,
                  next && text[tok[i].end] == '.');
    }
    for (size_t c = 0; c < m; ++c) Dispatch(act[c]);
  }
  Propagate();
}

void Rules::Dispatch(size_t i) {
  const size_t n = tok_.size();
  const Token& t = tok_[i];
  // Most words have no context role: one test skips the rules that need one.
  const bool context = (t.flags & kContextRoles) != 0;
  const bool keyword = Role(i, kRoleRuleKeyword);
  const std::string_view w = lower_[i];
  if (context) {
    if (Role(i, kRoleClinicianTitle) || Role(i, kRolePersonTitle)) {
      TitleRule(i, Role(i, kRoleClinicianTitle) ? PhiType::kClinicianName : PhiType::kName);
    }
    if (Role(i, kRoleRelative)) RelativeRule(i);
    if (Role(i, kRolePersonContext) && NameFollows(i)) ContextNameRule(i);
    if (Role(i, kRoleCredential) && (t.upper || mode_ != CaseMode::kMixed)) CredentialRule(i);
    if (Role(i, kRoleFacilityKeyword)) FacilityRule(i);
    if (Role(i, kRolePlaceContext) && PlaceCueTakes(i)) PlaceContextRule(i);
    // Words some rule needs by name (RuleKeywords() in rule_words.cc); order as emitted.
    if (keyword && (w == "st" || w == "saint") && i + 1 < n) SaintRule(i);
    if (keyword && (w == "u" || w == "univ" || w == "university") && i + 1 < n)
      UniversityRule(i);
  }
  if (t.initial && i + 1 < n) InitialRule(i);
  if (keyword) {
    if ((w == "is" || w == "was") && i + 3 < n) SubjectOfAgeRule(i);
    if (w == "son" || w == "wife" || w == "husband" || w == "daughter") RelativeAfterRule(i);
    if (w == "cell" || w == "home" || w == "work" || w == "mobile" || w == "phone" ||
        w == "tel")
      PhoneLabelRule(i);
    if (w == "ceo" || w == "owner" || w == "works" || w == "worked" || w == "employed" ||
        w == "retired")
      EmployerRule(i);
  }
  // Rare conditions first: a branch on a frequent one (a first name, a place word) is often
  // mispredicted.
  if (i + 1 < n && Role(i + 1, kRoleVisitVerb) && (F(i) & kFirstName)) VisitorRule(i);
  if (StandaloneCandidate(i)) StandaloneRule(i);
  // A place before its state: the state is token i + 1 or, after a two-word place, i + 2.
  if (size_t e = 0; ((i + 1 < n && (tok_[i + 1].flags & kState)) ||
                     (i + 2 < n && (tok_[i + 2].flags & kState))) &&
                    (t.flags & (kPlace | kPlacePrefix)) && PlaceBeforeState(i, &e))
    Emit(i, e, PhiType::kLocation, 0.8);
}

void TagTokens(std::string_view lower, const Lexicon& lexicon, LexiconCache& cache,
               std::vector<Token>& tokens) {
  // The cache line of the word kAhead tokens on is requested before this word is looked up:
  // under load the cache (560 KiB) is partly out of L1/L2, and waiting for it cost more than
  // computing the word's set twice.
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
    // "o'brien": the Census lists O'Brien, D'Angelo as OBRIEN, DANGELO. The word keeps its
    // kPlaceSecondWord bit, a hint for phrase lookups only.
    const uint32_t second = e.flags & kPlaceSecondWord;
    if ((e.flags & ~kPlaceSecondWord) == 0 && t.end - t.start >= 4 && lower[t.start + 1] == '\'') {
      char key[40 + LexiconCache::kPadding] = {};
      const size_t len = t.end - t.start - 1;
      key[0] = lower[t.start];
      std::memcpy(key + 1, lower.data() + t.start + 2, len - 1);
      e = cache.Get(key, len, lexicon);
    }
    t.flags = e.flags | second;
    t.name_count = e.name_count;
  }
}

void MarkRuleStarts(Lexicon& lexicon) {
  lexicon.UpdateFlags([](std::string_view word, const LexiconEntry& e) {
    return StartsRule(e, word.size()) ? e.flags | kRuleStart : e.flags & ~kRuleStart;
  });
}

void FindNamesAndPlaces(std::string_view text, std::string_view lower,
                        const std::vector<Token>& tokens, CaseMode mode, const Lexicon& lexicon,
                        LexiconCache& cache, std::vector<PatternMatch>& out) {
  Rules(text, lower, tokens, mode, lexicon, cache, out).Run();
}

}  // namespace phiguard::phi::internal
