// Fuzzes the YAML field-policy loader and the FHIR and HL7 validators behind it (paths, element
// names, where() conditions, HL7 locations): a FieldPolicy or InvalidArgument, never a crash.
#include <cstdint>
#include <string_view>

#include "phiguard/deid/fhir_deid.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/hl7_deid.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  auto policy = phiguard::deid::ParseFieldPolicyYaml(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!policy.ok()) return 0;
  (void)phiguard::deid::ValidateFhirPolicy(*policy);
  (void)phiguard::deid::ValidateHl7Policy(*policy);
  return 0;
}
