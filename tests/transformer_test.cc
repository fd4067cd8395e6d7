#include "phiguard/deid/transformer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "deid/internal/date_format.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/secret_key.h"
#include "phiguard/deid/profile.h"
#include "test_util.h"

namespace phiguard::deid {
namespace {

using phi::PhiType;
using phi::Span;

crypto::SecretKey Key(char fill) { return *crypto::SecretKey::FromBytes(std::string(32, fill)); }

Profile AllOf(Transform t) {
  Profile p;
  p.name = "test";
  p.by_type.fill(t);
  return p;
}

std::unique_ptr<Transformer> Make(const Profile& p, std::optional<crypto::SecretKey> key) {
  auto t = Transformer::Create(p, std::move(key));
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(*t) : nullptr;
}

class TransformerTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { detector_ = testing_util::SharedDetector(); }
  void SetUp() override { ASSERT_NE(detector_, nullptr); }
  // Detects and transforms `text` with `t`.
  static std::string Deid(const Transformer& t, std::string_view text,
                          const std::string& patient = "") {
    std::vector<Span> spans = testing_util::DetectOrDie(*detector_, text);
    return t.Apply(text, spans, {.patient_id = patient});
  }
  static const phi::Detector* detector_;
};
const phi::Detector* TransformerTest::detector_ = nullptr;

// ---- redact, mask, keep ----

TEST_F(TransformerTest, RedactReplacesNameWithTypeTag) {
  auto t = Make(AllOf(Transform::kRedact), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(Deid(*t, "Spoke with daughter Linda today."), "Spoke with daughter [**NAME**] today.");
  EXPECT_EQ(Deid(*t, "Seen by Dr. Healey on 7/22."), "Seen by Dr. [**CLINICIAN**] on [**DATE**].");
}

TEST_F(TransformerTest, MaskKeepsLengthAndPunctuation) {
  auto t = Make(AllOf(Transform::kMask), Key('a'));
  ASSERT_NE(t, nullptr);
  const std::string text = "Call (410) 555-0142 or email jane.doe@example.com now.";
  std::string out = Deid(*t, text);
  EXPECT_EQ(out, "Call (***) ***-**** or email ****.***@*******.*** now.");
  EXPECT_EQ(out.size(), text.size());
}

TEST_F(TransformerTest, KeepLeavesTextUnchanged) {
  auto t = Make(AllOf(Transform::kKeep), Key('a'));
  ASSERT_NE(t, nullptr);
  const std::string text = "Seen by Dr. Healey on 7/22, SSN 123-45-6789.";
  EXPECT_EQ(Deid(*t, text), text);
}

TEST_F(TransformerTest, ApplyWithoutSpansReturnsText) {
  auto t = Make(AllOf(Transform::kRedact), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Apply("no PHI here", {}, {}), "no PHI here");
}

TEST_F(TransformerTest, ApplyUsesByteOffsetsInNonAsciiText) {
  auto t = Make(AllOf(Transform::kRedact), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(Deid(*t, "Jos\xC3\xA9 Ram\xC3\xADrez visited on 7/22"),
            "Jos\xC3\xA9 Ram\xC3\xADrez visited on [**DATE**]");
}

TEST_F(TransformerTest, ApplyInPiecesGivesRunsAndReplacementsThatJoinToApply) {
  auto t = Make(AllOf(Transform::kRedact), Key('a'));
  ASSERT_NE(t, nullptr);
  const std::string text = "Seen by Dr. Healey on 7/22.";
  std::vector<Span> spans = testing_util::DetectOrDie(*detector_, text);
  ASSERT_FALSE(spans.empty());
  std::vector<std::string> pieces;
  t->ApplyInPieces(text, spans, {}, [&](std::string_view p) { pieces.emplace_back(p); });
  EXPECT_EQ(pieces, (std::vector<std::string>{"Seen by Dr. ", "[**CLINICIAN**]", " on ", "[**DATE**]", "."}));
  std::string joined;
  for (const std::string& p : pieces) joined += p;
  EXPECT_EQ(joined, t->Apply(text, spans, {}));
  // No empty pieces: spans at both ends of the text give no empty runs.
  pieces.clear();
  std::vector<Span> ends = {{.start = 0, .end = 4, .byte_start = 0, .byte_end = 4, .type = PhiType::kDate},
                            {.start = 5, .end = 9, .byte_start = 5, .byte_end = 9, .type = PhiType::kDate}};
  t->ApplyInPieces("7/22 7/23", ends, {}, [&](std::string_view p) { pieces.emplace_back(p); });
  EXPECT_EQ(pieces, (std::vector<std::string>{"[**DATE**]", " ", "[**DATE**]"}));
}

// ---- pseudonyms ----

TEST_F(TransformerTest, PseudonymHasTypeTagAndKeyedCode) {
  auto t = Make(AllOf(Transform::kPseudonym), Key('a'));
  ASSERT_NE(t, nullptr);
  std::string p = t->Replace(PhiType::kName, "Healey", {});
  EXPECT_TRUE(std::regex_match(p, std::regex("NAME-[A-HJ-NP-Z2-9]{10}"))) << p;
}

TEST_F(TransformerTest, PseudonymIsConsistentAcrossCallsAndTransformersWithSameKey) {
  auto t1 = Make(AllOf(Transform::kPseudonym), Key('a'));
  auto t2 = Make(AllOf(Transform::kPseudonym), Key('a'));
  ASSERT_TRUE(t1 && t2);
  const std::string text = "Spoke with daughter Linda today.";
  std::string a = Deid(*t1, text);
  EXPECT_NE(a, text);
  EXPECT_EQ(a, Deid(*t1, text));
  EXPECT_EQ(a, Deid(*t2, text));
  EXPECT_EQ(a.find("Linda"), std::string::npos);
  EXPECT_EQ(t1->Replace(PhiType::kName, "Linda", {}), t2->Replace(PhiType::kName, "Linda", {}));
}

TEST_F(TransformerTest, PseudonymDiffersWithDifferentKey) {
  auto t1 = Make(AllOf(Transform::kPseudonym), Key('a'));
  auto t2 = Make(AllOf(Transform::kPseudonym), Key('b'));
  ASSERT_TRUE(t1 && t2);
  std::string a = t1->Replace(PhiType::kName, "Linda", {});
  std::string b = t2->Replace(PhiType::kName, "Linda", {});
  EXPECT_TRUE(a.starts_with("NAME-")) << a;
  EXPECT_TRUE(b.starts_with("NAME-")) << b;
  EXPECT_NE(a, b);
}

TEST_F(TransformerTest, PseudonymIsSeparatedByType) {
  auto t = Make(AllOf(Transform::kPseudonym), Key('a'));
  ASSERT_NE(t, nullptr);
  std::string name = t->Replace(PhiType::kName, "Towson", {});
  std::string place = t->Replace(PhiType::kLocation, "Towson", {});
  ASSERT_TRUE(name.starts_with("NAME-")) << name;
  ASSERT_TRUE(place.starts_with("LOCATION-")) << place;
  // Not only the tag: the keyed code itself differs.
  EXPECT_NE(name.substr(5), place.substr(9));
}

TEST_F(TransformerTest, PseudonymIgnoresCaseAndSeparators) {
  auto t = Make(AllOf(Transform::kPseudonym), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Replace(PhiType::kName, "Healey", {}), t->Replace(PhiType::kName, "HEALEY", {}));
  EXPECT_EQ(t->Replace(PhiType::kSsn, "123-45-6789", {}), t->Replace(PhiType::kSsn, "123456789", {}));
  EXPECT_NE(t->Replace(PhiType::kName, "Healey", {}), t->Replace(PhiType::kName, "Healy", {}));
}

TEST_F(TransformerTest, RandomKeyIsConsistentWithinOneTransformer) {
  auto t1 = Make(AllOf(Transform::kPseudonym), std::nullopt);
  auto t2 = Make(AllOf(Transform::kPseudonym), std::nullopt);
  ASSERT_TRUE(t1 && t2);
  EXPECT_EQ(t1->Replace(PhiType::kName, "Linda", {}), t1->Replace(PhiType::kName, "Linda", {}));
  EXPECT_NE(t1->Replace(PhiType::kName, "Linda", {}), t2->Replace(PhiType::kName, "Linda", {}));
}

// ---- date shift ----

TEST_F(TransformerTest, DateShiftIsWholeNonZeroWeeksWithinMaxDays) {
  for (int max_days : {7, 30, 365}) {
    Profile p = AllOf(Transform::kDateShift);
    p.date_shift_max_days = max_days;
    auto t = Make(p, Key('a'));
    ASSERT_NE(t, nullptr);
    for (int i = 0; i < 50; ++i) {
      int d = t->DateShiftDays("patient-" + std::to_string(i));
      EXPECT_NE(d, 0);
      EXPECT_EQ(d % 7, 0) << d;
      EXPECT_LE(std::abs(d), max_days) << d;
    }
  }
}

TEST_F(TransformerTest, DateShiftIsPerPatientAndKeyed) {
  auto t = Make(AllOf(Transform::kDateShift), Key('a'));
  auto same_key = Make(AllOf(Transform::kDateShift), Key('a'));
  ASSERT_TRUE(t && same_key);
  EXPECT_EQ(t->DateShiftDays("p-1001"), t->DateShiftDays("p-1001"));
  EXPECT_EQ(t->DateShiftDays("p-1001"), same_key->DateShiftDays("p-1001"));
  std::set<int> shifts;
  for (int i = 0; i < 20; ++i) shifts.insert(t->DateShiftDays("p-" + std::to_string(i)));
  EXPECT_GT(shifts.size(), 1u);
}

TEST_F(TransformerTest, DateShiftKeepsIntervalAndWeekdayWithinOnePatient) {
  auto t = Make(AllOf(Transform::kDateShift), Key('a'));
  ASSERT_NE(t, nullptr);
  const std::string text = "Admitted 07/22/2010, discharged 08/05/2010.";
  std::string out = Deid(*t, text, "p-1001");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(out, m, std::regex(R"(Admitted (\S+), discharged (\S+)\.)"))) << out;
  auto a = internal::ParseDate(m[1].str());
  auto b = internal::ParseDate(m[2].str());
  ASSERT_TRUE(a && b) << out;
  absl::CivilDay da(a->year, a->month, a->day), db(b->year, b->month, b->day);
  absl::CivilDay oa(2010, 7, 22), ob(2010, 8, 5);
  EXPECT_EQ(db - da, 14);
  EXPECT_EQ(absl::GetWeekday(da), absl::GetWeekday(oa));
  EXPECT_EQ(absl::GetWeekday(db), absl::GetWeekday(ob));
  EXPECT_EQ(da - oa, t->DateShiftDays("p-1001"));
  EXPECT_EQ(m[1].str().size(), 10u);  // MM/DD/YYYY shape kept
}

TEST_F(TransformerTest, DateShiftOfUnparseableDateRedacts) {
  auto t = Make(AllOf(Transform::kDateShift), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Replace(PhiType::kDate, "Christmas", {}), "[**DATE**]");
  EXPECT_EQ(t->Replace(PhiType::kName, "Linda", {}), "[**NAME**]");  // not a date type
}

// ---- generalize ----

TEST_F(TransformerTest, GeneralizeAgeZipAndDate) {
  auto t = Make(AllOf(Transform::kGeneralize), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Replace(PhiType::kAge, "92", {}), "90+");
  EXPECT_EQ(t->Replace(PhiType::kZip, "21401", {}), "214");
  EXPECT_EQ(t->Replace(PhiType::kZip, "21401-1234", {}), "214");
  EXPECT_EQ(t->Replace(PhiType::kDate, "07/22/2010", {}), "2010");
  EXPECT_EQ(t->Replace(PhiType::kDate, "July 22, 2010", {}), "2010");
  EXPECT_EQ(t->Replace(PhiType::kDate, "7/22", {}), "[**DATE**]");
  EXPECT_EQ(t->Replace(PhiType::kName, "Linda", {}), "[**NAME**]");
}

class RestrictedZipTest : public testing::TestWithParam<std::string> {};

TEST_P(RestrictedZipTest, BecomesThreeZeros) {
  auto t = Make(AllOf(Transform::kGeneralize), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Replace(PhiType::kZip, GetParam(), {}), "000");
}

INSTANTIATE_TEST_SUITE_P(Transformer, RestrictedZipTest,
                         testing::Values("03601", "89012", "89312", "69201", "05901"));

TEST_F(TransformerTest, GeneralizeInAppliedText) {
  auto t = Make(AllOf(Transform::kGeneralize), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(Deid(*t, "Patient is a 92 yo woman."), "Patient is a 90+ yo woman.");
  std::string out = Deid(*t, "Lives in Annapolis, MD 21401 now.");
  EXPECT_NE(out.find("MD 214 now."), std::string::npos) << out;
  EXPECT_EQ(out.find("21401"), std::string::npos) << out;
}

// ---- surrogates ----

bool IsTitle(std::string_view w) {
  return !w.empty() && std::isupper(static_cast<unsigned char>(w[0])) &&
         std::all_of(w.begin() + 1, w.end(), [](char c) { return !std::isupper(static_cast<unsigned char>(c)); });
}
bool IsUpper(std::string_view w) {
  return std::none_of(w.begin(), w.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); });
}
bool IsLower(std::string_view w) {
  return std::none_of(w.begin(), w.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
}

TEST_F(TransformerTest, SurrogateNameKeepsCaseStyleAndDiffers) {
  auto t = Make(AllOf(Transform::kSurrogate), Key('a'));
  ASSERT_NE(t, nullptr);
  std::string title = t->Replace(PhiType::kName, "Healey", {});
  std::string upper = t->Replace(PhiType::kName, "HEALEY", {});
  std::string lower = t->Replace(PhiType::kName, "healey", {});
  EXPECT_NE(title, "Healey");
  EXPECT_TRUE(IsTitle(title)) << title;
  EXPECT_TRUE(IsUpper(upper)) << upper;
  EXPECT_TRUE(IsLower(lower)) << lower;
  // One person, one surrogate, whatever the case.
  EXPECT_TRUE(EqualsIgnoreCase(title, upper)) << title << " vs " << upper;
  EXPECT_TRUE(EqualsIgnoreCase(title, lower)) << title << " vs " << lower;
}

TEST_F(TransformerTest, SurrogateFullNameKeepsWordCount) {
  auto t = Make(AllOf(Transform::kSurrogate), Key('a'));
  ASSERT_NE(t, nullptr);
  std::string s = t->Replace(PhiType::kName, "John Moreau", {});
  ASSERT_EQ(std::count(s.begin(), s.end(), ' '), 1) << s;
  EXPECT_NE(s, "John Moreau");
  EXPECT_TRUE(IsTitle(s.substr(0, s.find(' ')))) << s;
  EXPECT_TRUE(IsTitle(s.substr(s.find(' ') + 1))) << s;
}

TEST_F(TransformerTest, SurrogateIsConsistentWithSameKeyAndDiffersWithOther) {
  auto t1 = Make(AllOf(Transform::kSurrogate), Key('a'));
  auto t2 = Make(AllOf(Transform::kSurrogate), Key('a'));
  auto other = Make(AllOf(Transform::kSurrogate), Key('b'));
  ASSERT_TRUE(t1 && t2 && other);
  const std::string text = "Mr. John Moreau, wife Mary, lives in Towson.";
  std::string a = Deid(*t1, text);
  EXPECT_EQ(a, Deid(*t2, text));
  EXPECT_NE(a, text);
  EXPECT_EQ(a.find("Moreau"), std::string::npos) << a;
  EXPECT_EQ(a.find("Towson"), std::string::npos) << a;
  // Over several names a different key gives different surrogates.
  int differ = 0;
  for (const char* n : {"Healey", "Moreau", "Linda", "Quackenbush", "Mary"}) {
    differ += t1->Replace(PhiType::kName, n, {}) != other->Replace(PhiType::kName, n, {});
  }
  EXPECT_GT(differ, 0);
}

TEST_F(TransformerTest, SurrogatePhoneKeepsShape) {
  auto t = Make(AllOf(Transform::kSurrogate), Key('a'));
  ASSERT_NE(t, nullptr);
  const std::string phone = "(410) 555-0142";
  std::string s = t->Replace(PhiType::kPhone, phone, {});
  ASSERT_EQ(s.size(), phone.size());
  EXPECT_NE(s, phone);
  for (size_t i = 0; i < phone.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(phone[i]))) {
      EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(s[i]))) << s;
    } else {
      EXPECT_EQ(s[i], phone[i]) << s;
    }
  }
  EXPECT_EQ(s, t->Replace(PhiType::kPhone, phone, {}));
}

