// A Profile says how each PHI type is transformed: redact, mask, surrogate, pseudonym, date shift,
// generalise or keep. Built-in profiles cover the common cases ("safe-harbor", "redact",
// "pseudonymize", "surrogate", "mask"); users write their own in YAML:
//
//   name: research
//   base: safe-harbor          # optional: start from a built-in profile
//   default: redact            # optional: transform for every type not listed
//   transforms: {NAME: pseudonym, DATE: date-shift, ZIP: generalize}
//   date_shift: {max_days: 365}
//   min_confidence: 0.0
//   extra_patterns:
//     - {name: study-id, type: ID, regex: 'STUDY-[0-9]{6}'}
//
// Profiles are plain values: copyable, immutable once built, safe to share between threads.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/phi/detector.h"
#include "phiguard/phi/phi_type.h"

namespace phiguard::deid {

enum class Transform : uint8_t {
  kKeep,        // leave the text as it is
  kRedact,      // "[**NAME**]"
  kMask,        // every letter and digit becomes '*'
  kSurrogate,   // a realistic fake of the same type and shape; keyed, so consistent
  kPseudonym,   // "NAME-K3J9Q2XZ8M": HMAC-SHA-256 under the key (164.514(c)), never unkeyed
  kDateShift,   // dates move by a keyed per-patient number of whole weeks
  kGeneralize,  // age > 89 -> "90+", ZIP -> ZIP3 ("000" if restricted), date -> year
};

std::string_view TransformName(Transform t);
std::optional<Transform> ParseTransform(std::string_view name);

struct Profile {
  std::string name;
  // Transform per PhiType, indexed by the enum value (index 0 unused).
  std::array<Transform, phi::kNumPhiTypes + 1> by_type{};
  // Dates shift by up to this many days either way (rounded to whole weeks, never 0).
  int date_shift_max_days = 365;
  // Detection settings that travel with the profile.
  float min_confidence = 0;
  std::vector<phi::ExtraPattern> extra_patterns;

  Transform For(phi::PhiType t) const { return by_type[static_cast<int>(t)]; }
  void Set(phi::PhiType t, Transform x) { by_type[static_cast<int>(t)] = x; }
  // True if any transform needs a secret key to be consistent across runs.
  bool NeedsKey() const;
};

// The built-in profiles. NotFound for an unknown name (the message lists the known ones).
absl::StatusOr<Profile> BuiltinProfile(std::string_view name);

// Parses a YAML profile. InvalidArgument naming the field (and line) that is wrong.
absl::StatusOr<Profile> ParseProfileYaml(std::string_view yaml);
// `name_or_path`: a built-in name, or a path to a YAML file.
absl::StatusOr<Profile> LoadProfile(const std::string& name_or_path);

}  // namespace phiguard::deid
