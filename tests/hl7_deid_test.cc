// HL7v2 de-identification: the built-in Safe Harbor policy on the shared HL7 samples and a
// synthetic ADT/ORU file leaves no identifier of the input (collected by HL7 field) in the
// output; codes, values and units stay; escapes, separators and untouched values survive byte for
// byte; output is keyed and deterministic; bad messages fail with their line or go to quarantine.
#include "phiguard/deid/hl7_deid.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "fhir_hl7_util.h"
#include "phiguard/core/strings.h"
#include "test_util.h"

namespace phiguard::deid {
namespace {

using testing_util::ReadFile;
using testing_util::ScopedTempDir;
using testing_util::ContainsWord;
using testing_util::SplitAtAny;
using testing_util::WriteFile;

const char* const kSamples[] = {"../shared/data/samples/hl7v2/oru_r01_v24.hl7",
                                "../shared/data/samples/hl7v2/adt_a04_batch_v25.hl7",
                                "data/samples/adt_oru_v251.hl7"};

FieldPolicy SafeHarbor() {
  auto p = LoadFieldPolicyFor("hl7v2", "safe-harbor", "data");
  EXPECT_TRUE(p.ok()) << p.status();
  p->reference_year = 2026;
  return *p;
}

class Hl7DeidTest : public ::testing::Test {
 protected:
  absl::StatusOr<StructuredReport> RunFile(const std::string& in, const FieldPolicy& policy,
                                           std::string* out, StructuredOptions run = {}) {
    return testing_util::RunStructured(DeidentifyHl7, dir_, in, policy, out, run, 'h');
  }
  absl::StatusOr<StructuredReport> Run(const std::string& hl7, const FieldPolicy& policy,
                                       std::string* out, StructuredOptions run = {}) {
    return RunFile(WriteFile(dir_.File("in.hl7"), hl7), policy, out, run);
  }
  ScopedTempDir dir_;
};

// Identifier values of a file by HL7 field (a parser independent of the one under test): every
// component of the identifying fields of PID, NK1, GT1, IN1, PD1, PV1, OBR, plus message dates.
std::set<std::string> CollectIdentifiers(const std::string& file) {
  static const std::set<std::string> kFields = {
      "PID-3", "PID-5", "PID-6", "PID-7", "PID-11", "PID-13", "PID-14", "PID-18", "PID-19",
      "PID-20", "NK1-2", "NK1-4", "NK1-5", "GT1-2", "GT1-3", "GT1-5", "GT1-6", "GT1-8", "GT1-12",
      "IN1-8", "IN1-16", "IN1-18", "IN1-19", "IN1-36", "PD1-4", "PV1-7", "PV1-19", "OBR-16",
      "MSH-7", "MSH-10", "EVN-2"};
  static const std::set<std::string> kNotIdentifying = {"MR", "GHH", "USA", "MD", "NY", "OH", "H",
                                                        "PRN", "PH", "NET", "Internet", "Dr.", "Mrs.", "A", "S", "L",
                                                        "100" /* PID-3.4 assigning authority */};
  std::set<std::string> ids;
  for (const std::string& seg : SplitAtAny(file, "\r\n")) {
    if (seg.size() < 4) continue;
    std::vector<std::string> fields = SplitAtAny(seg, "|");
    bool msh = seg.starts_with("MSH");
    for (size_t i = 1; i < fields.size(); ++i) {
      std::string name = seg.substr(0, 3) + "-" + std::to_string(msh ? i + 1 : i);
      if (!kFields.contains(name)) continue;
      for (const std::string& piece : SplitAtAny(fields[i], "~^&")) {
        if (piece.size() >= 3 && !kNotIdentifying.contains(piece)) ids.insert(piece);
      }
    }
  }
  return ids;
}


TEST_F(Hl7DeidTest, SafeHarborRemovesEveryIdentifierOfTheSamples) {
  for (const char* sample : kSamples) {
    std::string input = ReadFile(sample);
    ASSERT_FALSE(input.empty()) << sample;
    std::set<std::string> ids = CollectIdentifiers(input);
    ASSERT_GE(ids.size(), 3u) << sample;
    std::string out;
    auto r = RunFile(sample, SafeHarbor(), &out);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const std::string& id : ids) EXPECT_FALSE(ContainsWord(out, id)) << sample << ": " << id;
    size_t messages = 0;  // MSH and the batch segments are records
    for (const std::string& seg : SplitAtAny(input, "\r\n")) {
      messages += seg.starts_with("MSH") || seg.starts_with("BHS") || seg.starts_with("BTS");
    }
    EXPECT_EQ(r->records, messages) << sample;
  }
  std::string out;
  ASSERT_TRUE(RunFile(kSamples[2], SafeHarbor(), &out).ok());
  for (const char* phi : {"Lucia", "Ramon", "Gregory", "lucia.q@example.net", "Lindqvist",
                          "Annapolis", "Larkspur", "219-44-8812", "21401", "19480312"}) {
    EXPECT_FALSE(ContainsWord(out, phi)) << phi << " survived:\n" << out;
  }
  for (const char* kept : {"|2093-3^Cholesterol^LN||212|mg/dL|<200|H|", "|13.2|g/dL|",
                           "I21.4^Non-ST elevation myocardial infarction^I10", "1191^Aspirin^RXNORM",
                           "|ADT^A01^ADT_A01|", "^MD^214^USA^H", "|1948|F|", "|F\n"}) {
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " lost:\n" << out;
  }
}

TEST_F(Hl7DeidTest, EscapesSeparatorsAndUntouchedValuesSurvive) {
  const std::string msg =
      "MSH|^~\\&|APP|FAC|||20230115||ORU^R01|C1|P|2.5\r"
      "PID|1||123456^^^H^MR||Doe^Jane\r"
      "OBX|1|TX|NOTE||Jane Doe \\T\\ Mr. Smith met on 01/15/2023.\\.br\\Next: \\H\\bold\\N\\ text.||||||F\r"
      "OBX|2|NM|GLU||5.4|mmol/L|||||F\r";
  for (const char* term : {"\r", "\n", "\r\n"}) {
    std::string in = msg;
    std::string t = term;
    in = std::regex_replace(in, std::regex("\r"), t);
    std::string out;
    auto r = Run(in + in, SafeHarbor(), &out);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->records, 2u);
    EXPECT_NE(out.find("|2.5" + t + "PID"), std::string::npos) << "terminator changed: " << term;
    EXPECT_NE(out.find("\\T\\"), std::string::npos) << out;
    EXPECT_NE(out.find("\\.br\\Next:"), std::string::npos) << out;
    EXPECT_EQ(out.find("Smith"), std::string::npos) << out;
    EXPECT_NE(out.find("OBX|2|NM|GLU||5.4|mmol/L|||||F" + t), std::string::npos) << out;
    // Application and facility become keyed pseudonyms, the same in both messages.
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(MSH\|\^~\\&\|([^|]+)\|([^|]+)\|\|\|2023\|\|ORU\^R01\|)")))
        << out;
    EXPECT_NE(m[1].str(), "APP");
    EXPECT_NE(m[2].str(), "FAC");
    EXPECT_NE(out.find(m[0].str(), m.position(0) + 1), std::string::npos) << out;
  }
}

