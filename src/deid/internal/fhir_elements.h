// The element names of FHIR R4 (US Core) resources and data types that the built-in policy
// covers, as far as a policy path needs them: so "Patient.nmae" or "Observation.valueStrng" is an
// error naming the step, not a rule that silently matches nothing. Choice elements are listed
// under their typed names (valueString, valueQuantity, ...). Types outside the table (other
// resources, rare backbone elements) are not checked below the point where the table ends.
// Immutable; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "deid/internal/fhir_rules.h"

namespace phiguard::deid::internal {

// True if the table describes resource `type` (and so can check paths into it).
bool HasFhirElementTable(std::string_view type);

// Checks every step (and every where() path) of `path` against the table. InvalidArgument
// "FHIR path, column C: 'nmae' is not an element of Patient" for the first unknown one; a path
// rooted at a resource type without a table is InvalidArgument unless the type is listed in
// `unchecked_types` (then only its name was checked, by the parser).
absl::Status CheckFhirElements(const FhirPath& path,
                               const std::vector<std::string>& unchecked_types);

}  // namespace phiguard::deid::internal
