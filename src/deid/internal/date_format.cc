#include "deid/internal/date_format.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

#include <re2/re2.h>

#include "phiguard/core/strings.h"

namespace phiguard::deid::internal {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

// 1..12 for a month name or its abbreviation ("sept" too), else 0.
int MonthFromName(std::string_view w) {
  std::string l = ToLowerAscii(w);
  if (l.size() < 3) return 0;
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i].starts_with(l)) return i + 1;
  }
  return 0;
}

// Writes month `m` in the style of `as_written` (which named month `original`): full name or
// abbreviation ("Jul", "Sept"), and its case (UPPER, Title, lower).
std::string MonthLike(std::string_view as_written, int original, int m) {
  std::string full(kMonths[m - 1]);
  bool abbreviated = as_written.size() < kMonths[original - 1].size();
  std::string out = full;
  if (abbreviated) out = full.substr(0, (as_written.size() == 4 && m == 9) ? 4 : 3);
  bool upper = as_written.size() > 1 && std::isupper(static_cast<unsigned char>(as_written[1]));
  bool title = !as_written.empty() && std::isupper(static_cast<unsigned char>(as_written[0]));
  for (size_t i = 0; i < out.size(); ++i) {
    if (upper || (title && i == 0)) out[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i])));
  }
  return out;
}

// Zero padding of a numeric date: "07/22" and "12/30" are fixed-width; "7/22" and "7/5" are not.
bool Padded(const std::string& a, const std::string& b) {
  return (a.size() == 2 && a[0] == '0') || (b.size() == 2 && b[0] == '0') ||
         (a.size() == 2 && b.size() == 2);
}

std::string Ordinal(int day, std::string_view as_written) {
  if (as_written.empty()) return "";
  std::string o = (day % 100 >= 11 && day % 100 <= 13) ? "th"
                  : day % 10 == 1                      ? "st"
                  : day % 10 == 2                      ? "nd"
                  : day % 10 == 3                      ? "rd"
                                                       : "th";
  if (std::isupper(static_cast<unsigned char>(as_written[0]))) {
    for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return o;
}

std::string Pad(int v, bool pad) {
  std::string s = std::to_string(v);
  return pad && s.size() < 2 ? "0" + s : s;
}

std::string YearText(int y, int digits) {
  if (digits == 2) return Pad(((y % 100) + 100) % 100, true);
  return std::to_string(y);
}

int ExpandYear(int y, int digits) {
  if (digits != 2) return y;
  return y < 30 ? 2000 + y : 1900 + y;
}

}  // namespace

namespace {

// The numeric shapes, without RE2 (a CSV date column parses one per row): M/D, M/D/YY,
// M/D/YYYY with one or two digits for M and D, and YYYY-M-D; each separator is '/', '-' or '.'
// (as the regexes (\d{1,2})([/\-.])(\d{1,2})(?:[/\-.](\d{2}|\d{4}))? and
// (\d{4})([\-/.])(\d{1,2})[\-/.](\d{1,2}) did before). `s` holds only digits and separators.
std::optional<ParsedDate> ParseNumericDate(std::string_view s) {
  std::string_view part[3];  // digit runs
  char sep[2] = {0, 0};
  size_t parts = 0;
  size_t i = 0;
  while (parts < 3) {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    part[parts++] = s.substr(start, i - start);
    if (i == s.size()) break;
    if (parts == 3) return std::nullopt;  // a third separator
    sep[parts - 1] = s[i++];
  }
  if (i != s.size() || parts < 2) return std::nullopt;
  for (size_t p = 0; p < parts; ++p) {
    if (part[p].empty()) return std::nullopt;
  }
  auto num = [](std::string_view x) {
    int v = 0;
    for (char c : x) v = v * 10 + (c - '0');
    return v;
  };
  const size_t a = part[0].size(), b = part[1].size(), c = parts == 3 ? part[2].size() : 0;
  ParsedDate d;
  if (a <= 2 && b <= 2 && (parts == 2 || c == 2 || c == 4)) {  // kNumeric
    d.order = ParsedDate::Order::kMdy;
    d.month = num(part[0]);
    d.sep = std::string(1, sep[0]);
    d.day = num(part[1]);
    d.month_pad = d.day_pad = Padded(std::string(part[0]), std::string(part[1]));
    if (parts == 3) {
      d.year_digits = static_cast<int>(c);
      d.year = ExpandYear(num(part[2]), d.year_digits);
    } else if (d.day > 31 && d.sep == "/") {
      d.year_digits = 2;
      d.year = ExpandYear(d.day, 2);
      d.day = 0;
      d.month_yy = true;
    }
  } else if (parts == 3 && a == 4 && b <= 2 && c <= 2) {  // kIso
    d.order = ParsedDate::Order::kYmd;
    d.year = num(part[0]);
    d.year_digits = 4;
    d.sep = std::string(1, sep[0]);
    d.month = num(part[1]);
    d.day = num(part[2]);
    d.month_pad = d.day_pad = Padded(std::string(part[1]), std::string(part[2]));
  } else {
    return std::nullopt;
  }
  if (d.month < 1 || d.month > 12 || d.day < 0 || d.day > 31) return std::nullopt;
  return d;
}

}  // namespace

