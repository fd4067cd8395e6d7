#include "inputs.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "phiguard/core/strings.h"

namespace phiguard::cli {

absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  if (args.empty()) return std::vector<std::string>{"-"};
  for (const std::string& a : args) {
    if (a == "-") {
      out.push_back(a);
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(a, ec);
    if (ec || !fs::exists(st)) return absl::NotFoundError(Cat(a, ": no such file or directory"));
    if (fs::is_directory(st)) {
      std::vector<std::string> files;
      for (auto it = fs::recursive_directory_iterator(a, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (it->is_regular_file()) files.push_back(it->path().string());
      }
      if (ec) return absl::UnavailableError(Cat(a, ": ", ec.message()));
      std::sort(files.begin(), files.end());
      out.insert(out.end(), files.begin(), files.end());
    } else {
      out.push_back(a);
    }
  }
  return out;
}

absl::StatusOr<deid::TextFormat> ResolveFormat(const std::string& flag, const std::string& path) {
  if (flag == "text") return deid::TextFormat::kText;
  if (flag == "jsonl") return deid::TextFormat::kJsonl;
  if (flag == "auto") {
    return path.ends_with(".jsonl") || path.ends_with(".ndjson") ? deid::TextFormat::kJsonl
                                                                 : deid::TextFormat::kText;
  }
  return absl::InvalidArgumentError(Cat("--format must be text, jsonl or auto, not '", flag, "'"));
}

}  // namespace phiguard::cli
