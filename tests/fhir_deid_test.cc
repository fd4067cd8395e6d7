// FHIR R4 de-identification: the built-in Safe Harbor policy on the Synthea Bulk Data export
// leaves no identifier of the input in the output while clinical content stays; references still
// resolve; output is keyed and deterministic; FHIR paths with where() select what they say; bad
// resources fail with their line or go to quarantine.
#include "phiguard/deid/fhir_deid.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "absl/strings/str_join.h"
#include "fhir_hl7_util.h"
#include "phiguard/core/strings.h"
#include "test_util.h"

namespace phiguard::deid {
namespace {

using nlohmann::json;
using testing_util::ReadFile;
using testing_util::ScopedTempDir;
using testing_util::ContainsWord;
using testing_util::WriteFile;

constexpr char kExport[] = "../shared/data/samples/fhir-synthea-10-patients";

FieldPolicy SafeHarbor() {
  auto p = LoadFieldPolicyFor("fhir", "safe-harbor", "data");
  EXPECT_TRUE(p.ok()) << p.status();
  p->reference_year = 2026;  // fixed, so the test does not depend on the clock
  return *p;
}

class FhirDeidTest : public ::testing::Test {
 protected:
  absl::StatusOr<StructuredReport> RunFile(const std::string& in, const FieldPolicy& policy,
                                           std::string* out, StructuredOptions run = {},
                                           char key_byte = 'k') {
    return testing_util::RunStructured(DeidentifyFhir, dir_, in, policy, out, run, key_byte);
  }
  absl::StatusOr<StructuredReport> Run(const std::string& ndjson, const FieldPolicy& policy,
                                       std::string* out, StructuredOptions run = {}) {
    return RunFile(WriteFile(dir_.File("in.ndjson"), ndjson), policy, out, run);
  }
  // The first `max_lines` resources of every file of the export, as one NDJSON input.
  std::string ExportSubset(size_t max_lines) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(kExport)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::string all;
    for (const std::string& f : files) {
      std::vector<std::string> lines = testing_util::Lines(ReadFile(f));
      for (size_t i = 0; i < lines.size() && i < max_lines; ++i) all += lines[i] + "\n";
    }
    return all;
  }
  ScopedTempDir dir_;
};

// Identifier values of the input, collected by FHIR path: names, telecom, addresses, identifier
// values, birth dates and every full date, the mother's maiden name, patient ids.
void CollectIdentifiers(const json& node, const std::string& parent, const std::string& key,
                        std::set<std::string>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      CollectIdentifiers(it.value(), key, it.key(), out);
    }
    if (node.value("url", "").ends_with("patient-mothersMaidenName")) {
      out.insert(node["valueString"].get<std::string>());
    }
    return;
  }
  if (node.is_array()) {
    for (const json& x : node) CollectIdentifiers(x, parent, key, out);
    return;
  }
  if (!node.is_string()) return;
  std::string v = node.get<std::string>();
  static const std::regex kDate(R"(\d{4}-\d\d-\d\d.*)");
  if (std::regex_match(v, kDate)) out.insert(v.substr(0, 10));
  if (key == "family" || key == "given" || key == "line" || key == "city" ||
      key == "postalCode" || key == "birthDate" || (parent == "telecom" && key == "value") ||
      (parent == "identifier" && key == "value")) {
    out.insert(v);
  }
}

// What the text detector finds (DetectedNonDateValues; full dates are collected above) in every
// string of the input, wherever the sender put it: a name in a display, a hospital in
// Organization.name, a place in a note. Not in terminology (codings, code systems, extension URLs,
// profiles) nor references (checked on their own below), which the policy keeps on purpose: a
// SNOMED code reads as a number and a code system as a URL; a code system's URL found elsewhere
// (in narrative) is terminology too.
void CollectDetected(const json& node, std::set<std::string>& out,
                     std::set<std::string>& terminology, const std::string& key = "") {
  static const std::set<std::string> kTerminology = {"coding", "system", "code", "url", "meta",
                                                     "reference"};
  if (kTerminology.contains(key)) {
    if (node.is_string()) terminology.insert(node.get<std::string>());
    return;
  }
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      CollectDetected(it.value(), out, terminology, it.key());
    }
    return;
  }
  if (node.is_array()) {
    for (const json& x : node) CollectDetected(x, out, terminology, key);
    return;
  }
  if (!node.is_string()) return;
  for (std::string& v : testing_util::DetectedNonDateValues(node.get<std::string>())) {
    out.insert(std::move(v));
  }
}

