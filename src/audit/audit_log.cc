#include "phiguard/audit/audit_log.h"

#include <algorithm>

#include <bit>
#include <utility>

#include "absl/time/clock.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/hmac.h"

namespace phiguard::audit {
namespace {

constexpr size_t kMaxFindings = 1000;
// 45 CFR 164.316(b)(2): documentation is kept six years; 6 x 365.25 days.
constexpr int64_t kMinRetentionUs = int64_t{6} * 36525 * 86'400'000'000 / 100;
constexpr std::string_view kPruneAction = "\"action\":\"audit.prune\"";
constexpr std::string_view kPruneNote = "retention: entries below ";

// The boundary an audit.prune entry records in its description; nullopt if it is not one.
std::optional<uint64_t> PruneBoundary(std::string_view leaf) {
  if (leaf.find(kPruneAction) == std::string_view::npos) return std::nullopt;
  absl::StatusOr<StoredEvent> e = DecodeLeaf(leaf);
  if (!e.ok() || e->event.action != "audit.prune") return std::nullopt;
  std::string_view d = e->event.description;
  if (d.substr(0, kPruneNote.size()) != kPruneNote) return std::nullopt;
  d.remove_prefix(kPruneNote.size());
  uint64_t n = 0;
  if (!ParseNumber(d.substr(0, d.find(' ')), n)) return std::nullopt;
  return n;
}

std::string KeyId(const crypto::SecretKey& key) {
  const crypto::Sha256Digest d = crypto::HmacSha256(key, "phiguard audit key id");
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), 8));
}

// The seq a leaf claims for itself, from its fixed prefix {"v":1,"seq":N,...}; nullopt if the
// prefix is not there. Cheaper than a JSON parse for every leaf of a verify.
std::optional<uint64_t> ClaimedSeq(std::string_view leaf) {
  constexpr std::string_view kPrefix = "{\"v\":1,\"seq\":";
  if (leaf.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  uint64_t n = 0;
  size_t i = kPrefix.size();
  const size_t start = i;
  for (; i < leaf.size() && leaf[i] >= '0' && leaf[i] <= '9' && i - start < 20; ++i) {
    n = n * 10 + static_cast<uint64_t>(leaf[i] - '0');
  }
  if (i == start || i >= leaf.size() || leaf[i] != ',') return std::nullopt;
  return n;
}

}  // namespace

// One AppendBatch call waiting in the group-commit queue.
struct AuditLog::Pending {
  std::vector<std::string> bodies;
  std::vector<int64_t> times_us;
  uint64_t first_seq = 0;
  absl::Status status;
  bool done = false;
};

AuditLog::AuditLog(std::unique_ptr<AuditStore> store, crypto::SecretKey audit_key,
                   const Options& options, MerkleFrontier head)
    : store_(std::move(store)),
      audit_key_(std::move(audit_key)),
      audit_mac_(audit_key_),
      options_(options),
      head_(std::move(head)) {}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(std::unique_ptr<AuditStore> store,
                                                         crypto::SecretKey audit_key,
                                                         const Options& options) {
  if (options.checkpoint_every > 0 && options.checkpoint_signer == nullptr) {
    return absl::InvalidArgumentError("audit log: checkpoint_every needs a checkpoint_signer");
  }
  const std::string key_id = KeyId(audit_key);
  absl::StatusOr<std::optional<std::string>> stored = store->GetMeta("audit_key_id");
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    if (absl::Status s = store->PutMeta("audit_key_id", key_id); !s.ok()) return s;
  } else if (**stored != key_id) {
    return absl::FailedPreconditionError(
        Cat("audit log was created with audit key ", **stored, ", not this key (", key_id,
            "): pseudonyms would not match"));
  }
  absl::StatusOr<MerkleFrontier> head = store->LoadHead();
  if (!head.ok()) return head.status();
  return std::unique_ptr<AuditLog>(
      new AuditLog(std::move(store), std::move(audit_key), options, std::move(*head)));
}

absl::StatusOr<uint64_t> AuditLog::Append(const AuditEvent& event) {
  return AppendBatch(absl::MakeConstSpan(&event, 1));
}

