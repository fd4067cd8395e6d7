// Realistic surrogates: a fake value of the same type and shape as the PHI it replaces ("Healey"
// -> "Morrison", "410-555-0199" -> "803-271-4456"). The choice is HMAC-keyed on the normalised
// value, so one person gets one surrogate everywhere the key is shared, and nobody without the key
// can map a surrogate back.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/crypto/secret_key.h"
#include "phiguard/phi/phi_type.h"

namespace phiguard::deid::internal {

struct SurrogateLists {
  std::vector<std::string> first_names;  // common names, Title case
  std::vector<std::string> surnames;
  std::vector<std::string> places;
};

// Loads the most common names and places from the lexicon folder.
absl::StatusOr<SurrogateLists> LoadSurrogateLists(const std::string& lexicon_dir);

std::string MakeSurrogate(phi::PhiType type, std::string_view value, std::string_view normalized,
                          const crypto::SecretKey& key, const SurrogateLists& lists);

}  // namespace phiguard::deid::internal