// `out` and the text of every base64 attachment in it.
std::string WithDecodedAttachments(const std::string& ndjson) {
  std::string all = ndjson;
  for (const std::string& line : testing_util::Lines(ndjson)) {
    json r = json::parse(line);
    for (const json& c : r.value("content", json::array())) {
      if (c.contains("attachment") && c["attachment"].contains("data")) {
        auto text = testing_util::Base64Decode(c["attachment"]["data"].get<std::string>());
        EXPECT_TRUE(text.has_value()) << "attachment is not base64 any more";
        if (text) all += "\n" + *text;
      }
    }
  }
  return all;
}


TEST_F(FhirDeidTest, SafeHarborLeavesNoIdentifierOfTheSyntheaExport) {
  std::string input = ExportSubset(150);
  std::set<std::string> identifiers, detected, terminology;
  for (const std::string& line : testing_util::Lines(input)) {
    json r = json::parse(line);
    CollectIdentifiers(r, "", "", identifiers);
    CollectDetected(r, detected, terminology);
    if (r["resourceType"] == "Patient") identifiers.insert(r["id"].get<std::string>());
  }
  size_t by_path = identifiers.size();
  for (const std::string& d : detected) {
    if (!terminology.contains(d)) identifiers.insert(d);
  }
  // The detector adds what no path names: clinicians in displays, organisation and place names.
  EXPECT_GT(identifiers.size(), by_path + 100);
  ASSERT_GT(identifiers.size(), 500u);
  std::string out;
  auto report = Run(input, SafeHarbor(), &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->records, testing_util::Lines(input).size());
  std::string everything = WithDecodedAttachments(out);
  std::vector<std::string> leaked;
  for (const std::string& id : identifiers) {
    if (id.size() >= 3 && ContainsWord(everything, id)) leaked.push_back(id);
  }
  EXPECT_TRUE(leaked.empty()) << leaked.size() << " identifiers survived: "
                              << absl::StrJoin(leaked, " | ");
  // Clinical content stays: codes, terminology, units, years.
  for (const char* kept : {"\"code\":\"91302008\"", "Sepsis (disorder)", "\"system\":\"http://snomed.info/sct\"",
                           "\"gender\":\"female\"", "\"state\":\"KS\"", "\"onsetDateTime\":\"1976\"",
                           "lisinopril 10 MG Oral Tablet", "\"valueDecimal\":3.8227768159088433"}) {
    EXPECT_NE(out.find(kept), std::string::npos) << kept;
  }
  EXPECT_GT(report->text.by_type[static_cast<int>(phi::PhiType::kName)], 0u);
  // The report names fields and counts, never values.
  std::string json_report = StructuredReportJson(*report, SafeHarbor());
  EXPECT_NE(json_report.find("\"Patient.name.family\""), std::string::npos);
  EXPECT_EQ(json_report.find("Medhurst46"), std::string::npos);
}

