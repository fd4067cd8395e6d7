#include "phiguard/audit/merkle.h"

#include <openssl/evp.h>

#include <bit>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <utility>

#include "phiguard/core/strings.h"

namespace phiguard::audit {
namespace {

// ---- SHA-256 -----------------------------------------------------------------------------------

// SHA-256 fetched once: with OpenSSL 3, passing EVP_sha256() to every EVP_DigestInit would repeat
// the provider lookup on each of the millions of node hashes a large tree needs.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// SHA-256 over the concatenation of `pieces`. OpenSSL fails on in-memory SHA-256 only when it
// cannot allocate; an audit log must not continue with a wrong hash, so that aborts.
Hash Sha256Of(std::initializer_list<std::string_view> pieces) {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  Hash out{};
  unsigned int len = 0;
  bool ok = ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), Sha256Md(), nullptr) == 1;
  for (std::string_view p : pieces) {
    ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == out.size();
  if (!ok) std::abort();
  return out;
}

std::string_view View(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

// ---- RFC 6962 §2.1 over a list of leaf hashes --------------------------------------------------

// The largest power of two strictly less than n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// PATH(m, D[begin:end]) of RFC 6962 §2.1.1, appended bottom first. REQUIRES: begin <= m < end.
absl::Status AppendPath(uint64_t begin, uint64_t end, uint64_t m, const RangeHashFn& mth,
                        std::vector<Hash>& out) {
  if (end - begin <= 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(end - begin);
  const bool left = m < begin + k;
  absl::Status s = left ? AppendPath(begin, begin + k, m, mth, out)
                        : AppendPath(begin + k, end, m, mth, out);
  if (!s.ok()) return s;
  absl::StatusOr<Hash> sibling = left ? mth(begin + k, end) : mth(begin, begin + k);
  if (!sibling.ok()) return sibling.status();
  out.push_back(*sibling);
  return absl::OkStatus();
}

// SUBPROOF(m, D[begin:end], b) of RFC 6962 §2.1.2, appended bottom first; m counts from begin.
// REQUIRES: 0 < m <= end - begin.
absl::Status AppendSubproof(uint64_t begin, uint64_t end, uint64_t m, bool b,
                            const RangeHashFn& mth, std::vector<Hash>& out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (b) return absl::OkStatus();
    absl::StatusOr<Hash> whole = mth(begin, end);
    if (!whole.ok()) return whole.status();
    out.push_back(*whole);
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  const bool left = m <= k;
  absl::Status s = left ? AppendSubproof(begin, begin + k, m, b, mth, out)
                        : AppendSubproof(begin + k, end, m - k, false, mth, out);
  if (!s.ok()) return s;
  absl::StatusOr<Hash> sibling = left ? mth(begin + k, end) : mth(begin, begin + k);
  if (!sibling.ok()) return sibling.status();
  out.push_back(*sibling);
  return absl::OkStatus();
}

// ---- RFC 9162 verification ---------------------------------------------------------------------

// The position of a node on its path to the root, as RFC 9162 §2.1.3.2 and §2.1.4.2 track it: `fn`
// is the node's index on its level, `sn` the index of the level's last node. Both verifications
// walk the same way; only what they hash differs.
struct Walk {
  uint64_t fn;
  uint64_t sn;

  void ShiftBoth() {
    fn >>= 1;
    sn >>= 1;
  }
  // True if the next proof hash is the node's left sibling (or the left part of a right border
  // node that has no sibling on this level).
  bool SiblingIsLeft() const { return (fn & 1) != 0 || fn == sn; }
  // Climbs past one proof hash. Where the node is the last on its level and a left child, it has
  // no right sibling for some levels: skip them.
  void Step() {
    if (SiblingIsLeft()) {
      while ((fn & 1) == 0 && fn != 0) ShiftBoth();
    }
    ShiftBoth();
  }
  bool AtRoot() const { return sn == 0; }
};

// Proof hashes the walk consumes from `w` up to the root.
uint64_t StepsToRoot(Walk w) {
  uint64_t steps = 0;
  for (; !w.AtRoot(); w.Step()) ++steps;
  return steps;
}

// For 0 < size1 < size2: where §2.1.4.2 starts, after stripping the levels on which the last leaf
// of the first tree is a right child (their hashes are inside the proof's first element).
Walk ConsistencyStart(uint64_t size1, uint64_t size2) {
  Walk w{size1 - 1, size2 - 1};
  while ((w.fn & 1) != 0) w.ShiftBoth();
  return w;
}

}  // namespace

Hash LeafHash(std::string_view leaf_data) {
  return Sha256Of({std::string_view("\x00", 1), leaf_data});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  return Sha256Of({std::string_view("\x01", 1), View(left), View(right)});
}

Hash EmptyRoot() {
  static const Hash empty = Sha256Of({});
  return empty;
}

absl::StatusOr<Hash> HashFromBytes(std::string_view bytes) {
  Hash h{};
  if (bytes.size() != h.size()) {
    return absl::InvalidArgumentError(
        Cat("hash has ", bytes.size(), " bytes, needs ", h.size(), " (SHA-256)"));
  }
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<uint8_t>(bytes[i]);
  return h;
}

Hash RootFromLeafHashes(absl::Span<const Hash> leaves) {
  const size_t n = leaves.size();
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaves[0];
  const size_t k = SplitPoint(n);
  return NodeHash(RootFromLeafHashes(leaves.first(k)), RootFromLeafHashes(leaves.subspan(k)));
}

absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                                 const RangeHashFn& mth) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        Cat("inclusion proof: leaf index ", index, " is not below tree size ", size));
  }
  std::vector<Hash> proof;
  absl::Status s = AppendPath(0, size, index, mth, proof);
  if (!s.ok()) return s;
  return proof;
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                                   const RangeHashFn& mth) {
  if (size1 > size2) {
    return absl::InvalidArgumentError(
        Cat("consistency proof: size1 ", size1, " is above the tree size ", size2));
  }
  std::vector<Hash> proof;
  if (size1 == size2) return proof;
  if (size1 == 0) {
    return absl::InvalidArgumentError(
        Cat("consistency proof: there is none from the empty tree (to size ", size2, ")"));
  }
  absl::Status s = AppendSubproof(0, size2, size1, /*b=*/true, mth, proof);
  if (!s.ok()) return s;
  return proof;
}