absl::StatusOr<uint64_t> AuditLog::AppendBatch(absl::Span<const AuditEvent> events) {
  if (events.empty()) return absl::InvalidArgumentError("audit log: empty batch");
  Pending p;
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  // Validation, pseudonyms and JSON happen here, in the caller's thread, off the commit path.
  for (size_t i = 0; i < events.size(); ++i) {
    if (absl::Status s = ValidateEvent(events[i]); !s.ok()) {
      return events.size() == 1 ? s
                                : absl::InvalidArgumentError(Cat("event ", i, ": ", s.message()));
    }
    p.times_us.push_back(events[i].time.empty() ? now_us : *ParseRfc3339Micros(events[i].time));
    p.bodies.push_back(EncodeLeafBody(events[i], audit_mac_, now_us));
  }

  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_.push_back(&p);
  while (!p.done) {
    if (committing_) {
      committed_.wait(lock);
      continue;
    }
    // Lead: take everything queued (up to max_batch events) into one transaction.
    committing_ = true;
    std::vector<Pending*> batch;
    size_t n = 0;
    while (!queue_.empty() && (batch.empty() || n + queue_.front()->bodies.size() <= options_.max_batch)) {
      n += queue_.front()->bodies.size();
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    absl::Status s;
    {
      std::lock_guard<std::mutex> store_lock(store_mu_);
      s = CommitBatch(batch);
    }
    lock.lock();
    for (Pending* q : batch) {
      if (!s.ok()) q->status = s;
      q->done = true;
    }
    committing_ = false;
    committed_.notify_all();
  }
  if (!p.status.ok()) return p.status;
  return p.first_seq;
}

absl::Status AuditLog::CommitBatch(const std::vector<Pending*>& batch) {
  // Built from the head the store holds inside its write transaction, which is ours unless
  // another process or instance appended meanwhile.
  auto build = [&](const MerkleFrontier& head) -> absl::StatusOr<AuditStore::Batch> {
    AuditStore::Batch out;
    out.head = head;
    for (Pending* p : batch) {
      p->first_seq = out.head.size();
      for (size_t i = 0; i < p->bodies.size(); ++i) {
        StoredLeaf l;
        l.seq = out.head.size();
        l.time_us = p->times_us[i];
        l.leaf = EncodeLeaf(l.seq, p->bodies[i]);
        l.hash = LeafHash(l.leaf);
        out.head.Append(l.hash, [&](int level, uint64_t index, const Hash& h) {
          if (level >= kStoredMinLevel) out.nodes.push_back({level, index, h});
        });
        out.leaves.push_back(std::move(l));
      }
    }
    return out;
  };
  std::optional<MerkleFrontier> written;
  auto build_and_keep = [&](const MerkleFrontier& head) -> absl::StatusOr<AuditStore::Batch> {
    absl::StatusOr<AuditStore::Batch> b = build(head);
    if (b.ok()) written = b->head;
    return b;
  };
  if (absl::Status s = store_->Append(build_and_keep); !s.ok()) {
    return absl::Status(s.code(), Cat("audit append not durable: ", s.message()));
  }
  const uint64_t before = head_.size();
  head_ = std::move(*written);
  const uint64_t every = options_.checkpoint_every;
  if (every > 0 && before / every != head_.size() / every) {
    // The events are durable already; a failed checkpoint is retried at the next boundary and
    // must not make callers append them again.
    (void)SignHead(*options_.checkpoint_signer);
  }
  return absl::OkStatus();
}

absl::StatusOr<Hash> AuditLog::SubtreeHash(uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    const int level = std::countr_zero(n);
    if (level >= kStoredMinLevel) {
      absl::StatusOr<std::optional<Hash>> node = store_->Node(level, begin >> level);
      if (!node.ok()) return node.status();
      if (!node->has_value()) {
        return absl::DataLossError(Cat("audit store: subtree hash for leaves ", begin, "..", end - 1,
                                       " is missing; run `phiguard audit verify`"));
      }
      return **node;
    }
  }
  if (n <= (uint64_t{1} << kStoredMinLevel)) {
    absl::StatusOr<std::vector<Hash>> leaves = store_->LeafHashes(begin, end);
    if (!leaves.ok()) return leaves.status();
    return RootFromLeafHashes(*leaves);
  }
  const uint64_t k = std::bit_floor(n - 1);
  absl::StatusOr<Hash> left = SubtreeHash(begin, begin + k);
  if (!left.ok()) return left;
  absl::StatusOr<Hash> right = SubtreeHash(begin + k, end);
  if (!right.ok()) return right;
  return NodeHash(*left, *right);
}

absl::Status AuditLog::RefreshHead() {
  absl::StatusOr<MerkleFrontier> h = store_->LoadHead();
  if (!h.ok()) return h.status();
  head_ = std::move(*h);
  return absl::OkStatus();
}

