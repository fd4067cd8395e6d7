// `phiguard risk analyze | link | report` run as a user would: options, exit codes, files written
// (or not), JSONL input, and analysis of the output of `phiguard deid csv`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace phiguard {
namespace {

using nlohmann::json;
using testing_util::ReadFile;
using testing_util::ScopedTempDir;
using testing_util::WriteFile;

class RiskCli : public testing::Test {
 protected:
  // Runs the command with `args` (each single-quoted for the shell); stdout and stderr to files.
  int Run(const std::vector<std::string>& args) {
    std::string cmd = Arg(PHIGUARD_CLI);
    for (const std::string& a : args) cmd += " " + Arg(a);
    cmd += " >" + Arg(dir_.File("out.txt")) + " 2>" + Arg(dir_.File("err.txt")) + " </dev/null";
    const int rc = std::system(cmd.c_str());
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  static std::string Arg(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  }
  std::string Out() { return ReadFile(dir_.File("out.txt")); }
  std::string Err() { return ReadFile(dir_.File("err.txt")); }
  json Json(const std::string& name) { return json::parse(ReadFile(dir_.File(name))); }

  ScopedTempDir dir_;
};

constexpr char kData[] =
    "zip3;sex;age;dx\n"
    "021;F;30;flu\n021;F;40;flu\n021;F;30;asthma\n"
    "021;M;50;flu\n021;M;50;flu\n"
    "100;F;30;cancer\n";

TEST_F(RiskCli, AnalyzeWritesEveryModelToJson) {
  std::string data = WriteFile(dir_.File("d.csv"), kData);
  std::string tree = WriteFile(dir_.File("dx.csv"), "flu;resp;*\nasthma;resp;*\ncancer;onc;*\n");
  ASSERT_EQ(Run({"risk", "analyze", "--delimiter", ";", "--qi", "zip3,sex", "--sensitive", "dx,age",
                 "--threshold-preset", "cell11", "--population-size", "1000", "--hierarchy",
                 "dx=" + tree, "-o", dir_.File("r.json"), data}),
            0)
      << Err();
  json j = Json("r.json");
  EXPECT_EQ(j["records"], 6);
  EXPECT_EQ(j["threshold"], 0.09);
  EXPECT_EQ(j["risk"]["journalist"]["highest"], 1.0);
  EXPECT_EQ(j["population_uniqueness"]["population_size"], 1000.0);
  EXPECT_TRUE(j["sensitive"][0].contains("t_closeness_hierarchical"));
  EXPECT_TRUE(j["sensitive"][1].contains("t_closeness_ordered"));  // age is numeric
  EXPECT_NE(Out().find("population uniques, Dankar"), std::string::npos);
}

TEST_F(RiskCli, AnalyzeRejectsBadOptionsWithUsageErrors) {
  std::string data = WriteFile(dir_.File("d.csv"), kData);
  EXPECT_EQ(Run({"risk", "analyze", "--delimiter", ";", "--qi", "zip3", "--threshold", "0.2",
                 "--threshold-preset", "cell5", data}),
            2);
  EXPECT_EQ(Run({"risk", "analyze", "--delimiter", ";", "--qi", "zip3", "--threshold-preset",
                 "lenient", data}),
            2);
  EXPECT_EQ(Run({"risk", "analyze", "--delimiter", ";", "--qi", "zip3", "--hierarchy", "dx",
                 data}),
            2);
  EXPECT_EQ(Run({"risk", "analyze", "--delimiter", ";", "--qi", "zip3", "--order",
                 "dx=" + dir_.File("x"), data}),
            2);  // dx is not a --sensitive column
  // Data errors exit 1 and write no report.
  EXPECT_EQ(Run({"risk", "analyze", "--delimiter", ";", "--qi", "nope", "-o", dir_.File("r.json"),
                 data}),
            1);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("r.json")));
}

TEST_F(RiskCli, AnalyzeReadsJsonlAndPopulationTables) {
  std::string data = WriteFile(dir_.File("d.jsonl"),
                               "{\"p\": {\"zip3\": \"021\", \"sex\": \"F\"}}\n"
                               "{\"p\": {\"zip3\": \"021\", \"sex\": \"F\"}}\n"
                               "{\"p\": {\"zip3\": \"100\", \"sex\": \"M\"}}\n");
  std::string pop = WriteFile(dir_.File("pop.csv"), "/p/zip3,/p/sex,n\n021,F,40\n100,M,4\n");
  ASSERT_EQ(Run({"risk", "analyze", "--qi", "/p/zip3,/p/sex", "--population-table", pop,
                 "--population-count-column", "n", "-o", dir_.File("r.json"), data}),
            0)
      << Err();
  json j = Json("r.json");
  EXPECT_EQ(j["records"], 3);
  EXPECT_EQ(j["risk"]["journalist"]["highest"], 0.25);
  EXPECT_EQ(j["risk"]["journalist"]["population_table"], true);
}

