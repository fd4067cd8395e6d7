// Fuzzes the YAML field-policy loader: a FieldPolicy or InvalidArgument, never a crash.
#include <cstdint>
#include <string_view>

#include "phiguard/deid/field_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  (void)phiguard::deid::ParseFieldPolicyYaml(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
