// Keyword roles for the context rules. AddRuleWords() tags the lexicon's entries with role bits
// (kRoleClinicianTitle, kRoleRelative, ...) so each token needs one lookup for every question.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "phi/internal/lexicon.h"

namespace phiguard::phi::internal {

// Adds the rules' keyword roles (titles, relatives, facility keywords, ...) to `lexicon`, marks
// the abbreviations of places in `lexicon_dir`/us_places.txt (kPlaceAbbreviation) and, last, the
// words a rule may start at (kRuleStart, MarkRuleStarts() in name_rules.h). Call once, after
// Lexicon::Load(lexicon_dir) and before the lexicon is shared between threads.
// NotFound if the places list is missing.
absl::Status AddRuleWords(Lexicon& lexicon, const std::string& lexicon_dir);

}  // namespace phiguard::phi::internal
