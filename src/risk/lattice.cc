#include "phiguard/risk/lattice.h"

namespace phiguard::risk {

Lattice::Lattice(std::vector<int> heights) : heights_(std::move(heights)) {
  strides_.assign(heights_.size(), 1);
  for (int d = dimensions() - 1; d >= 0; --d) {
    strides_[d] = size_;
    size_ *= static_cast<uint64_t>(heights_[d]);
    max_rank_ += heights_[d] - 1;
  }
}

int Lattice::Rank(uint64_t node) const {
  int rank = 0;
  for (int d = 0; d < dimensions(); ++d) rank += Level(node, d);
  return rank;
}

std::vector<int> Lattice::Levels(uint64_t node) const {
  std::vector<int> out(heights_.size());
  for (int d = 0; d < dimensions(); ++d) out[d] = Level(node, d);
  return out;
}

uint64_t Lattice::Index(const std::vector<int>& levels) const {
  uint64_t index = 0;
  for (int d = 0; d < dimensions(); ++d) index += static_cast<uint64_t>(levels[d]) * strides_[d];
  return index;
}

bool Lattice::Below(uint64_t a, uint64_t b) const {
  for (int d = 0; d < dimensions(); ++d) {
    if (Level(a, d) > Level(b, d)) return false;
  }
  return true;
}

}  // namespace phiguard::risk
