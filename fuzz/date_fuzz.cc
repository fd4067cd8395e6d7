// Fuzzes the date parser and shifter used by date-shift and generalise.
#include <cstdint>
#include <string_view>

#include "deid/internal/date_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256) return 0;  // detected dates are short
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto d = phiguard::deid::internal::ParseDate(text)) {
    (void)phiguard::deid::internal::ShiftDate(*d, 3647, 2001);
    (void)phiguard::deid::internal::ShiftDate(*d, -3647, 2001);
  }
  return 0;
}
