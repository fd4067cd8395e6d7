// AuditStore on PostgreSQL (libpq), for deployments where several phiguard instances share one
// log. Appends serialise on a transaction-scoped advisory lock, so every instance extends the
// same tree; COMMIT returns once the WAL is flushed (synchronous_commit=on, the default).
#include <libpq-fe.h>

#include <memory>
#include <utility>

#include "phiguard/audit/audit_store.h"
#include "phiguard/core/strings.h"

namespace phiguard::audit {
namespace {

// Advisory lock key for audit appends ("phiguard" in ASCII, folded to 63 bits).
constexpr char kLockKey[] = "7021696775617264";

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_leaves(
  seq BIGINT PRIMARY KEY, time_us BIGINT NOT NULL, leaf BYTEA NOT NULL, hash BYTEA NOT NULL);
CREATE INDEX IF NOT EXISTS audit_leaves_time ON audit_leaves(time_us);
CREATE TABLE IF NOT EXISTS audit_nodes(
  level INT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY(level, idx));
CREATE TABLE IF NOT EXISTS audit_head(
  id INT PRIMARY KEY CHECK(id = 1), size BIGINT NOT NULL, frontier BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS audit_checkpoints(
  size BIGINT PRIMARY KEY, root BYTEA NOT NULL, time_us BIGINT NOT NULL,
  public_key BYTEA NOT NULL, signature BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql";

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// A bytea in COPY text format: "\\x" + hex (the backslash itself escaped for COPY).
std::string CopyBytea(std::string_view bytes) { return "\\\\x" + HexEncode(bytes); }

class PostgresAuditStore final : public AuditStore {
 public:
  static absl::StatusOr<std::unique_ptr<AuditStore>> Open(const std::string& conninfo) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    std::unique_ptr<PostgresAuditStore> store(new PostgresAuditStore(conn));
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
      // PQerrorMessage names host/port/user, never the password; the conninfo itself is not echoed.
      return absl::UnavailableError(
          Cat("postgresql: cannot connect: ", conn ? PQerrorMessage(conn) : "out of memory"));
    }
    if (absl::Status s = store->Exec("SET client_min_messages = warning"); !s.ok()) return s;
    // Two instances creating the schema at once would race on CREATE ... IF NOT EXISTS.
    if (absl::Status s = store->Exec(Cat("SELECT pg_advisory_lock(", kLockKey, ")")); !s.ok()) return s;
    absl::Status s = store->Exec(kSchema);
    (void)store->Exec(Cat("SELECT pg_advisory_unlock(", kLockKey, ")"));
    if (!s.ok()) return s;
    return std::unique_ptr<AuditStore>(std::move(store));
  }

  ~PostgresAuditStore() override { PQfinish(conn_); }

  absl::StatusOr<MerkleFrontier> LoadHead() override {
    absl::StatusOr<Result> r = Query("SELECT size, frontier FROM audit_head WHERE id = 1", {});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return MerkleFrontier();
    const uint64_t size = std::stoull(PQgetvalue(r->get(), 0, 0));
    const std::string blob = Bytea(r->get(), 0, 1);
    std::vector<Hash> hashes;
    for (size_t i = 0; i + 32 <= blob.size(); i += 32) {
      hashes.push_back(*HashFromBytes(std::string_view(blob).substr(i, 32)));
    }
    absl::StatusOr<MerkleFrontier> f = MerkleFrontier::FromParts(size, std::move(hashes));
    if (blob.size() % 32 != 0 || !f.ok()) return absl::DataLossError("postgresql: audit head is corrupt");
    return f;
  }

  absl::Status Append(
      absl::FunctionRef<absl::StatusOr<Batch>(const MerkleFrontier& head)> build) override {
    if (absl::Status s = Exec("BEGIN"); !s.ok()) return s;
    absl::Status s = AppendInTransaction(build);
    if (!s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
    return Exec("COMMIT");
  }

  absl::StatusOr<std::vector<Hash>> LeafHashes(uint64_t begin, uint64_t end) override {
    absl::StatusOr<Result> r = Query(
        "SELECT seq, hash FROM audit_leaves WHERE seq >= $1 AND seq < $2 ORDER BY seq",
        {std::to_string(begin), std::to_string(end)});
    if (!r.ok()) return r.status();
    std::vector<Hash> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      if (std::stoull(PQgetvalue(r->get(), i, 0)) != begin + out.size()) break;
      absl::StatusOr<Hash> h = HashFromBytes(Bytea(r->get(), i, 1));
      if (!h.ok()) return absl::DataLossError("postgresql: stored leaf hash is not 32 bytes");
      out.push_back(*h);
    }
    if (out.size() != end - begin) {
      return absl::NotFoundError(Cat("audit store: leaf ", begin + out.size(), " is missing"));
    }
    return out;
  }

  absl::StatusOr<std::optional<Hash>> Node(int level, uint64_t index) override {
    absl::StatusOr<Result> r = Query("SELECT hash FROM audit_nodes WHERE level = $1 AND idx = $2",
                                     {std::to_string(level), std::to_string(index)});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return std::optional<Hash>();
    absl::StatusOr<Hash> h = HashFromBytes(Bytea(r->get(), 0, 0));
    if (!h.ok()) return absl::DataLossError("postgresql: stored node hash is not 32 bytes");
    return std::optional<Hash>(*h);
  }

  absl::Status ScanLeaves(uint64_t begin, uint64_t end,
                          absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) override {
    const uint64_t hi = std::min<uint64_t>(end, static_cast<uint64_t>(INT64_MAX));
    return Scan("seq >= $1 AND seq < $2", std::to_string(begin), std::to_string(hi), fn);
  }

  absl::Status ScanLeavesByTime(int64_t from_us, int64_t to_us,
                                absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) override {
    return Scan("time_us >= $1 AND time_us < $2", std::to_string(from_us), std::to_string(to_us), fn);
  }

  absl::Status PutCheckpoint(const Checkpoint& c) override {
    return Query(
               "INSERT INTO audit_checkpoints(size, root, time_us, public_key, signature) "
               "VALUES($1, decode($2, 'hex'), $3, decode($4, 'hex'), decode($5, 'hex')) "
               "ON CONFLICT (size) DO NOTHING",
               {std::to_string(c.size), HexEncode(HashBytes(c.root)), std::to_string(c.time_us),
                HexEncode(c.public_key), HexEncode(c.signature)})
        .status();
  }

  absl::StatusOr<std::vector<Checkpoint>> Checkpoints() override {
    absl::StatusOr<Result> r = Query(
        "SELECT size, root, time_us, public_key, signature FROM audit_checkpoints ORDER BY size", {});
    if (!r.ok()) return r.status();
    std::vector<Checkpoint> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      Checkpoint c;
      c.size = std::stoull(PQgetvalue(r->get(), i, 0));
      absl::StatusOr<Hash> root = HashFromBytes(Bytea(r->get(), i, 1));
      if (!root.ok()) return absl::DataLossError("postgresql: checkpoint root is not 32 bytes");
      c.root = *root;
      c.time_us = std::stoll(PQgetvalue(r->get(), i, 2));
      c.public_key = Bytea(r->get(), i, 3);
      c.signature = Bytea(r->get(), i, 4);
      out.push_back(std::move(c));
    }
    return out;
  }

