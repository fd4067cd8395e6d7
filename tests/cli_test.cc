// Runs the built `phiguard` command as a user would: exit codes, files written (or not), and that
// PHI never reaches logs.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "test_util.h"

namespace phiguard {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing_util::Lines;
using testing_util::ReadFile;
using testing_util::WriteFile;

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

class CliTest : public testing::Test {
 protected:
  // Runs `phiguard <args>` with stdout and stderr captured in files; returns the exit code.
  int Run(const std::string& args) {
    out_ = dir_.File("stdout.txt");
    err_ = dir_.File("stderr.txt");
    std::string cmd = "PHIGUARD_HOME=" + Quote(dir_.File("home")) + " " + Quote(PHIGUARD_CLI) +
                      " " + args + " > " + Quote(out_) + " 2> " + Quote(err_) + " < /dev/null";
    int rc = std::system(cmd.c_str());
    if (rc == -1 || !WIFEXITED(rc)) return -1;
    return WEXITSTATUS(rc);
  }
  std::string Stdout() const { return ReadFile(out_); }
  std::string Stderr() const { return ReadFile(err_); }

  testing_util::ScopedTempDir dir_;
  std::string out_, err_;
};

TEST_F(CliTest, HelpExitsZeroAndShowsExamples) {
  EXPECT_EQ(Run("--help"), 0);
  EXPECT_NE(Stdout().find("Examples"), std::string::npos) << Stdout();
  EXPECT_NE(Stdout().find("deid text"), std::string::npos);
}

TEST_F(CliTest, SubcommandHelpShowsExample) {
  EXPECT_EQ(Run("deid text --help"), 0);
  EXPECT_NE(Stdout().find("Example"), std::string::npos) << Stdout();
}

TEST_F(CliTest, UnknownSubcommandExitsTwo) { EXPECT_EQ(Run("frobnicate"), 2) << Stderr(); }

TEST_F(CliTest, NoSubcommandExitsTwo) { EXPECT_EQ(Run(""), 2); }

TEST_F(CliTest, UnknownOptionExitsTwo) { EXPECT_EQ(Run("detect --no-such-flag x.txt"), 2); }

TEST_F(CliTest, BadFormatExitsTwoAndWritesNothing) {
  std::string in = WriteFile(dir_.File("note.txt"), "Seen 7/22.\n");
  std::string out = dir_.File("out.jsonl");
  EXPECT_EQ(Run("detect --format xml -o " + Quote(out) + " " + Quote(in)), 2) << Stderr();
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(CliTest, UnknownProfileExitsTwo) {
  std::string in = WriteFile(dir_.File("note.txt"), "Seen 7/22.\n");
  EXPECT_EQ(Run("deid text --profile hipaa-ish " + Quote(in)), 2) << Stderr();
}

TEST_F(CliTest, MissingInputExitsOneNamingPathAndWritesNothing) {
  std::string missing = dir_.File("missing.jsonl");
  std::string out = dir_.File("out.jsonl");
  EXPECT_EQ(Run("deid text -o " + Quote(out) + " " + Quote(missing)), 1);
  EXPECT_NE(Stderr().find(missing), std::string::npos) << Stderr();
  EXPECT_FALSE(fs::exists(out));
  for (const std::string& e : dir_.Entries()) {
    EXPECT_EQ(e.find("out.jsonl"), std::string::npos) << "left behind: " << e;
  }
}

TEST_F(CliTest, BadRecordExitsOneAndLeavesNoOutput) {
  std::string in = WriteFile(dir_.File("in.jsonl"),
                             "{\"id\": \"a\", \"text\": \"Seen 7/22.\"}\n{\"id\": \"b\", \"text\": \n");
  std::string out = dir_.File("out.jsonl");
  EXPECT_EQ(Run("deid text -o " + Quote(out) + " " + Quote(in)), 1);
  EXPECT_NE(Stderr().find("in.jsonl:2"), std::string::npos) << Stderr();
  EXPECT_FALSE(fs::exists(out));
  for (const std::string& e : dir_.Entries()) {
    EXPECT_EQ(e.find("out.jsonl"), std::string::npos) << "left behind: " << e;
  }
}

TEST_F(CliTest, DeidTextOnSampleNotesKeepsIds) {
  std::string out = dir_.File("clean.jsonl");
  ASSERT_EQ(Run("deid text -q -o " + Quote(out) + " data/samples/notes.jsonl"), 0) << Stderr();
  std::vector<std::string> in_lines = Lines(ReadFile("data/samples/notes.jsonl"));
  std::vector<std::string> out_lines = Lines(ReadFile(out));
  ASSERT_EQ(out_lines.size(), in_lines.size());
  for (size_t i = 0; i < in_lines.size(); ++i) {
    json a = json::parse(in_lines[i]), b = json::parse(out_lines[i]);
    EXPECT_EQ(a["id"], b["id"]);
    EXPECT_EQ(a["unit"], b["unit"]);
    EXPECT_NE(a["text"], b["text"]);
  }
  const std::string clean = ReadFile(out);
  for (const char* phi : {"Moreau", "Healey", "555-0142", "123-45-6789", "00482913", "07/22/2023"}) {
    EXPECT_EQ(clean.find(phi), std::string::npos) << phi << " survived: " << clean;
  }
  EXPECT_TRUE(Stderr().empty()) << Stderr();  // -q
}

// --timing reports the detection and transform stages (for the benchmark against peers that
// time their redaction calls alone) and changes nothing in the output.
TEST_F(CliTest, TimingReportsStagesWithoutChangingOutput) {
  const std::string plain = dir_.File("plain.jsonl"), timed = dir_.File("timed.jsonl");
  ASSERT_EQ(Run("deid text -q -o " + Quote(plain) + " data/samples/notes.jsonl"), 0) << Stderr();
  ASSERT_EQ(Run("deid text -q --timing --threads 2 -o " + Quote(timed) +
                " data/samples/notes.jsonl"),
            0)
      << Stderr();
  EXPECT_EQ(ReadFile(plain), ReadFile(timed));
  const std::string err = Stderr();
  EXPECT_NE(err.find("phiguard: timing: detect "), std::string::npos) << err;
  EXPECT_NE(err.find(" s, transform "), std::string::npos) << err;
  EXPECT_NE(err.find(" MB/s of text"), std::string::npos) << err;
  EXPECT_EQ(err.find("documents"), std::string::npos) << err;  // -q still drops the summary
  ASSERT_EQ(Run("detect -q --timing -o " + Quote(timed) + " data/samples/notes.jsonl"), 0);
  EXPECT_NE(Stderr().find("transform 0.000 s"), std::string::npos) << Stderr();
}

TEST_F(CliTest, DetectWritesOneLinePerDocument) {
  ASSERT_EQ(Run("detect -q data/samples/notes.jsonl"), 0) << Stderr();
  std::vector<std::string> lines = Lines(Stdout());
  ASSERT_EQ(lines.size(), 3u);
  json a = json::parse(lines[0]);
  EXPECT_EQ(a["id"], "note-001");
  ASSERT_FALSE(a["spans"].empty());
  EXPECT_TRUE(a["spans"][0].contains("start"));
  EXPECT_TRUE(a["spans"][0].contains("end"));
  EXPECT_TRUE(a["spans"][0].contains("type"));
}

// PHI must never reach logs: summaries and errors name files, lines and counts only.
TEST_F(CliTest, CanaryPhiNeverReachesStderrOrOutput) {
  const std::vector<std::string> canaries = {"Zebulon", "Quackenbush", "987-65-4320", "987654320"};
  std::string in = WriteFile(
      dir_.File("canary.jsonl"),
      R"({"id": "c1", "patient_id": "p-c", "text": "Patient Zebulon Quackenbush was seen today. SSN 987-65-4320."})"
      "\n"
      R"({"id": "c2", "text": "Spoke with Zebulon Quackenbush re discharge; SSN 987-65-4320 verified."})"
      "\n");
  std::string out = dir_.File("clean.jsonl");
  ASSERT_EQ(Run("deid text -o " + Quote(out) + " " + Quote(in)), 0) << Stderr();
  std::string deid_err = Stderr();
  std::string clean = ReadFile(out);
  EXPECT_FALSE(deid_err.empty());  // the summary was written, so logs were really produced
  ASSERT_EQ(Run("detect -o " + Quote(dir_.File("spans.jsonl")) + " " + Quote(in)), 0) << Stderr();
  std::string detect_err = Stderr();
  std::string spans = ReadFile(dir_.File("spans.jsonl"));
  for (const std::string& c : canaries) {
    EXPECT_EQ(deid_err.find(c), std::string::npos) << c << " in deid stderr: " << deid_err;
    EXPECT_EQ(detect_err.find(c), std::string::npos) << c << " in detect stderr: " << detect_err;
    EXPECT_EQ(clean.find(c), std::string::npos) << c << " in deid output: " << clean;
    EXPECT_EQ(spans.find(c), std::string::npos) << c << " in detect output: " << spans;
  }
}

TEST_F(CliTest, CanaryPhiNeverReachesErrorMessages) {
  const std::vector<std::string> canaries = {"Zebulon", "Quackenbush", "987-65-4320"};
  const std::vector<std::string> bad_records = {
      // invalid JSON
      R"({"id": "c1", "text": "Patient Zebulon Quackenbush, SSN 987-65-4320.)",
      // text not a string
      R"({"id": "c1", "text": ["Patient Zebulon Quackenbush, SSN 987-65-4320."]})",
      // no text field
      R"({"id": "c1", "body": "Patient Zebulon Quackenbush, SSN 987-65-4320."})",
      // invalid UTF-8 in the text
      "{\"id\": \"c1\", \"text\": \"Patient Zebulon Quackenbush \xff SSN 987-65-4320.\"}",
  };
  for (const std::string& rec : bad_records) {
    std::string in = WriteFile(dir_.File("bad.jsonl"), rec + "\n");
    EXPECT_EQ(Run("deid text -o " + Quote(dir_.File("out.jsonl")) + " " + Quote(in)), 1) << rec;
    std::string err = Stderr();
    EXPECT_FALSE(err.empty());
    for (const std::string& c : canaries) {
      EXPECT_EQ(err.find(c), std::string::npos) << c << " in stderr: " << err;
    }
  }
}

TEST_F(CliTest, KeygenWritesPrivateHexKeyAndRefusesToOverwrite) {
  std::string key = dir_.File("deid.key");
  ASSERT_EQ(Run("keygen -o " + Quote(key)), 0) << Stderr();
  struct stat st;
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string content = ReadFile(key);
  EXPECT_TRUE(std::regex_match(content, std::regex("[0-9a-f]{64}\n"))) << content;
  EXPECT_EQ(Run("keygen -o " + Quote(key)), 2);
  EXPECT_EQ(ReadFile(key), content);
}

TEST_F(CliTest, KeyFileMakesPseudonymsConsistentAcrossRuns) {
  std::string key = dir_.File("deid.key");
  ASSERT_EQ(Run("keygen -o " + Quote(key)), 0);
  std::string a = dir_.File("a.jsonl"), b = dir_.File("b.jsonl");
  const std::string args = "deid text -q --profile pseudonymize --key-file " + Quote(key) +
                           " data/samples/notes.jsonl -o ";
  ASSERT_EQ(Run(args + Quote(a)), 0) << Stderr();
  ASSERT_EQ(Run(args + Quote(b)), 0) << Stderr();
  EXPECT_EQ(ReadFile(a), ReadFile(b));
  EXPECT_NE(ReadFile(a).find("NAME-"), std::string::npos);
}

TEST_F(CliTest, ShortKeyFileExitsOne) {
  std::string key = WriteFile(dir_.File("short.key"), "abcd\n");
  EXPECT_EQ(Run("deid text --profile pseudonymize --key-file " + Quote(key) +
                " data/samples/notes.jsonl -o " + Quote(dir_.File("o.jsonl"))),
            1);
  EXPECT_FALSE(fs::exists(dir_.File("o.jsonl")));
}

TEST_F(CliTest, EvalPhysionetWritesJsonReport) {
  const std::string dev = "../shared/data/physionet-deid/dev";
  if (!fs::exists(dev + "/id.text") || !fs::exists(dev + "/id-phi.phrase")) {
    GTEST_SKIP() << "MISSING TEST DATA: " << dev
                 << "/{id.text,id-phi.phrase} not found; eval physionet NOT checked";
  }
  std::string report = dir_.File("report.json");
  ASSERT_EQ(Run("eval physionet --text " + dev + "/id.text --gold " + dev +
                "/id-phi.phrase -o " + Quote(report)),
            0)
      << Stderr();
  json j = json::parse(ReadFile(report));
  ASSERT_TRUE(j.contains("recall"));
  ASSERT_TRUE(j.contains("precision"));
  EXPECT_GT(j["recall"].get<double>(), 0.0);
  EXPECT_LE(j["recall"].get<double>(), 1.0);
  EXPECT_GT(j["precision"].get<double>(), 0.0);
  EXPECT_LE(j["precision"].get<double>(), 1.0);
  EXPECT_FALSE(j.contains("misses"));  // examples (which hold PHI) only with --examples
}

TEST_F(CliTest, EvalPhysionetMissingFileExitsOne) {
  EXPECT_EQ(Run("eval physionet --text " + Quote(dir_.File("none.text")) + " --gold " +
                Quote(dir_.File("none.phrase"))),
            1);
}

}  // namespace
}  // namespace phiguard