namespace {
// MTH over a slice of in-memory leaves, the RangeHashFn of the span overloads.
struct LeafRange {
  absl::Span<const Hash> leaves;
  absl::StatusOr<Hash> operator()(uint64_t begin, uint64_t end) const {
    return RootFromLeafHashes(leaves.subspan(begin, end - begin));
  }
};
}  // namespace

absl::StatusOr<std::vector<Hash>> InclusionProof(absl::Span<const Hash> leaves, uint64_t index) {
  const LeafRange mth{leaves};
  return InclusionProof(index, leaves.size(), mth);
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(absl::Span<const Hash> leaves, uint64_t size1) {
  const LeafRange mth{leaves};
  return ConsistencyProof(size1, leaves.size(), mth);
}

absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                             absl::Span<const Hash> proof, const Hash& root) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        Cat("inclusion proof: leaf index ", index, " is not below tree size ", size));
  }
  Walk w{index, size - 1};
  const uint64_t needed = StepsToRoot(w);
  if (proof.size() != needed) {
    return absl::InvalidArgumentError(Cat("inclusion proof has ", proof.size(), " hashes, needs ",
                                          needed, " for leaf ", index, " of ", size));
  }
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    r = w.SiblingIsLeft() ? NodeHash(p, r) : NodeHash(r, p);
    w.Step();
  }
  if (r != root) {
    return absl::DataLossError(
        Cat("inclusion proof for leaf ", index, " of ", size, " does not lead to the given root"));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, absl::Span<const Hash> proof,
                               const Hash& root1, const Hash& root2) {
  if (size1 > size2) {
    return absl::InvalidArgumentError(
        Cat("consistency proof: size1 ", size1, " is above size2 ", size2));
  }
  if (size1 == size2) {
    if (!proof.empty()) {
      return absl::InvalidArgumentError(Cat("consistency proof between equal sizes ", size1,
                                            " must be empty, has ", proof.size(), " hashes"));
    }
    if (root1 != root2) {
      return absl::DataLossError(
          Cat("consistency: trees of equal size ", size1, " have different roots"));
    }
    if (size1 == 0 && root1 != EmptyRoot()) {
      return absl::DataLossError("consistency: root of the empty tree is not SHA-256(\"\")");
    }
    return absl::OkStatus();
  }
  if (size1 == 0) {
    return absl::InvalidArgumentError(
        Cat("consistency proof: there is none from the empty tree (to size ", size2, ")"));
  }

  // RFC 9162 §2.1.4.2. When size1 is a power of two, the first tree is a complete subtree of the
  // second and the proof leaves out its root, which the verifier already has.
  const bool root1_implied = std::has_single_bit(size1);
  Walk w = ConsistencyStart(size1, size2);
  const uint64_t needed = StepsToRoot(w) + (root1_implied ? 0 : 1);
  if (proof.size() != needed) {
    return absl::InvalidArgumentError(Cat("consistency proof has ", proof.size(), " hashes, needs ",
                                          needed, " from size ", size1, " to ", size2));
  }
  const Hash& seed = root1_implied ? root1 : proof[0];
  Hash fr = seed;
  Hash sr = seed;
  for (size_t i = root1_implied ? 0 : 1; i < proof.size(); ++i) {
    const Hash& c = proof[i];
    if (w.SiblingIsLeft()) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
    } else {
      sr = NodeHash(sr, c);
    }
    w.Step();
  }
  if (fr != root1) {
    return absl::DataLossError(Cat("consistency proof from size ", size1, " to ", size2,
                                   " does not lead to the first root"));
  }
  if (sr != root2) {
    return absl::DataLossError(Cat("consistency proof from size ", size1, " to ", size2,
                                   " does not lead to the second root"));
  }
  return absl::OkStatus();
}

