#include "deid/internal/date_format.h"
#include "deid/internal/machine_date.h"

#include <gtest/gtest.h>

#include <string>

namespace phiguard::deid::internal {
namespace {

constexpr int kDefaultYear = 2001;  // what the Transformer passes: not a leap year

struct ShiftCase {
  const char* name;
  std::string in;
  int days;
  std::string out;
};
void PrintTo(const ShiftCase& c, std::ostream* os) { *os << c.name; }

class ShiftDateTest : public testing::TestWithParam<ShiftCase> {};

TEST_P(ShiftDateTest, KeepsTheShapeOfTheDate) {
  const ShiftCase& c = GetParam();
  auto parsed = ParseDate(c.in);
  ASSERT_TRUE(parsed.has_value()) << c.in;
  EXPECT_EQ(ShiftDate(*parsed, c.days, kDefaultYear), c.out) << c.in << " + " << c.days;
}

INSTANTIATE_TEST_SUITE_P(
    DateFormat, ShiftDateTest,
    testing::Values(
        ShiftCase{"SlashNoYear", "7/22", 7, "7/29"},
        ShiftCase{"PaddedSlashNoYearAcrossMonth", "07/29", 7, "08/05"},
        ShiftCase{"PaddedSlashWithYearBack", "07/22/2010", -7, "07/15/2010"},
        ShiftCase{"PaddedDashes", "07-22-2010", 7, "07-29-2010"},
        ShiftCase{"TwoDigitYear", "7/22/10", 7, "7/29/10"},
        ShiftCase{"Iso", "2010-07-22", 7, "2010-07-29"},
        ShiftCase{"IsoAcrossYear", "2010-12-28", 7, "2011-01-04"},
        ShiftCase{"YearRollover", "12/30/2010", 7, "01/06/2011"},
        ShiftCase{"YearRolloverTwoDigitYear", "12/30/10", 7, "01/06/11"},
        ShiftCase{"YearRolloverBackwards", "01/03/2011", -7, "12/27/2010"},
        ShiftCase{"LeapDay", "2/28/2012", 1, "2/29/2012"},
        ShiftCase{"MonthNameWithOrdinalSameMonth", "July 22nd", 7, "July 29th"},
        ShiftCase{"OrdinalChangesSuffix", "July 1st", 21, "July 22nd"},
        ShiftCase{"AbbreviatedMonthFirst", "Jul 22", 14, "Aug 5"},
        ShiftCase{"AbbreviatedMonthWithDotAndYear", "Dec. 30, 2010", 7, "Jan. 6, 2011"},
        ShiftCase{"DayFirstAbbreviatedMonth", "22 Jul", 7, "29 Jul"},
        ShiftCase{"DayFirstAcrossMonth", "29 Jul", 7, "5 Aug"},
        ShiftCase{"DayOfMonth", "22nd of July", 7, "29th of July"},
        ShiftCase{"UpperCaseAbbreviation", "JUL 22", 14, "AUG 5"},
        ShiftCase{"LowerCaseFullMonth", "june 30", 2, "july 2"},
        ShiftCase{"MonthYearStaysInMonth", "JULY 2010", 7, "JULY 2010"},
        ShiftCase{"MonthOfYear", "March of 1993", 30, "April of 1993"},
        ShiftCase{"MonthTwoDigitYear", "8/88", 7, "8/88"},
        ShiftCase{"MonthTwoDigitYearNextMonth", "8/88", 28, "9/88"}),
    [](const testing::TestParamInfo<ShiftCase>& info) { return std::string(info.param.name); });

TEST(ShiftDate, FullMonthNameChangingMonthIsWrittenInFull) {
  auto july = ParseDate("July 22nd");
  auto upper = ParseDate("JULY 2010");
  ASSERT_TRUE(july && upper);
  std::string a = ShiftDate(*july, 14, kDefaultYear);
  std::string b = ShiftDate(*upper, 31, kDefaultYear);
  EXPECT_EQ(a, "August 5th");
  EXPECT_EQ(b, "AUGUST 2010");
}

TEST(ShiftDate, UnpaddedMonthKeepsDayUnpadded) {
  // "29" is two digits because it is >= 10, not because the writer pads: the unpadded month
  // says they do not.
  auto a = ParseDate("7/29");
  auto b = ParseDate("7/22/2010");
  auto c = ParseDate("2/28");
  ASSERT_TRUE(a && b && c);
  std::string sa = ShiftDate(*a, 7, kDefaultYear);
  std::string sb = ShiftDate(*b, 14, kDefaultYear);
  std::string sc = ShiftDate(*c, 1, kDefaultYear);
  EXPECT_EQ(sa, "8/5");
  EXPECT_EQ(sb, "8/5/2010");
  EXPECT_EQ(sc, "3/1");
}

TEST(ShiftDate, MissingYearUsesDefaultYearForLeapRules) {
  auto feb = ParseDate("02/28");
  ASSERT_TRUE(feb);
  EXPECT_EQ(ShiftDate(*feb, 1, 2001), "03/01");
  EXPECT_EQ(ShiftDate(*feb, 1, 2004), "02/29");
}

TEST(ShiftDate, ImpossibleDayIsClampedToMonth) {
  auto d = ParseDate("02/30/2010");
  ASSERT_TRUE(d);
  EXPECT_EQ(ShiftDate(*d, 7, kDefaultYear), "03/07/2010");  // treated as 02/28
}

TEST(ParseDate, ReadsParts) {
  auto d = ParseDate("7/22");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 0);
  EXPECT_EQ(d->month, 7);
  EXPECT_EQ(d->day, 22);

