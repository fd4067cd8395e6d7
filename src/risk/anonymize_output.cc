// The chosen transformation applied: its classes for the risk models and the transformed data set.
#include <algorithm>

#include "phiguard/core/strings.h"
#include "phiguard/risk/anonymize.h"
#include "risk/internal/node_score.h"

namespace phiguard::risk {
namespace {

using internal::CheckLevels;
using internal::ClassEntry;
using internal::Grouper;
using internal::Classify;
using internal::EffectiveK;
using internal::EnforcePopulationUniqueness;
using internal::MaxOutliers;
using internal::ForEachCellByClass;
using internal::Internal;
using internal::KeyLevels;
using internal::Models;
using internal::Prepare;

// The classes of `node` over the records of `source` (with `record_class[i]` = the class of
// source entry i) and whether each is suppressed in `node`.
struct NodeClasses {
  std::vector<ClassEntry> cells;
  std::vector<uint32_t> cell_class;  // empty: cells are classes
  std::vector<ClassEntry> classes;
  std::vector<uint32_t> entry_class;
  std::vector<uint8_t> suppressed;
};

NodeClasses ClassesOf(const Internal& e, const NodeEvaluation& node,
                      const std::vector<ClassEntry>& source, const AnonymizeOptions& o,
                      const Models& models) {
  Grouper grouper(e);
  std::vector<int> levels = KeyLevels(e, node.levels.data(), 0);
  std::vector<ClassEntry> cells, scratch;
  std::vector<uint32_t> cell_of, class_of;
  std::vector<uint8_t> fails;
  grouper.GroupWithIndex(levels.data(), source.data(), source.size(), cells, cell_of);
  const std::vector<ClassEntry>& classes =
      Classify(e, grouper, node.levels.data(), cells, models, scratch, class_of, fails);
  NodeClasses out;
  out.cells = cells;
  out.cell_class = class_of;
  out.classes = classes;
  out.entry_class = std::move(cell_of);
  if (!class_of.empty()) {
    for (uint32_t& c : out.entry_class) c = class_of[c];
  }
  const uint64_t k = EffectiveK(o);
  out.suppressed.resize(out.classes.size());
  if (node.suppressed == 0) return out;
  uint64_t outliers = 0;
  for (size_t i = 0; i < out.classes.size(); ++i) {
    out.suppressed[i] = out.classes[i].count < k || (!fails.empty() && fails[i]);
    if (out.suppressed[i]) outliers += out.classes[i].count;
  }
  if (o.population_uniqueness) {  // the same further suppression as the search's
    EnforcePopulationUniqueness(e, node.levels.data(), *o.population_uniqueness, out.classes,
                                MaxOutliers(o, e.n), out.suppressed, outliers);
  }
  return out;
}

}  // namespace

EquivalenceClasses ClassesForRisk(const EncodedData& data, const NodeEvaluation& node,
                                  const AnonymizeOptions& options, bool released_only) {
  const Internal& e = data.internal();
  auto models = Prepare(data, options);
  NodeClasses nc = ClassesOf(e, node, e.bottom, options, models.ok() ? *models : Models{});
  // Released classes get consecutive indexes.
  std::vector<int64_t> index(nc.classes.size(), -1);
  EquivalenceClasses out;
  for (size_t i = 0; i < nc.classes.size(); ++i) {
    if (released_only && nc.suppressed[i]) continue;
    index[i] = static_cast<int64_t>(out.sizes.size());
    out.sizes.push_back(nc.classes[i].count);
    out.records += nc.classes[i].count;
  }
  std::vector<uint32_t> class_of = nc.cell_class;
  if (class_of.empty()) {
    class_of.resize(nc.cells.size());
    for (size_t i = 0; i < class_of.size(); ++i) class_of[i] = static_cast<uint32_t>(i);
  }
  for (size_t s = 0; s < data.sensitive().size(); ++s) {
    SensitiveCounts sc;
    sc.name = data.sensitive()[s];
    sc.dictionary = e.sensitive_values[s];
    sc.counts.resize(out.sizes.size());
    ForEachCellByClass(e, nc.cells, class_of, nc.classes.size(), static_cast<int>(s),
                       [&](size_t c, uint32_t value, uint32_t count) {
                         if (index[c] < 0) return;
                         std::vector<uint64_t>& v = sc.counts[index[c]];
                         if (v.size() <= value) v.resize(value + 1, 0);
                         v[value] += count;
                       });
    out.sensitive.push_back(std::move(sc));
  }
  return out;
}

absl::Status WriteTransformed(const EncodedData& data, const NodeEvaluation& node,
                              const AnonymizeOptions& options, CsvReader& input,
                              AtomicFileWriter& out, char delimiter, bool drop_suppressed) {
  if (absl::Status s = CheckLevels(data, node.levels); !s.ok()) return s;
  const Internal& e = data.internal();
  std::vector<ClassEntry> records(e.n);
  for (size_t i = 0; i < e.n; ++i) records[i] = {static_cast<uint32_t>(i), 1};
  auto models = Prepare(data, options);
  if (!models.ok()) return models.status();
  NodeClasses nc = ClassesOf(e, node, records, options, *models);

  const auto& header = input.header();
  std::vector<size_t> col;
  for (const std::string& name : data.names()) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      return absl::FailedPreconditionError(Cat("the input no longer has column '", name, "'"));
    }
    col.push_back(static_cast<size_t>(it - header.begin()));
  }
  std::string buf;
  AppendCsvRecord(buf, header, delimiter);
  std::vector<std::string> row;
  size_t i = 0;
  while (input.Next(row)) {
    if (i >= e.n) break;
    const uint32_t* rec = e.codes.data() + i * e.key_dims;
    const bool suppressed = nc.suppressed[nc.entry_class[i]];
    for (int d = 0; d < e.dims; ++d) {
      const Hierarchy& h = data.hierarchy(d);
      const size_t hrow = e.row_of[d][rec[d]];
      if (row[col[d]] != h.label(hrow, 0)) {
        return absl::FailedPreconditionError(
            Cat("line ", input.line_number(), ": the input changed since it was read"));
      }
      row[col[d]] = suppressed ? "*" : h.label(hrow, node.levels[d]);
    }
    ++i;
    if (suppressed && drop_suppressed) continue;
    AppendCsvRecord(buf, row, delimiter);
    if (buf.size() > (1u << 20)) {
      if (absl::Status s = out.Write(buf); !s.ok()) return s;
      buf.clear();
    }
  }
  if (!input.status().ok()) return input.status();
  if (i != e.n || input.Next(row)) {
    return absl::FailedPreconditionError("the input changed since it was read (record count)");
  }
  return out.Write(buf);
}

}  // namespace phiguard::risk
