// Candidate ends of the street-address pattern ("12 Main St", "221b Baker Street Suite 12"), found
// from the text's digit runs (PatternDef::find): Vectorscan would run that pattern's leading
// "number, then one to four words" as an automaton over every byte.
#pragma once

#include <string_view>
#include <vector>

#include "phi/internal/tokenizer.h"

namespace phiguard::phi::internal {

// Appends every place a street-address match may end: after a street suffix ("St", "St.") that
// follows a number of up to six digits (and a letter) and one to four words, and after each word
// end of a unit that follows ("Apt 4B"). A superset of the regex's ends (each is confirmed by it);
// an end may be listed twice.
void FindStreetEnds(std::string_view text, const std::vector<DigitRun>& digits,
                    std::vector<size_t>& ends);

}  // namespace phiguard::phi::internal
