#include "phiguard/deid/profile.h"

#include <gtest/gtest.h>

#include <string>

#include "phiguard/crypto/secret_key.h"
#include "phiguard/deid/transformer.h"
#include "test_util.h"

namespace phiguard::deid {
namespace {

using phi::PhiType;

class BuiltinProfileTest : public testing::TestWithParam<std::string> {};

TEST_P(BuiltinProfileTest, LoadsByName) {
  auto p = BuiltinProfile(GetParam());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, GetParam());
  auto loaded = LoadProfile(GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->by_type, p->by_type);
}

INSTANTIATE_TEST_SUITE_P(Profile, BuiltinProfileTest,
                         testing::Values("safe-harbor", "redact", "pseudonymize", "surrogate",
                                         "mask"));

TEST(Profile, UnknownBuiltinIsNotFound) {
  EXPECT_EQ(BuiltinProfile("hipaa-ish").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(LoadProfile("hipaa-ish").status().code(), absl::StatusCode::kNotFound);
}

TEST(Profile, SafeHarborGeneralizesDateAgeZipAndRedactsTheRest) {
  auto p = BuiltinProfile("safe-harbor");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->For(PhiType::kDate), Transform::kGeneralize);
  EXPECT_EQ(p->For(PhiType::kAge), Transform::kGeneralize);
  EXPECT_EQ(p->For(PhiType::kZip), Transform::kGeneralize);
  for (PhiType t : {PhiType::kName, PhiType::kClinicianName, PhiType::kSsn, PhiType::kLocation,
                    PhiType::kPhone, PhiType::kOther}) {
    EXPECT_EQ(p->For(t), Transform::kRedact) << phi::PhiTypeName(t);
  }
  EXPECT_FALSE(p->NeedsKey());

  auto t = Transformer::Create(*p, std::nullopt);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->Replace(PhiType::kDate, "07/22/2010", {}), "2010");
  EXPECT_EQ((*t)->Replace(PhiType::kAge, "93", {}), "90+");
  EXPECT_EQ((*t)->Replace(PhiType::kZip, "21401", {}), "214");
  EXPECT_EQ((*t)->Replace(PhiType::kName, "Linda", {}), "[**NAME**]");
}

TEST(Profile, KeyedProfilesNeedAKey) {
  EXPECT_TRUE(BuiltinProfile("pseudonymize")->NeedsKey());
  EXPECT_TRUE(BuiltinProfile("surrogate")->NeedsKey());
  EXPECT_FALSE(BuiltinProfile("redact")->NeedsKey());
  EXPECT_FALSE(BuiltinProfile("mask")->NeedsKey());
}

TEST(Profile, YamlWithBaseTransformsAndExtraPatterns) {
  auto p = ParseProfileYaml(R"(
name: research
base: safe-harbor
transforms: {NAME: pseudonym, date: date-shift, ZIP: generalise}
date_shift: {max_days: 28}
min_confidence: 0.5
extra_patterns:
  - {name: study-id, type: ID, regex: 'STUDY-[0-9]{6}'}
  - regex: 'Bed [0-9]+'
)");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "research");
  EXPECT_EQ(p->For(PhiType::kName), Transform::kPseudonym);
  EXPECT_EQ(p->For(PhiType::kDate), Transform::kDateShift);
  EXPECT_EQ(p->For(PhiType::kZip), Transform::kGeneralize);
  EXPECT_EQ(p->For(PhiType::kAge), Transform::kGeneralize);  // from the base
  EXPECT_EQ(p->For(PhiType::kSsn), Transform::kRedact);      // from the base
  EXPECT_EQ(p->date_shift_max_days, 28);
  EXPECT_FLOAT_EQ(p->min_confidence, 0.5f);
  ASSERT_EQ(p->extra_patterns.size(), 2u);
  EXPECT_EQ(p->extra_patterns[0].name, "study-id");
  EXPECT_EQ(p->extra_patterns[0].type, PhiType::kOther);
  EXPECT_EQ(p->extra_patterns[0].regex, "STUDY-[0-9]{6}");
  EXPECT_EQ(p->extra_patterns[1].regex, "Bed [0-9]+");
  EXPECT_EQ(p->extra_patterns[1].type, PhiType::kOther);
  EXPECT_TRUE(p->NeedsKey());
}

TEST(Profile, YamlDefaultAppliesToUnlistedTypes) {
  auto p = ParseProfileYaml("default: mask\ntransforms:\n  SSN: keep\n");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->For(PhiType::kName), Transform::kMask);
  EXPECT_EQ(p->For(PhiType::kSsn), Transform::kKeep);
}

