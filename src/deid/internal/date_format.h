// Parses the date forms the detector finds ("7/22", "07-22-2010", "July 22nd", "22 Jul 2010",
// "2010-07-22", "March of 1993") into their parts and writes a changed date back in the very same
// shape (separators, zero padding, month-name style and case), so a shifted note reads naturally.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"

namespace phiguard::deid::internal {

struct ParsedDate {
  int year = 0;  // 0 when the text has no year
  int month = 0;
  int day = 0;   // 0 when the text has no day ("July 2010")
  // Rebuilds the text for another date in the same shape.
  std::string Format(int year, int month, int day) const;

  // Shape, filled by ParseDate.
  enum class Order { kMdy, kYmd, kDmy, kMonthName } order = Order::kMdy;
  std::string sep = "/";     // numeric separator
  bool month_pad = false, day_pad = false;
  int year_digits = 0;       // 0, 2 or 4
  std::string prefix, middle, suffix;  // literal text around the parts (month-name forms)
  std::string month_text;    // month as written ("Jul", "JULY", "july")
  std::string ordinal;       // "nd" in "22nd" (as written, case kept)
  bool day_first = false;    // "22 Jul" vs "Jul 22"
  bool month_yy = false;     // "8/88": month/two-digit year
};

// nullopt when `text` is no date this parser knows (the caller then redacts it).
std::optional<ParsedDate> ParseDate(std::string_view text);

// Adds `days` to the date and writes it in the original shape; `default_year` stands in for a
// missing year (pick a non-leap year so "2/29" cannot appear from nowhere).
std::string ShiftDate(const ParsedDate& d, int days, int default_year);


}  // namespace phiguard::deid::internal
