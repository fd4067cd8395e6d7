// What every `phiguard audit` subcommand shares: where the log lives, its keys, hex output.
//
// Until the keyring holds them, the audit keys come from one key file (`--key-file`, default
// <home>/audit.key, created by `phiguard audit init`): the HMAC key for pseudonyms and the
// Ed25519 checkpoint key are derived from it under separate labels.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "commands.h"
#include "phiguard/audit/audit_log.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/ed25519.h"

namespace phiguard::cli {

struct AuditOptions {
  std::string db;        // --db, default <home>/phiguard.db
  std::string key_file;  // --key-file, default <home>/audit.key
};

// Adds --db and --key-file to `cmd`, filling `options` (defaults resolved by ResolveAudit).
void AddAuditOptions(CLI::App& cmd, AuditOptions& options);
// Fills in the defaults from --home.
AuditOptions ResolveAudit(const GlobalOptions& global, const AuditOptions& options);

struct AuditKeys {
  crypto::SecretKey hmac;
  crypto::Ed25519Signer signer;
};
// Reads the key file; Fail()s naming the path and how to create it.
AuditKeys LoadAuditKeys(const std::string& key_file);

// `phiguard audit watch | alerts | synth` (cli/audit_watch_cmds.cc), registered under `audit`.
void RegisterAuditWatch(CLI::App& audit, const GlobalOptions& global);

// Opens the log in options.db with the key file's HMAC key; Fail()s on error.
// With `log_options`, the log signs checkpoints as configured there (the signer must outlive it).
std::unique_ptr<audit::AuditLog> OpenAuditLog(const AuditOptions& options,
                                              const audit::AuditLog::Options& log_options = {});

// The log under --home that phiguard's own commands record into (crypto operations, detect and
// deid runs), or null when `phiguard audit init` has not created its key there: the log is opt-in.
// Fail()s if the key exists but the log cannot be opened.
std::unique_ptr<audit::AuditLog> OpenHomeAuditLogIfInitialized(const GlobalOptions& global);

inline std::string HexOf(std::string_view bytes) { return HexEncode(bytes); }
inline std::string HexOf(const audit::Hash& hash) { return HexEncode(audit::HashBytes(hash)); }

}  // namespace phiguard::cli
