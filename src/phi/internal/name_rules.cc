// Entry points of the name and place rules: TagTokens looks every token up in the lexicon once,
// and Rules::Run (declared in rules.h) tries each rule family on the tokens whose role bits call
// for it.
#include "phi/internal/name_rules.h"

#include <cstring>

#include "phi/internal/rules.h"

namespace phiguard::phi::internal {

namespace {
constexpr uint32_t kContextRoles = kRoleClinicianTitle | kRolePersonTitle | kRoleRelative |
                                   kRolePersonContext | kRoleCredential | kRoleFacilityKeyword |
                                   kRolePlaceContext | kRoleRuleKeyword;
}  // namespace

void Rules::Run() {
  const size_t n = tok_.size();
  for (size_t i = 0; i < n; ++i) {
    const Token& t = tok_[i];
    if (t.digits) continue;
    // Most words have no context role: one test skips the rules that need one.
    const bool context = (t.flags & kContextRoles) != 0;
    const bool keyword = Role(i, kRoleRuleKeyword);
    const std::string_view w = lower_[i];
    if (context) {
      if (Role(i, kRoleClinicianTitle) || Role(i, kRolePersonTitle)) {
        TitleRule(i, Role(i, kRoleClinicianTitle) ? PhiType::kClinicianName : PhiType::kName);
      }
      if (Role(i, kRoleRelative)) RelativeRule(i);
      if (Role(i, kRolePersonContext)) ContextNameRule(i);
      if (Role(i, kRoleCredential) && (t.upper || mode_ != CaseMode::kMixed)) CredentialRule(i);
      if (Role(i, kRoleFacilityKeyword)) FacilityRule(i);
      if (Role(i, kRolePlaceContext)) PlaceContextRule(i);
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
  Propagate();
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

void FindNamesAndPlaces(std::string_view text, std::string_view lower,
                        const std::vector<Token>& tokens, CaseMode mode, const Lexicon& lexicon,
                        LexiconCache& cache, std::vector<PatternMatch>& out) {
  Rules(text, lower, tokens, mode, lexicon, cache, out).Run();
}

}  // namespace phiguard::phi::internal
