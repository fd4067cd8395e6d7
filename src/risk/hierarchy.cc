#include "phiguard/risk/hierarchy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "phiguard/core/csv.h"
#include "phiguard/core/strings.h"

namespace phiguard::risk {
namespace {

std::string LineOf(const std::vector<size_t>& lines, size_t i) {
  return lines.size() > i ? Cat("line ", lines[i]) : Cat("value ", i + 1);
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Days in `month` of `year` (proleptic Gregorian).
int DaysIn(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Parses the leading YYYY-MM-DD of `s`.
bool ParseIsoDate(std::string_view s, int& year, int& month, int& day) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  if (!IsDigits(s.substr(0, 4)) || !IsDigits(s.substr(5, 2)) || !IsDigits(s.substr(8, 2))) {
    return false;
  }
  if (s.size() > 10 && s[10] != 'T' && s[10] != ' ') return false;
  ParseNumber(s.substr(0, 4), year);
  ParseNumber(s.substr(5, 2), month);
  ParseNumber(s.substr(8, 2), day);
  return month >= 1 && month <= 12 && day >= 1 && day <= DaysIn(year, month);
}

std::string FormatNumber(double v) { return fmt::format("{}", v); }

absl::StatusOr<Hierarchy> GenerateZip(const std::string& column,
                                      const std::vector<std::string>& values,
                                      const std::vector<size_t>& lines) {
  std::vector<std::vector<std::string>> rows;
  size_t width = values.empty() ? 0 : values[0].size();
  for (size_t i = 0; i < values.size(); ++i) {
    if (!IsDigits(values[i])) {
      return absl::InvalidArgumentError(
          Cat("column '", column, "', ", LineOf(lines, i), ": a ZIP code must be digits only"));
    }
    if (values[i].size() != width) {
      return absl::InvalidArgumentError(Cat("column '", column, "', ", LineOf(lines, i),
                                            ": ZIP code of ", values[i].size(),
                                            " digits where the others have ", width));
    }
    std::vector<std::string> row;
    for (size_t masked = 0; masked <= width; ++masked) {
      row.push_back(values[i].substr(0, width - masked) + std::string(masked, '*'));
    }
    rows.push_back(std::move(row));
  }
  return Hierarchy::FromRows(std::move(rows), Cat("generated zip hierarchy for '", column, "'"));
}

absl::StatusOr<Hierarchy> GenerateDate(const std::string& column,
                                       const std::vector<std::string>& values,
                                       const std::vector<size_t>& lines) {
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < values.size(); ++i) {
    int y = 0, m = 0, d = 0;
    if (!ParseIsoDate(values[i], y, m, d)) {
      return absl::InvalidArgumentError(Cat("column '", column, "', ", LineOf(lines, i),
                                            ": not a date (YYYY-MM-DD)"));
    }
    int decade = y - y % 10;
    rows.push_back({values[i], fmt::format("{:04}-{:02}", y, m), fmt::format("{:04}", y),
                    fmt::format("{:04}-{:04}", decade, decade + 9), "*"});
  }
  return Hierarchy::FromRows(std::move(rows), Cat("generated date hierarchy for '", column, "'"));
}

absl::StatusOr<Hierarchy> GenerateInterval(const std::string& column, double width,
                                           const std::vector<std::string>& values,
                                           const std::vector<size_t>& lines) {
  if (!(width > 0) || !std::isfinite(width)) {
    return absl::InvalidArgumentError("interval width must be a positive number");
  }
  std::vector<double> nums(values.size());
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string_view v = StripAscii(values[i]);
    if (!ParseNumber(v, nums[i]) || !std::isfinite(nums[i])) {
      return absl::InvalidArgumentError(
          Cat("column '", column, "', ", LineOf(lines, i), ": not a number"));
    }
    lo = std::min(lo, nums[i]);
    hi = std::max(hi, nums[i]);
  }
  // Interval levels double the width until one interval holds every value (at most 64 levels).
  std::vector<double> widths;
  for (double w = width; widths.size() < 64; w *= 2) {
    widths.push_back(w);
    if (values.empty() || std::floor(lo / w) == std::floor(hi / w)) break;
  }
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<std::string> row{values[i]};
    for (double w : widths) {
      double start = std::floor(nums[i] / w) * w;
      row.push_back(fmt::format("[{}, {})", FormatNumber(start), FormatNumber(start + w)));
    }
    row.push_back("*");
    rows.push_back(std::move(row));
  }
  return Hierarchy::FromRows(std::move(rows),
                             Cat("generated interval hierarchy for '", column, "'"));
}

}  // namespace

