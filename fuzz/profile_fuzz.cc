// Fuzzes the YAML profile parser: any input gives a Profile or an InvalidArgument, never a crash.
#include <cstdint>
#include <string_view>

#include "phiguard/deid/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  (void)phiguard::deid::ParseProfileYaml(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