  auto iso = ParseDate("2010-07-22");
  ASSERT_TRUE(iso);
  EXPECT_EQ(iso->order, ParsedDate::Order::kYmd);
  EXPECT_EQ(iso->year, 2010);
  EXPECT_EQ(iso->month, 7);
  EXPECT_EQ(iso->day, 22);

  auto named = ParseDate("July 22nd");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->order, ParsedDate::Order::kMonthName);
  EXPECT_EQ(named->month, 7);
  EXPECT_EQ(named->day, 22);
  EXPECT_EQ(named->ordinal, "nd");
}

TEST(ParseDate, MonthYearHasNoDay) {
  auto d = ParseDate("JULY 2010");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 2010);
  EXPECT_EQ(d->month, 7);
  EXPECT_EQ(d->day, 0);
}

TEST(ParseDate, SlashMonthAndTwoDigitYear) {
  auto d = ParseDate("8/88");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->month_yy);
  EXPECT_EQ(d->month, 8);
  EXPECT_EQ(d->year, 1988);
  EXPECT_EQ(d->day, 0);
}

TEST(ParseDate, TwoDigitYearsPivotAt30) {
  EXPECT_EQ(ParseDate("1/2/29").value().year, 2029);
  EXPECT_EQ(ParseDate("1/2/30").value().year, 1930);
}

TEST(ParseDate, IgnoresSurroundingWhitespace) {
  auto d = ParseDate("  7/22 ");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->month, 7);
}

class UnparseableDateTest : public testing::TestWithParam<std::string> {};

TEST_P(UnparseableDateTest, IsNullopt) { EXPECT_FALSE(ParseDate(GetParam()).has_value()); }

INSTANTIATE_TEST_SUITE_P(DateFormat, UnparseableDateTest,
                         testing::Values("", "yesterday", "Christmas", "13/12/2010", "0/5",
                                         "7/22/123", "22nd", "Smarch 3", "2010-13-01", "7-22x",
                                         "7/22/2010 extra", "the 4th"));