TEST_F(Hl7DeidTest, SameKeySameBytesAndMessagesAreIndependent) {
  std::string input = ReadFile(kSamples[2]);
  std::string whole, again, threaded;
  ASSERT_TRUE(Run(input, SafeHarbor(), &whole).ok());
  ASSERT_TRUE(Run(input, SafeHarbor(), &again).ok());
  EXPECT_EQ(whole, again);
  StructuredOptions run;
  run.threads = 2;
  run.batch_records = 1;
  ASSERT_TRUE(Run(input, SafeHarbor(), &threaded, run).ok());
  EXPECT_EQ(whole, threaded);
  // Split between the two messages: each half alone gives its part of the whole output.
  size_t second = input.find("MSH", 1);
  std::string a, b;
  ASSERT_TRUE(Run(input.substr(0, second), SafeHarbor(), &a).ok());
  ASSERT_TRUE(Run(input.substr(second), SafeHarbor(), &b).ok());
  EXPECT_EQ(a + b, whole);
}

TEST_F(Hl7DeidTest, ObservationValuesFollowTheirValueType) {
  std::string out;
  ASSERT_TRUE(Run("MSH|^~\\&|A|B|||20230101||ORU^R01|1|P|2.5\n"
                  "OBX|1|NM|X||140|mmHg\nOBX|2|DT|Y||20230704\nOBX|3|ST|Z||Called John Moreau at home\n"
                  "OBX|4|CWE|W||E11.9^Type 2 diabetes^I10\nOBX|5|ED|V||^application/pdf^Base64^JVBERi0=\n",
                  SafeHarbor(), &out)
                  .ok());
  EXPECT_NE(out.find("OBX|1|NM|X||140|mmHg"), std::string::npos) << out;
  EXPECT_NE(out.find("OBX|2|DT|Y||2023\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("Moreau"), std::string::npos) << out;
  EXPECT_NE(out.find("E11.9^Type 2 diabetes^I10"), std::string::npos) << out;
  EXPECT_EQ(out.find("JVBERi0="), std::string::npos) << out;
}

TEST_F(Hl7DeidTest, MalformedMessagesStopTheRunNamingFileAndLine) {
  struct Case {
    std::string input;
    size_t line;
  } cases[] = {
      {"PID|1||42\n", 1},
      {"MSH|^~\\&|A|B|||20230101||ADT^A01|1|P|2.5\nPID|1||42\nbad segment\n", 3},
      {"MSH|^~\\&|A|B|||20230101||ADT^A01|1|P|2.5\nPID|1||42\n\nMSH|^~|A\n", 4},
      {"MSH|^~\\&|A|B|||20230101||ADT^A01|1|P|2.5\nPID|1||\xff\xfe\n", 1},
  };
  for (const Case& c : cases) {
    std::string out;
    auto r = Run(c.input, SafeHarbor(), &out);
    ASSERT_FALSE(r.ok()) << c.input;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(r.status().message()).find("in.hl7:" + std::to_string(c.line) + ":"),
              std::string::npos)
        << r.status();
    // The value must not be in the message; the temporary directory's random name may hold "42".
    const std::string message(r.status().message());
    EXPECT_EQ(message.substr(message.find("in.hl7:")).find("42"), std::string::npos)
        << "value in error: " << message;
  }
}

TEST_F(Hl7DeidTest, SkipQuarantinesBadMessagesAndKeepsTheRest) {
  auto q = testing_util::Quarantine(dir_);
  std::string out;
  auto r = Run("MSH|^~\\&|A|B|||20230101||ADT^A01|1|P|2.5\nPID|1||42\nZZ|x\n"
               "MSH|^~\\&|A|B|||20230101||ADT^A01|2|P|2.5\nPID|1||43\n",
               SafeHarbor(), &out, q.run);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(q.writer->Commit().ok());
  EXPECT_EQ(r->records, 1u);
  EXPECT_EQ(r->failed, 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].line, 3u);
  EXPECT_EQ(ReadFile(q.path), "MSH|^~\\&|A|B|||20230101||ADT^A01|1|P|2.5\rPID|1||42\rZZ|x\n");
  EXPECT_EQ(out.rfind("MSH|", 0), 0u);
  EXPECT_EQ(out.find("ZZ|"), std::string::npos);
}

