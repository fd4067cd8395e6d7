// Where the audit log keeps its entries: the leaves (exact bytes hashed), the hashes of completed
// perfect subtrees (for proofs in O(log n) reads), the tree head and signed checkpoints. The
// embedded default is SQLite (one file, WAL, fsync on commit); the interface is what a PostgreSQL
// store implements for deployments with several instances.
//
// The store is trusted for durability, not for integrity: `AuditLog::Verify` recomputes everything
// from the leaves and checks the signed checkpoints, so edits made behind phiguard's back are found.
// Implementations need not be thread-safe; AuditLog serialises calls.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "phiguard/audit/merkle.h"

namespace phiguard::audit {

// Subtrees below this level are recomputed from leaf hashes (at most 2^kStoredMinLevel reads)
// rather than stored: one extra row per 16 events instead of per event.
inline constexpr int kStoredMinLevel = 4;

struct StoredLeaf {
  uint64_t seq = 0;
  int64_t time_us = 0;
  std::string leaf;  // the exact bytes hashed: LeafHash(leaf)
  Hash hash{};       // LeafHash(leaf) as written at append time
};

struct SubtreeNode {
  int level = 0;  // covers leaves [index << level, (index + 1) << level)
  uint64_t index = 0;
  Hash hash{};
};

// A signed statement "the log had `size` entries with root `root` at `time_us`".
struct Checkpoint {
  uint64_t size = 0;
  Hash root{};
  int64_t time_us = 0;
  std::string public_key;  // Ed25519, 32 bytes: which key signed (trust it only if pinned)
  std::string signature;   // Ed25519 over SignedMessage()
  // "phiguard audit checkpoint v1\n<size>\n<root hex>\n<time_us>\n": what is signed.
  std::string SignedMessage() const;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // The durable tree head (size and frontier); the empty tree for a new store.
  virtual absl::StatusOr<MerkleFrontier> LoadHead() = 0;
  // What one append transaction writes: the leaves (seq continuing from the head it was built
  // on), the subtree nodes they complete (levels >= kStoredMinLevel) and the new head.
  struct Batch {
    std::vector<StoredLeaf> leaves;
    std::vector<SubtreeNode> nodes;
    MerkleFrontier head;
  };
  // In ONE durable transaction that excludes every other writer (other threads, processes or
  // instances sharing the store): reads the current head, calls `build` with it and writes what
  // it returns. Returns only once durable; on any error nothing of the batch is stored.
  virtual absl::Status Append(
      absl::FunctionRef<absl::StatusOr<Batch>(const MerkleFrontier& head)> build) = 0;
  // Stored leaf hashes of seq in [begin, end), in order. NotFound if any is missing.
  virtual absl::StatusOr<std::vector<Hash>> LeafHashes(uint64_t begin, uint64_t end) = 0;
  // A stored subtree hash; nullopt when there is no such row.
  virtual absl::StatusOr<std::optional<Hash>> Node(int level, uint64_t index) = 0;
  // Leaves with seq in [begin, end) in seq order, as stored (gaps and all), to `fn`; stops at
  // the first error `fn` returns.
  virtual absl::Status ScanLeaves(uint64_t begin, uint64_t end,
                                  absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) = 0;
  // Leaves with time_us in [from_us, to_us) in seq order.
  virtual absl::Status ScanLeavesByTime(int64_t from_us, int64_t to_us,
                                        absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) = 0;
  virtual absl::Status PutCheckpoint(const Checkpoint& checkpoint) = 0;
  // All checkpoints, by size.
  virtual absl::StatusOr<std::vector<Checkpoint>> Checkpoints() = 0;
  // Small named values (schema version, the audit key's id).
  virtual absl::StatusOr<std::optional<std::string>> GetMeta(const std::string& key) = 0;
  virtual absl::Status PutMeta(const std::string& key, const std::string& value) = 0;
  // In one durable transaction: deletes the leaves with seq < `below` and records `below` as
  // meta "pruned_before". Subtree hashes and checkpoints are kept, so proofs stay valid.
  virtual absl::Status PruneLeavesBelow(uint64_t below) = 0;
};

// The SQLite store in `path` (created with its tables if new). Errors name the path.
absl::StatusOr<std::unique_ptr<AuditStore>> OpenSqliteAuditStore(const std::string& path);

// The PostgreSQL store at `conninfo` (a libpq connection string or postgresql:// URI; tables
// created if missing). Several phiguard instances may share it: appends serialise on an advisory
// lock inside their transaction. Errors never echo the connection string (it may hold a password).
absl::StatusOr<std::unique_ptr<AuditStore>> OpenPostgresAuditStore(const std::string& conninfo);

// PostgreSQL for "postgresql://..." / "postgres://..." / "pg:<conninfo>", SQLite otherwise.
absl::StatusOr<std::unique_ptr<AuditStore>> OpenAuditStore(const std::string& location);

}  // namespace phiguard::audit
