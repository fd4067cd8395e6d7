// EncodedData: reading the quasi-identifiers, the per-level lookup tables, the class-counting
// kernel and writing the transformed data set.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "phiguard/core/strings.h"
#include "phiguard/risk/anonymize.h"
#include "risk/internal/encoded.h"

namespace phiguard::risk {
namespace {

using internal::ClassEntry;
using internal::Grouper;

struct Column {
  absl::flat_hash_map<std::string, uint32_t> ids;
  std::vector<std::string> values;  // by id
  std::vector<size_t> first_line;   // by id
};

int BitsFor(size_t distinct) {
  return std::max(1, static_cast<int>(std::bit_width(distinct > 0 ? distinct - 1 : 0)));
}

}  // namespace

EncodedData::EncodedData() : internal_(std::make_unique<Internal>()) {}
EncodedData::~EncodedData() = default;

std::vector<int> EncodedData::heights() const {
  std::vector<int> h;
  for (const Hierarchy& x : hierarchies_) h.push_back(static_cast<int>(x.levels()));
  return h;
}

absl::StatusOr<std::unique_ptr<EncodedData>> EncodedData::FromCsv(
    CsvReader& reader, std::vector<QuasiIdentifierSpec> qis, const std::string& source_name,
    const std::vector<std::string>& sensitive, const RecordSink& each_record) {
  if (qis.empty()) return absl::InvalidArgumentError("name at least one quasi-identifier");
  const auto& header = reader.header();
  std::vector<size_t> col;
  for (size_t i = 0; i < qis.size(); ++i) {
    auto it = std::find(header.begin(), header.end(), qis[i].column);
    if (it == header.end()) {
      return absl::InvalidArgumentError(
          Cat("quasi-identifier column '", qis[i].column, "' is not in the header"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (qis[j].column == qis[i].column) {
        return absl::InvalidArgumentError(
            Cat("quasi-identifier '", qis[i].column, "' is named twice"));
      }
    }
    if (!qis[i].hierarchy && !qis[i].generator) {
      return absl::InvalidArgumentError(
          Cat("quasi-identifier '", qis[i].column, "' has no hierarchy (give one or a generator)"));
    }
    col.push_back(static_cast<size_t>(it - header.begin()));
  }
  std::vector<std::string> data_sensitive;
  for (size_t i = 0; i < sensitive.size(); ++i) {
    auto it = std::find(header.begin(), header.end(), sensitive[i]);
    if (it == header.end()) {
      return absl::InvalidArgumentError(
          Cat("sensitive column '", sensitive[i], "' is not in the header"));
    }
    size_t c = static_cast<size_t>(it - header.begin());
    if (std::find(col.begin(), col.end(), c) != col.end()) {
      return absl::InvalidArgumentError(
          Cat("column '", sensitive[i], "' is named twice (quasi-identifier or sensitive)"));
    }
    col.push_back(c);
    data_sensitive.push_back(sensitive[i]);
  }
  const int dims = static_cast<int>(qis.size());
  const int key_dims = static_cast<int>(col.size());
  std::unique_ptr<EncodedData> data(new EncodedData());
  Internal& e = *data->internal_;
  e.dims = dims;
  e.key_dims = key_dims;
  data->sensitive_ = std::move(data_sensitive);
  std::vector<Column> columns(key_dims);
  std::vector<std::string> row;
  while (reader.Next(row)) {
    if (e.n >= UINT32_MAX) {
      return absl::ResourceExhaustedError("more than 4294967295 records");
    }
    for (int d = 0; d < key_dims; ++d) {
      Column& c = columns[d];
      auto [it, fresh] = c.ids.try_emplace(row[col[d]], static_cast<uint32_t>(c.values.size()));
      if (fresh) {
        c.values.push_back(row[col[d]]);
        c.first_line.push_back(reader.line_number());
      }
      e.codes.push_back(it->second);
    }
    ++e.n;
    if (each_record) {
      if (absl::Status s = each_record(row); !s.ok()) return s;
    }
  }
  if (!reader.status().ok()) return reader.status();
  if (e.n == 0) return absl::InvalidArgumentError(Cat(source_name, ": no records"));
  data->records_ = e.n;

  e.row_of.resize(dims);
  e.freq.resize(dims);
  e.gen.resize(key_dims);
  e.share.resize(dims);
  e.label_freq.resize(dims);
  e.static_loss.resize(dims);
  e.static_entropy.resize(dims);
  e.domain_size.resize(dims);
  std::vector<int> bits(key_dims);
  for (int d = 0; d < dims; ++d) {
    Column& c = columns[d];
    data->names_.push_back(qis[d].column);
    if (qis[d].hierarchy) {
      data->hierarchies_.push_back(std::move(*qis[d].hierarchy));
    } else {
      auto h = GenerateHierarchy(*qis[d].generator, qis[d].column, c.values, c.first_line);
      if (!h.ok()) {
        return absl::InvalidArgumentError(Cat(source_name, ": ", h.status().message()));
      }
      data->hierarchies_.push_back(std::move(*h));
    }
    const Hierarchy& h = data->hierarchies_.back();
    const size_t levels = h.levels();
    for (size_t v = 0; v < c.values.size(); ++v) {
      auto r = h.Find(c.values[v]);
      if (!r) {
        return absl::InvalidArgumentError(Cat(source_name, ":", c.first_line[v], ": the value of '",
                                              qis[d].column, "' is not in its hierarchy (",
                                              h.source(), ")"));
      }
      e.row_of[d].push_back(static_cast<uint32_t>(*r));
    }
    e.freq[d].assign(c.values.size(), 0);
    for (size_t i = 0; i < e.n; ++i) ++e.freq[d][e.codes[i * key_dims + d]];
    e.domain_size[d] = static_cast<double>(h.size());
    size_t max_labels = 1;
    e.gen[d].resize(levels);
    e.share[d].resize(levels);
    e.label_freq[d].resize(levels);
    for (size_t l = 0; l < levels; ++l) {
      // Label ids over the whole hierarchy; share = rows carrying the label / rows (ARX).
      absl::flat_hash_map<std::string_view, uint32_t> label_id;
      std::vector<uint32_t> row_label(h.size());
      std::vector<double> rows_with;
      for (size_t r = 0; r < h.size(); ++r) {
        auto [it, fresh] = label_id.try_emplace(h.label(r, l), static_cast<uint32_t>(rows_with.size()));
        if (fresh) rows_with.push_back(0);
        rows_with[it->second] += 1;
        row_label[r] = it->second;
      }
      max_labels = std::max(max_labels, rows_with.size());
      for (double& s : rows_with) s /= e.domain_size[d];
      e.share[d][l] = std::move(rows_with);
      e.label_freq[d][l].assign(e.share[d][l].size(), 0);
      e.gen[d][l].resize(c.values.size());
      for (size_t v = 0; v < c.values.size(); ++v) {
        uint32_t label = row_label[e.row_of[d][v]];
        e.gen[d][l][v] = label;
        e.label_freq[d][l][label] += e.freq[d][v];
      }
      double loss = 0, entropy = 0;
      for (size_t v = 0; v < c.values.size(); ++v) {
        uint32_t label = e.gen[d][l][v];
        double f = static_cast<double>(e.freq[d][v]);
        loss += f * e.share[d][l][label];
        entropy -= f * std::log2(f / static_cast<double>(e.label_freq[d][l][label]));
      }
      e.static_loss[d].push_back(loss);
      e.static_entropy[d].push_back(entropy);
    }
    bits[d] = BitsFor(max_labels);
  }
  // Sensitive attributes: level 0 keeps the value (cells), level 1 drops it (classes).
  for (int d = dims; d < key_dims; ++d) {
    Column& c = columns[d];
    std::vector<uint32_t> ids(c.values.size()), zeros(c.values.size(), 0);
    for (size_t v = 0; v < ids.size(); ++v) ids[v] = static_cast<uint32_t>(v);
    e.gen[d] = {std::move(ids), std::move(zeros)};
    std::vector<uint64_t> overall(c.values.size(), 0);
    for (size_t i = 0; i < e.n; ++i) ++overall[e.codes[i * key_dims + d]];
    e.sensitive_overall.push_back(std::move(overall));
    e.sensitive_values.push_back(std::move(c.values));
    bits[d] = BitsFor(e.gen[d][0].size());
  }
  // Key layout: attributes packed into 64-bit words without straddling.
  e.word.resize(key_dims);
  e.shift.resize(key_dims);
  int used = 0;
  e.words = 1;
  for (int d = 0; d < key_dims; ++d) {
    if (used + bits[d] > 64) {
      ++e.words;
      used = 0;
    }
    e.word[d] = e.words - 1;
    e.shift[d] = used;
    used += bits[d];
  }
  if (e.words > 4) {
    return absl::InvalidArgumentError(
        "the quasi-identifiers have too many distinct values together (key over 256 bits)");
  }
  // Classes of the raw data, from one entry per record.
  std::vector<ClassEntry> records(e.n);
  for (size_t i = 0; i < e.n; ++i) records[i] = {static_cast<uint32_t>(i), 1};
  std::vector<int> zero(key_dims, 0);
  Grouper(e).Group(zero.data(), records.data(), records.size(), e.bottom);
  return data;
}

namespace internal {

template <int W>
void Grouper::GroupW(const int* levels, const ClassEntry* source, size_t count,
                     std::vector<ClassEntry>& out, std::vector<uint32_t>* index_of) {
  const int dims = e_.key_dims;
  size_t capacity = 16;
  while (capacity < count * 2) capacity <<= 1;
  const size_t mask = capacity - 1;
  keys_.resize(capacity * W);
  slot_class_.assign(capacity, 0);
  out.clear();
  if (index_of) index_of->resize(count);
  // Per attribute: its lookup table at the node's level and its place in the key.
  std::array<const uint32_t*, 64> table_small;
  std::vector<const uint32_t*> table_big;
  const uint32_t** table = table_small.data();
  if (dims > 64) {
    table_big.resize(dims);
    table = table_big.data();
  }
  for (int d = 0; d < dims; ++d) table[d] = e_.gen[d][levels[d]].data();
  const uint32_t* codes = e_.codes.data();
  const int* word = e_.word.data();
  const int* shift = e_.shift.data();
  for (size_t i = 0; i < count; ++i) {
    const uint32_t rep = source[i].rep;
    const uint32_t* rec = codes + static_cast<size_t>(rep) * dims;
    uint64_t key[W] = {};
    for (int d = 0; d < dims; ++d) key[word[d]] |= uint64_t{table[d][rec[d]]} << shift[d];
    uint64_t h = key[0] * 0x9E3779B97F4A7C15ull;
    for (int w = 1; w < W; ++w) h = (h ^ key[w]) * 0x9E3779B97F4A7C15ull;
    size_t slot = (h ^ (h >> 29)) & mask;
    for (;;) {
      uint32_t cls = slot_class_[slot];
      if (cls == 0) {
        for (int w = 0; w < W; ++w) keys_[slot * W + w] = key[w];
        out.push_back({rep, source[i].count});
        slot_class_[slot] = static_cast<uint32_t>(out.size());
        if (index_of) (*index_of)[i] = static_cast<uint32_t>(out.size() - 1);
        break;
      }
      bool same = true;
      for (int w = 0; w < W; ++w) same &= keys_[slot * W + w] == key[w];
      if (same) {
        out[cls - 1].count += source[i].count;
        if (index_of) (*index_of)[i] = cls - 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
}

void Grouper::Group(const int* levels, const ClassEntry* source, size_t count,
                    std::vector<ClassEntry>& out) {
  switch (e_.words) {
    case 1:
      return GroupW<1>(levels, source, count, out, nullptr);
    case 2:
      return GroupW<2>(levels, source, count, out, nullptr);
    case 3:
      return GroupW<3>(levels, source, count, out, nullptr);
    default:
      return GroupW<4>(levels, source, count, out, nullptr);
  }
}

void Grouper::GroupWithIndex(const int* levels, const ClassEntry* source, size_t count,
                             std::vector<ClassEntry>& out, std::vector<uint32_t>& index_of) {
  switch (e_.words) {
    case 1:
      return GroupW<1>(levels, source, count, out, &index_of);
    case 2:
      return GroupW<2>(levels, source, count, out, &index_of);
    case 3:
      return GroupW<3>(levels, source, count, out, &index_of);
    default:
      return GroupW<4>(levels, source, count, out, &index_of);
  }
}

}  // namespace internal
}  // namespace phiguard::risk
