// Structured de-identification of CSV under a field policy: every identifier of the input is gone
// from the output, clinical content stays, the report holds counts only, bad input fails cleanly.
#include "phiguard/deid/csv_deid.h"

#include <gtest/gtest.h>

#include "fhir_hl7_util.h"
#include "phiguard/core/csv.h"
#include "test_util.h"

namespace phiguard::deid {
namespace {

using testing_util::ReadFile;
using testing_util::ScopedTempDir;
using testing_util::WriteFile;

constexpr char kCsv[] =
    "mrn,name,birth_date,zip,age,diagnosis,note\n"
    "00482913,John Moreau,1956-03-14,21401,67,I21.4,\"Seen by Dr. Healey, call (410) 555-0142.\"\n"
    "00551209,Mary Walsh,1932-11-02,03601,91,J18.9,Lives in Towson with daughter Linda.\n";

constexpr char kPolicy[] = R"(
name: test
patient_field: mrn
fields:
  mrn: {transform: pseudonym, type: MRN}
  name: {transform: redact, type: NAME}
  birth_date: {transform: date-shift}
  zip: {transform: generalize, type: ZIP}
  age: {transform: generalize, type: AGE}
  diagnosis: keep
  note: {transform: text}
)";

class CsvDeidTest : public ::testing::Test {
 protected:
  absl::StatusOr<StructuredReport> Run(const std::string& csv, const FieldPolicy& policy,
                                       std::string* out, const StructuredOptions& run = {}) {
    auto csv_deid = [](const phi::Detector& d, const Transformer& t, const FieldPolicy& p,
                       const std::string& in, AtomicFileWriter& w, const StructuredOptions& o) {
      return DeidentifyCsv(d, t, p, in, w, CsvOptions(), o);
    };
    return testing_util::RunStructured(csv_deid, dir_, WriteFile(dir_.File("in.csv"), csv), policy,
                                       out, run, 'k');
  }
  ScopedTempDir dir_;
};

TEST_F(CsvDeidTest, NoIdentifierOfTheInputSurvivesAndClinicalCodesStay) {
  auto policy = ParseFieldPolicyYaml(kPolicy);
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::string out;
  auto r = Run(kCsv, *policy, &out);
  ASSERT_TRUE(r.ok()) << r.status();
  for (const char* phi : {"00482913", "00551209", "John", "Moreau", "Mary", "Walsh", "1956-03-14",
                          "1932-11-02", "21401", "03601", "Healey", "555-0142", "Towson",
                          "Linda", ",91,"}) {
    EXPECT_EQ(out.find(phi), std::string::npos) << phi << " survived in:\n" << out;
  }
  for (const char* kept : {"I21.4", "J18.9", ",214,", ",000,", "90+", ",67,"}) {
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " lost in:\n" << out;
  }
  EXPECT_EQ(r->records, 2u);
  EXPECT_EQ(r->by_field.at("mrn").at("pseudonym"), 2u);
  std::string json = StructuredReportJson(*r, *policy);
  EXPECT_EQ(json.find("Moreau"), std::string::npos);
  EXPECT_EQ(json.find("00482913"), std::string::npos);
}

TEST_F(CsvDeidTest, SameKeyGivesByteIdenticalOutput) {
  auto policy = ParseFieldPolicyYaml(kPolicy);
  ASSERT_TRUE(policy.ok());
  std::string a, b;
  ASSERT_TRUE(Run(kCsv, *policy, &a).ok());
  ASSERT_TRUE(Run(kCsv, *policy, &b).ok());
  EXPECT_EQ(a, b);
}

TEST_F(CsvDeidTest, DroppedColumnsLeaveTheHeader) {
  auto policy = ParseFieldPolicyYaml("fields: {note: drop, name: drop}\n");
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::string out;
  ASSERT_TRUE(Run(kCsv, *policy, &out).ok());
  EXPECT_EQ(out.substr(0, out.find('\n')), "mrn,birth_date,zip,age,diagnosis");
}

TEST_F(CsvDeidTest, DefaultPolicyJudgesColumnsByName) {
  std::string out;
  ASSERT_TRUE(Run(kCsv, DefaultFieldPolicy(), &out).ok());
  for (const char* phi : {"John Moreau", "Mary Walsh", "21401", "1956-03-14", ",91,"}) {
    EXPECT_EQ(out.find(phi), std::string::npos) << phi << " survived in:\n" << out;
  }
}

TEST_F(CsvDeidTest, PolicyNamingAMissingColumnIsInvalidArgument) {
  auto policy = ParseFieldPolicyYaml("fields: {ssn: {transform: redact, type: SSN}}\n");
  ASSERT_TRUE(policy.ok());
  std::string out;
  auto r = Run(kCsv, *policy, &out);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  // The error points at the rule in the policy.
  EXPECT_NE(std::string(r.status().message()).find("line 1, column 10"), std::string::npos) << r.status();
}

TEST_F(CsvDeidTest, SkipQuarantinesBadRowsByteForByteAndKeepsTheRest) {
  auto q = testing_util::Quarantine(dir_);
  std::string out;
  // Invalid UTF-8, a ragged row, text after a closing quote (over two lines), a CRLF row.
  auto r = Run("a,b\n1,ok\n2,\xff\n3\n4,\"x\"y,\"z\nw\"\n5,fine\r\n6,7,8\n9,last\n",
               DefaultFieldPolicy(), &out, q.run);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(q.writer->Commit().ok());
  EXPECT_EQ(r->records, 3u);
  EXPECT_EQ(r->failed, 4u);
  ASSERT_EQ(r->errors.size(), 4u);
  const size_t lines[] = {3, 4, 5, 8};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r->errors[i].line, lines[i]);
    EXPECT_EQ(r->errors[i].reason.find("in.csv"), std::string::npos) << r->errors[i].reason;
  }
  EXPECT_NE(r->errors[1].reason.find("1 fields, the header has 2"), std::string::npos);
  // A CSV with the header, then each bad record as it was read.
  EXPECT_EQ(ReadFile(q.path), "a,b\n2,\xff\n3\n4,\"x\"y,\"z\nw\"\n6,7,8\n");
  EXPECT_EQ(out, "a,b\n1,ok\n5,fine\n9,last\n");
}