TEST_F(FhirDeidTest, ReferencesResolveToThePseudonymisedResources) {
  std::string input = ExportSubset(1000000);  // whole files: every reference has its target
  std::string out;
  ASSERT_TRUE(Run(input, SafeHarbor(), &out).ok());
  std::set<std::string> ids_in, ids_out;
  for (const std::string& line : testing_util::Lines(input)) {
    json r = json::parse(line);
    ids_in.insert(r["resourceType"].get<std::string>() + "/" + r["id"].get<std::string>());
  }
  std::vector<std::string> out_lines = testing_util::Lines(out);
  for (const std::string& line : out_lines) {
    json r = json::parse(line);
    ids_out.insert(r["resourceType"].get<std::string>() + "/" + r["id"].get<std::string>());
  }
  EXPECT_EQ(ids_out.size(), ids_in.size());  // pseudonyms do not collide
  size_t checked = 0;
  for (const std::string& line : out_lines) {
    json r = json::parse(line);
    for (const char* field : {"subject", "patient", "encounter"}) {
      if (!r.contains(field)) continue;
      std::string ref = r[field]["reference"];
      EXPECT_TRUE(ids_out.contains(ref)) << ref << " does not resolve";
      EXPECT_FALSE(ids_in.contains(ref)) << ref << " was not pseudonymised";
      ++checked;
    }
  }
  EXPECT_GT(checked, 5000u);
}

TEST_F(FhirDeidTest, SameKeySameBytesAnyThreadCountOtherKeyOtherPseudonyms) {
  std::string input = ExportSubset(40);
  std::string in = WriteFile(dir_.File("in.ndjson"), input);
  std::string a, b, c;
  ASSERT_TRUE(RunFile(in, SafeHarbor(), &a).ok());
  StructuredOptions threaded;
  threaded.threads = 3;
  threaded.batch_records = 7;
  ASSERT_TRUE(RunFile(in, SafeHarbor(), &b, threaded).ok());
  EXPECT_EQ(a, b);
  ASSERT_TRUE(RunFile(in, SafeHarbor(), &c, {}, 'z').ok());
  EXPECT_NE(a, c);
  EXPECT_EQ(testing_util::Lines(a).size(), testing_util::Lines(c).size());
}

TEST_F(FhirDeidTest, WhereSelectsIdentifiersTelecomAndExtensions) {
  auto policy = ParseFieldPolicyYaml(R"Y(
default: keep
fields:
  "Patient.identifier.value": {transform: pseudonym, type: MRN, format: preserve}
  "Patient.identifier.where(type.coding.code='SS').value": {transform: redact, type: SSN}
  "*.telecom.where(system='email' or system='fax').value": {transform: redact, type: EMAIL}
  "*.extension.where(url='http://x/secret')": drop
)Y");
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::string out;
  ASSERT_TRUE(Run(R"({"resourceType":"Patient","id":"p1","identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"MRN-0042"},{"type":{"coding":[{"code":"SS"}]},"value":"123-45-6789"}],"telecom":[{"system":"email","value":"a@b.org"},{"system":"phone","value":"555-0100"}],"extension":[{"url":"http://x/secret","valueString":"s"},{"url":"http://x/open","valueString":"o"}]})"
                  "\n",
                  *policy, &out)
                  .ok());
  json r = json::parse(out);
  std::string mrn = r["identifier"][0]["value"];
  EXPECT_NE(mrn, "MRN-0042");
  EXPECT_TRUE(std::regex_match(mrn, std::regex("[A-Z]{3}-\\d{4}"))) << mrn;  // same shape
  EXPECT_EQ(r["identifier"][1]["value"], "[**SSN**]");
  EXPECT_EQ(r["telecom"][0]["value"], "[**EMAIL**]");
  EXPECT_EQ(r["telecom"][1]["value"], "555-0100");  // default keep: no rule names phones here
  ASSERT_EQ(r["extension"].size(), 1u);
  EXPECT_EQ(r["extension"][0]["url"], "http://x/open");
}

