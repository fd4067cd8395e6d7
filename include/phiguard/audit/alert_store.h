// Where anomaly alerts live: tables `audit_alerts` and `audit_watch_state` in the same SQLite
// database as the audit log (the log's own tables are untouched). A watch pass records its new
// alerts and the last event it judged in ONE transaction, so a crash never loses an alert nor
// judges an event twice; an alert seen again (same rule, identity and day or event, see
// Alert::dedup_key) is stored once. Webhook delivery state is kept per alert: an alert that could
// not be delivered stays stored, marked undelivered, and is retried on the next pass.
//
// Alerts hold no PHI (see anomaly.h), so the table is as safe to show as the log's pseudonyms.
// Not thread-safe: one AlertStore per thread; several processes may share the file (SQLite locks).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/audit/anomaly.h"

namespace phiguard::store {
class SqliteDb;
}

namespace phiguard::audit {

struct StoredAlert {
  int64_t id = 0;  // increasing, assigned on insert
  Alert alert;
  int64_t created_us = 0;
  bool delivered = false;     // the webhook acknowledged it (2xx)
  int delivery_attempts = 0;  // delivery passes that tried it (each up to max_attempts POSTs)
  std::string last_error;     // why the last delivery failed (no PHI: status and host only)
};

// The alert as JSON (one object): id, rule, severity, identity, time (RFC 3339), explanation,
// seqs, created, delivered, delivery_attempts. What `audit alerts --json` prints and the webhook
// receives.
std::string AlertToJson(const StoredAlert& a);

class AlertStore {
 public:
  // Opens the database at `path` (created if missing) and its alert tables. Errors name the path.
  static absl::StatusOr<std::unique_ptr<AlertStore>> Open(const std::string& path);
  ~AlertStore();
  // Not copyable: owns a database connection.
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  // The end (exclusive) of the events judged so far: 0 before the first pass.
  absl::StatusOr<uint64_t> WatchedEnd();
  // In one transaction: stores the alerts whose dedup_key is new and moves the watched end to
  // `watched_end` (never backwards). Returns the ids of the alerts stored.
  absl::StatusOr<std::vector<int64_t>> Record(const std::vector<Alert>& alerts,
                                              uint64_t watched_end);

  struct Filter {
    std::string rule;               // empty: any rule
    bool undelivered_only = false;  // only alerts the webhook has not acknowledged
    std::optional<Severity> min_severity;
    size_t limit = 1000;            // newest first
  };
  absl::StatusOr<std::vector<StoredAlert>> List(const Filter& filter);
  absl::StatusOr<StoredAlert> Get(int64_t id);
  // Records one delivery attempt's result. NotFound for an unknown id.
  absl::Status MarkDelivery(int64_t id, bool delivered, std::string_view error);

 private:
  explicit AlertStore(std::unique_ptr<store::SqliteDb> db);
  std::unique_ptr<store::SqliteDb> db_;
};

}  // namespace phiguard::audit
