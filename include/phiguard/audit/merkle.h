// RFC 6962 (Certificate Transparency) Merkle trees over SHA-256, the hashing behind the audit log:
// leaf and node hashes, the tree head MTH, inclusion and consistency proofs (RFC 6962 §2.1) and
// their verification (RFC 9162 §2.1.3.2 and §2.1.4.2), so that any standard CT verifier can check
// our proofs and we can check theirs.
//
// Invariant: a tree is the ordered list of its leaf hashes; its root depends on nothing else. Leaf
// and interior hashes carry distinct one-byte prefixes (0x00, 0x01), so a leaf can never be passed
// off as an interior node (second-preimage resistance).
//
// Errors, which callers must tell apart:
//   InvalidArgument - the input is malformed: an index or size out of range, a proof of the wrong
//                     length, a hash that is not 32 bytes. Nothing was checked.
//   DataLoss        - the input is well formed but does NOT verify: the proof does not lead to the
//                     given root(s). For the audit log this means tampering or corruption.
//
// Thread-safety: the free functions are pure and safe to call from many threads at once. A
// MerkleFrontier is a value type: const methods may run concurrently, Append needs exclusive
// access.
//
//   std::vector<Hash> leaves = {LeafHash("a"), LeafHash("b"), LeafHash("c")};
//   Hash root = RootFromLeafHashes(leaves);
//   absl::StatusOr<std::vector<Hash>> proof = InclusionProof(leaves, 1);
//   absl::Status s = VerifyInclusion(leaves[1], 1, leaves.size(), *proof, root);  // OK
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace phiguard::audit {

// A SHA-256 digest: a leaf hash, an interior node hash or a tree root.
using Hash = std::array<uint8_t, 32>;

// The hash's bytes as a string_view (for storage and hex printing).
inline std::string_view HashBytes(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

// SHA-256(0x00 || leaf_data): the hash of one log entry.
Hash LeafHash(std::string_view leaf_data);

// SHA-256(0x01 || left || right): the hash of an interior node.
Hash NodeHash(const Hash& left, const Hash& right);

// SHA-256(""): the root of the empty tree (e3b0c442...b855).
Hash EmptyRoot();

// Parses a hash received as bytes (a proof element or root from a file or the wire). Returns
// InvalidArgument unless `bytes` is exactly 32 bytes long: a verifier that accepted shorter or
// longer hashes could be fooled by an empty root and an empty leaf hash.
absl::StatusOr<Hash> HashFromBytes(std::string_view bytes);

// MTH(D[n]) of RFC 6962 §2.1 over the given leaf hashes: EmptyRoot() for no leaves, the leaf hash
// itself for one, else NodeHash(MTH(first k), MTH(rest)) with k the largest power of two < n.
// O(n) hashes.
Hash RootFromLeafHashes(absl::Span<const Hash> leaves);

// The audit path PATH(index, D[n]) of RFC 6962 §2.1.1 for leaf `index` among `leaves`: the sibling
// hashes from the leaf up to the root (bottom first). Empty for a tree of one leaf.
// Returns InvalidArgument if index >= leaves.size() (so always for an empty tree). O(n) hashes.
absl::StatusOr<std::vector<Hash>> InclusionProof(absl::Span<const Hash> leaves, uint64_t index);

// The consistency proof PROOF(size1, D[n]) of RFC 6962 §2.1.2 showing that the tree of the first
// `size1` leaves is a prefix of the tree of all of them. Empty if size1 == leaves.size().
// Returns InvalidArgument if size1 > leaves.size(), or if size1 == 0 < leaves.size() (RFC 6962/9162
// define no proof from the empty tree; it is trivially consistent with every tree). O(n) hashes.
absl::StatusOr<std::vector<Hash>> ConsistencyProof(absl::Span<const Hash> leaves, uint64_t size1);

// MTH(D[begin:end]) of some tree, for building proofs where the leaves are not in memory (the
// audit store answers it from stored subtree hashes). Called only with begin < end <= size.
using RangeHashFn = absl::FunctionRef<absl::StatusOr<Hash>(uint64_t begin, uint64_t end)>;

// The same proofs as above for a tree of `size` leaves known only through `mth`. Each proof asks
// `mth` for O(log size) ranges; its errors are passed through.
absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                                 const RangeHashFn& mth);
absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                                   const RangeHashFn& mth);

// Checks that `proof` shows the leaf with hash `leaf_hash` at position `index` in the tree of
// `size` leaves whose root is `root` (RFC 9162 §2.1.3.2). Needs no leaves.
// Returns OK if it does; InvalidArgument if index >= size or the proof length is not the one the
// RFC fixes for (index, size); DataLoss if the proof is well formed but does not lead to `root`.
absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                             absl::Span<const Hash> proof, const Hash& root);

// Checks that `proof` shows the tree of `size1` leaves with root `root1` to be a prefix of the tree
// of `size2` leaves with root `root2` (RFC 9162 §2.1.4.2). Needs no leaves. Rules at the edges:
//   size1 > size2                 -> InvalidArgument.
//   size1 == size2                -> the proof must be empty (else InvalidArgument) and
//                                    root1 == root2 (else DataLoss); for size 0 both must also be
//                                    EmptyRoot() (else DataLoss).
//   size1 == 0 < size2            -> InvalidArgument: there is no proof from the empty tree.
//   0 < size1 < size2             -> InvalidArgument if the proof length is not the one the RFC
//                                    fixes for (size1, size2); DataLoss if the proof does not lead
//                                    to both roots.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, absl::Span<const Hash> proof,
                               const Hash& root1, const Hash& root2);

// The frontier of an append-only Merkle tree: the roots of its perfect subtrees, one per set bit
// of its size, largest (leftmost) first. With O(log n) state it appends leaves one at a time and
// gives the same root as RootFromLeafHashes over all leaves so far, so the log can persist the
// frontier instead of re-reading every leaf. hashes() and size() are the durable form; restore it
// with FromParts.
//
//   MerkleFrontier f;
//   for (const Hash& h : leaf_hashes) f.Append(h);
//   Hash root = f.Root();  // == RootFromLeafHashes(leaf_hashes)
class MerkleFrontier {
 public:
  // The empty tree.
  MerkleFrontier() = default;
  // Copyable and movable: a plain value (at most 64 hashes).

  // Restores a frontier saved from size() and hashes(). Returns InvalidArgument unless
  // hashes.size() equals the number of set bits in `size`.
  static absl::StatusOr<MerkleFrontier> FromParts(uint64_t size, std::vector<Hash> hashes);

  // Appends one leaf hash (normally LeafHash(entry)). At most log2(n) node hashes, O(1) amortised.
  // REQUIRES: size() < UINT64_MAX.
  void Append(const Hash& leaf_hash);
  // Called for each perfect subtree an append completes: its level (1 = two leaves), its index on
  // that level (it covers leaves [index << level, (index + 1) << level)) and its hash.
  using SubtreeSink = absl::FunctionRef<void(int level, uint64_t index, const Hash& hash)>;
  // As Append, reporting the completed subtrees (the store persists them for fast proofs).
  void Append(const Hash& leaf_hash, const SubtreeSink& completed);

  // MTH of all leaves appended so far; EmptyRoot() for none. O(log n) hashes.
  Hash Root() const;

  // Number of leaves appended so far.
  uint64_t size() const { return size_; }
  // Roots of the perfect subtrees, largest first; one per set bit of size().
  const std::vector<Hash>& hashes() const { return hashes_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

}  // namespace phiguard::audit