TEST_F(FhirDeidTest, BundleFullUrlsAndReferencesStayLinkedAndDatesShiftPerPatient) {
  auto policy = ParseFieldPolicyYaml(R"(
text_profile: pseudonymize
fields:
  "Resource.id": pseudonym
  "*.fullUrl": pseudonym
  "*.reference": pseudonym
  "Patient.birthDate": date-shift
  "Encounter.period": date-shift
  "*.valueQuantity": keep
)");
  ASSERT_TRUE(policy.ok()) << policy.status();
  const std::string bundle =
      R"({"resourceType":"Bundle","type":"collection","entry":[)"
      R"({"fullUrl":"urn:uuid:0b3c2a9e-1111-4c2b-9a7e-5d2f3a4b5c6d","resource":{"resourceType":"Patient","id":"0b3c2a9e-1111-4c2b-9a7e-5d2f3a4b5c6d","birthDate":"1960-02-29"}},)"
      R"({"fullUrl":"urn:uuid:e1","resource":{"resourceType":"Encounter","id":"e1","subject":{"reference":"urn:uuid:0b3c2a9e-1111-4c2b-9a7e-5d2f3a4b5c6d"},"period":{"start":"2020-03-01T10:00:00-05:00"}}},)"
      R"({"resource":{"resourceType":"Observation","subject":{"reference":"Patient/0b3c2a9e-1111-4c2b-9a7e-5d2f3a4b5c6d"},"valueQuantity":{"value":1.50,"unit":"mg"}}}]})";
  std::string in = WriteFile(dir_.File("bundle.json"), bundle.substr(0, bundle.find("\"entry\"")) + "\n  " + bundle.substr(bundle.find("\"entry\"")));
  std::string out;
  auto report = RunFile(in, *policy, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  json b = json::parse(out);
  std::string pid = b["entry"][0]["resource"]["id"];
  EXPECT_NE(pid, "0b3c2a9e-1111-4c2b-9a7e-5d2f3a4b5c6d");
  EXPECT_TRUE(std::regex_match(pid, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"))) << pid << out;
  EXPECT_EQ(b["entry"][0]["fullUrl"], "urn:uuid:" + pid);
  EXPECT_EQ(b["entry"][1]["resource"]["subject"]["reference"], "urn:uuid:" + pid);
  EXPECT_EQ(b["entry"][2]["resource"]["subject"]["reference"], "Patient/" + pid);
  // One shift for the patient: birth date and encounter move by the same number of days.
  auto days = [](const std::string& from, const std::string& to) {
    auto civil = [](const std::string& s) {
      return absl::CivilDay(std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2)));
    };
    return civil(to) - civil(from);
  };
  std::string birth = b["entry"][0]["resource"]["birthDate"];
  std::string start = b["entry"][1]["resource"]["period"]["start"];
  EXPECT_NE(birth, "1960-02-29");
  EXPECT_EQ(days("1960-02-29", birth), days("2020-03-01", start));
  EXPECT_TRUE(start.ends_with("T10:00:00-05:00")) << start;  // time and zone kept
  EXPECT_NE(out.find("\"value\":1.50"), std::string::npos) << "decimal precision lost: " << out;
}

TEST_F(FhirDeidTest, AttachmentTextIsDecodedScannedAndReencoded) {
  std::string note = "Mr. John Moreau was seen on 07/22/2023. Call him at (410) 555-0142.";
  std::string b64;
  {
    static constexpr char kA[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 2 < note.size(); i += 3) {
      uint32_t v = (uint8_t(note[i]) << 16) | (uint8_t(note[i + 1]) << 8) | uint8_t(note[i + 2]);
      for (int s = 18; s >= 0; s -= 6) b64.push_back(kA[(v >> s) & 63]);
    }
    uint32_t v = uint8_t(note[i]) << 16;
    if (i + 1 < note.size()) v |= uint8_t(note[i + 1]) << 8;
    b64 += {kA[v >> 18], kA[(v >> 12) & 63], i + 1 < note.size() ? kA[(v >> 6) & 63] : '=', '='};
    if (note.size() % 3 == 0) b64.resize(b64.size() - 4);
  }
  std::string out;
  auto r = Run(R"({"resourceType":"DocumentReference","subject":{"reference":"Patient/1"},"content":[{"attachment":{"contentType":"text/plain","data":")" +
                   b64 + R"("}},{"attachment":{"contentType":"image/png","data":"iVBORw0KGgo="}}]})" "\n",
               SafeHarbor(), &out);
  ASSERT_TRUE(r.ok()) << r.status();
  json d = json::parse(out);
  auto text = testing_util::Base64Decode(d["content"][0]["attachment"]["data"].get<std::string>());
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->find("Moreau"), std::string::npos) << *text;
  EXPECT_EQ(text->find("555-0142"), std::string::npos) << *text;
  EXPECT_NE(text->find("was seen on"), std::string::npos) << *text;
  // Binary content cannot be checked: it is removed, and the empty attachment with it... but
  // contentType remains, so the attachment stays without data.
  EXPECT_FALSE(d["content"][1]["attachment"].contains("data"));
}