absl::StatusOr<Hierarchy> Hierarchy::FromRows(std::vector<std::vector<std::string>> rows,
                                              const std::string& source, size_t first_line) {
  if (rows.empty()) return absl::InvalidArgumentError(Cat(source, ": empty hierarchy"));
  Hierarchy h;
  h.source_ = source;
  const size_t levels = rows[0].size();
  if (levels == 0) return absl::InvalidArgumentError(Cat(source, ": empty hierarchy"));
  // parent[l]: label at level l -> (label at level l+1, row where first seen).
  std::vector<absl::flat_hash_map<std::string, std::pair<std::string, size_t>>> parent(levels);
  for (size_t r = 0; r < rows.size(); ++r) {
    const size_t line = first_line + r;
    if (rows[r].size() != levels) {
      return absl::InvalidArgumentError(Cat(source, ":", line, ": ", rows[r].size(),
                                            " levels, the first row has ", levels));
    }
    auto [it, inserted] = h.index_.emplace(rows[r][0], r);
    if (!inserted) {
      return absl::InvalidArgumentError(Cat(source, ":", line, ": value '", rows[r][0],
                                            "' already appears on line ", first_line + it->second));
    }
    for (size_t l = 1; l + 1 < levels; ++l) {
      auto [p, fresh] = parent[l].emplace(rows[r][l], std::make_pair(rows[r][l + 1], r));
      if (!fresh && p->second.first != rows[r][l + 1]) {
        return absl::InvalidArgumentError(
            Cat(source, ":", line, ": '", rows[r][l], "' at level ", l, " generalises to '",
                rows[r][l + 1], "', but on line ", first_line + p->second.second, " to '",
                p->second.first, "' (a hierarchy must be a tree)"));
      }
    }
  }
  h.rows_ = std::move(rows);
  return h;
}

absl::StatusOr<Hierarchy> Hierarchy::LoadArxCsv(const std::string& path, char delimiter) {
  CsvOptions options;
  options.delimiter = delimiter;
  auto reader = CsvReader::Open(path, options);
  if (!reader.ok()) return reader.status();
  std::vector<std::vector<std::string>> rows{(*reader)->header()};
  size_t first_line = 1;
  std::vector<std::string> row;
  while ((*reader)->Next(row)) rows.push_back(row);
  if (!(*reader)->status().ok()) return (*reader)->status();
  return FromRows(std::move(rows), path, first_line);
}

std::optional<size_t> Hierarchy::Find(std::string_view value) const {
  auto it = index_.find(std::string(value));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<GeneratorSpec> ParseGeneratorSpec(std::string_view spec) {
  GeneratorSpec g;
  if (spec == "zip") {
    g.kind = GeneratorSpec::Kind::kZip;
  } else if (spec == "date") {
    g.kind = GeneratorSpec::Kind::kDate;
  } else if (spec.starts_with("interval:")) {
    g.kind = GeneratorSpec::Kind::kInterval;
    if (!ParseNumber(spec.substr(9), g.width) || !(g.width > 0) || !std::isfinite(g.width)) {
      return absl::InvalidArgumentError(
          Cat("generator '", spec, "': the interval width must be a positive number"));
    }
  } else {
    return absl::InvalidArgumentError(
        Cat("unknown generator '", spec, "' (use zip, date or interval:WIDTH)"));
  }
  return g;
}

absl::StatusOr<Hierarchy> GenerateHierarchy(const GeneratorSpec& spec, const std::string& column,
                                            const std::vector<std::string>& values,
                                            const std::vector<size_t>& lines) {
  if (values.empty()) {
    return absl::InvalidArgumentError(Cat("column '", column, "': no values to build a hierarchy"));
  }
  switch (spec.kind) {
    case GeneratorSpec::Kind::kZip:
      return GenerateZip(column, values, lines);
    case GeneratorSpec::Kind::kDate:
      return GenerateDate(column, values, lines);
    case GeneratorSpec::Kind::kInterval:
      return GenerateInterval(column, spec.width, values, lines);
  }
  return absl::InternalError("unknown generator");
}

}  // namespace phiguard::risk
