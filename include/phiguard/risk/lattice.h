// The generalisation lattice over m quasi-identifiers: a node is a vector of levels, one per
// attribute (0 = raw value, heights[i]-1 = most general). Node a is below node b (a predecessor)
// when every level of a is <= b's. Nodes are numbered in mixed radix (attribute 0 varies slowest),
// so a node's direct successors are index + stride(i). Immutable; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

namespace phiguard::risk {

class Lattice {
 public:
  // REQUIRES: every height >= 1 and their product fits in 63 bits.
  explicit Lattice(std::vector<int> heights);

  int dimensions() const { return static_cast<int>(heights_.size()); }
  // Number of levels of attribute `d` (its top level is height(d) - 1).
  int height(int d) const { return heights_[d]; }
  uint64_t size() const { return size_; }
  uint64_t stride(int d) const { return strides_[d]; }
  uint64_t bottom() const { return 0; }
  uint64_t top() const { return size_ - 1; }
  // Sum of a node's levels (its height in the lattice) and the largest such sum.
  int Rank(uint64_t node) const;
  int max_rank() const { return max_rank_; }

  int Level(uint64_t node, int d) const {
    return static_cast<int>((node / strides_[d]) % static_cast<uint64_t>(heights_[d]));
  }
  std::vector<int> Levels(uint64_t node) const;
  uint64_t Index(const std::vector<int>& levels) const;
  // True when `a` is below or equal to `b` in every attribute.
  bool Below(uint64_t a, uint64_t b) const;

 private:
  std::vector<int> heights_;
  std::vector<uint64_t> strides_;
  uint64_t size_ = 1;
  int max_rank_ = 0;
};

}  // namespace phiguard::risk
