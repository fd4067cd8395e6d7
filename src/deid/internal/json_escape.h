// The deid writers' JSON string escaping: the one shared implementation in core.
#pragma once

#include "phiguard/core/json_string.h"

namespace phiguard::deid::internal {

using ::phiguard::AppendJsonEscaped;
using ::phiguard::AppendJsonString;

}  // namespace phiguard::deid::internal
