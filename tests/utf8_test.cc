#include "phiguard/core/utf8.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace phiguard {
namespace {

struct Utf8Case {
  const char* name;
  std::string text;
  std::optional<size_t> invalid_at;
};
void PrintTo(const Utf8Case& c, std::ostream* os) { *os << c.name; }

class FindInvalidUtf8Test : public testing::TestWithParam<Utf8Case> {};

TEST_P(FindInvalidUtf8Test, ReportsFirstInvalidByteOffset) {
  EXPECT_EQ(FindInvalidUtf8(GetParam().text), GetParam().invalid_at);
}

INSTANTIATE_TEST_SUITE_P(
    Utf8, FindInvalidUtf8Test,
    testing::Values(
        Utf8Case{"Empty", "", std::nullopt},
        Utf8Case{"Ascii", "Seen by Dr. Healey on 7/22, more than eight bytes long.", std::nullopt},
        Utf8Case{"TwoByte", "Jos\xC3\xA9 Ram\xC3\xADrez", std::nullopt},
        Utf8Case{"ThreeByte", "\xE2\x82\xAC 100", std::nullopt},
        Utf8Case{"FourByte", "ok \xF0\x9F\x98\x80", std::nullopt},
        Utf8Case{"MaxCodePoint", "\xF4\x8F\xBF\xBF", std::nullopt},
        Utf8Case{"LoneContinuation", "abc\x80", 3},
        Utf8Case{"InvalidLeadFF", "0123456789\xFF", 10},
        Utf8Case{"OverlongSlash", "a\xC0\xAF", 1},
        Utf8Case{"OverlongNul", "\xC1\x80", 0},
        Utf8Case{"OverlongThreeByte", "ab\xE0\x80\xAF", 2},
        Utf8Case{"OverlongFourByte", "\xF0\x80\x80\xAF", 0},
        Utf8Case{"SurrogateD800", "x\xED\xA0\x80y", 1},
        Utf8Case{"SurrogateDFFF", "\xED\xBF\xBF", 0},
        Utf8Case{"Above10FFFF", "ab\xF4\x90\x80\x80", 2},
        Utf8Case{"FiveByteLead", "\xF8\x88\x80\x80\x80", 0},
        Utf8Case{"TruncatedTwoByteAtEnd", "caf\xC3", 3},
        Utf8Case{"TruncatedThreeByteAtEnd", "12345678\xE2\x82", 8},
        Utf8Case{"TruncatedFourByteBeforeAscii", "a\xF0\x9F\x98z", 1},
        Utf8Case{"InvalidAfterValidMultiByte", "\xC3\xA9\xC3", 2}),
    [](const testing::TestParamInfo<Utf8Case>& info) { return std::string(info.param.name); });

TEST(CodePointIndex, AsciiOffsetsAreByteOffsets) {
  CodePointIndex idx("hello world");
  EXPECT_TRUE(idx.ascii());
  for (size_t b = 0; b <= 11; ++b) EXPECT_EQ(idx.ToCodePoint(b), b);
}

TEST(CodePointIndex, EmptyTextMapsZeroToZero) {
  CodePointIndex idx("");
  EXPECT_EQ(idx.ToCodePoint(0), 0u);
}

TEST(CodePointIndex, MultiByteSequencesCountAsOneCodePoint) {
  // "Jos\u00e9 \u20ac\U0001F600!": J o s é(2) ' ' €(3) 😀(4) !
  const std::string text = "Jos\xC3\xA9 \xE2\x82\xAC\xF0\x9F\x98\x80!";
  ASSERT_EQ(text.size(), 14u);
  CodePointIndex idx(text);
  EXPECT_FALSE(idx.ascii());
  EXPECT_EQ(idx.ToCodePoint(0), 0u);
  EXPECT_EQ(idx.ToCodePoint(3), 3u);   // é starts
  EXPECT_EQ(idx.ToCodePoint(5), 4u);   // the space
  EXPECT_EQ(idx.ToCodePoint(6), 5u);   // € starts
  EXPECT_EQ(idx.ToCodePoint(9), 6u);   // 😀 starts
  EXPECT_EQ(idx.ToCodePoint(13), 7u);  // '!'
  EXPECT_EQ(idx.ToCodePoint(14), 8u);  // one past the end
}

TEST(CodePointIndex, ByteInsideSequenceMapsToItsCodePoint) {
  const std::string text = "a\xE2\x82\xAC" "b";
  CodePointIndex idx(text);
  EXPECT_EQ(idx.ToCodePoint(1), 1u);
  EXPECT_EQ(idx.ToCodePoint(2), 1u);
  EXPECT_EQ(idx.ToCodePoint(3), 1u);
  EXPECT_EQ(idx.ToCodePoint(4), 2u);
  EXPECT_EQ(idx.ToCodePoint(5), 3u);
}

TEST(CodePointIndex, TextStartingWithMultiByteCharacter) {
  const std::string text = "\xC3\xA9t\xC3\xA9";  // "été"
  CodePointIndex idx(text);
  EXPECT_EQ(idx.ToCodePoint(0), 0u);
  EXPECT_EQ(idx.ToCodePoint(2), 1u);
  EXPECT_EQ(idx.ToCodePoint(3), 2u);
  EXPECT_EQ(idx.ToCodePoint(5), 3u);
}

}  // namespace
}  // namespace phiguard
