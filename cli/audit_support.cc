#include "audit_support.h"

#include <filesystem>

namespace phiguard::cli {

void AddAuditOptions(CLI::App& cmd, AuditOptions& options) {
  cmd.add_option("--db", options.db,
                 "Audit store: SQLite file (default <home>/phiguard.db), or postgresql://... or\n"
                 "pg:<libpq conninfo> for a PostgreSQL shared by several instances; env PHIGUARD_AUDIT_DB")
      ->envname("PHIGUARD_AUDIT_DB");
  cmd.add_option("--key-file", options.key_file,
                 "Audit key file (default <home>/audit.key; create it with `phiguard audit init`)");
}

AuditOptions ResolveAudit(const GlobalOptions& global, const AuditOptions& options) {
  AuditOptions out = options;
  if (out.db.empty()) out.db = global.home + "/phiguard.db";
  if (out.key_file.empty()) out.key_file = global.home + "/audit.key";
  return out;
}

AuditKeys LoadAuditKeys(const std::string& key_file) {
  absl::StatusOr<crypto::SecretKey> root = crypto::SecretKey::ReadFile(key_file);
  if (!root.ok()) {
    Fail(absl::Status(root.status().code(),
                      std::string(root.status().message()) +
                          " (create the audit key with `phiguard audit init` or pass --key-file)"));
  }
  absl::StatusOr<crypto::Ed25519Signer> signer =
      crypto::Ed25519Signer::FromSeed(root->Derive("audit/checkpoint-ed25519"));
  if (!signer.ok()) Fail(signer.status());
  return AuditKeys{root->Derive("audit/hmac"), std::move(*signer)};
}

std::unique_ptr<audit::AuditLog> OpenAuditLog(const AuditOptions& options,
                                              const audit::AuditLog::Options& log_options) {
  AuditKeys keys = LoadAuditKeys(options.key_file);
  const bool postgres = options.db.rfind("postgres", 0) == 0 || options.db.rfind("pg:", 0) == 0;
  const std::filesystem::path parent = std::filesystem::path(options.db).parent_path();
  if (!postgres && !parent.empty() && !std::filesystem::is_directory(parent)) {
    Fail(absl::NotFoundError(parent.string() + ": no such directory for the audit store"));
  }
  absl::StatusOr<std::unique_ptr<audit::AuditStore>> store = audit::OpenAuditStore(options.db);
  if (!store.ok()) Fail(store.status());
  absl::StatusOr<std::unique_ptr<audit::AuditLog>> log =
      audit::AuditLog::Open(std::move(*store), std::move(keys.hmac), log_options);
  if (!log.ok()) Fail(log.status());
  return std::move(*log);
}

std::unique_ptr<audit::AuditLog> OpenHomeAuditLogIfInitialized(const GlobalOptions& global) {
  const AuditOptions audit = ResolveAudit(global, AuditOptions{});
  std::error_code ec;
  if (!std::filesystem::exists(audit.key_file, ec)) return nullptr;
  return OpenAuditLog(audit);
}

}  // namespace phiguard::cli
