// Resolves the positional input arguments of a command: files, directories (walked recursively,
// sorted, regular files only) and "-" for stdin (also when no input is given).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/deid/text_pipeline.h"

namespace phiguard::cli {

absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& args);

// "--format auto": .jsonl / .ndjson files are JSONL, everything else plain text.
absl::StatusOr<deid::TextFormat> ResolveFormat(const std::string& flag, const std::string& path);

}  // namespace phiguard::cli
