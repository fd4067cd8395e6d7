#include "phiguard/eval/physionet.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "test_util.h"

namespace phiguard::eval {
namespace {

using testing_util::WriteFile;

// Two notes. Note 1: "Dr. Healey" (gold) vs "Healey" (detected) is not fully covered; "7/22" is;
// "1992" is a DateYear. Note 2: the SSN is found, "stable" (a made-up gold Location) is missed,
// and the phone number is detected but not gold.
constexpr char kText[] =
    "START_OF_RECORD=1||||1||||\n"
    "Seen by Dr. Healey on 7/22 in 1992.\n"
    "||||END_OF_RECORD\n"
    "START_OF_RECORD=1||||2||||\n"
    "SSN 123-45-6789. Vitals stable. Call 410-555-0142.\n"
    "||||END_OF_RECORD\n";
constexpr char kGold[] =
    "1 1 8 18 HCPName Dr. Healey\n"
    "1 1 22 26 Date 7/22\n"
    "1 1 30 34 DateYear 1992\n"
    "1 2 4 15 SSN 123-45-6789\n"
    "1 2 24 30 Location stable\n";

class PhysionetEvalTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { detector_ = testing_util::SharedDetector(); }
  void SetUp() override { ASSERT_NE(detector_, nullptr); }
  static const phi::Detector* detector_;
  testing_util::ScopedTempDir dir_;
};
const phi::Detector* PhysionetEvalTest::detector_ = nullptr;

TEST_F(PhysionetEvalTest, ReadsNotesAndGold) {
  auto notes = ReadPhysionetNotes(WriteFile(dir_.File("id.text"), kText));
  ASSERT_TRUE(notes.ok()) << notes.status();
  ASSERT_EQ(notes->size(), 2u);
  EXPECT_EQ((*notes)[0].patient, "1");
  EXPECT_EQ((*notes)[1].note, "2");
  EXPECT_EQ((*notes)[0].text, "Seen by Dr. Healey on 7/22 in 1992.\n");

  auto gold = ReadPhysionetGold(WriteFile(dir_.File("id-phi.phrase"), kGold));
  ASSERT_TRUE(gold.ok()) << gold.status();
  ASSERT_EQ(gold->size(), 5u);
  EXPECT_EQ((*gold)[0].start, 8u);
  EXPECT_EQ((*gold)[0].end, 18u);
  EXPECT_EQ((*gold)[0].type, "HCPName");
  EXPECT_EQ((*gold)[0].text, "Dr. Healey");  // text with a space is rejoined
}

TEST_F(PhysionetEvalTest, CountsRecallPrecisionAndDateYearApart) {
  auto notes = ReadPhysionetNotes(WriteFile(dir_.File("id.text"), kText));
  auto gold = ReadPhysionetGold(WriteFile(dir_.File("id-phi.phrase"), kGold));
  ASSERT_TRUE(notes.ok() && gold.ok());
  auto r = EvaluatePhysionet(*detector_, *notes, *gold, 2);
  ASSERT_TRUE(r.ok()) << r.status();

  // Recall: 4 gold PHI without the DateYear; "Dr. Healey" (partly covered) and "stable" missed.
  EXPECT_EQ(r->recall.total, 4u);
  EXPECT_EQ(r->recall.hit, 2u);
  EXPECT_EQ(r->recall_by_gold_type.at("HCPName").hit, 0u);
  EXPECT_EQ(r->recall_by_gold_type.at("Date").hit, 1u);
  EXPECT_EQ(r->recall_by_gold_type.at("SSN").hit, 1u);
  EXPECT_EQ(r->recall_by_gold_type.at("Location").hit, 0u);
  EXPECT_EQ(r->recall_by_gold_type.count("DateYear"), 0u);
  EXPECT_EQ(r->date_year.total, 1u);
  EXPECT_EQ(r->date_year.hit, 0u);
  ASSERT_EQ(r->misses.size(), 2u);
  EXPECT_EQ(r->misses[0].text, "Dr. Healey");
  EXPECT_EQ(r->misses[1].type, "Location");

  // Precision: Healey (overlaps gold), 7/22, SSN are true; the phone number is not.
  EXPECT_EQ(r->precision.total, 4u);
  EXPECT_EQ(r->precision.hit, 3u);
  EXPECT_EQ(r->precision_by_detected_type.at("PHONE").hit, 0u);
  EXPECT_EQ(r->precision_by_detected_type.at("CLINICIAN").hit, 1u);
  ASSERT_EQ(r->false_positives.size(), 1u);
  EXPECT_EQ(r->false_positives[0].text, "410-555-0142");

  EXPECT_DOUBLE_EQ(r->recall.Rate(), 0.5);
  EXPECT_DOUBLE_EQ(r->precision.Rate(), 0.75);
  EXPECT_NEAR(r->F2(), 5 * 0.75 * 0.5 / (4 * 0.75 + 0.5), 1e-12);

  nlohmann::json j = nlohmann::json::parse(ReportToJson(*r, /*include_examples=*/false));
  EXPECT_DOUBLE_EQ(j["recall"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["precision"].get<double>(), 0.75);
  EXPECT_FALSE(j.contains("misses"));
  nlohmann::json ex = nlohmann::json::parse(ReportToJson(*r, /*include_examples=*/true));
  EXPECT_EQ(ex["misses"].size(), 2u);
  EXPECT_EQ(ex["false_positives"].size(), 1u);
  EXPECT_FALSE(FormatReportTable(*r).empty());
}

TEST_F(PhysionetEvalTest, DateYearCountsAsFlaggedWhenCovered) {
  auto notes = ReadPhysionetNotes(
      WriteFile(dir_.File("id.text"), "START_OF_RECORD=9||||1||||\nSeen 07/22/1992.\n||||END_OF_RECORD\n"));
  auto gold = ReadPhysionetGold(WriteFile(dir_.File("id-phi.phrase"), "9 1 11 15 DateYear 1992\n"));
  ASSERT_TRUE(notes.ok() && gold.ok());
  auto r = EvaluatePhysionet(*detector_, *notes, *gold);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->recall.total, 0u);
  EXPECT_EQ(r->date_year.total, 1u);
  EXPECT_EQ(r->date_year.hit, 1u);
  EXPECT_EQ(r->precision.hit, 1u);  // overlapping a DateYear makes a span true
}

TEST_F(PhysionetEvalTest, Latin1NotesKeepCodePointOffsets) {
  auto notes = ReadPhysionetNotes(
      WriteFile(dir_.File("id.text"), "START_OF_RECORD=2||||1||||\nJos\xE9 seen 7/22.\n||||END_OF_RECORD\n"));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ((*notes)[0].text, "Jos\xC3\xA9 seen 7/22.\n");
  auto gold = ReadPhysionetGold(WriteFile(dir_.File("id-phi.phrase"), "2 1 10 14 Date 7/22\n"));
  ASSERT_TRUE(gold.ok());
  auto r = EvaluatePhysionet(*detector_, *notes, *gold);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->recall.hit, 1u);
  EXPECT_EQ(r->precision.hit, r->precision.total);
}