// ---- MerkleFrontier ----------------------------------------------------------------------------

absl::StatusOr<MerkleFrontier> MerkleFrontier::FromParts(uint64_t size, std::vector<Hash> hashes) {
  const int needed = std::popcount(size);
  if (hashes.size() != static_cast<size_t>(needed)) {
    return absl::InvalidArgumentError(
        Cat("Merkle frontier of size ", size, " needs ", needed, " hashes, has ", hashes.size()));
  }
  MerkleFrontier f;
  f.size_ = size;
  f.hashes_ = std::move(hashes);
  return f;
}

void MerkleFrontier::Append(const Hash& leaf_hash) {
  Append(leaf_hash, [](int, uint64_t, const Hash&) {});
}

void MerkleFrontier::Append(const Hash& leaf_hash, const SubtreeSink& completed) {
  hashes_.push_back(leaf_hash);
  // Each trailing one bit of the old size is a perfect subtree the new leaf now completes a twin
  // of: merge the two, like carrying in binary addition.
  int level = 0;
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    Hash right = hashes_.back();
    hashes_.pop_back();
    hashes_.back() = NodeHash(hashes_.back(), right);
    ++level;
    completed(level, size_ >> level, hashes_.back());
  }
  ++size_;
}

Hash MerkleFrontier::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  // MTH splits at the largest power of two below n, which is the largest perfect subtree; the
  // rest of the tree splits the same way, so fold from the smallest subtree leftwards.
  Hash r = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) r = NodeHash(hashes_[i], r);
  return r;
}

}  // namespace phiguard::audit
