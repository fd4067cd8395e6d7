#include <string>

#include "commands.h"

namespace phiguard::cli {

int ExitCodeFor(const absl::Status& status) { return status.ok() ? 0 : 1; }

void Fail(const absl::Status& status) {
  throw CommandError{ExitCodeFor(status), std::string(status.message())};
}

void UsageError(const std::string& message) { throw CommandError{2, message}; }

}  // namespace phiguard::cli