absl::StatusOr<TreeHead> AuditLog::Head() {
  std::lock_guard<std::mutex> lock(store_mu_);
  if (absl::Status s = RefreshHead(); !s.ok()) return s;
  return TreeHead{head_.size(), head_.Root()};
}

absl::StatusOr<Hash> AuditLog::RootAt(uint64_t size) {
  std::lock_guard<std::mutex> lock(store_mu_);
  if (absl::Status s = RefreshHead(); !s.ok()) return s;
  if (size > head_.size()) {
    return absl::InvalidArgumentError(Cat("tree size ", size, " is above the log size ", head_.size()));
  }
  if (size == head_.size()) return head_.Root();
  if (size == 0) return EmptyRoot();
  return SubtreeHash(0, size);
}

absl::StatusOr<std::vector<Hash>> AuditLog::ProveInclusion(uint64_t seq, uint64_t size) {
  std::lock_guard<std::mutex> lock(store_mu_);
  if (absl::Status s = RefreshHead(); !s.ok()) return s;
  if (size > head_.size()) {
    return absl::InvalidArgumentError(Cat("tree size ", size, " is above the log size ", head_.size()));
  }
  auto mth = [this](uint64_t b, uint64_t e) { return SubtreeHash(b, e); };
  return InclusionProof(seq, size, mth);
}

absl::StatusOr<std::vector<Hash>> AuditLog::ProveConsistency(uint64_t size1, uint64_t size2) {
  std::lock_guard<std::mutex> lock(store_mu_);
  if (absl::Status s = RefreshHead(); !s.ok()) return s;
  if (size2 > head_.size()) {
    return absl::InvalidArgumentError(Cat("tree size ", size2, " is above the log size ", head_.size()));
  }
  auto mth = [this](uint64_t b, uint64_t e) { return SubtreeHash(b, e); };
  return ConsistencyProof(size1, size2, mth);
}

absl::StatusOr<StoredLeaf> AuditLog::Leaf(uint64_t seq) {
  std::lock_guard<std::mutex> lock(store_mu_);
  if (absl::Status s = RefreshHead(); !s.ok()) return s;
  if (seq >= head_.size()) {
    return absl::InvalidArgumentError(Cat("entry ", seq, " is not below the log size ", head_.size()));
  }
  std::optional<StoredLeaf> found;
  absl::Status s = store_->ScanLeaves(seq, seq + 1, [&](const StoredLeaf& l) {
    found = l;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!found.has_value()) return absl::DataLossError(Cat("entry ", seq, " is missing from the store"));
  return *found;
}

absl::StatusOr<Checkpoint> AuditLog::SignHead(const crypto::Signer& signer) {
  if (absl::Status s = RefreshHead(); !s.ok()) return s;
  Checkpoint c;
  c.size = head_.size();
  c.root = head_.Root();
  c.time_us = absl::ToUnixMicros(absl::Now());
  absl::StatusOr<crypto::Signature> sig = signer.SignMessage(c.SignedMessage());
  if (!sig.ok()) return sig.status();
  c.public_key = std::move(sig->public_key);
  c.signature = std::move(sig->bytes);
  if (absl::Status s = store_->PutCheckpoint(c); !s.ok()) return s;
  return c;
}

absl::StatusOr<Checkpoint> AuditLog::MakeCheckpoint(const crypto::Signer& signer) {
  std::lock_guard<std::mutex> lock(store_mu_);
  return SignHead(signer);
}

absl::StatusOr<std::vector<Checkpoint>> AuditLog::Checkpoints() {
  std::lock_guard<std::mutex> lock(store_mu_);
  return store_->Checkpoints();
}

absl::Status AuditLog::ScanLeaves(uint64_t begin, uint64_t end,
                                  absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) {
  std::lock_guard<std::mutex> lock(store_mu_);
  if (absl::Status s = RefreshHead(); !s.ok()) return s;
  return store_->ScanLeaves(begin, std::min(end, head_.size()), fn);
}

absl::Status AuditLog::ScanLeavesByTime(int64_t from_us, int64_t to_us,
                                        absl::FunctionRef<absl::Status(const StoredLeaf&)> fn) {
  std::lock_guard<std::mutex> lock(store_mu_);
  return store_->ScanLeavesByTime(from_us, to_us, fn);
}

absl::StatusOr<uint64_t> AuditLog::PrunedBefore() {
  std::lock_guard<std::mutex> lock(store_mu_);
  return PrunedBeforeLocked();
}

absl::StatusOr<uint64_t> AuditLog::PrunedBeforeLocked() {
  absl::StatusOr<std::optional<std::string>> v = store_->GetMeta("pruned_before");
  if (!v.ok()) return v.status();
  uint64_t n = 0;
  if (v->has_value() && !ParseNumber(**v, n)) return absl::DataLossError("audit store: bad pruned_before");
  return n;
}

absl::StatusOr<uint64_t> AuditLog::Prune(int64_t before_us, int64_t now_us) {
  if (before_us > now_us - kMinRetentionUs) {
    return absl::FailedPreconditionError(
        "retention: audit entries must be kept at least six years (45 CFR 164.316(b)(2)); "
        "pick a date at least six years back");
  }
  uint64_t current = 0;
  uint64_t first_kept = 0;
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    absl::StatusOr<uint64_t> c = PrunedBeforeLocked();
    if (!c.ok()) return c.status();
    current = first_kept = *c;
    if (absl::Status s = RefreshHead(); !s.ok()) return s;
    // Entries are appended in roughly time order: stop at the first one young enough to keep.
    absl::Status s = store_->ScanLeaves(current, head_.size(), [&](const StoredLeaf& l) {
      if (l.time_us >= before_us) return absl::CancelledError("young enough");
      first_kept = l.seq + 1;
      return absl::OkStatus();
    });
    if (!s.ok() && !absl::IsCancelled(s)) return s;
  }
  // A multiple of 16: every subtree below the boundary is then a stored node, and the low-level
  // hashes any proof of a kept entry needs stay in its own (kept) block of 16.
  const uint64_t boundary = first_kept / (uint64_t{1} << kStoredMinLevel) << kStoredMinLevel;
  if (boundary <= current) return current;
  AuditEvent e;
  e.actor.id = "phiguard";
  e.actor.role = "system";
  e.action = "audit.prune";
  e.outcome = "success";
  e.description = Cat(kPruneNote, boundary, " removed (older than ", FormatRfc3339Micros(before_us), ")");
  // Logged (durably) before anything is deleted: no record, no prune.
  if (absl::StatusOr<uint64_t> seq = Append(e); !seq.ok()) return seq.status();
  std::lock_guard<std::mutex> lock(store_mu_);
  if (absl::Status s = store_->PruneLeavesBelow(boundary); !s.ok()) return s;
  return boundary;
}