struct Malformed {
  const char* name;
  std::string content;
};
void PrintTo(const Malformed& c, std::ostream* os) { *os << c.name; }

class MalformedNotesTest : public PhysionetEvalTest, public testing::WithParamInterface<Malformed> {};

TEST_P(MalformedNotesTest, IsInvalidArgument) {
  EXPECT_EQ(ReadPhysionetNotes(WriteFile(dir_.File("id.text"), GetParam().content)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Physionet, MalformedNotesTest,
    testing::Values(Malformed{"HeaderWithoutIds", "START_OF_RECORD=1\ntext\n||||END_OF_RECORD\n"},
                    Malformed{"HeaderWithEmptyNote", "START_OF_RECORD=1||||||||\ntext\n||||END_OF_RECORD\n"},
                    Malformed{"HeaderWithoutText", "START_OF_RECORD=1||||1||||"},
                    Malformed{"NoEndOfRecord", "START_OF_RECORD=1||||1||||\ntext\n"},
                    Malformed{"NoRecords", "just some text\n"},
                    Malformed{"Empty", ""}),
    [](const testing::TestParamInfo<Malformed>& info) { return std::string(info.param.name); });

class MalformedGoldTest : public PhysionetEvalTest, public testing::WithParamInterface<Malformed> {};

TEST_P(MalformedGoldTest, IsInvalidArgument) {
  EXPECT_EQ(ReadPhysionetGold(WriteFile(dir_.File("id-phi.phrase"), GetParam().content)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Physionet, MalformedGoldTest,
    testing::Values(Malformed{"TooFewFields", "1 1 8 18\n"},
                    Malformed{"NonNumericStart", "1 1 x 18 Date 7/22\n"},
                    Malformed{"NegativeEnd", "1 1 8 -1 Date 7/22\n"},
                    Malformed{"EndBeforeStart", "1 1 18 8 Date 7/22\n"},
                    Malformed{"BadSecondLine", "1 1 22 26 Date 7/22\n1 1 22\n"}),
    [](const testing::TestParamInfo<Malformed>& info) { return std::string(info.param.name); });

TEST_F(PhysionetEvalTest, GoldForUnknownNoteIsInvalidArgument) {
  auto notes = ReadPhysionetNotes(WriteFile(dir_.File("id.text"), kText));
  auto gold = ReadPhysionetGold(WriteFile(dir_.File("id-phi.phrase"), "1 3 0 4 Date x\n"));
  ASSERT_TRUE(notes.ok() && gold.ok());
  EXPECT_EQ(EvaluatePhysionet(*detector_, *notes, *gold).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PhysionetEvalTest, GoldOutsideNoteIsInvalidArgument) {
  auto notes = ReadPhysionetNotes(WriteFile(dir_.File("id.text"), kText));
  auto gold = ReadPhysionetGold(WriteFile(dir_.File("id-phi.phrase"), "1 1 30 5000 Date x\n"));
  ASSERT_TRUE(notes.ok() && gold.ok());
  EXPECT_EQ(EvaluatePhysionet(*detector_, *notes, *gold).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PhysionetEvalTest, MissingFilesAreNotFound) {
  EXPECT_EQ(ReadPhysionetNotes(dir_.File("none.text")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadPhysionetGold(dir_.File("none.phrase")).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace phiguard::eval