TEST(Profile, EmptyMappingYamlRedactsEverything) {
  auto p = ParseProfileYaml("description: nothing else\n");
  ASSERT_TRUE(p.ok()) << p.status();
  for (int i = 1; i <= phi::kNumPhiTypes; ++i) EXPECT_EQ(p->by_type[i], Transform::kRedact);
}

struct BadYaml {
  const char* name;
  std::string yaml;
};
void PrintTo(const BadYaml& c, std::ostream* os) { *os << c.name; }

class BadProfileYamlTest : public testing::TestWithParam<BadYaml> {};

TEST_P(BadProfileYamlTest, IsInvalidArgument) {
  EXPECT_EQ(ParseProfileYaml(GetParam().yaml).status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Profile, BadProfileYamlTest,
    testing::Values(
        BadYaml{"UnknownField", "name: x\ntransfroms: {NAME: redact}\n"},
        BadYaml{"UnknownType", "transforms: {NAMES: redact}\n"},
        BadYaml{"UnknownTransform", "transforms: {NAME: obliterate}\n"},
        BadYaml{"UnknownDefault", "default: obliterate\n"},
        BadYaml{"UnknownBase", "base: hipaa-ish\n"},
        BadYaml{"BadSyntax", "transforms: {NAME: redact\n"},
        BadYaml{"BadIndentation", "name: x\n  base: redact\n bad: [\n"},
        BadYaml{"TopLevelList", "- redact\n"},
        BadYaml{"TopLevelScalar", "redact\n"},
        BadYaml{"TransformsNotMapping", "transforms: [NAME, redact]\n"},
        BadYaml{"TransformValueNotScalar", "transforms: {NAME: [redact]}\n"},
        BadYaml{"MaxDaysZero", "date_shift: {max_days: 0}\n"},
        BadYaml{"MaxDaysBelowOneWeek", "date_shift: {max_days: 6}\n"},
        BadYaml{"MaxDaysAboveTenYears", "date_shift: {max_days: 3651}\n"},
        BadYaml{"MaxDaysNegative", "date_shift: {max_days: -30}\n"},
        BadYaml{"MaxDaysNotANumber", "date_shift: {max_days: lots}\n"},
        BadYaml{"MinConfidenceAboveOne", "min_confidence: 1.5\n"},
        BadYaml{"MinConfidenceNegative", "min_confidence: -0.1\n"},
        BadYaml{"ExtraPatternsNotList", "extra_patterns: {regex: x}\n"},
        BadYaml{"ExtraPatternWithoutRegex", "extra_patterns:\n  - {name: a, type: ID}\n"},
        BadYaml{"ExtraPatternUnknownType", "extra_patterns:\n  - {type: STUDY, regex: 'S[0-9]+'}\n"}),
    [](const testing::TestParamInfo<BadYaml>& info) { return std::string(info.param.name); });

TEST(Profile, LoadProfileReadsYamlFile) {
  testing_util::ScopedTempDir dir;
  std::string path = testing_util::WriteFile(dir.File("p.yaml"), "name: mine\nbase: redact\n");
  auto p = LoadProfile(path);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "mine");
}

TEST(Profile, LoadProfileMissingFileIsNotFound) {
  testing_util::ScopedTempDir dir;
  EXPECT_EQ(LoadProfile(dir.File("missing.yaml")).status().code(), absl::StatusCode::kNotFound);
}

TEST(Profile, LoadProfileBadYamlFileIsInvalidArgument) {
  testing_util::ScopedTempDir dir;
  std::string path = testing_util::WriteFile(dir.File("bad.yaml"), "transforms: {NAME: zap}\n");
  EXPECT_EQ(LoadProfile(path).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Transform, NamesRoundTripAndAliasesParse) {
  for (Transform t : {Transform::kKeep, Transform::kRedact, Transform::kMask, Transform::kSurrogate,
                      Transform::kPseudonym, Transform::kDateShift, Transform::kGeneralize}) {
    EXPECT_EQ(ParseTransform(TransformName(t)), t);
  }
  EXPECT_EQ(ParseTransform("generalise"), Transform::kGeneralize);
  EXPECT_EQ(ParseTransform("date_shift"), Transform::kDateShift);
  EXPECT_EQ(ParseTransform("REDACT"), Transform::kRedact);
  EXPECT_EQ(ParseTransform("zap"), std::nullopt);
}

}  // namespace
}  // namespace phiguard::deid
