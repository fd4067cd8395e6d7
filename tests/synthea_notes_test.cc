// A second corpus with a gold standard that needs no annotator: Synthea's FHIR export puts each
// patient's name in the Patient resource and the same name in that patient's clinical notes
// (DocumentReference, base64). Every mention of the patient's given or family name in a note must
// be inside a NAME span. Data: ../shared/data/samples/fhir-synthea-10-patients (CC0, synthetic).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "phiguard/phi/detector.h"
#include "test_util.h"

namespace phiguard {
namespace {

const char* kDir = "../shared/data/samples/fhir-synthea-10-patients";


std::vector<nlohmann::json> ReadNdjson(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

TEST(SyntheaNotes, EveryMentionOfThePatientsNameIsDetected) {
  std::string patients_path = std::string(kDir) + "/Patient.000.ndjson";
  std::string docs_path = std::string(kDir) + "/DocumentReference.000.ndjson";
  if (!std::ifstream(patients_path) || !std::ifstream(docs_path)) {
    GTEST_SKIP() << "MISSING TEST DATA: " << kDir;
  }
  // Patient id -> name parts ("Sumiko254", "Larue605").
  std::map<std::string, std::set<std::string>> names;
  for (const auto& p : ReadNdjson(patients_path)) {
    for (const auto& n : p.value("name", nlohmann::json::array())) {
      for (const auto& g : n.value("given", nlohmann::json::array())) names[p["id"]].insert(g);
      if (n.contains("family")) names[p["id"]].insert(n["family"].get<std::string>());
    }
  }
  ASSERT_FALSE(names.empty());
  const phi::Detector& det = *testing_util::SharedDetector();
  size_t mentions = 0, found = 0;
  std::vector<std::string> missed;
  for (const auto& doc : ReadNdjson(docs_path)) {
    std::string subject = doc["subject"]["reference"];
    std::string pid = subject.substr(subject.find('/') + 1);
    for (const auto& c : doc["content"]) {
      if (!c["attachment"].contains("data")) continue;
      std::optional<std::string> decoded =
          testing_util::Base64Decode(c["attachment"]["data"].get<std::string>());
      ASSERT_TRUE(decoded.has_value()) << "attachment is not base64";
      const std::string& text = *decoded;
      std::vector<phi::Span> spans = testing_util::DetectOrDie(det, text);
      for (const std::string& name : names[pid]) {
        for (size_t pos = text.find(name); pos != std::string::npos; pos = text.find(name, pos + 1)) {
          ++mentions;
          bool covered = false;
          for (const phi::Span& s : spans) {
            covered |= s.byte_start <= pos && s.byte_end >= pos + name.size() &&
                       (s.type == phi::PhiType::kName || s.type == phi::PhiType::kClinicianName);
          }
          found += covered;
          if (!covered && missed.size() < 10) missed.push_back(name);
        }
      }
    }
  }
  ASSERT_GT(mentions, 100u);
  EXPECT_EQ(found, mentions) << "missed, e.g.: " << ::testing::PrintToString(missed);
}

}  // namespace
}  // namespace phiguard
