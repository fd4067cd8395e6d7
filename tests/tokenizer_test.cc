#include "phi/internal/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "deid/internal/json_escape.h"

namespace phiguard::phi::internal {
namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<Token> tokens;
  Tokenize(text, tokens);
  std::vector<std::string> out;
  for (const Token& t : tokens) out.emplace_back(text.substr(t.start, t.end - t.start));
  return out;
}

TEST(Tokenizer, SplitsLettersAndDigitsRuns) {
  EXPECT_EQ(Words("Seen by Dr. Healey on 7/22, BP120/80."),
            (std::vector<std::string>{"Seen", "by", "Dr", "Healey", "on", "7", "22", "BP", "120",
                                      "80"}));
  EXPECT_TRUE(Words("").empty());
  EXPECT_TRUE(Words(" .,;/- ").empty());
}

TEST(Tokenizer, KeepsApostropheNamesAndNonAsciiWordsWhole) {
  EXPECT_EQ(Words("Dr. O'Rourke and D'Angelo met Jos\xC3\xA9"),
            (std::vector<std::string>{"Dr", "O'Rourke", "and", "D'Angelo", "met", "Jos\xC3\xA9"}));
  // A possessive is not a one-letter prefix: "Bell's" splits.
  EXPECT_EQ(Words("Bell's"), (std::vector<std::string>{"Bell", "s"}));
}

TEST(Tokenizer, ClassifiesCase) {
  std::vector<Token> t;
  Tokenize("Smith SMITH smith J 42 O'Rourke", t);
  ASSERT_EQ(t.size(), 6u);
  EXPECT_TRUE(t[0].title);
  EXPECT_FALSE(t[0].upper);
  EXPECT_TRUE(t[1].upper);
  EXPECT_FALSE(t[1].title);
  EXPECT_FALSE(t[2].title || t[2].upper);
  EXPECT_TRUE(t[3].initial);
  EXPECT_FALSE(t[3].upper);  // one letter is an initial, not an all-caps word
  EXPECT_TRUE(t[4].digits);
  EXPECT_TRUE(t[5].title);
}

TEST(Tokenizer, OffsetsAreBytes) {
  std::vector<Token> t;
  Tokenize("\xC3\xA9t\xC3\xA9 42", t);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].start, 0u);
  EXPECT_EQ(t[0].end, 5u);
  EXPECT_EQ(t[1].start, 6u);
  EXPECT_EQ(t[1].end, 8u);
}

TEST(DetectCaseMode, ByProportionOfUpperAndLowerLetters) {
  EXPECT_EQ(DetectCaseMode("MR MOREAU SEEN AGAIN 8/3. BP 120/80."), CaseMode::kUpper);
  EXPECT_EQ(DetectCaseMode("pt seen by dr lindquist, plan discussed with family."), CaseMode::kLower);
  EXPECT_EQ(DetectCaseMode("Seen by Dr. Healey on 7/22."), CaseMode::kMixed);
  EXPECT_EQ(DetectCaseMode("7/22 120/80"), CaseMode::kMixed);
}

}  // namespace
}  // namespace phiguard::phi::internal

namespace phiguard::deid::internal {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(AppendJsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Json(""), "\"\"");
  EXPECT_EQ(Json("plain"), "\"plain\"");
  EXPECT_EQ(Json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Json("l1\nl2\r\tx"), "\"l1\\nl2\\r\\tx\"");
  EXPECT_EQ(Json(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(Json(std::string("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(AppendJsonString, PassesUtf8Through) {
  EXPECT_EQ(Json("Jos\xC3\xA9 \xE2\x82\xAC"), "\"Jos\xC3\xA9 \xE2\x82\xAC\"");
}

TEST(AppendJsonString, Appends) {
  std::string out = "{";
  AppendJsonString(out, "k");
  EXPECT_EQ(out, "{\"k\"");
}

}  // namespace
}  // namespace phiguard::deid::internal