TEST_F(FhirDeidTest, UnknownResourceTypesGetTheConservativeDefault) {
  std::string out;
  ASSERT_TRUE(Run(R"({"resourceType":"Flag","id":"f1","status":"active","code":{"coding":[{"system":"http://snomed.info/sct","code":"1234"}],"text":"Call Mary Walsh at 410-555-0199 before visits"},"period":{"start":"2021-04-03"}})" "\n",
                  SafeHarbor(), &out)
                  .ok());
  EXPECT_EQ(out.find("Walsh"), std::string::npos) << out;
  EXPECT_EQ(out.find("555-0199"), std::string::npos) << out;
  EXPECT_EQ(out.find("2021-04-03"), std::string::npos) << out;
  EXPECT_NE(out.find("\"start\":\"2021\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"code\":\"1234\""), std::string::npos) << out;
}

TEST_F(FhirDeidTest, PolicyCanDropWholeResourceTypes) {
  auto policy = ParseFieldPolicyYaml("fields:\n  Device: drop\n  \"*.status\": keep\n");
  ASSERT_TRUE(policy.ok());
  std::string out;
  auto r = Run("{\"resourceType\":\"Device\",\"serialNumber\":\"X1\"}\n{\"resourceType\":\"Flag\",\"status\":\"active\"}\n",
               *policy, &out);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records, 1u);
  EXPECT_EQ(r->dropped, 1u);
  EXPECT_EQ(out, "{\"resourceType\":\"Flag\",\"status\":\"active\"}\n");
}

TEST_F(FhirDeidTest, MalformedResourceStopsTheRunNamingFileAndLine) {
  std::string out;
  for (const char* bad : {"{\"resourceType\":\"Patient\"\n", "[1,2]\n", "{\"id\":\"x\"}\n",
                          "{\"resourceType\":\"Patient\",\"name\":\"\xff\"}\n"}) {
    auto r = Run(std::string("{\"resourceType\":\"Flag\"}\n\n") + bad, SafeHarbor(), &out);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(r.status().message()).find("in.ndjson:3:"), std::string::npos) << r.status();
  }
}

TEST_F(FhirDeidTest, SkipSendsBadResourcesToQuarantineAndTheReport) {
  auto q = testing_util::Quarantine(dir_);
  std::string out;
  auto r = Run("{\"resourceType\":\"Flag\",\"status\":\"a\"}\n{broken\n{\"resourceType\":\"Flag\",\"status\":\"b\"}\n",
               SafeHarbor(), &out, q.run);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(q.writer->Commit().ok());
  EXPECT_EQ(r->records, 2u);
  EXPECT_EQ(r->failed, 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].line, 2u);
  EXPECT_EQ(ReadFile(q.path), "{broken\n");
  EXPECT_EQ(testing_util::Lines(out).size(), 2u);
  std::string json_report = StructuredReportJson(*r, SafeHarbor());
  EXPECT_NE(json_report.find("\"records_failed\": 1"), std::string::npos) << json_report;
}