  absl::StatusOr<std::optional<std::string>> GetMeta(const std::string& key) override {
    absl::StatusOr<Result> r = Query("SELECT value FROM meta WHERE key = $1", {key});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return std::optional<std::string>();
    return std::optional<std::string>(PQgetvalue(r->get(), 0, 0));
  }

  absl::Status PruneLeavesBelow(uint64_t below) override {
    if (absl::Status s = Exec("BEGIN"); !s.ok()) return s;
    absl::Status s = Query("DELETE FROM audit_leaves WHERE seq < $1", {std::to_string(below)}).status();
    if (s.ok()) s = PutMeta("pruned_before", std::to_string(below));
    if (!s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
    return Exec("COMMIT");
  }

  absl::Status PutMeta(const std::string& key, const std::string& value) override {
    return Query(
               "INSERT INTO meta(key, value) VALUES($1, $2) "
               "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
               {key, value})
        .status();
  }

 private:
  explicit PostgresAuditStore(PGconn* conn) : conn_(conn) {}

  absl::Status AppendInTransaction(
      absl::FunctionRef<absl::StatusOr<Batch>(const MerkleFrontier& head)> build) {
    if (absl::Status s = Exec(Cat("SELECT pg_advisory_xact_lock(", kLockKey, ")")); !s.ok()) return s;
    absl::StatusOr<MerkleFrontier> head = LoadHead();
    if (!head.ok()) return head.status();
    absl::StatusOr<Batch> batch = build(*head);
    if (!batch.ok()) return batch.status();
    std::string rows;
    for (const StoredLeaf& l : batch->leaves) {
      rows += Cat(l.seq, "\t", l.time_us, "\t", CopyBytea(l.leaf), "\t", CopyBytea(HashBytes(l.hash)), "\n");
    }
    if (absl::Status s = Copy("COPY audit_leaves(seq, time_us, leaf, hash) FROM STDIN", rows); !s.ok()) {
      return s;
    }
    rows.clear();
    for (const SubtreeNode& n : batch->nodes) {
      rows += Cat(n.level, "\t", n.index, "\t", CopyBytea(HashBytes(n.hash)), "\n");
    }
    if (!rows.empty()) {
      if (absl::Status s = Copy("COPY audit_nodes(level, idx, hash) FROM STDIN", rows); !s.ok()) return s;
    }
    std::string frontier;
    for (const Hash& h : batch->head.hashes()) frontier.append(HashBytes(h));
    return Query(
               "INSERT INTO audit_head(id, size, frontier) VALUES(1, $1, decode($2, 'hex')) "
               "ON CONFLICT (id) DO UPDATE SET size = EXCLUDED.size, frontier = EXCLUDED.frontier",
               {std::to_string(batch->head.size()), HexEncode(frontier)})
        .status();
  }

  absl::Status Error(std::string_view what) const {
    return absl::UnavailableError(Cat("postgresql: ", what, ": ", PQerrorMessage(conn_)));
  }

  absl::Status Exec(const std::string& sql) {
    Result r(PQexec(conn_, sql.c_str()));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error(std::string_view(sql).substr(0, 40));
    return absl::OkStatus();
  }

  // Text parameters only; bytea goes in as hex through decode(). Values never enter messages.
  absl::StatusOr<Result> Query(const char* sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    Result r(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                          nullptr, nullptr, /*resultFormat=*/0));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      return Error(std::string_view(sql).substr(0, 40));
    }
    return r;
  }

