// A thin RAII layer over SQLite 3, the embedded default store: one database file in WAL mode with
// full fsync on commit, prepared statements, and errors as absl::Status that name the database
// file and the failing statement (never bound values, which may be secrets or PHI).
//
// Threading: a SqliteDb and its statements belong to one thread at a time (SQLite's multi-thread
// mode); callers serialise access, as the audit log does with its commit leader.
//
//   auto db = SqliteDb::Open(home + "/phiguard.db");
//   auto st = (*db)->Prepare("INSERT INTO t(a, b) VALUES(?, ?)");
//   st->BindInt(1, 7); st->BindBlob(2, bytes);
//   absl::Status s = st->Run();
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace phiguard::store {

class SqliteDb;

// One prepared statement. Bind* positions start at 1, as in SQLite. Step() returns true while a
// row is available; Reset() makes the statement reusable with new bindings.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&&) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  void BindInt(int pos, int64_t value);
  void BindBlob(int pos, std::string_view bytes);  // copied by SQLite
  void BindText(int pos, std::string_view text);   // copied by SQLite
  void BindNull(int pos);

  // Advances to the next row: true if there is one, false when done, an error otherwise.
  absl::StatusOr<bool> Step();
  // Steps until done (for statements that return no rows) and resets.
  absl::Status Run();
  // Clears the bindings and rewinds; the statement can run again.
  void Reset();

  int64_t ColumnInt(int col) const;
  // Valid until the next Step/Reset.
  std::string_view ColumnBlob(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  friend class SqliteDb;
  SqliteStatement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteDb* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  struct Options {
    bool read_only = false;
    // Wait this long for another process's write lock before failing with Unavailable.
    int busy_timeout_ms = 10'000;
  };
  // Opens (creating unless read_only) the database at `path` with journal_mode=WAL,
  // synchronous=FULL (a committed transaction survives a crash or power loss) and foreign keys on.
  // The parent directory must exist. Errors name the path.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                         const Options& options);
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path) {
    return Open(path, Options{});
  }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs one or more SQL statements that bind nothing (schema, pragmas, BEGIN/COMMIT).
  absl::Status Exec(const std::string& sql);
  absl::StatusOr<SqliteStatement> Prepare(std::string_view sql);

  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

  // The error for SQLite result code `rc` while doing `what`, with SQLite's message and the path.
  absl::Status Error(int rc, std::string_view what) const;

 private:
  SqliteDb(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  std::string path_;
  sqlite3* db_;
};

// Runs `BEGIN IMMEDIATE` now and `ROLLBACK` on destruction unless Commit() succeeded, so an early
// return never leaves half a batch behind.
class SqliteTransaction {
 public:
  static absl::StatusOr<SqliteTransaction> Begin(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  absl::Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

}  // namespace phiguard::store