// Each changed value is counted once under its field and transform, across batches and
// threads (the report keeps a pointer to each counter it has found), and a quarantined record
// counts nothing but its failure.
TEST_F(FhirDeidTest, ReportCountsEachChangedValueOnceAcrossBatchesAndThreads) {
  std::string in;
  for (int i = 0; i < 7; ++i) {
    in += Cat("{\"resourceType\":\"Patient\",\"id\":\"p", i,
              "\",\"name\":[{\"family\":\"Walsh\",\"given\":[\"Ann\",\"Marie\"]}],"
              "\"birthDate\":\"1950-01-0", i + 1, "\"}\n");
    if (i == 3) in += "{\"resourceType\":\"Patient\",\"id\":\"bad\",\n";
  }
  auto q = testing_util::Quarantine(dir_);
  StructuredOptions run = q.run;
  run.batch_records = 3;
  run.threads = 2;
  std::string out;
  auto r = Run(in, SafeHarbor(), &out, run);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records, 7u);
  EXPECT_EQ(r->failed, 1u);
  EXPECT_EQ(r->by_field.at("Patient.id").at("pseudonym"), 7u);
  EXPECT_EQ(r->by_field.at("Patient.name.family").at("redact"), 7u);
  EXPECT_EQ(r->by_field.at("Patient.name.given").at("redact"), 14u);
  EXPECT_EQ(r->by_field.at("Patient.birthDate").at("generalize"), 7u);
  EXPECT_EQ(r->by_field.size(), 4u);
}

// The walker remembers the rules' verdict per element path, but never below a where(): the same
// path is decided per element, record after record, in any order.
TEST_F(FhirDeidTest, WhereDecidesPerElementAcrossRecordsAndOrders) {
  auto policy = ParseFieldPolicyYaml(R"Y(
default: keep
fields:
  "Patient.name.family": {transform: redact, type: NAME}
  "*.telecom.where(system='email').value": {transform: redact, type: EMAIL}
  "*.identifier.where(system='x').assigner.display": {transform: redact, type: NAME}
)Y");
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::string in;
  for (const char* first : {"x", "y", "x"}) {
    const bool x_first = std::string(first) == "x";
    in += Cat(R"({"resourceType":"Patient","name":[{"family":"Walsh"}],"telecom":[)",
              x_first ? R"({"system":"email","value":"a@b.org"},{"system":"phone","value":"555"})"
                      : R"({"system":"phone","value":"555"},{"system":"email","value":"a@b.org"})",
              R"(],"identifier":[{"system":")", first,
              R"(","assigner":{"display":"One"}},{"system":")", x_first ? "y" : "x",
              R"(","assigner":{"display":"Two"}}]})", "\n");
  }
  std::string out;
  ASSERT_TRUE(Run(in, *policy, &out).ok());
  std::vector<std::string> lines = testing_util::Lines(out);
  ASSERT_EQ(lines.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    json r = json::parse(lines[i]);
    const bool x_first = i != 1;
    EXPECT_EQ(r["name"][0]["family"], "[**NAME**]") << i;
    EXPECT_EQ(r["telecom"][x_first ? 0 : 1]["value"], "[**EMAIL**]") << i;
    EXPECT_EQ(r["telecom"][x_first ? 1 : 0]["value"], "555") << i;
    EXPECT_EQ(r["identifier"][0]["assigner"]["display"], x_first ? "[**NAME**]" : "One") << i;
    EXPECT_EQ(r["identifier"][1]["assigner"]["display"], x_first ? "Two" : "[**NAME**]") << i;
  }
}

// The report names each changed value by its element path also past the walker's bound on
// remembered paths (those are forgotten between records), and when keys change order.
TEST_F(FhirDeidTest, ReportNamesEveryPathPastTheBoundOnRememberedPaths) {
  auto policy = ParseFieldPolicyYaml("default: redact\nunchecked_types: [Basic]\n");
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::string in;
  for (int record = 0; record < 2; ++record) {
    in += "{\"resourceType\":\"Basic\"";
    for (int i = 0; i < 20000; ++i) {
      in += Cat(",\"k", record == 0 ? i : 19999 - i, "\":\"v\"");
    }
    in += "}\n";
  }
  std::string out;
  auto r = Run(in, *policy, &out);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records, 2u);
  ASSERT_EQ(r->by_field.size(), 20000u);
  for (int i : {0, 1, 16383, 16384, 19999}) {
    EXPECT_EQ(r->by_field.at(Cat("Basic.k", i)).at("redact"), 2u) << i;
  }
  EXPECT_NE(out.find("\"k19999\":\"[**"), std::string::npos) << out.substr(0, 200);
  EXPECT_EQ(out.find("\"v\""), std::string::npos);
}

