#include "phiguard/store/sqlite.h"

#include <sqlite3.h>

#include <utility>

#include "phiguard/core/strings.h"

namespace phiguard::store {
namespace {

// SQLITE_BUSY / SQLITE_LOCKED mean another writer holds the lock: retryable, so Unavailable.
absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
      return absl::StatusCode::kFailedPrecondition;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return absl::StatusCode::kPermissionDenied;
    default:
      return absl::StatusCode::kInternal;
  }
}

}  // namespace

// ---- SqliteDb ----------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path,
                                                          const Options& options) {
  sqlite3* raw = nullptr;
  const int flags = (options.read_only ? SQLITE_OPEN_READONLY
                                       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(path, raw));
  if (rc != SQLITE_OK) return db->Error(rc, "open");
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // WAL: readers never block the writer; FULL: the WAL is fsynced at every commit, so an
  // acknowledged write survives power loss, not only a process crash.
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;";
  if (!options.read_only) pragmas = "PRAGMA journal_mode=WAL; " + pragmas;
  if (absl::Status s = db->Exec(pragmas); !s.ok()) return s;
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

absl::Status SqliteDb::Error(int rc, std::string_view what) const {
  const char* msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return absl::Status(CodeFor(rc), Cat(path_, ": ", what, ": ", msg));
}

absl::Status SqliteDb::Exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return absl::OkStatus();
  std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  // The statement text is ours (no bound values), so it may appear in the error.
  return absl::Status(CodeFor(rc), Cat(path_, ": ", sql.substr(0, 60), ": ", msg));
}

absl::StatusOr<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, Cat("prepare ", sql.substr(0, 60)));
  return SqliteStatement(this, stmt);
}

// ---- SqliteStatement ---------------------------------------------------------------------------

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::BindInt(int pos, int64_t value) { sqlite3_bind_int64(stmt_, pos, value); }

void SqliteStatement::BindBlob(int pos, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, pos, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
}

void SqliteStatement::BindText(int pos, std::string_view text) {
  sqlite3_bind_text64(stmt_, pos, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void SqliteStatement::BindNull(int pos) { sqlite3_bind_null(stmt_, pos); }

absl::StatusOr<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string sql = sqlite3_sql(stmt_) != nullptr ? sqlite3_sql(stmt_) : "";
  absl::Status s = db_->Error(rc, Cat("step ", std::string_view(sql).substr(0, 60)));
  sqlite3_reset(stmt_);
  return s;
}

absl::Status SqliteStatement::Run() {
  absl::StatusOr<bool> row;
  do {
    row = Step();
  } while (row.ok() && *row);
  Reset();
  return row.status();
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t SqliteStatement::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string_view SqliteStatement::ColumnBlob(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  if (data == nullptr || n <= 0) return {};
  return std::string_view(static_cast<const char*>(data), static_cast<size_t>(n));
}

bool SqliteStatement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

// ---- SqliteTransaction -------------------------------------------------------------------------

absl::StatusOr<SqliteTransaction> SqliteTransaction::Begin(SqliteDb& db) {
  if (absl::Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  return SqliteTransaction(&db);
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

absl::Status SqliteTransaction::Commit() {
  absl::Status s = db_->Exec("COMMIT");
  if (s.ok()) db_ = nullptr;  // else the destructor rolls back
  return s;
}

}  // namespace phiguard::store
