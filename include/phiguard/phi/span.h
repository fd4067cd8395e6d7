// A Span marks one piece of PHI found in a text.
#pragma once

#include <cstddef>

#include "phiguard/phi/phi_type.h"

namespace phiguard::phi {

struct Span {
  size_t start = 0;       // offset of the first code point (Unicode code points from 0)
  size_t end = 0;         // offset one past the last code point
  size_t byte_start = 0;  // the same span in UTF-8 bytes, for slicing std::string_view
  size_t byte_end = 0;
  PhiType type = PhiType::kOther;
  float confidence = 0;  // 0..1: how sure the recognizer is

  friend bool operator==(const Span&, const Span&) = default;
};

}  // namespace phiguard::phi
