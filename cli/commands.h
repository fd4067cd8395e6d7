// The `phiguard` command's subcommands. Each Register* adds its CLI11 subcommand and sets the
// callback that runs it; callbacks report errors through ExitWith (usage -> 2, data -> 1).
#pragma once

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"

namespace phiguard::cli {

// Options every command shares (DEVELOPERS.md convention).
struct GlobalOptions {
  std::string home;      // --home / $PHIGUARD_HOME: keys, audit log, store
  std::string data_dir;  // --data-dir / $PHIGUARD_DATA_DIR: lexicons
};

void RegisterDetect(CLI::App& app, const GlobalOptions& global);
void RegisterDeid(CLI::App& app, const GlobalOptions& global);
// `phiguard deid csv` and `phiguard deid jsonl`, registered under the `deid` subcommand.
void RegisterDeidCsv(CLI::App& deid, const GlobalOptions& global);
void RegisterEval(CLI::App& app, const GlobalOptions& global);
void RegisterKeygen(CLI::App& app, const GlobalOptions& global);
// `phiguard keys ...` (keyring) and `phiguard encrypt|decrypt|rewrap|datakey` (cli/keys_cmds.cc).
void RegisterKeys(CLI::App& app, const GlobalOptions& global);
void RegisterCrypto(CLI::App& app, const GlobalOptions& global);
// `phiguard certs`: development CA and mTLS certificates (cli/certs_cmd.cc).
void RegisterCerts(CLI::App& app, const GlobalOptions& global);
void RegisterRisk(CLI::App& app, const GlobalOptions& global);
// `phiguard risk anonymize` (cli/risk_anonymize_cmd.cc), registered under the `risk` subcommand.
void RegisterRiskAnonymize(CLI::App& risk);
void RegisterAudit(CLI::App& app, const GlobalOptions& global);

// Exit code for a failed status: 2 for InvalidArgument raised by option checks (usage), 1 otherwise.
int ExitCodeFor(const absl::Status& status);

// Thrown from subcommand callbacks; main() prints the message and exits with `code`.
struct CommandError {
  int code;
  std::string message;
};
[[noreturn]] void Fail(const absl::Status& status);
[[noreturn]] void UsageError(const std::string& message);

}  // namespace phiguard::cli