TEST_F(RiskCli, AnalyzesTheOutputOfStructuredDeidentification) {
  const std::string src = PHIGUARD_SOURCE_DIR;
  ASSERT_EQ(Run({"keygen", "-o", dir_.File("deid.key")}), 0) << Err();
  ASSERT_EQ(Run({"deid", "csv", "--policy", src + "/data/samples/patients-policy.yaml",
                 "--key-file", dir_.File("deid.key"), "-o", dir_.File("deid.csv"),
                 src + "/data/samples/patients.csv"}),
            0)
      << Err();
  ASSERT_EQ(Run({"risk", "analyze", "--qi", "zip,age,admitted", "--sensitive", "diagnosis", "-o",
                 dir_.File("r.json"), dir_.File("deid.csv")}),
            0)
      << Err();
  json j = Json("r.json");
  EXPECT_EQ(j["records"], 3);
  EXPECT_EQ(j["sample_uniques"], 3);  // three patients, each alone even after Safe Harbor
  EXPECT_EQ(j["k"], 1);
}

TEST_F(RiskCli, LinkCountsLinksWithMappedColumns) {
  std::string a = WriteFile(dir_.File("a.csv"), "zip,yob,dx\n021,1980,flu\n100,1975,flu\n300,1950,x\n");
  std::string b = WriteFile(dir_.File("b.tsv"),
                            "name\tzip\tbirth_year\nn1\t021\t1980\nn2\t100\t1975\nn3\t100\t1975\n");
  ASSERT_EQ(Run({"risk", "link", "--qi", "zip,yob", "--map", "yob=birth_year", "--b-delimiter",
                 "\\t", "-o", dir_.File("l.json"), a, b}),
            0)
      << Err();
  json j = Json("l.json");
  EXPECT_EQ(j["unique_links"], 1);
  EXPECT_EQ(j["small_group_links"], 1);
  EXPECT_EQ(j["unlinked"], 1);
  EXPECT_EQ(Run({"risk", "link", "--qi", "zip", "--map", "nope=x", a, b}), 2);
}

TEST_F(RiskCli, ReportWritesJsonAndHtmlAndRefusesPdfWithoutChromium) {
  const std::string src = PHIGUARD_SOURCE_DIR;
  const std::string anon = src + "/data/risk/model_anonymize_report.json";
  const std::string ctx = src + "/data/risk/model_context.yaml";
  ASSERT_EQ(Run({"risk", "report", "--anonymize-json", anon, "--context", ctx, "--json",
                 dir_.File("d.json"), "--html", dir_.File("d.html")}),
            0)
      << Err();
  EXPECT_EQ(Json("d.json")["format"], "phiguard-determination-report/1");
  EXPECT_NE(ReadFile(dir_.File("d.html")).find("Signature"), std::string::npos);
  // Without Chromium nothing is written, and the error says why.
  EXPECT_EQ(Run({"risk", "report", "--anonymize-json", anon, "--context", ctx, "--html",
                 dir_.File("e.html"), "--pdf", dir_.File("e.pdf"), "--chromium",
                 dir_.File("no-chromium")}),
            1);
  EXPECT_NE(Err().find("Chromium"), std::string::npos) << Err();
  EXPECT_FALSE(std::filesystem::exists(dir_.File("e.html")));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("e.pdf")));
  EXPECT_EQ(Run({"risk", "report", "--context", ctx, "--html", dir_.File("f.html")}), 2);
}

TEST_F(RiskCli, ReportPrintsPdfWithChromiumWhenInstalled) {
  bool found = false;
  for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
    found = found || std::filesystem::exists(std::string(dir) + "/chromium");
  }
  if (!found) GTEST_SKIP() << "chromium is not installed (Debian package 'chromium')";
  const std::string src = PHIGUARD_SOURCE_DIR;
  ASSERT_EQ(Run({"risk", "report", "--anonymize-json", src + "/data/risk/model_anonymize_report.json",
                 "--context", src + "/data/risk/model_context.yaml", "--pdf", dir_.File("d.pdf")}),
            0)
      << Err();
  EXPECT_EQ(ReadFile(dir_.File("d.pdf")).substr(0, 5), "%PDF-");
}

}  // namespace
}  // namespace phiguard
