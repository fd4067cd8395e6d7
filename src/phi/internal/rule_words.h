// Keyword roles for the context rules. AddRuleWords() tags the lexicon's entries with role bits
// (kRoleClinicianTitle, kRoleRelative, ...) so each token needs one lookup for every question.
#pragma once

#include "phi/internal/lexicon.h"

namespace phiguard::phi::internal {

// Adds the rules' keyword roles (titles, relatives, facility keywords, ...) to `lexicon`. Call once
// before the lexicon is shared between threads.
void AddRuleWords(Lexicon& lexicon);

}  // namespace phiguard::phi::internal
