#include "phiguard/core/strings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace phiguard {
namespace {

using Pieces = std::vector<std::string_view>;

TEST(Split, KeepsEmptyPieces) {
  EXPECT_EQ(Split("a,,b", ','), (Pieces{"a", "", "b"}));
  EXPECT_EQ(Split(",a,", ','), (Pieces{"", "a", ""}));
}

TEST(Split, EmptyInputGivesOneEmptyPiece) {
  EXPECT_EQ(Split("", ','), (Pieces{""}));
  EXPECT_EQ(Split("", std::string_view("||")), (Pieces{""}));
}

TEST(Split, NoSeparatorGivesWholeString) {
  EXPECT_EQ(Split("abc", ','), (Pieces{"abc"}));
  EXPECT_EQ(Split("abc", std::string_view("||||")), (Pieces{"abc"}));
}

TEST(Split, OnMultiCharacterSeparator) {
  EXPECT_EQ(Split("1||||2||||", std::string_view("||||")), (Pieces{"1", "2", ""}));
  EXPECT_EQ(Split("a::b:c", std::string_view("::")), (Pieces{"a", "b:c"}));
}

TEST(Split, OnEmptyStringSeparatorGivesWholeString) {
  EXPECT_EQ(Split("abc", std::string_view("")), (Pieces{"abc"}));
}

struct StripCase {
  std::string in;
  std::string out;
};
void PrintTo(const StripCase& c, std::ostream* os) { *os << c.in; }

class StripAsciiTest : public testing::TestWithParam<StripCase> {};

TEST_P(StripAsciiTest, RemovesLeadingAndTrailingAsciiWhitespaceOnly) {
  EXPECT_EQ(StripAscii(GetParam().in), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(Strings, StripAsciiTest,
                         testing::Values(StripCase{"", ""}, StripCase{"   ", ""},
                                         StripCase{"abc", "abc"}, StripCase{"  abc  ", "abc"},
                                         StripCase{"\t\r\n\f\vabc\n", "abc"},
                                         StripCase{" a b ", "a b"},
                                         StripCase{"\xC2\xA0x\xC2\xA0", "\xC2\xA0x\xC2\xA0"}));

TEST(ParseNumber, AcceptsWholeDecimalNumbers) {
  int i = 0;
  EXPECT_TRUE(ParseNumber("42", i));
  EXPECT_EQ(i, 42);
  EXPECT_TRUE(ParseNumber("-7", i));
  EXPECT_EQ(i, -7);
  size_t z = 0;
  EXPECT_TRUE(ParseNumber("18446744073709551615", z));
  EXPECT_EQ(z, SIZE_MAX);
}

TEST(ParseNumber, RejectsEmptyPartialAndOverflowingInput) {
  int i = 0;
  EXPECT_FALSE(ParseNumber("", i));
  EXPECT_FALSE(ParseNumber("12a", i));
  EXPECT_FALSE(ParseNumber(" 12", i));
  EXPECT_FALSE(ParseNumber("12 ", i));
  EXPECT_FALSE(ParseNumber("+12", i));
  EXPECT_FALSE(ParseNumber("0x10", i));
  EXPECT_FALSE(ParseNumber("99999999999", i));
  uint8_t b = 0;
  EXPECT_FALSE(ParseNumber("256", b));
  unsigned u = 0;
  EXPECT_FALSE(ParseNumber("-1", u));
}

TEST(Cat, JoinsStringsCharactersAndIntegers) {
  std::string s = "msg";
  EXPECT_EQ(Cat("line ", 12, ": ", s, '!', std::string_view("|"), size_t{7}, -3), "line 12: msg!|7-3");
  EXPECT_EQ(Cat(), "");
  EXPECT_EQ(Cat(absl::string_view("abs")), "abs");
}

TEST(ToLowerAscii, LowersOnlyAsciiLetters) {
  EXPECT_EQ(ToLowerAscii("MRN: ABC-12 \xC3\x89"), "mrn: abc-12 \xC3\x89");
}

TEST(EqualsIgnoreCase, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(EqualsIgnoreCase("Safe-Harbor", "safe-harbor"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abd"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abcd"));
}

}  // namespace
}  // namespace phiguard

namespace phiguard {
namespace {

TEST(HexTest, RoundTripsAndRejectsMalformedHex) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(HexDecode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(HexDecode(""), std::string());
  EXPECT_EQ(HexDecode("abc"), std::nullopt);
  EXPECT_EQ(HexDecode("zz"), std::nullopt);
}

}  // namespace
}  // namespace phiguard