TEST(FhirPolicy, BadPathsAreErrorsWithTheirLineAndColumn) {
  for (const char* bad : {"fields:\n  Patinet.name: redact\n", "fields:\n  name: redact\n",
                          "fields:\n  \"Patient.identifier.where(system)\": redact\n",
                          "fields:\n  \"Patient.identifier.where(system='a' and code='b' or x='c')\": redact\n",
                          "fields:\n  \"*\": redact\n", "patient_field: x\nfields:\n  Patient.name: redact\n"}) {
    auto policy = ParseFieldPolicyYaml(bad);
    ASSERT_TRUE(policy.ok()) << bad;
    absl::Status s = ValidateFhirPolicy(*policy);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    if (std::string(bad).starts_with("fields")) {
      EXPECT_NE(std::string(s.message()).find("line 2, column 3"), std::string::npos) << s;
    }
  }
  EXPECT_TRUE(ValidateFhirPolicy(SafeHarbor()).ok());
}

TEST(FhirPolicy, PathsNamingNoFhirElementAreErrorsAtTheStep) {
  struct Case {
    const char* path;
    size_t column;  // within the path, 1-based
  } cases[] = {
      {"Patient.nmae", 9},
      {"Observation.valueStrng", 13},
      {"Patient.name.famly", 14},
      {"*.codng", 3},
      {"Resource.identifer", 10},
      {"Patient.birthDate.year", 19},                                  // below a primitive
      {"Patient.identifier.where(typo.coding.code='SS').value", 26},  // in a where()
      {"Encounter.participant.individul", 23},                        // in a backbone element
      {"Provenance.agent", 1},  // no element table: only with unchecked_types
  };
  for (const Case& c : cases) {
    auto policy = ParseFieldPolicyYaml(Cat("fields:\n  \"", c.path, "\": redact\n"));
    ASSERT_TRUE(policy.ok()) << c.path;
    absl::Status s = ValidateFhirPolicy(*policy);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.path;
    EXPECT_NE(std::string(s.message()).find(Cat("line 2, column 3: FHIR path, column ", c.column, ":")),
              std::string::npos)
        << c.path << ": " << s;
  }
  for (const char* good : {"Patient.name.family", "Observation.valueString", "*.coding.code",
                           "Observation.component.valueQuantity.value", "Resource.meta.source",
                           "*.extension.valueAddress.city", "Bundle.entry.resource",
                           "DocumentReference.content.attachment.data", "Provenance",
                           "Patient.contact.name.where(use='official').given"}) {
    auto policy = ParseFieldPolicyYaml(Cat("fields:\n  \"", good, "\": redact\n"));
    ASSERT_TRUE(policy.ok()) << good;
    EXPECT_TRUE(ValidateFhirPolicy(*policy).ok()) << good << ": " << ValidateFhirPolicy(*policy);
  }
  // Types the table does not describe, named by the user, pass with their first step only.
  auto unchecked = ParseFieldPolicyYaml(
      "unchecked_types: [Provenance, LabOrder]\nfields:\n  Provenance.agent.who: redact\n"
      "  LabOrder.anything: drop\n");
  ASSERT_TRUE(unchecked.ok()) << unchecked.status();
  EXPECT_TRUE(ValidateFhirPolicy(*unchecked).ok()) << ValidateFhirPolicy(*unchecked);
  EXPECT_EQ(ParseFieldPolicyYaml("unchecked_types: [lower]\n").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace phiguard::deid
