// The Expert Determination report from the hand-written anonymize report and context fixtures
// (data/risk/model_*): every section present, inputs HTML-escaped, no external assets, warnings
// for gaps, and the error paths.
#include "phiguard/risk/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace phiguard::risk {
namespace {

using testing_util::ReadFile;

ReportInputs Fixture() {
  ReportInputs in;
  in.anonymize_json = ReadFile(PHIGUARD_SOURCE_DIR "/data/risk/model_anonymize_report.json");
  in.context_yaml = ReadFile(PHIGUARD_SOURCE_DIR "/data/risk/model_context.yaml");
  in.generated_at = "2026-12-01T00:00:00Z";
  return in;
}

TEST(RiskReport, SummaryHasEverySectionFromTheInputs) {
  auto r = BuildDeterminationReport(Fixture());
  ASSERT_TRUE(r.ok()) << r.status();
  auto j = nlohmann::json::parse(r->json);
  EXPECT_EQ(j["format"], "phiguard-determination-report/1");
  EXPECT_EQ(j["quasi_identifiers"].size(), 9u);
  EXPECT_EQ(j["quasi_identifiers"][1]["name"], "age");
  EXPECT_NE(j["quasi_identifiers"][1]["why"].get<std::string>().find("voter rolls"), std::string::npos);
  EXPECT_EQ(j["threshold"]["value"], 0.2);
  EXPECT_EQ(j["risk"]["before"]["prosecutor"]["highest"], 1.0);
  EXPECT_EQ(j["risk"]["after"]["k"], 5);
  EXPECT_EQ(j["transformation"]["age"], 2);
  EXPECT_EQ(j["utility"]["metric"], "loss");
  EXPECT_EQ(j["meets_threshold"], true);
  EXPECT_EQ(j["expert"]["name"], "Dr. A. Example");
  EXPECT_TRUE(j["expert"]["signature"].is_null());
  EXPECT_TRUE(r->warnings.empty());
}

TEST(RiskReport, HtmlIsSelfContainedWithEverySection) {
  auto r = BuildDeterminationReport(Fixture());
  ASSERT_TRUE(r.ok());
  const std::string& h = r->html;
  for (const char* s : {"<style>", "1. Data set", "2. Quasi-identifiers and why",
                        "3. Anticipated recipient and environment", "4. Risk models and thresholds",
                        "5. Results before and after", "6. Transformation", "7. Utility lost",
                        "8. Determination", "Signature", "Dr. A. Example", "data use agreement",
                        "is within"}) {
    EXPECT_NE(h.find(s), std::string::npos) << s;
  }
  for (const char* s : {"http://", "https://", "<script", "<link", "src="}) {
    EXPECT_EQ(h.find(s), std::string::npos) << s;
  }
}

TEST(RiskReport, InputsAreHtmlEscaped) {
  ReportInputs in = Fixture();
  const std::string evil = "<script>alert(1)</script> & \"x\"";
  size_t at = in.context_yaml.find("recipient: ");
  size_t eol = in.context_yaml.find('\n', at);
  in.context_yaml.replace(at, eol - at, "recipient: '" + evil + "'");
  auto r = BuildDeterminationReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->html.find("<script>"), std::string::npos);
  EXPECT_NE(r->html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"),
            std::string::npos);
}

TEST(RiskReport, GapsBecomeWarnings) {
  ReportInputs in = Fixture();
  size_t at = in.context_yaml.find("  salary-class:");
  size_t eol = in.context_yaml.find('\n', at);
  in.context_yaml.replace(at, eol - at, "  zip3: Public in many registries.");
  // The after-risk exceeds a stricter threshold.
  at = in.context_yaml.find("value: 0.2");
  in.context_yaml.replace(at, 10, "value: 0.09");
  auto r = BuildDeterminationReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->warnings.size(), 3u);  // salary-class without reason, zip3 unused, risk > 0.09
  auto j = nlohmann::json::parse(r->json);
  EXPECT_EQ(j["meets_threshold"], false);
  EXPECT_NE(r->html.find("exceeds"), std::string::npos);
  EXPECT_NE(r->summary.find("EXCEEDS"), std::string::npos);
}

TEST(RiskReport, AnalyzeReportAloneIsTheResult) {
  ReportInputs in = Fixture();
  in.anonymize_json.clear();
  in.analyze_json = nlohmann::json::parse(Fixture().anonymize_json)["risk"]["before"].dump();
  auto r = BuildDeterminationReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  auto j = nlohmann::json::parse(r->json);
  EXPECT_TRUE(j["risk"]["before"].is_null());
  EXPECT_EQ(j["risk"]["after"]["k"], 1);
  EXPECT_EQ(j["meets_threshold"], false);
  EXPECT_NE(r->html.find("No transformation"), std::string::npos);
}

TEST(RiskReport, BadInputsAreInvalidArgument) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ReportInputs in = Fixture();
  in.anonymize_json = "{not json";
  EXPECT_EQ(BuildDeterminationReport(in).status().code(), kInvalid);
  in = Fixture();
  in.anonymize_json = "{\"risk\": {}}";
  EXPECT_EQ(BuildDeterminationReport(in).status().code(), kInvalid);
  in = Fixture();
  in.anonymize_json.clear();
  EXPECT_EQ(BuildDeterminationReport(in).status().code(), kInvalid);
  in = Fixture();
  in.context_yaml = "dataset: [unclosed";
  EXPECT_EQ(BuildDeterminationReport(in).status().code(), kInvalid);
  for (const char* key : {"recipient:", "environment:", "  description:"}) {
    in = Fixture();
    size_t at = in.context_yaml.find(key);
    in.context_yaml.replace(at, std::string(key).size(), std::string(key).replace(0, 1, "X"));
    EXPECT_EQ(BuildDeterminationReport(in).status().code(), kInvalid) << key;
  }
  in = Fixture();
  size_t at = in.context_yaml.find("value: 0.2");
  in.context_yaml.replace(at, 10, "value: 7");
  EXPECT_EQ(BuildDeterminationReport(in).status().code(), kInvalid);
  // Regression (found by fuzz/risk_inputs_fuzz.cc): a byte that is not UTF-8 in the context made
  // the JSON summary throw; now it is an error.
  in = Fixture();
  at = in.context_yaml.find("A university");
  in.context_yaml[at] = '\x97';
  EXPECT_EQ(BuildDeterminationReport(in).status().code(), kInvalid);
}

TEST(RiskReport, MissingChromiumIsNotFound) {
  EXPECT_EQ(FindChromium("/nonexistent/chromium").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace phiguard::risk
