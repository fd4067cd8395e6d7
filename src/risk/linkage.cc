#include "phiguard/risk/linkage.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_map.h"
#include "phiguard/core/strings.h"

namespace phiguard::risk {
namespace {

// Counts of each quasi-identifier combination in one source.
absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>> CountCombinations(
    RecordSource& source, bool normalize, uint64_t& records) {
  absl::flat_hash_map<std::string, uint64_t> counts;
  std::vector<std::string> fields;
  std::string key;
  while (source.Next(fields)) {
    key.clear();
    for (const std::string& f : fields) {
      // Length-prefixed, so no field content can make two combinations collide.
      std::string v = normalize ? ToLowerAscii(StripAscii(f)) : f;
      key += std::to_string(v.size());
      key.push_back(':');
      key += v;
    }
    ++counts[key];
    ++records;
  }
  if (!source.status().ok()) return source.status();
  return counts;
}

}  // namespace

absl::StatusOr<LinkageReport> Link(RecordSource& a, RecordSource& b, const LinkageOptions& o) {
  if (o.a_columns.empty()) return absl::InvalidArgumentError("name at least one shared column");
  if (o.a_columns.size() != o.b_columns.size()) {
    return absl::InvalidArgumentError("A and B must name the same number of columns");
  }
  if (o.small_group < 1) return absl::InvalidArgumentError("the small-group bound must be >= 1");
  LinkageReport r;
  r.small_group = o.small_group;
  auto in_b = CountCombinations(b, o.normalize, r.b_records);
  if (!in_b.ok()) return in_b.status();
  auto in_a = CountCombinations(a, o.normalize, r.a_records);
  if (!in_a.ok()) return in_a.status();
  for (const auto& [key, na] : *in_a) {
    auto it = in_b->find(key);
    const uint64_t nb = it == in_b->end() ? 0 : it->second;
    r.match_sizes[nb] += na;
    if (nb == 0) {
      r.unlinked += na;
      continue;
    }
    if (nb == 1) {
      r.unique_links += na;
      if (na == 1) ++r.one_to_one;
    } else if (nb <= o.small_group) {
      r.small_group_links += na;
    } else {
      r.large_group_links += na;
    }
    r.expected_reidentifications +=
        static_cast<double>(std::min(na, nb)) / static_cast<double>(nb);
  }
  return r;
}

std::string LinkageReportJson(const LinkageReport& r, const LinkageOptions& o) {
  nlohmann::json j;
  nlohmann::json columns = nlohmann::json::array();
  for (size_t i = 0; i < o.a_columns.size(); ++i) {
    columns.push_back({{"a", o.a_columns[i]}, {"b", o.b_columns[i]}});
  }
  j["columns"] = columns;
  j["normalize"] = o.normalize;
  j["a_records"] = r.a_records;
  j["b_records"] = r.b_records;
  j["unique_links"] = r.unique_links;
  j["one_to_one"] = r.one_to_one;
  j["small_group"] = r.small_group;
  j["small_group_links"] = r.small_group_links;
  j["large_group_links"] = r.large_group_links;
  j["unlinked"] = r.unlinked;
  j["expected_reidentifications"] = r.expected_reidentifications;
  nlohmann::json sizes = nlohmann::json::object();
  for (const auto& [size, count] : r.match_sizes) sizes[std::to_string(size)] = count;
  j["match_sizes"] = sizes;
  return j.dump(2) + "\n";
}

std::string FormatLinkageReport(const LinkageReport& r, const LinkageOptions& o) {
  std::string out;
  const double n = r.a_records ? static_cast<double>(r.a_records) : 1.0;
  auto line = [&](std::string_view k, uint64_t v) {
    fmt::format_to(std::back_inserter(out), "{:<44} {} ({:.2f}%)\n", k, v, 100.0 * v / n);
  };
  std::string cols;
  for (size_t i = 0; i < o.a_columns.size(); ++i) {
    cols += (i ? ", " : "") + o.a_columns[i];
    if (o.a_columns[i] != o.b_columns[i]) cols += "=" + o.b_columns[i];
  }
  fmt::format_to(std::back_inserter(out), "{:<44} {}\n", "shared quasi-identifiers (A=B)", cols);
  fmt::format_to(std::back_inserter(out), "{:<44} {}\n", "records in A", r.a_records);
  fmt::format_to(std::back_inserter(out), "{:<44} {}\n", "records in B", r.b_records);
  line("A records linking to exactly one B record", r.unique_links);
  line("  of which unique in A too (one-to-one)", r.one_to_one);
  line(fmt::format("A records linking to 2..{} B records", r.small_group), r.small_group_links);
  line(fmt::format("A records linking to more than {}", r.small_group), r.large_group_links);
  line("A records linking to none", r.unlinked);
  fmt::format_to(std::back_inserter(out), "{:<44} {:.1f} ({:.2f}%)\n",
                 "expected re-identifications (random pick)", r.expected_reidentifications,
                 100.0 * r.expected_reidentifications / n);
  return out;
}

}  // namespace phiguard::risk
