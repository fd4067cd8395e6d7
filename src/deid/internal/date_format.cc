#include "deid/internal/date_format.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

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

std::optional<ParsedDate> ParseDate(std::string_view text) {
  static const std::regex kNumeric(R"(^(\d{1,2})([/\-.])(\d{1,2})(?:[/\-.](\d{2}|\d{4}))?$)");
  static const std::regex kIso(R"(^(\d{4})([\-/.])(\d{1,2})[\-/.](\d{1,2})$)");
  static const std::regex kMonthFirst(
      R"(^([A-Za-z]+)(\.?\s*)(\d{1,2})([A-Za-z]{2})?(?:(,?\s*)(\d{4}))?$)");
  static const std::regex kDayFirst(
      R"(^(\d{1,2})([A-Za-z]{2})?(\s+(?:of\s+)?)([A-Za-z]+)(\.?)(?:(,?\s*)(\d{4}))?$)");
  static const std::regex kMonthYear(R"(^([A-Za-z]+)(\.?,?\s+(?:of\s+)?)(\d{4})$)");
  std::string s(StripAscii(text));
  std::smatch m;
  ParsedDate d;
  if (std::regex_match(s, m, kNumeric)) {
    d.order = ParsedDate::Order::kMdy;
    d.month = std::stoi(m[1]);
    d.sep = m[2];
    d.day = std::stoi(m[3]);
    d.month_pad = d.day_pad = Padded(m[1].str(), m[3].str());
    if (m[4].matched) {
      d.year_digits = static_cast<int>(m[4].length());
      d.year = ExpandYear(std::stoi(m[4]), d.year_digits);
    } else if (d.day > 31 && d.sep == "/") {
      // "8/88": a month and a two-digit year.
      d.year_digits = 2;
      d.year = ExpandYear(d.day, 2);
      d.day = 0;
      d.order = ParsedDate::Order::kMdy;
      d.month_yy = true;
    }
  } else if (std::regex_match(s, m, kIso)) {
    d.order = ParsedDate::Order::kYmd;
    d.year = std::stoi(m[1]);
    d.year_digits = 4;
    d.sep = m[2];
    d.month = std::stoi(m[3]);
    d.day = std::stoi(m[4]);
    d.month_pad = d.day_pad = Padded(m[3].str(), m[4].str());
  } else if (std::regex_match(s, m, kMonthYear) && MonthFromName(m[1].str())) {
    d.order = ParsedDate::Order::kMonthName;
    d.month_text = m[1];
    d.month = MonthFromName(d.month_text);
    d.middle = m[2];
    d.year = std::stoi(m[3]);
    d.year_digits = 4;
  } else if (std::regex_match(s, m, kMonthFirst) && MonthFromName(m[1].str())) {
    d.order = ParsedDate::Order::kMonthName;
    d.month_text = m[1];
    d.month = MonthFromName(d.month_text);
    d.middle = m[2];
    d.day = std::stoi(m[3]);
    d.ordinal = m[4];
    if (m[6].matched) {
      d.suffix = m[5];
      d.year = std::stoi(m[6]);
      d.year_digits = 4;
    }
  } else if (std::regex_match(s, m, kDayFirst) && MonthFromName(m[4].str())) {
    d.order = ParsedDate::Order::kMonthName;
    d.day_first = true;
    d.day = std::stoi(m[1]);
    d.ordinal = m[2];
    d.middle = m[3];
    d.month_text = m[4];
    d.prefix = m[5];  // the '.' after an abbreviated month
    d.month = MonthFromName(d.month_text);
    if (m[7].matched) {
      d.suffix = m[6];
      d.year = std::stoi(m[7]);
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