  absl::Status Copy(const char* sql, const std::string& rows) {
    Result start(PQexec(conn_, sql));
    if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) return Error("COPY");
    if (PQputCopyData(conn_, rows.data(), static_cast<int>(rows.size())) != 1 ||
        PQputCopyEnd(conn_, nullptr) != 1) {
      return Error("COPY data");
    }
    Result end(PQgetResult(conn_));
    const bool ok = end && PQresultStatus(end.get()) == PGRES_COMMAND_OK;
    while (Result more{PQgetResult(conn_)}) {
    }
    return ok ? absl::OkStatus() : Error("COPY");
  }

  static std::string Bytea(PGresult* r, int row, int col) {
    size_t n = 0;
    unsigned char* raw = PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col)), &n);
    std::string out(reinterpret_cast<const char*>(raw), raw != nullptr ? n : 0);
    PQfreemem(raw);
    return out;
  }

  absl::Status Scan(const char* where, const std::string& lo, const std::string& hi,
                    absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) {
    // Chunks of 10,000 rows keep memory bounded on a log of millions of entries.
    constexpr int kChunk = 10000;
    uint64_t after = 0;
    bool first = true;
    while (true) {
      const std::string sql = Cat("SELECT seq, time_us, leaf, hash FROM audit_leaves WHERE ", where,
                                  first ? "" : " AND seq > $3", " ORDER BY seq LIMIT ", kChunk);
      std::vector<std::string> params = {lo, hi};
      if (!first) params.push_back(std::to_string(after));
      absl::StatusOr<Result> r = Query(sql.c_str(), params);
      if (!r.ok()) return r.status();
      const int n = PQntuples(r->get());
      StoredLeaf leaf;
      for (int i = 0; i < n; ++i) {
        leaf.seq = std::stoull(PQgetvalue(r->get(), i, 0));
        leaf.time_us = std::stoll(PQgetvalue(r->get(), i, 1));
        leaf.leaf = Bytea(r->get(), i, 2);
        absl::StatusOr<Hash> h = HashFromBytes(Bytea(r->get(), i, 3));
        leaf.hash = h.ok() ? *h : Hash{};
        if (absl::Status s = fn(leaf); !s.ok()) return s;
        after = leaf.seq;
      }
      if (n < kChunk) return absl::OkStatus();
      first = false;
    }
  }

  PGconn* conn_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AuditStore>> OpenPostgresAuditStore(const std::string& conninfo) {
  return PostgresAuditStore::Open(conninfo);
}

absl::StatusOr<std::unique_ptr<AuditStore>> OpenAuditStore(const std::string& location) {
  const std::string_view loc = location;
  if (loc.substr(0, 13) == "postgresql://" || loc.substr(0, 11) == "postgres://") {
    return OpenPostgresAuditStore(location);
  }
  if (loc.substr(0, 3) == "pg:") return OpenPostgresAuditStore(location.substr(3));
  return OpenSqliteAuditStore(location);
}

}  // namespace phiguard::audit