TEST_F(Hl7DeidTest, NamesWhereNoRuleExpectsThemAreRedactedByTheirShape) {
  std::string out;
  ASSERT_TRUE(Run("MSH|^~\\&|A|B|||20230101||ORU^R01|1|P|2.5\n"
                  "OBR|1|||2093-3^Cholesterol^LN||||||||||||||||||||||||||555^Okafor^Chidi^^^^MD\n"  // OBR-30
                  "OBX|1|XPN|N||Brennan^Siobhan^M|||||F\nOBX|2|XAD|A||12 Elm St^^Dover^DE^19901\n"
                  "OBX|3|CE|C||E11.9^Type two diabetes^I10\n"
                  "ZPV|1|Castellano^Ines|DR&Achebe&Ngozi|^Chest pain^L|CODE123\n",
                  SafeHarbor(), &out)
                  .ok());
  for (const char* name : {"Okafor", "Chidi", "Brennan", "Siobhan", "Elm St", "Dover", "Castellano",
                           "Ines", "Achebe", "Ngozi"}) {
    EXPECT_EQ(out.find(name), std::string::npos) << name << " survived:\n" << out;
  }
  // Coded values keep their text: the third component names a coding system.
  for (const char* kept : {"2093-3^Cholesterol^LN", "E11.9^Type two diabetes^I10", "^Chest pain^L",
                           "CODE123", "^^^^MD"}) {
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " lost:\n" << out;
  }
}

