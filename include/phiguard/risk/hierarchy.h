// A generalisation hierarchy for one quasi-identifier: each row holds a value as it appears in the
// data (level 0) and its generalisations at levels 1, 2, ... (the last level is usually "*").
// This is ARX's CSV hierarchy format (first column = value, then one column per level), so ARX
// users can bring theirs; built-in generators cover dates, numbers (intervals) and ZIP codes.
//
// Invariant (checked when a hierarchy is built): every row has the same number of levels, a level-0
// value appears once, and the hierarchy is a tree: two rows that share a label at level l share
// their labels at every level above l. The optimal search relies on this to roll class counts up
// from a less to a more generalised transformation. Immutable once built; thread-safe to read.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace phiguard::risk {

class Hierarchy {
 public:
  // Validates `rows` (see the invariant above). `source` names the origin in error messages (a
  // path, or "generated zip hierarchy"); rows are numbered from `first_line` (the file line of
  // rows[0]). InvalidArgument naming the source and line for an empty hierarchy, a ragged row, a
  // repeated value or a label that generalises to two different labels.
  static absl::StatusOr<Hierarchy> FromRows(std::vector<std::vector<std::string>> rows,
                                            const std::string& source, size_t first_line = 1);

  // Reads an ARX hierarchy CSV (no header row; quoted fields allowed). NotFound for a missing file,
  // InvalidArgument as for FromRows with the file's line numbers.
  static absl::StatusOr<Hierarchy> LoadArxCsv(const std::string& path, char delimiter = ';');

  // Copyable and movable: plain data.

  // Number of levels, including level 0 (the raw value). The most generalised level is levels()-1.
  size_t levels() const { return rows_.empty() ? 0 : rows_[0].size(); }
  // Number of rows (values at level 0); ARX calls this the domain size.
  size_t size() const { return rows_.size(); }
  const std::string& label(size_t row, size_t level) const { return rows_[row][level]; }
  // The row whose level-0 value is `value`, or nullopt.
  std::optional<size_t> Find(std::string_view value) const;
  const std::string& source() const { return source_; }

 private:
  std::vector<std::vector<std::string>> rows_;
  absl::flat_hash_map<std::string, size_t> index_;
  std::string source_;
};

// Built-in generators, applied to the distinct values of a column.
struct GeneratorSpec {
  enum class Kind { kZip, kDate, kInterval };
  Kind kind = Kind::kZip;
  double width = 0;  // kInterval: width of the finest interval (> 0)
};

// Parses "zip", "date" or "interval:WIDTH". InvalidArgument otherwise.
absl::StatusOr<GeneratorSpec> ParseGeneratorSpec(std::string_view spec);

// Builds a hierarchy over `values` (distinct; `lines[i]`, when given, is the data line where
// values[i] first occurs, for error messages, which never quote the value itself):
//  - kZip: mask digits from the right, 02139 -> 0213* -> 021** -> ... -> *****. All values must
//    be digit strings of one length.
//  - kDate: YYYY-MM-DD -> YYYY-MM -> YYYY -> decade ("1990-1999") -> *. Values must start with a
//    valid ISO date.
//  - kInterval: numbers -> [lo, lo+w) -> [lo, lo+2w) -> [lo, lo+4w) ... (aligned at multiples of
//    the width) until one interval holds every value, then *.
// InvalidArgument naming the column, the line and what is wrong.
absl::StatusOr<Hierarchy> GenerateHierarchy(const GeneratorSpec& spec, const std::string& column,
                                            const std::vector<std::string>& values,
                                            const std::vector<size_t>& lines = {});

}  // namespace phiguard::risk
