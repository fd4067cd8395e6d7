// The encoding behind EncodedData and the class-counting kernel of the search: records become
// rows of per-attribute value ids; per attribute and level a lookup table maps a value id to the id
// of its generalised label. A node's equivalence classes are computed from the classes of any node
// below it (each class keeps one representative record), by packing the generalised ids into a
// 64-bit-word key and counting in an open-addressing table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "phiguard/risk/anonymize.h"

namespace phiguard::risk::internal {

// An equivalence class: one of its records and how many records it holds.
struct ClassEntry {
  uint32_t rep = 0;
  uint32_t count = 0;
};

}  // namespace phiguard::risk::internal

namespace phiguard::risk {

// Sensitive attributes (when given) follow the quasi-identifiers in `codes`, `gen` and the key:
// with them at level 0 a grouping yields cells (class x sensitive values), at level 1 classes.
struct EncodedData::Internal {
  int dims = 0;      // quasi-identifiers
  int key_dims = 0;  // quasi-identifiers + sensitive attributes
  size_t n = 0;
  std::vector<uint32_t> codes;                 // n x key_dims, row-major: value id per record/column
  std::vector<std::vector<uint32_t>> row_of;   // [d][value id] -> hierarchy row
  std::vector<std::vector<uint64_t>> freq;     // [d][value id] -> records with that value
  // [d][level][value id] -> label id at that level (labels numbered over the whole hierarchy);
  // for a sensitive attribute, level 0 = the value id and level 1 = 0.
  std::vector<std::vector<std::vector<uint32_t>>> gen;
  std::vector<std::vector<std::vector<double>>> share;       // [d][level][label] ARX domain share
  std::vector<std::vector<std::vector<uint64_t>>> label_freq;  // [d][level][label] records
  std::vector<std::vector<double>> static_loss;     // [d][level] sum of shares, no suppression
  std::vector<std::vector<double>> static_entropy;  // [d][level] non-uniform entropy, no suppression
  std::vector<double> domain_size;                  // [d] hierarchy rows
  std::vector<std::vector<std::string>> sensitive_values;   // [s][value id] -> value
  std::vector<std::vector<uint64_t>> sensitive_overall;     // [s][value id] -> records
  // Key layout: attribute d occupies `bits[d]` bits at `shift[d]` of word `word[d]`.
  int words = 1;
  std::vector<int> word, shift;
  // Cells (classes without sensitive attributes) of the raw data.
  std::vector<internal::ClassEntry> bottom;
};

}  // namespace phiguard::risk

namespace phiguard::risk::internal {

// Counts classes. Reusable scratch; not thread-safe (one per search).
class Grouper {
 public:
  explicit Grouper(const EncodedData::Internal& e) : e_(e) {}
  // The classes of `levels` (one level per attribute) from `source`, the classes of a node below
  // it (or single-record entries). Appends to `out` (cleared first).
  void Group(const int* levels, const ClassEntry* source, size_t count,
             std::vector<ClassEntry>& out);
  // For each entry of `source`, the index of its class in `out` (same order as Group's output).
  void GroupWithIndex(const int* levels, const ClassEntry* source, size_t count,
                      std::vector<ClassEntry>& out, std::vector<uint32_t>& index_of);

 private:
  template <int W>
  void GroupW(const int* levels, const ClassEntry* source, size_t count,
              std::vector<ClassEntry>& out, std::vector<uint32_t>* index_of);
  const EncodedData::Internal& e_;
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> slot_class_;  // slot -> class index + 1 (0 = empty)
};

}  // namespace phiguard::risk::internal
