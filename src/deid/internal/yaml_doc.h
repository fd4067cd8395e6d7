// Loading the YAML documents users write (profiles, field policies) with errors that say where:
// "policy: line 4, column 7: ..." — yaml-cpp throws, phiguard returns Status.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "phiguard/core/strings.h"

namespace phiguard::deid::internal {

// "<what>: line N, column M: " for messages about node `n`.
inline std::string YamlWhere(std::string_view what, const YAML::Node& n) {
  return Cat(what, ": line ", n.Mark().line + 1, ", column ", n.Mark().column + 1, ": ");
}

// Parses `text` and requires a mapping at the top. InvalidArgument with line and column.
inline absl::StatusOr<YAML::Node> LoadYamlMapping(std::string_view what, std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        Cat(what, ": line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  if (!root.IsMap()) return absl::InvalidArgumentError(Cat(what, ": top level must be a mapping"));
  return root;
}

}  // namespace phiguard::deid::internal
