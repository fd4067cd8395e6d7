// The real `phiguard deid fhir` and `phiguard deid hl7` commands as a map step: a FHIR Bulk Data
// export and an HL7 feed split into shards and de-identified in separate processes give, once
// concatenated, the bytes of one run; bad input leaves no output file and exits 1 naming the file
// and line; --on-error=skip quarantines; --out-dir runs resume from their manifest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace phiguard {
namespace {

using testing_util::Lines;
using testing_util::ReadFile;
using testing_util::ScopedTempDir;
using testing_util::WriteFile;

constexpr char kExport[] = "../shared/data/samples/fhir-synthea-10-patients/";

int RunCli(const std::string& args, const std::string& stderr_path = "/dev/null") {
  std::string cmd = std::string(PHIGUARD_CLI) + " " + args + " 2>" + stderr_path;
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string Head(const std::string& path, size_t n) {
  std::string out;
  std::vector<std::string> lines = Lines(ReadFile(path));
  for (size_t i = 0; i < lines.size() && i < n; ++i) out += lines[i] + "\n";
  return out;
}

TEST(FhirHl7Cli, ShardedFhirExportEqualsSingleRunAndReferencesAgree) {
  ScopedTempDir dir;
  std::string key = WriteFile(dir.File("key.hex"), std::string(64, 'c') + "\n");
  // Patients, their encounters and notes, in one file, then in three interleaved shards.
  std::string all = Head(std::string(kExport) + "Patient.000.ndjson", 100) +
                    Head(std::string(kExport) + "Encounter.000.ndjson", 60) +
                    Head(std::string(kExport) + "DocumentReference.000.ndjson", 12);
  std::vector<std::string> lines = Lines(all);
  WriteFile(dir.File("all.ndjson"), all);
  const int kShards = 3;
  for (int s = 0; s < kShards; ++s) {
    std::string shard;
    for (size_t i = s; i < lines.size(); i += kShards) shard += lines[i] + "\n";
    WriteFile(dir.File("shard" + std::to_string(s) + ".ndjson"), shard);
  }
  const std::string common = "deid fhir -q --policy safe-harbor --key-file " + key + " ";
  ASSERT_EQ(RunCli(common + "-o " + dir.File("all.out") + " " + dir.File("all.ndjson")), 0);
  std::vector<std::string> whole = Lines(ReadFile(dir.File("all.out")));
  ASSERT_EQ(whole.size(), lines.size());
  // The shards in one run over their files (each file is its own output; a separate process
  // per shard gives the same, as the CSV/JSONL shard test shows for the shared machinery).
  ASSERT_EQ(RunCli(common + "--threads 2 --out-dir " + dir.File("shards") + " " +
                   dir.File("shard0.ndjson") + " " + dir.File("shard1.ndjson") + " " +
                   dir.File("shard2.ndjson")),
            0);
  for (int s = 0; s < kShards; ++s) {
    std::string n = std::to_string(s);
    std::vector<std::string> part = Lines(ReadFile(dir.File("shards/shard" + n + ".ndjson")));
    for (size_t j = 0; j < part.size(); ++j) {
      EXPECT_EQ(part[j], whole[s + j * kShards]) << "shard " << s << " line " << j;
    }
  }
  // Encounters in one shard name the pseudonymised Patient written by another.
  std::set<std::string> patients;
  for (const std::string& l : whole) {
    auto r = nlohmann::json::parse(l);
    if (r["resourceType"] == "Patient") patients.insert("Patient/" + r["id"].get<std::string>());
  }
  for (const std::string& l : whole) {
    auto r = nlohmann::json::parse(l);
    if (r.contains("subject")) {
      EXPECT_TRUE(patients.contains(r["subject"]["reference"]));
    }
  }
}

TEST(FhirHl7Cli, ShardedHl7FeedEqualsSingleRun) {
  ScopedTempDir dir;
  std::string key = WriteFile(dir.File("key.hex"), std::string(64, 'd') + "\n");
  std::string feed = ReadFile("data/samples/adt_oru_v251.hl7");
  size_t second = feed.find("\nMSH") + 1;
  WriteFile(dir.File("a.hl7"), feed.substr(0, second));
  WriteFile(dir.File("b.hl7"), feed.substr(second));
  const std::string common = "deid hl7v2 -q --key-file " + key + " ";
  ASSERT_EQ(RunCli(common + "-o " + dir.File("all.out") + " data/samples/adt_oru_v251.hl7"), 0);
  ASSERT_EQ(RunCli(common + "--out-dir " + dir.File("out") + " " + dir.File("a.hl7") + " " +
                   dir.File("b.hl7")),
            0);
  EXPECT_EQ(ReadFile(dir.File("out/a.hl7")) + ReadFile(dir.File("out/b.hl7")),
            ReadFile(dir.File("all.out")));
  EXPECT_EQ(ReadFile(dir.File("all.out")).find("Quintero"), std::string::npos);
}

TEST(FhirHl7Cli, BadInputExitsOneNamingFileAndLineAndWritesNothing) {
  ScopedTempDir dir;
  std::string in = WriteFile(dir.File("bad.ndjson"),
                             Head(std::string(kExport) + "Patient.000.ndjson", 2) + "{\"resourceType\":\n");
  EXPECT_EQ(RunCli("deid fhir -q -o " + dir.File("out.ndjson") + " " + in, dir.File("err")), 1);
  EXPECT_FALSE(std::filesystem::exists(dir.File("out.ndjson")));
  EXPECT_NE(ReadFile(dir.File("err")).find("bad.ndjson:3:"), std::string::npos) << ReadFile(dir.File("err"));
  std::string hl7 = WriteFile(dir.File("bad.hl7"), "MSH|^~\\&|A|B|||20230101||ADT^A01|1|P|2.5\rPID|1||9\rP!D|x\r");
  EXPECT_EQ(RunCli("deid hl7 -q -o " + dir.File("out.hl7") + " " + hl7, dir.File("err")), 1);
  EXPECT_FALSE(std::filesystem::exists(dir.File("out.hl7")));
  EXPECT_NE(ReadFile(dir.File("err")).find("bad.hl7:3:"), std::string::npos) << ReadFile(dir.File("err"));
  // A policy error names the policy's line and column.
  std::string policy = WriteFile(dir.File("p.yaml"), "fields:\n  Patient.name: redact\n  Patinet.id: keep\n");
  EXPECT_EQ(RunCli("deid fhir -q --policy " + policy + " -o " + dir.File("o") + " " + in, dir.File("err")), 1);
  EXPECT_NE(ReadFile(dir.File("err")).find("line 3, column 3"), std::string::npos) << ReadFile(dir.File("err"));
}

TEST(FhirHl7Cli, SkipQuarantinesAndOutDirRunsResume) {
  ScopedTempDir dir;
  std::string key = WriteFile(dir.File("key.hex"), std::string(64, 'e') + "\n");
  std::filesystem::create_directories(dir.File("in"));
  WriteFile(dir.File("in/Patient.ndjson"), Head(std::string(kExport) + "Patient.000.ndjson", 3) +
                                               "not json\n");
  WriteFile(dir.File("in/Device.ndjson"), Head(std::string(kExport) + "Device.000.ndjson", 3));
  const std::string common = "deid fhir -q --key-file " + key + " --on-error=skip --out-dir " +
                             dir.File("out") + " --report " + dir.File("report.json") + " ";
  ASSERT_EQ(RunCli(common + dir.File("in")), 0);
  EXPECT_EQ(Lines(ReadFile(dir.File("out/Patient.ndjson"))).size(), 3u);
  EXPECT_EQ(ReadFile(dir.File("out/Patient.ndjson.quarantine")), "not json\n");
  EXPECT_FALSE(std::filesystem::exists(dir.File("out/Device.ndjson.quarantine")));
  auto report = nlohmann::json::parse(ReadFile(dir.File("report.json")));
  EXPECT_EQ(report["records"], 6);
  EXPECT_EQ(report["records_failed"], 1);
  EXPECT_EQ(report["errors"][0]["line"], 4);
  EXPECT_EQ(report["key_id"].get<std::string>().size(), 16u);
  EXPECT_EQ(Lines(ReadFile(dir.File("out/phiguard-manifest.jsonl"))).size(), 2u);
  // Resume: a finished input is not redone (its output is left as it is), a missing one is.
  WriteFile(dir.File("out/Device.ndjson"), "kept\n");
  std::filesystem::remove(dir.File("out/Patient.ndjson"));
  ASSERT_EQ(RunCli(common + "--resume " + dir.File("in")), 0);
  EXPECT_EQ(ReadFile(dir.File("out/Device.ndjson")), "kept\n");
  EXPECT_EQ(Lines(ReadFile(dir.File("out/Patient.ndjson"))).size(), 3u);
  // Another key is another run: nothing is skipped.
  std::string other = WriteFile(dir.File("other.hex"), std::string(64, 'f') + "\n");
  ASSERT_EQ(RunCli("deid fhir -q --key-file " + other + " --on-error=skip --resume --out-dir " +
                   dir.File("out") + " " + dir.File("in")),
            0);
  EXPECT_NE(ReadFile(dir.File("out/Device.ndjson")), "kept\n");
  // Output to a device: written in place (never replaced by a renamed file) and no
  // "<output>.quarantine" next to it.
  ASSERT_EQ(RunCli("deid fhir -q --key-file " + key + " --on-error=skip -o /dev/null " +
                   dir.File("in/Patient.ndjson")),
            0);
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  EXPECT_FALSE(std::filesystem::exists("/dev/null.quarantine"));
}

}  // namespace
}  // namespace phiguard