// Each changed value is counted once under the policy key that names it, or else its SEG-F,
// across batches and threads.
TEST_F(Hl7DeidTest, ReportCountsEachChangedValueUnderItsRuleOrField) {
  auto policy = ParseFieldPolicyYaml(
      "default: redact\nfields:\n  PID-5: {transform: redact, type: NAME}\n  MSH-9: keep\n");
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::string in;
  for (int i = 0; i < 5; ++i) {
    in += Cat("MSH|^~\\&|APP|FAC|||2020010", i + 1, "||ADT^A01|", i, "\r",
              "PID|1||MRN", i, "||Walsh^Ann||19500101\r");
  }
  StructuredOptions run;
  run.batch_records = 2;
  run.threads = 2;
  std::string out;
  auto r = Run(in, *policy, &out, run);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records, 5u);
  EXPECT_EQ(r->by_field.at("PID-5").at("redact"), 10u);  // family and given
  EXPECT_EQ(r->by_field.at("PID-3").at("redact"), 5u);
  EXPECT_EQ(r->by_field.at("PID-7").at("redact"), 5u);
  EXPECT_EQ(r->by_field.at("MSH-3").at("redact"), 5u);
  EXPECT_EQ(r->by_field.at("MSH-10").at("redact"), 5u);
  EXPECT_FALSE(r->by_field.contains("MSH-9"));
  EXPECT_EQ(out.find("Walsh"), std::string::npos);
  EXPECT_NE(out.find("ADT^A01"), std::string::npos);
}

TEST(Hl7Policy, BadLocationsAreErrorsWithTheirLineAndColumn) {
  for (const char* bad : {"fields:\n  PID5: redact\n", "fields:\n  pid-5: redact\n",
                          "fields:\n  PID-0: redact\n", "fields:\n  PID-5.1.2.3: redact\n",
                          "fields:\n  MSH-2: redact\n", "fields:\n  PID-x: redact\n",
                          "fields:\n  PID-41: redact\n", "fields:\n  AL1-7: redact\n",
                          "fields:\n  XYZ-3: redact\n", "fields:\n  PDI-5: redact\n"}) {
    auto policy = ParseFieldPolicyYaml(bad);
    ASSERT_TRUE(policy.ok()) << bad;
    absl::Status s = ValidateHl7Policy(*policy);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(std::string(s.message()).find("line 2, column 3"), std::string::npos) << s;
  }
  EXPECT_TRUE(ValidateHl7Policy(SafeHarbor()).ok());
  // Site-defined Z-segments may have any field; standard segments up to their last field.
  for (const char* good : {"fields:\n  ZPD-120: redact\n", "fields:\n  PID-40: redact\n",
                           "fields:\n  OBR-55.2: keep\n"}) {
    auto policy = ParseFieldPolicyYaml(good);
    ASSERT_TRUE(policy.ok()) << good;
    EXPECT_TRUE(ValidateHl7Policy(*policy).ok()) << good;
  }
}

}  // namespace
}  // namespace phiguard::deid
