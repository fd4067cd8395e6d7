// Lexicon and context rules for the PHI that no fixed pattern finds: names of people (patients,
// relatives, clinicians) and places (cities, counties, facilities, wards). A word counts as a name
// or place only where the lexicons *and* the context agree; the clinical-term list vetoes words
// such as "Bell" (Bell's palsy) or "Doe" (dyspnea on exertion). Pure functions: thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "phi/internal/lexicon.h"
#include "phi/internal/pattern_scanner.h"
#include "phi/internal/tokenizer.h"

namespace phiguard::phi::internal {

// Looks up every token of `tokens` (in place: sets Token::flags) in `lexicon`. `lower` is the text
// with ASCII letters lower-cased (same offsets), followed by at least LexiconCache::kPadding more
// bytes that may be read.
void TagTokens(std::string_view lower, const Lexicon& lexicon, LexiconCache& cache,
               std::vector<Token>& tokens);

// Marks the words of `lexicon` that some rule may act on whatever words stand around them
// (kRuleStart). Call after every other flag is added (AddRuleWords() does, last), before the
// lexicon is shared between threads: FindNamesAndPlaces tries its rules only on the tokens these
// bits, an initial or the words after them call for.
void MarkRuleStarts(Lexicon& lexicon);

// Appends name and place spans found in `text` (tokens tagged by TagTokens) to `out`. Phrase
// lookups ("san diego") go through `cache`, the caller's per-thread cache of `lexicon`.
void FindNamesAndPlaces(std::string_view text, std::string_view lower,
                        const std::vector<Token>& tokens, CaseMode mode, const Lexicon& lexicon,
                        LexiconCache& cache, std::vector<PatternMatch>& out);

}  // namespace phiguard::phi::internal
