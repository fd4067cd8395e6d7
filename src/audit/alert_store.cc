// AlertStore on SQLite, in the audit log's database file (tables of its own; see alert_store.h).
#include "phiguard/audit/alert_store.h"

#include <nlohmann/json.hpp>

#include "absl/time/clock.h"
#include "phiguard/core/strings.h"
#include "phiguard/store/sqlite.h"

namespace phiguard::audit {
namespace {

using store::SqliteDb;
using store::SqliteStatement;

// Format version 1; do not renumber or reorder columns without a migration.
constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_alerts(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedup_key TEXT NOT NULL UNIQUE,
  rule TEXT NOT NULL, severity INTEGER NOT NULL, identity TEXT NOT NULL,
  time_us INTEGER NOT NULL, explanation TEXT NOT NULL, seqs TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  delivered INTEGER NOT NULL DEFAULT 0, delivery_attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS audit_alerts_undelivered ON audit_alerts(delivered, id);
CREATE TABLE IF NOT EXISTS audit_watch_state(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO audit_watch_state(key, value) VALUES('alerts_format', 1);
)sql";

constexpr char kColumns[] =
    "id, dedup_key, rule, severity, identity, time_us, explanation, seqs, created_us, delivered, "
    "delivery_attempts, last_error";

std::string SeqsText(const std::vector<uint64_t>& seqs) {
  std::string out;
  for (uint64_t s : seqs) out += Cat(out.empty() ? "" : ",", s);
  return out;
}

absl::StatusOr<StoredAlert> ReadRow(const SqliteStatement& st) {
  StoredAlert a;
  a.id = st.ColumnInt(0);
  a.alert.dedup_key = std::string(st.ColumnBlob(1));
  a.alert.rule = std::string(st.ColumnBlob(2));
  const int64_t sev = st.ColumnInt(3);
  if (sev < 0 || sev > static_cast<int64_t>(Severity::kCritical)) {
    return absl::DataLossError(Cat("alert ", a.id, ": bad severity"));
  }
  a.alert.severity = static_cast<Severity>(sev);
  a.alert.identity = std::string(st.ColumnBlob(4));
  a.alert.time_us = st.ColumnInt(5);
  a.alert.explanation = std::string(st.ColumnBlob(6));
  for (std::string_view s : Split(st.ColumnBlob(7), ',')) {
    uint64_t seq = 0;
    if (s.empty()) continue;
    if (!ParseNumber(s, seq)) return absl::DataLossError(Cat("alert ", a.id, ": bad seq list"));
    a.alert.seqs.push_back(seq);
  }
  a.created_us = st.ColumnInt(8);
  a.delivered = st.ColumnInt(9) != 0;
  a.delivery_attempts = static_cast<int>(st.ColumnInt(10));
  a.last_error = std::string(st.ColumnBlob(11));
  return a;
}

}  // namespace

std::string AlertToJson(const StoredAlert& a) {
  nlohmann::ordered_json j = {{"id", a.id},
                              {"rule", a.alert.rule},
                              {"severity", std::string(SeverityName(a.alert.severity))},
                              {"identity", a.alert.identity},
                              {"time", FormatRfc3339Micros(a.alert.time_us)},
                              {"explanation", a.alert.explanation},
                              {"seqs", a.alert.seqs},
                              {"created", FormatRfc3339Micros(a.created_us)},
                              {"delivered", a.delivered},
                              {"delivery_attempts", a.delivery_attempts}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

AlertStore::AlertStore(std::unique_ptr<store::SqliteDb> db) : db_(std::move(db)) {}
AlertStore::~AlertStore() = default;

absl::StatusOr<std::unique_ptr<AlertStore>> AlertStore::Open(const std::string& path) {
  absl::StatusOr<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path);
  if (!db.ok()) return db.status();
  if (absl::Status s = (*db)->Exec(kSchema); !s.ok()) return s;
  return std::unique_ptr<AlertStore>(new AlertStore(std::move(*db)));
}

absl::StatusOr<uint64_t> AlertStore::WatchedEnd() {
  absl::StatusOr<SqliteStatement> st =
      db_->Prepare("SELECT value FROM audit_watch_state WHERE key = 'watched_end'");
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return 0;
  const int64_t v = st->ColumnInt(0);
  if (v < 0) return absl::DataLossError(Cat(db_->path(), ": negative watched position"));
  return static_cast<uint64_t>(v);
}

absl::StatusOr<std::vector<int64_t>> AlertStore::Record(const std::vector<Alert>& alerts,
                                                        uint64_t watched_end) {
  absl::StatusOr<store::SqliteTransaction> tx = store::SqliteTransaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  absl::StatusOr<SqliteStatement> ins = db_->Prepare(
      "INSERT OR IGNORE INTO audit_alerts(dedup_key, rule, severity, identity, time_us, "
      "explanation, seqs, created_us) VALUES(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  if (!ins.ok()) return ins.status();
  const int64_t now = absl::ToUnixMicros(absl::Now());
  std::vector<int64_t> ids;
  for (const Alert& a : alerts) {
    ins->BindText(1, a.dedup_key);
    ins->BindText(2, a.rule);
    ins->BindInt(3, static_cast<int64_t>(a.severity));
    ins->BindText(4, a.identity);
    ins->BindInt(5, a.time_us);
    ins->BindText(6, a.explanation);
    ins->BindText(7, SeqsText(a.seqs));
    ins->BindInt(8, now);
    absl::StatusOr<bool> row = ins->Step();
    if (!row.ok()) return row.status();
    if (*row) ids.push_back(ins->ColumnInt(0));
    while (*row) {
      row = ins->Step();
      if (!row.ok()) return row.status();
    }
    ins->Reset();
  }
  absl::StatusOr<SqliteStatement> mark = db_->Prepare(
      "INSERT INTO audit_watch_state(key, value) VALUES('watched_end', ?) "
      "ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)");
  if (!mark.ok()) return mark.status();
  mark->BindInt(1, static_cast<int64_t>(watched_end));
  if (absl::Status s = mark->Run(); !s.ok()) return s;
  if (absl::Status s = tx->Commit(); !s.ok()) return s;
  return ids;
}

absl::StatusOr<std::vector<StoredAlert>> AlertStore::List(const Filter& filter) {
  std::string sql = Cat("SELECT ", kColumns, " FROM audit_alerts WHERE severity >= ?");
  if (!filter.rule.empty()) sql += " AND rule = ?";
  if (filter.undelivered_only) sql += " AND delivered = 0";
  sql += " ORDER BY id DESC LIMIT ?";
  absl::StatusOr<SqliteStatement> st = db_->Prepare(sql);
  if (!st.ok()) return st.status();
  int pos = 1;
  st->BindInt(pos++, static_cast<int64_t>(filter.min_severity.value_or(Severity::kLow)));
  if (!filter.rule.empty()) st->BindText(pos++, filter.rule);
  st->BindInt(pos, static_cast<int64_t>(filter.limit));
  std::vector<StoredAlert> out;
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<StoredAlert> a = ReadRow(*st);
    if (!a.ok()) return a.status();
    out.push_back(std::move(*a));
  }
  return out;
}

absl::StatusOr<StoredAlert> AlertStore::Get(int64_t id) {
  absl::StatusOr<SqliteStatement> st =
      db_->Prepare(Cat("SELECT ", kColumns, " FROM audit_alerts WHERE id = ?"));
  if (!st.ok()) return st.status();
  st->BindInt(1, id);
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(Cat("no alert ", id));
  return ReadRow(*st);
}

absl::Status AlertStore::MarkDelivery(int64_t id, bool delivered, std::string_view error) {
  absl::StatusOr<SqliteStatement> st = db_->Prepare(
      "UPDATE audit_alerts SET delivered = ?, delivery_attempts = delivery_attempts + 1, "
      "last_error = ? WHERE id = ? RETURNING id");
  if (!st.ok()) return st.status();
  st->BindInt(1, delivered ? 1 : 0);
  st->BindText(2, error);
  st->BindInt(3, id);
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(Cat("no alert ", id));
  while (*row) {
    row = st->Step();
    if (!row.ok()) return row.status();
  }
  return absl::OkStatus();
}

}  // namespace phiguard::audit