std::optional<ParsedDate> ParseDate(std::string_view text) {
  // Numeric shapes hold only digits and separators, month-name shapes need letters.
  std::string_view sv = StripAscii(text);
  if (std::all_of(sv.begin(), sv.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '.';
      })) {
    return ParseNumericDate(sv);
  }
  // The month-name shapes. RE2, not std::regex: linear time on any input, and no recursion to
  // blow the stack.
  static const RE2 kMonthFirst(R"(([A-Za-z]+)(\.?\s*)(\d{1,2})([A-Za-z]{2})?(?:(,?\s*)(\d{4}))?)");
  static const RE2 kDayFirst(
      R"((\d{1,2})([A-Za-z]{2})?(\s+(?:of\s+)?)([A-Za-z]+)(\.?)(?:(,?\s*)(\d{4}))?)");
  static const RE2 kMonthYear(R"(([A-Za-z]+)(\.?,?\s+(?:of\s+)?)(\d{4}))");
  re2::StringPiece s(sv.data(), sv.size());
  std::string g1, g2, g3, g4, g5, g6, g7;
  ParsedDate d;
  auto num = [](const std::string& x) { return std::atoi(x.c_str()); };
  if (RE2::FullMatch(s, kMonthYear, &g1, &g2, &g3) && MonthFromName(g1)) {
    d.order = ParsedDate::Order::kMonthName;
    d.month_text = g1;
    d.month = MonthFromName(g1);
    d.middle = g2;
    d.year = num(g3);
    d.year_digits = 4;
  } else if (RE2::FullMatch(s, kMonthFirst, &g1, &g2, &g3, &g4, &g5, &g6) && MonthFromName(g1)) {
    d.order = ParsedDate::Order::kMonthName;
    d.month_text = g1;
    d.month = MonthFromName(g1);
    d.middle = g2;
    d.day = num(g3);
    d.ordinal = g4;
    if (!g6.empty()) {
      d.suffix = g5;
      d.year = num(g6);
      d.year_digits = 4;
    }
  } else if (RE2::FullMatch(s, kDayFirst, &g1, &g2, &g3, &g4, &g5, &g6, &g7) &&
             MonthFromName(g4)) {
    d.order = ParsedDate::Order::kMonthName;
    d.day_first = true;
    d.day = num(g1);
    d.ordinal = g2;
    d.middle = g3;
    d.month_text = g4;
    d.prefix = g5;  // the '.' after an abbreviated month
    d.month = MonthFromName(g4);
    if (!g7.empty()) {
      d.suffix = g6;
      d.year = num(g7);
      d.year_digits = 4;
    }
  } else {
    return std::nullopt;
  }
  if (d.month < 1 || d.month > 12 || d.day < 0 || d.day > 31) return std::nullopt;
  return d;
}

std::string ParsedDate::Format(int y, int mo, int da) const {
  switch (order) {
    case Order::kMdy: {
      if (month_yy) return Pad(mo, month_pad) + sep + YearText(y, 2);
      std::string out = Pad(mo, month_pad) + sep + Pad(da, day_pad);
      if (year_digits) out += sep + YearText(y, year_digits);
      return out;
    }
    case Order::kYmd:
      return YearText(y, 4) + sep + Pad(mo, month_pad) + sep + Pad(da, day_pad);
    case Order::kDmy:
    case Order::kMonthName: {
      std::string mt = MonthLike(month_text, month, mo);
      std::string out;
      if (day == 0) return mt + middle + YearText(y, 4);
      if (day_first) {
        out = std::to_string(da) + Ordinal(da, ordinal) + middle + mt + prefix;
      } else {
        out = mt + middle + std::to_string(da) + Ordinal(da, ordinal);
      }
      if (year_digits) out += suffix + YearText(y, 4);
      return out;
    }
  }
  return "";
}

std::string ShiftDate(const ParsedDate& d, int days, int default_year) {
  int y = d.year != 0 ? d.year : default_year;
  if (d.day == 0) {
    // Month and year only: shift the first of the month, keep the month granularity.
    absl::CivilDay c(y, d.month, 15);
    c += days;
    return d.Format(static_cast<int>(c.year()), c.month(), 0);
  }
  absl::CivilDay c(y, d.month, d.day);
  if (c.month() != d.month) c = absl::CivilDay(y, d.month, 28);  // "2/30" and the like
  c += days;
  return d.Format(static_cast<int>(c.year()), c.month(), c.day());
}

}  // namespace phiguard::deid::internal
