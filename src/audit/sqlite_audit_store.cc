// AuditStore on SQLite: the embedded default (one file, WAL, fsync at every commit).
#include <utility>

#include "phiguard/audit/audit_store.h"
#include "phiguard/core/strings.h"
#include "phiguard/store/sqlite.h"

namespace phiguard::audit {
namespace {

using store::SqliteDb;
using store::SqliteStatement;
using store::SqliteTransaction;

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_leaves(
  seq INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, leaf BLOB NOT NULL, hash BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS audit_leaves_time ON audit_leaves(time_us);
CREATE TABLE IF NOT EXISTS audit_nodes(
  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_head(
  id INTEGER PRIMARY KEY CHECK(id = 1), size INTEGER NOT NULL, frontier BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS audit_checkpoints(
  size INTEGER PRIMARY KEY, root BLOB NOT NULL, time_us INTEGER NOT NULL,
  public_key BLOB NOT NULL, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql";

absl::StatusOr<Hash> HashColumn(const SqliteStatement& st, int col, std::string_view what) {
  absl::StatusOr<Hash> h = HashFromBytes(st.ColumnBlob(col));
  if (!h.ok()) return absl::DataLossError(Cat("audit store: ", what, ": ", h.status().message()));
  return h;
}

class SqliteAuditStore final : public AuditStore {
 public:
  static absl::StatusOr<std::unique_ptr<AuditStore>> Open(const std::string& path) {
    absl::StatusOr<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path);
    if (!db.ok()) return db.status();
    if (absl::Status s = (*db)->Exec(kSchema); !s.ok()) return s;
    std::unique_ptr<SqliteAuditStore> store(new SqliteAuditStore(std::move(*db)));
    if (absl::Status s = store->PrepareAll(); !s.ok()) return s;
    return std::unique_ptr<AuditStore>(std::move(store));
  }

  absl::StatusOr<MerkleFrontier> LoadHead() override {
    SqliteStatement& st = *load_head_;
    absl::StatusOr<bool> row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      st.Reset();
      return MerkleFrontier();
    }
    const uint64_t size = static_cast<uint64_t>(st.ColumnInt(0));
    std::string_view blob = st.ColumnBlob(1);
    std::vector<Hash> hashes;
    for (size_t i = 0; i + 32 <= blob.size(); i += 32) {
      hashes.push_back(*HashFromBytes(blob.substr(i, 32)));
    }
    const bool whole = blob.size() % 32 == 0;
    st.Reset();
    absl::StatusOr<MerkleFrontier> f = MerkleFrontier::FromParts(size, std::move(hashes));
    if (!whole || !f.ok()) return absl::DataLossError(Cat(db_->path(), ": audit head is corrupt"));
    return f;
  }

  absl::Status Append(
      absl::FunctionRef<absl::StatusOr<Batch>(const MerkleFrontier& head)> build) override {
    // BEGIN IMMEDIATE takes SQLite's write lock now, so the head read below cannot go stale:
    // another process appending to the same file waits (busy timeout) instead of forking the tree.
    absl::StatusOr<SqliteTransaction> tx = SqliteTransaction::Begin(*db_);
    if (!tx.ok()) return tx.status();
    absl::StatusOr<MerkleFrontier> head = LoadHead();
    if (!head.ok()) return head.status();
    absl::StatusOr<Batch> batch = build(*head);
    if (!batch.ok()) return batch.status();
    for (const StoredLeaf& l : batch->leaves) {
      SqliteStatement& st = *insert_leaf_;
      st.BindInt(1, static_cast<int64_t>(l.seq));
      st.BindInt(2, l.time_us);
      st.BindBlob(3, l.leaf);
      st.BindBlob(4, HashBytes(l.hash));
      if (absl::Status s = st.Run(); !s.ok()) return s;
    }
    for (const SubtreeNode& n : batch->nodes) {
      SqliteStatement& st = *insert_node_;
      st.BindInt(1, n.level);
      st.BindInt(2, static_cast<int64_t>(n.index));
      st.BindBlob(3, HashBytes(n.hash));
      if (absl::Status s = st.Run(); !s.ok()) return s;
    }
    std::string frontier;
    for (const Hash& h : batch->head.hashes()) frontier.append(HashBytes(h));
    SqliteStatement& st = *put_head_;
    st.BindInt(1, static_cast<int64_t>(batch->head.size()));
    st.BindBlob(2, frontier);
    if (absl::Status s = st.Run(); !s.ok()) return s;
    return tx->Commit();
  }

  absl::StatusOr<std::vector<Hash>> LeafHashes(uint64_t begin, uint64_t end) override {
    std::vector<Hash> out;
    SqliteStatement& st = *leaf_hashes_;
    st.BindInt(1, static_cast<int64_t>(begin));
    st.BindInt(2, static_cast<int64_t>(end));
    absl::StatusOr<bool> row;
    while ((row = st.Step()).ok() && *row) {
      if (static_cast<uint64_t>(st.ColumnInt(0)) != begin + out.size()) break;
      absl::StatusOr<Hash> h = HashColumn(st, 1, "leaf hash");
      if (!h.ok()) {
        st.Reset();
        return h.status();
      }
      out.push_back(*h);
    }
    st.Reset();
    if (!row.ok()) return row.status();
    if (out.size() != end - begin) {
      return absl::NotFoundError(
          Cat("audit store: leaf ", begin + out.size(), " is missing (range ", begin, "..", end, ")"));
    }
    return out;
  }

  absl::StatusOr<std::optional<Hash>> Node(int level, uint64_t index) override {
    SqliteStatement& st = *get_node_;
    st.BindInt(1, level);
    st.BindInt(2, static_cast<int64_t>(index));
    absl::StatusOr<bool> row = st.Step();
    std::optional<Hash> out;
    absl::Status s = row.status();
    if (s.ok() && *row) {
      absl::StatusOr<Hash> h = HashColumn(st, 0, "node hash");
      if (h.ok()) out = *h;
      s = h.status();
    }
    st.Reset();
    if (!s.ok()) return s;
    return out;
  }

  absl::Status ScanLeaves(uint64_t begin, uint64_t end,
                          absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) override {
    // Clamp: SQLite integers are signed.
    const int64_t hi = end > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(end);
    return Scan(*scan_leaves_, static_cast<int64_t>(begin), hi, fn);
  }

  absl::Status ScanLeavesByTime(int64_t from_us, int64_t to_us,
                                absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) override {
    return Scan(*scan_by_time_, from_us, to_us, fn);
  }

  absl::Status PutCheckpoint(const Checkpoint& c) override {
    SqliteStatement& st = *put_checkpoint_;
    st.BindInt(1, static_cast<int64_t>(c.size));
    st.BindBlob(2, HashBytes(c.root));
    st.BindInt(3, c.time_us);
    st.BindBlob(4, c.public_key);
    st.BindBlob(5, c.signature);
    return st.Run();
  }

  absl::StatusOr<std::vector<Checkpoint>> Checkpoints() override {
    std::vector<Checkpoint> out;
    SqliteStatement& st = *checkpoints_;
    absl::StatusOr<bool> row;
    absl::Status s;
    while (s.ok() && (row = st.Step()).ok() && *row) {
      Checkpoint c;
      c.size = static_cast<uint64_t>(st.ColumnInt(0));
      absl::StatusOr<Hash> root = HashColumn(st, 1, "checkpoint root");
      s = root.status();
      if (root.ok()) c.root = *root;
      c.time_us = st.ColumnInt(2);
      c.public_key = std::string(st.ColumnBlob(3));
      c.signature = std::string(st.ColumnBlob(4));
      out.push_back(std::move(c));
    }
    st.Reset();
    if (!s.ok()) return s;
    if (!row.ok()) return row.status();
    return out;
  }

  absl::StatusOr<std::optional<std::string>> GetMeta(const std::string& key) override {
    SqliteStatement& st = *get_meta_;
    st.BindText(1, key);
    absl::StatusOr<bool> row = st.Step();
    std::optional<std::string> out;
    if (row.ok() && *row) out = std::string(st.ColumnBlob(0));
    st.Reset();
    if (!row.ok()) return row.status();
    return out;
  }

  absl::Status PruneLeavesBelow(uint64_t below) override {
    absl::StatusOr<SqliteTransaction> tx = SqliteTransaction::Begin(*db_);
    if (!tx.ok()) return tx.status();
    absl::Status s = db_->Exec(Cat("DELETE FROM audit_leaves WHERE seq < ", below));
    if (s.ok()) s = PutMeta("pruned_before", std::to_string(below));
    if (!s.ok()) return s;
    return tx->Commit();
  }

  absl::Status PutMeta(const std::string& key, const std::string& value) override {
    SqliteStatement& st = *put_meta_;
    st.BindText(1, key);
    st.BindText(2, value);
    return st.Run();
  }

 private:
  explicit SqliteAuditStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  absl::Status PrepareAll() {
    struct {
      std::optional<SqliteStatement>* slot;
      const char* sql;
    } const statements[] = {
        {&load_head_, "SELECT size, frontier FROM audit_head WHERE id = 1"},
        {&put_head_, "INSERT OR REPLACE INTO audit_head(id, size, frontier) VALUES(1, ?, ?)"},
        {&insert_leaf_, "INSERT INTO audit_leaves(seq, time_us, leaf, hash) VALUES(?, ?, ?, ?)"},
        {&insert_node_, "INSERT OR REPLACE INTO audit_nodes(level, idx, hash) VALUES(?, ?, ?)"},
        {&leaf_hashes_, "SELECT seq, hash FROM audit_leaves WHERE seq >= ? AND seq < ? ORDER BY seq"},
        {&get_node_, "SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?"},
        {&scan_leaves_,
         "SELECT seq, time_us, leaf, hash FROM audit_leaves WHERE seq >= ? AND seq < ? ORDER BY seq"},
        {&scan_by_time_,
         "SELECT seq, time_us, leaf, hash FROM audit_leaves WHERE time_us >= ? AND time_us < ? "
         "ORDER BY seq"},
        {&put_checkpoint_,
         "INSERT OR IGNORE INTO audit_checkpoints(size, root, time_us, public_key, signature) "
         "VALUES(?, ?, ?, ?, ?)"},
        {&checkpoints_,
         "SELECT size, root, time_us, public_key, signature FROM audit_checkpoints ORDER BY size"},
        {&get_meta_, "SELECT value FROM meta WHERE key = ?"},
        {&put_meta_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"},
    };
    for (const auto& s : statements) {
      absl::StatusOr<SqliteStatement> st = db_->Prepare(s.sql);
      if (!st.ok()) return st.status();
      s.slot->emplace(std::move(*st));
    }
    return absl::OkStatus();
  }

  absl::Status Scan(SqliteStatement& st, int64_t lo, int64_t hi,
                    absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) {
    st.BindInt(1, lo);
    st.BindInt(2, hi);
    absl::StatusOr<bool> row;
    absl::Status s;
    StoredLeaf leaf;
    while (s.ok() && (row = st.Step()).ok() && *row) {
      leaf.seq = static_cast<uint64_t>(st.ColumnInt(0));
      leaf.time_us = st.ColumnInt(1);
      leaf.leaf.assign(st.ColumnBlob(2));
      // A stored hash of the wrong size is reported by the verifier, not here: keep zeros.
      absl::StatusOr<Hash> h = HashFromBytes(st.ColumnBlob(3));
      leaf.hash = h.ok() ? *h : Hash{};
      s = fn(leaf);
    }
    st.Reset();
    if (!s.ok()) return s;
    return row.status();
  }

  std::unique_ptr<SqliteDb> db_;
  std::optional<SqliteStatement> load_head_, put_head_, insert_leaf_, insert_node_, leaf_hashes_,
      get_node_, scan_leaves_, scan_by_time_, put_checkpoint_, checkpoints_, get_meta_, put_meta_;
};

}  // namespace

std::string Checkpoint::SignedMessage() const {
  return Cat("phiguard audit checkpoint v1\n", size, "\n", HexEncode(HashBytes(root)), "\n",
             time_us, "\n");
}

absl::StatusOr<std::unique_ptr<AuditStore>> OpenSqliteAuditStore(const std::string& path) {
  return SqliteAuditStore::Open(path);
}

}  // namespace phiguard::audit