TEST_F(TransformerTest, SurrogateNetworkValuesUseDocumentationRanges) {
  auto t = Make(AllOf(Transform::kSurrogate), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->Replace(PhiType::kIpAddress, "10.20.30.40", {}).starts_with("192.0.2."));
  EXPECT_TRUE(t->Replace(PhiType::kIpAddress, "2001:db8::1", {}).starts_with("2001:db8::"));
  EXPECT_TRUE(t->Replace(PhiType::kEmail, "jane.doe@example.com", {}).ends_with("@example.org"));
  EXPECT_TRUE(t->Replace(PhiType::kUrl, "https://hospital.org/p/1", {}).starts_with("https://example.org/"));
}

TEST_F(TransformerTest, SurrogateAgeAndDate) {
  auto t = Make(AllOf(Transform::kSurrogate), Key('a'));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Replace(PhiType::kAge, "95", {}), "90+");
  std::string d = t->Replace(PhiType::kDate, "07/22/2010", {.patient_id = "p-1"});
  EXPECT_NE(d, "07/22/2010");
  EXPECT_TRUE(std::regex_match(d, std::regex(R"(\d\d/\d\d/\d{4})"))) << d;
}

TEST(TransformerCreate, MissingDataDirIsNotFound) {
  TransformerOptions opts;
  opts.data_dir = "/nonexistent/phiguard-data";
  EXPECT_EQ(Transformer::Create(AllOf(Transform::kRedact), Key('a'), opts).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace phiguard::deid
