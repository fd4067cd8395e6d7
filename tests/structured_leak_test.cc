// Whole-output leak tests for the built-in safe-harbor policies: every HL7 sample of
// ../shared/data/samples (and the repository's own) is de-identified, and no name, address, phone
// or identifier value of the input survives anywhere in the output, wherever the sender put it.
// The values are taken from the input independently of the code under test: by parsing the fields
// HL7 v2.x defines as names, addresses, phones and identifiers (XPN, XCN, XAD, XTN, CX), by the
// shape of a name in any other field (a sender's misplaced XCN), and for everything else by the
// text detector over the raw input.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "fhir_hl7_util.h"
#include "phiguard/deid/hl7_deid.h"
#include "test_util.h"

namespace phiguard::deid {
namespace {

using testing_util::ContainsWord;
using testing_util::ReadFile;
using testing_util::SplitAtAny;

// HL7 v2.5.1 fields of type XPN, XCN, XAD, XTN, CX (and SSN, driver's licence) in the segments
// the built-in policy covers, and the sending/receiving application and facility (HD: often a
// hospital's name or initials).
const std::set<std::string>& IdentifyingFields() {
  static const std::set<std::string> kFields = {
      "MSH-3",  "MSH-4",  "MSH-5",  "MSH-6",  "BHS-3",  "BHS-4",  "BHS-5",  "BHS-6",
      "EVN-5",  "PID-2",  "PID-3",  "PID-4",  "PID-5",  "PID-6",  "PID-9",  "PID-11", "PID-13",
      "PID-14", "PID-18", "PID-19", "PID-20", "PID-21", "PD1-4",  "NK1-2",  "NK1-4",  "NK1-5",
      "NK1-6",  "NK1-30", "NK1-31", "NK1-32", "NK1-33", "NK1-37", "PV1-7",  "PV1-8",  "PV1-9",
      "PV1-17", "PV1-19", "PV1-50", "PV1-52", "PV2-13", "ORC-10", "ORC-11", "ORC-12", "ORC-14",
      "ORC-19", "OBR-10", "OBR-16", "OBR-17", "OBR-28", "OBR-32", "OBR-33", "OBR-34", "OBR-35",
      "OBX-16", "OBX-25", "NTE-5",  "IN1-6",  "IN1-16", "IN1-19", "IN1-49", "GT1-2",  "GT1-3",
      "GT1-4",  "GT1-5",  "GT1-6",  "GT1-7",  "GT1-12", "GT1-19", "DG1-16", "MRG-1",  "MRG-7"};
  return kFields;
}

// Pieces of identifying fields that say what kind of value it is, not whose.
const std::set<std::string>& NotIdentifying() {
  static const std::set<std::string> kWords = {
      "MR", "USA", "MD", "NY", "OH", "PRN", "PH", "NET", "Internet", "Dr.", "Mrs.", "GHH",
      "100" /* PID-3.4 assigning authority */, "LEVEL SEVEN HEALTHCARE, INC." /* XCN-9 */};
  return kWords;
}

std::set<std::string> IdentifiersOf(const std::string& file) {
  std::set<std::string> ids;
  auto add = [&](const std::string& v) {
    if (v.size() >= 3 && !NotIdentifying().contains(v)) ids.insert(v);
  };
  // id^family^given: a person's name in any field.
  static const std::regex kXcn(R"(^[A-Za-z0-9./_-]*\^([A-Za-z][A-Za-z' .-]+)\^([A-Za-z][A-Za-z' .-]+)(\^.*)?$)");
  for (const std::string& seg : SplitAtAny(file, "\r\n")) {
    if (seg.size() < 4) continue;
    std::vector<std::string> fields = SplitAtAny(seg, "|");
    const bool header = seg.starts_with("MSH") || seg.starts_with("BHS");
    for (size_t i = 1; i < fields.size(); ++i) {
      const std::string name = seg.substr(0, 3) + "-" + std::to_string(header ? i + 1 : i);
      for (const std::string& rep : SplitAtAny(fields[i], "~")) {
        std::smatch m;
        static const std::set<std::string> kCodingSystems = {"LN", "I10", "I9", "RXNORM", "SCT",
                                                             "L", "CPT4", "NDC"};
        if (std::regex_match(rep, m, kXcn) && !kCodingSystems.contains(m[2].str())) {
          add(m[1].str());
          add(m[2].str());
        }
        if (!IdentifyingFields().contains(name)) continue;
        for (const std::string& piece : SplitAtAny(rep, "^&")) add(piece);
      }
    }
  }
  // Everything else: what the text detector finds in the raw segments, kept or not by the
  // policy (full dates are checked below).
  for (const std::string& seg : SplitAtAny(file, "\r\n")) {
    for (const std::string& v : testing_util::DetectedNonDateValues(seg)) add(v);
  }
  return ids;
}

std::vector<std::string> Hl7Samples() {
  std::vector<std::string> files = {"data/samples/adt_oru_v251.hl7"};
  for (const auto& e : std::filesystem::directory_iterator("../shared/data/samples/hl7v2")) {
    if (e.path().extension() == ".hl7") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(StructuredLeak, NoIdentifierOfAnyHl7SampleSurvivesAnywhereInTheOutput) {
  auto policy = LoadFieldPolicyFor("hl7v2", "safe-harbor", "data");
  ASSERT_TRUE(policy.ok()) << policy.status();
  policy->reference_year = 2026;
  std::vector<std::string> samples = Hl7Samples();
  ASSERT_GE(samples.size(), 3u);
  testing_util::ScopedTempDir dir;
  for (const std::string& sample : samples) {
    const std::string input = ReadFile(sample);
    std::set<std::string> ids = IdentifiersOf(input);
    ASSERT_GE(ids.size(), 3u) << sample;
    std::string out;
    auto r = testing_util::RunStructured(DeidentifyHl7, dir, sample, *policy, &out, {}, 'l');
    ASSERT_TRUE(r.ok()) << sample << ": " << r.status();
    for (const std::string& id : ids) {
      EXPECT_FALSE(ContainsWord(out, id)) << sample << ": '" << id << "' survived";
    }
    // Full dates (YYYYMMDD[HHMM...]) of the input, anywhere, become years.
    static const std::regex kFullDate(R"((19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d*)");
    for (std::sregex_iterator it(input.begin(), input.end(), kFullDate), end; it != end; ++it) {
      EXPECT_FALSE(ContainsWord(out, it->str())) << sample << ": full date " << it->str() << " survived";
    }
  }
}

TEST(StructuredLeak, Hl7SampleWithMisplacedClinicianNamesLosesThem) {
  auto policy = LoadFieldPolicyFor("hl7v2", "safe-harbor", "data");
  ASSERT_TRUE(policy.ok());
  testing_util::ScopedTempDir dir;
  std::string out;
  ASSERT_TRUE(testing_util::RunStructured(DeidentifyHl7, dir,
                                          "../shared/data/samples/hl7v2/oru_r01_v24.hl7", *policy,
                                          &out, {}, 'l')
                  .ok());
  // OBR-15 and OBR-30 hold XCNs where v2.4 defines a specimen source and a transport mode.
  for (const char* name : {"HIPPOCRATES", "HOWARD", "PRIMARY", "PATRICIA", "EVERYWOMAN", "JONES"}) {
    EXPECT_EQ(out.find(name), std::string::npos) << name << " survived:\n" << out;
  }
  for (const char* kept : {"1554-5^GLUCOSE^POST 12H CFST:MCNC:PT:SER/PLAS:QN", "|mg/dl|70_105|H|"}) {
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " lost:\n" << out;
  }
}

}  // namespace
}  // namespace phiguard::deid
