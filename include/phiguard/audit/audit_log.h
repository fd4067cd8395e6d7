// The tamper-evident audit log: every PHI touch becomes one leaf of an RFC 6962 Merkle tree kept
// in an AuditStore. Appends are durable before they return (group commit: concurrent appends
// share one transaction and one fsync); proofs come from stored subtree hashes in O(log n) reads;
// checkpoints sign the tree head with Ed25519; Verify recomputes the whole tree from the stored
// leaves and reports every changed, deleted, inserted, reordered or truncated entry by position.
//
// Fail closed: Append returns an error unless the event is durable; callers must then refuse the
// access they were about to log.
//
// Thread-safety: all methods may be called from many threads at once.
//
//   auto log = AuditLog::Open(OpenSqliteAuditStore(home + "/phiguard.db").value(), audit_key);
//   absl::StatusOr<uint64_t> seq = (*log)->Append(event);   // durable when it returns
//   auto proof = (*log)->ProveInclusion(*seq, (*log)->Head()->size);
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "phiguard/audit/audit_store.h"
#include "phiguard/audit/event.h"
#include "phiguard/audit/merkle.h"
#include "phiguard/crypto/ed25519.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::audit {

struct TreeHead {
  uint64_t size = 0;
  Hash root{};
};

// One problem Verify found. `position` is the leaf index (or tree size for checkpoints).
struct VerifyFinding {
  uint64_t position = 0;
  std::string what;
};

struct VerifyReport {
  uint64_t leaves = 0;            // leaves read
  uint64_t pruned_before = 0;     // entries below this were removed by retention
  uint64_t checkpoints_pruned = 0;  // checkpoints below the retention boundary (not recomputable)
  uint64_t checkpoints_ok = 0;    // signed checkpoints that match the recomputed tree
  bool signatures_checked = false;  // false when no trusted public key was given
  Hash root{};                    // recomputed root over the leaves read
  std::vector<VerifyFinding> findings;  // empty: the log is intact
  bool ok() const { return findings.empty(); }
};

class AuditLog {
 public:
  struct Options {
    // Sign a checkpoint automatically whenever the size passes a multiple of this (0 = never).
    uint64_t checkpoint_every = 0;
    // Required if checkpoint_every. A KeyringSigner must not record its crypto events into this
    // same AuditLog object (it would re-enter the commit); another instance on the store is fine.
    const crypto::Signer* checkpoint_signer = nullptr;
    // Most events written in one transaction.
    size_t max_batch = 8192;
  };

  // Opens the log in `store`, keyed by `audit_key` (pseudonyms of record ids). The store
  // remembers the key's id: opening it with another key is FailedPrecondition, since pseudonyms
  // would silently stop matching.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(std::unique_ptr<AuditStore> store,
                                                        crypto::SecretKey audit_key,
                                                        const Options& options);
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(std::unique_ptr<AuditStore> store,
                                                        crypto::SecretKey audit_key) {
    return Open(std::move(store), std::move(audit_key), Options{});
  }

  // Validates, pseudonymises and appends one event; returns its position (seq) once durable.
  absl::StatusOr<uint64_t> Append(const AuditEvent& event);
  // Appends all events in order, contiguously; returns the first position. All or nothing.
  absl::StatusOr<uint64_t> AppendBatch(absl::Span<const AuditEvent> events);

  absl::StatusOr<TreeHead> Head();
  // MTH of the first `size` leaves (size <= Head().size).
  absl::StatusOr<Hash> RootAt(uint64_t size);
  // The leaf bytes at `seq` and the inclusion proof for it in the tree of `size` leaves.
  absl::StatusOr<std::vector<Hash>> ProveInclusion(uint64_t seq, uint64_t size);
  absl::StatusOr<std::vector<Hash>> ProveConsistency(uint64_t size1, uint64_t size2);
  absl::StatusOr<StoredLeaf> Leaf(uint64_t seq);

  // Signs the current head and stores the checkpoint.
  absl::StatusOr<Checkpoint> MakeCheckpoint(const crypto::Signer& signer);
  absl::StatusOr<std::vector<Checkpoint>> Checkpoints();

  // Recomputes the tree from every stored leaf. With `trusted_public_key` (32 bytes), every
  // checkpoint must carry a valid signature by it; without, signatures are not checked (a
  // finding says so is NOT added; see VerifyReport::signatures_checked).
  absl::StatusOr<VerifyReport> Verify(std::optional<std::string> trusted_public_key);
  // The same, trusting any of `trusted_public_keys` (versions of a rotated keyring sign key);
  // empty: signatures not checked.
  absl::StatusOr<VerifyReport> Verify(const std::vector<std::string>& trusted_public_keys);

  // Retention (45 CFR 164.316(b)(2): six years). Deletes the oldest entries whose time is before
  // `before_us`, up to a multiple of 16 entries so that every proof over the entries kept stays
  // valid (the stored subtree hashes and checkpoints are kept). The prune is itself logged first
  // (action "audit.prune", durable before anything is deleted), and Verify checks that the
  // boundary in the store is the one that entry records. FailedPrecondition if `before_us` is less
  // than six years before `now_us`. Returns the new boundary (first entry kept).
  absl::StatusOr<uint64_t> Prune(int64_t before_us, int64_t now_us);
  // The first entry still stored (0 unless pruned).
  absl::StatusOr<uint64_t> PrunedBefore();

  // Leaves with seq in [begin, end) (end clamped to the size), in order.
  absl::Status ScanLeaves(uint64_t begin, uint64_t end,
                          absl::FunctionRef<absl::Status(const StoredLeaf&)> fn);
  absl::Status ScanLeavesByTime(int64_t from_us, int64_t to_us,
                                absl::FunctionRef<absl::Status(const StoredLeaf&)> fn);

  const crypto::SecretKey& audit_key() const { return audit_key_; }

 private:
  struct Pending;
  AuditLog(std::unique_ptr<AuditStore> store, crypto::SecretKey audit_key, const Options& options,
           MerkleFrontier head);
  // Writes `batch` in one transaction; called by the commit leader with store_mu_ held.
  absl::Status CommitBatch(const std::vector<Pending*>& batch);
  absl::StatusOr<Hash> SubtreeHash(uint64_t begin, uint64_t end);
  absl::StatusOr<Checkpoint> SignHead(const crypto::Signer& signer);
  // Reloads head_ from the store: another process or instance may have appended.
  absl::Status RefreshHead();
  absl::StatusOr<uint64_t> PrunedBeforeLocked();

  std::unique_ptr<AuditStore> store_;
  const crypto::SecretKey audit_key_;
  const crypto::HmacSha256Key audit_mac_;  // audit_key_ prepared for per-event pseudonyms
  const Options options_;

  // Group commit: appenders queue under queue_mu_; whoever finds no commit in flight becomes the
  // leader and writes everything queued so far in one transaction.
  std::mutex queue_mu_;
  std::condition_variable committed_;
  std::deque<Pending*> queue_;
  bool committing_ = false;

  std::mutex store_mu_;   // guards store_ and head_
  MerkleFrontier head_;   // the store's head as last read or written by us
};

}  // namespace phiguard::audit