TEST_F(CsvDeidTest, ByDefaultABadRowStopsTheRunNamingFileLineAndReason) {
  for (const char* bad : {"a,b\n1,2\n3,\xff\n4,5\n", "a,b\n1,2\n3,4,5\n4,5\n",
                          "a,b\n1,2\n\"3\"x,4\n4,5\n"}) {
    std::string out = "untouched";
    auto r = Run(bad, DefaultFieldPolicy(), &out);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(r.status().message()).find("in.csv:3: "), std::string::npos) << r.status();
    EXPECT_EQ(out, "untouched");  // nothing committed
  }
}

TEST(FieldPolicy, RejectsUnknownKeysTransformsTypesAndIncompleteRules) {
  for (const char* bad : {"fieldz: {}\n", "fields: {a: {transform: shred}}\n",
                          "fields: {a: {transform: redact, type: NOPE}}\n",
                          "fields: {a: {transform: truncate}}\n",
                          "fields: {a: {transform: hash-bucket, buckets: 0}}\n",
                          "fields: {a: {transform: generalize, type: NAME}}\n",
                          "default: pseudonym\n", "fields: [a, b]\n", "a: [\n"}) {
    EXPECT_EQ(ParseFieldPolicyYaml(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(FieldPolicy, InfersRulesFromColumnNames) {
  EXPECT_EQ(RuleFromFieldName("Zip Code")->type, phi::PhiType::kZip);
  EXPECT_EQ(RuleFromFieldName("DOB")->action, FieldAction::kGeneralize);
  EXPECT_EQ(RuleFromFieldName("patient_last_name")->type, phi::PhiType::kName);
  EXPECT_EQ(RuleFromFieldName("home_phone")->type, phi::PhiType::kPhone);
  EXPECT_FALSE(RuleFromFieldName("diagnosis").has_value());
  EXPECT_FALSE(RuleFromFieldName("heart_rate").has_value());
}

}  // namespace
}  // namespace phiguard::deid