// Numeric dates: every field of the parse, for the shapes and near misses a CSV column holds.
TEST(ParseDate, NumericShapesAndNearMisses) {
  struct Case {
    const char* text;
    bool ok;
    ParsedDate::Order order;
    int year, month, day;
    const char* sep;
    bool pad;
    int year_digits;
    bool month_yy;
  };
  using O = ParsedDate::Order;
  const Case kCases[] = {
      {"07/22/2023", true, O::kMdy, 2023, 7, 22, "/", true, 4, false},
      {" 7-5 ", true, O::kMdy, 0, 7, 5, "-", false, 0, false},
      {"12.30.99", true, O::kMdy, 1999, 12, 30, ".", true, 2, false},
      {"1/2-29", true, O::kMdy, 2029, 1, 2, "/", false, 2, false},
      {"8/88", true, O::kMdy, 1988, 8, 0, "/", false, 2, true},
      {"8-88", false, O::kMdy, 0, 0, 0, "", false, 0, false},  // day 88, no year
      {"2023-07-22", true, O::kYmd, 2023, 7, 22, "-", true, 4, false},
      {"2023/7/2", true, O::kYmd, 2023, 7, 2, "/", false, 4, false},
      {"2023.7-02", true, O::kYmd, 2023, 7, 2, ".", true, 4, false},
      {"13/01/2020", false, O::kMdy, 0, 0, 0, "", false, 0, false},  // month 13
      {"123/4/2020", false, O::kMdy, 0, 0, 0, "", false, 0, false},
      {"1/2/123", false, O::kMdy, 0, 0, 0, "", false, 0, false},
      {"07/22/2023/1", false, O::kMdy, 0, 0, 0, "", false, 0, false},
      {"07//22", false, O::kMdy, 0, 0, 0, "", false, 0, false},
      {"2023-07", false, O::kMdy, 0, 0, 0, "", false, 0, false},
      {"20230722", false, O::kMdy, 0, 0, 0, "", false, 0, false},
      {"", false, O::kMdy, 0, 0, 0, "", false, 0, false},
      {"-/.", false, O::kMdy, 0, 0, 0, "", false, 0, false},
  };
  for (const Case& c : kCases) {
    auto d = ParseDate(c.text);
    ASSERT_EQ(d.has_value(), c.ok) << c.text;
    if (!c.ok) continue;
    EXPECT_EQ(d->order, c.order) << c.text;
    EXPECT_EQ(d->year, c.year) << c.text;
    EXPECT_EQ(d->month, c.month) << c.text;
    EXPECT_EQ(d->day, c.day) << c.text;
    EXPECT_EQ(d->sep, c.sep) << c.text;
    EXPECT_EQ(d->month_pad, c.pad) << c.text;
    EXPECT_EQ(d->day_pad, c.pad) << c.text;
    EXPECT_EQ(d->year_digits, c.year_digits) << c.text;
    EXPECT_EQ(d->month_yy, c.month_yy) << c.text;
  }
}

// FHIR and HL7 dates keep their precision, separators and time part when shifted or generalised.
TEST(MachineDate, ShiftsAndGeneralisesInTheInputsFormat) {
  auto fhir = ParseFhirDate("2020-02-29T10:20:30+01:00");
  ASSERT_TRUE(fhir.has_value());
  EXPECT_EQ(fhir->Shifted(7), "2020-03-07T10:20:30+01:00");
  EXPECT_EQ(fhir->Shifted(-60), "2019-12-31T10:20:30+01:00");
  EXPECT_EQ(fhir->Year(), "2020");
  EXPECT_EQ(fhir->Month(), "2020-02");
  EXPECT_EQ(ParseFhirDate("0999-01")->Shifted(-30), "0998-12");  // month precision: from day 15
  EXPECT_EQ(ParseFhirDate("0042")->Shifted(700), "0042");       // year only: kept
  EXPECT_EQ(ParseFhirDate("0001-01-03")->Shifted(-7), "0001-01-03");  // before year 1: kept
  EXPECT_EQ(ParseFhirDate("9999-12-30")->Shifted(1), "9999-12-31");
  auto hl7 = ParseHl7Date("20200229123000");
  ASSERT_TRUE(hl7.has_value());
  EXPECT_EQ(hl7->Shifted(1), "20200301123000");
  EXPECT_EQ(hl7->Year(), "2020");
  EXPECT_EQ(hl7->Month(), "202002");
  EXPECT_FALSE(ParseFhirDate("2021-02-29").has_value());
  EXPECT_FALSE(ParseHl7Date("202002").has_value());
}

}  // namespace
}  // namespace phiguard::deid::internal