absl::StatusOr<VerifyReport> AuditLog::Verify(std::optional<std::string> trusted_public_key) {
  std::vector<std::string> trusted;
  if (trusted_public_key.has_value()) trusted.push_back(std::move(*trusted_public_key));
  return Verify(trusted);
}

absl::StatusOr<VerifyReport> AuditLog::Verify(const std::vector<std::string>& trusted_public_keys) {
  std::lock_guard<std::mutex> lock(store_mu_);
  VerifyReport report;
  auto find = [&](uint64_t position, std::string what) {
    if (report.findings.size() < kMaxFindings) report.findings.push_back({position, std::move(what)});
  };

  absl::StatusOr<std::vector<Checkpoint>> checkpoints = store_->Checkpoints();
  if (!checkpoints.ok()) return checkpoints.status();
  report.signatures_checked = !trusted_public_keys.empty();
  std::vector<bool> signature_ok(checkpoints->size(), true);
  for (size_t i = 0; i < checkpoints->size(); ++i) {
    const Checkpoint& c = (*checkpoints)[i];
    if (trusted_public_keys.empty()) continue;
    if (std::find(trusted_public_keys.begin(), trusted_public_keys.end(), c.public_key) ==
        trusted_public_keys.end()) {
      signature_ok[i] = false;
      find(c.size, Cat("checkpoint at size ", c.size, " is signed by an untrusted key"));
    } else if (!crypto::Ed25519Verify(c.public_key, c.SignedMessage(), c.signature).ok()) {
      signature_ok[i] = false;
      find(c.size, Cat("checkpoint at size ", c.size, " has an invalid signature (forged or changed)"));
    }
  }

  // Entries below the retention boundary are gone; their subtree hashes are not.
  absl::StatusOr<uint64_t> pruned = PrunedBeforeLocked();
  if (!pruned.ok()) return pruned.status();
  report.pruned_before = *pruned;
  MerkleFrontier tree;
  if (*pruned > 0) {
    std::vector<Hash> parts;
    uint64_t offset = 0;
    for (int level = 63; level >= 0; --level) {
      if (((*pruned >> level) & 1) == 0) continue;
      absl::StatusOr<std::optional<Hash>> node =
          level >= kStoredMinLevel ? store_->Node(level, offset >> level)
                                   : absl::StatusOr<std::optional<Hash>>(std::nullopt);
      if (!node.ok()) return node.status();
      if (!node->has_value()) {
        find(offset, Cat("stored subtree hash for pruned entries ", offset, "..",
                         offset + (uint64_t{1} << level) - 1, " is missing"));
        parts.push_back(Hash{});
      } else {
        parts.push_back(**node);
      }
      offset += uint64_t{1} << level;
    }
    tree = *MerkleFrontier::FromParts(*pruned, std::move(parts));
  }
  size_t next_cp = 0;
  auto check_checkpoints = [&] {
    for (; next_cp < checkpoints->size() && (*checkpoints)[next_cp].size <= tree.size(); ++next_cp) {
      const Checkpoint& c = (*checkpoints)[next_cp];
      if (c.size < report.pruned_before) {
        ++report.checkpoints_pruned;  // its entries are gone: nothing to recompute
        continue;
      }
      if (c.size < tree.size()) continue;  // a checkpoint at a size that was skipped (gap)
      if (c.root != tree.Root()) {
        find(c.size, Cat("checkpoint at size ", c.size,
                         " does not match: entries before it were changed, deleted, inserted or "
                         "reordered"));
      } else if (signature_ok[next_cp]) {
        ++report.checkpoints_ok;
      }
    }
  };
  check_checkpoints();  // size 0, or the retention boundary
  uint64_t expected = *pruned;
  uint64_t recorded_boundary = 0;
  absl::Status node_status;
  absl::Status s = store_->ScanLeaves(0, UINT64_MAX, [&](const StoredLeaf& l) -> absl::Status {
    if (l.seq != expected) {
      find(expected, l.seq - 1 == expected
                         ? Cat("entry ", expected, " is missing (deleted)")
                         : Cat("entries ", expected, "..", l.seq - 1, " are missing (deleted)"));
    }
    const Hash computed = LeafHash(l.leaf);
    if (computed != l.hash) {
      find(l.seq, Cat("entry ", l.seq, " was changed after it was written (hash mismatch)"));
    }
    if (std::optional<uint64_t> b = PruneBoundary(l.leaf)) recorded_boundary = *b;
    std::optional<uint64_t> claimed = ClaimedSeq(l.leaf);
    if (!claimed.has_value()) {
      find(l.seq, Cat("entry ", l.seq, " is not a phiguard audit leaf"));
    } else if (*claimed != l.seq) {
      find(l.seq, Cat("position ", l.seq, " holds entry #", *claimed,
                      ": entries were reordered or inserted"));
    }
    tree.Append(computed, [&](int level, uint64_t index, const Hash& h) {
      if (level < kStoredMinLevel || !node_status.ok()) return;
      absl::StatusOr<std::optional<Hash>> stored = store_->Node(level, index);
      if (!stored.ok()) {
        node_status = stored.status();
      } else if (!stored->has_value() || **stored != h) {
        find(index << level, Cat("stored subtree hash for entries ", index << level, "..",
                                 ((index + 1) << level) - 1, " is ",
                                 stored->has_value() ? "wrong" : "missing",
                                 ": proofs over them would not verify"));
      }
    });
    ++report.leaves;
    expected = l.seq + 1;
    check_checkpoints();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!node_status.ok()) return node_status;
  for (; next_cp < checkpoints->size(); ++next_cp) {
    const Checkpoint& c = (*checkpoints)[next_cp];
    find(c.size, Cat("checkpoint at size ", c.size, " but the log has ", tree.size(),
                     " entries: it was truncated"));
  }
  if (*pruned > 0 && recorded_boundary != *pruned) {
    find(*pruned, Cat("entries below ", *pruned,
                      " were removed but no audit.prune entry records that boundary: deleted "
                      "behind phiguard's back"));
  }
  absl::StatusOr<MerkleFrontier> head = store_->LoadHead();
  if (!head.ok()) return head.status();
  if (head->size() != tree.size()) {
    find(std::min(head->size(), tree.size()),
         Cat("tree head says ", head->size(), " entries, the store holds ", tree.size(),
             head->size() > tree.size() ? ": entries at the end were deleted (truncated)"
                                        : ": entries were added behind phiguard's back"));
  } else if (head->Root() != tree.Root()) {
    find(tree.size(), "tree head root does not match the entries");
  }
  report.root = tree.Root();
  return report;
}

}  // namespace phiguard::audit
