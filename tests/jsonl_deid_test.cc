// JSON Lines under a field policy: JSON pointers and top-level keys, rules inferred from keys,
// measurements kept, key order kept, malformed lines rejected.
#include "phiguard/deid/jsonl_deid.h"

#include <gtest/gtest.h>

#include "phiguard/core/json_string.h"

#include "test_util.h"

namespace phiguard::deid {
namespace {

using testing_util::ReadFile;
using testing_util::ScopedTempDir;
using testing_util::WriteFile;

constexpr char kRecords[] =
    R"({"mrn": "00482913", "name": {"given": ["John"], "family": "Moreau"}, "dob": "1956-03-14", "zip": "21401", "age": 91, "hr": 72, "note": "Seen by Dr. Healey on 7/22.", "codes": ["I21.4"]})"
    "\n\n"
    R"({"mrn": 551209, "name": {"given": ["Mary"], "family": "Walsh"}, "address": {"line": "42 Harbor View Road", "city": "Annapolis", "zip": "03601"}, "note": "Lives in Towson with daughter Linda."})"
    "\n";

class JsonlDeidTest : public ::testing::Test {
 protected:
  absl::StatusOr<StructuredReport> Run(const std::string& input, const FieldPolicy& policy,
                                       std::string* out, const StructuredOptions& run = {}) {
    std::string in = WriteFile(dir_.File("in.jsonl"), input);
    auto key = crypto::SecretKey::FromBytes(std::string(32, 'k'));
    auto tr = Transformer::Create(policy.text_profile, std::move(*key));
    EXPECT_TRUE(tr.ok());
    auto w = AtomicFileWriter::Open(dir_.File("out.jsonl"));
    EXPECT_TRUE(w.ok());
    auto r = DeidentifyJsonl(*testing_util::SharedDetector(), **tr, policy, in, **w, run);
    if (r.ok()) {
      EXPECT_TRUE((*w)->Commit().ok());
      *out = ReadFile(dir_.File("out.jsonl"));
    }
    return r;
  }
  ScopedTempDir dir_;
};

// The writers escape sixteen bytes at a time, then eight, then one; every byte value at every
// offset of a block, a word and the tail after them must come out as it does alone (escaping is
// per byte, and a string shorter than a word takes the one-byte-at-a-time path).
std::string EscapeBytewise(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    std::string one;
    AppendJsonString(one, std::string_view(&c, 1));
    out += one.substr(1, one.size() - 2);
  }
  return out + "\"";
}

TEST(AppendJsonString, EveryByteAtEveryOffsetMatchesBytewiseEscaping) {
  for (size_t len : {size_t{7}, size_t{19}, size_t{43}}) {  // tail only; block + tail; 2 blocks + word + tail
    for (int c = 0; c < 256; ++c) {
      for (size_t at = 0; at < len; ++at) {
        std::string s(len, 'a');
        s[at] = static_cast<char>(c);
        if (at + 1 < s.size()) s[at + 1] = static_cast<char>(0xC3);  // high bytes beside it
        std::string out;
        AppendJsonString(out, s);
        ASSERT_EQ(out, EscapeBytewise(s)) << "byte " << c << " at " << at << " of " << len;
        std::string inner = "x";
        AppendJsonEscaped(inner, s);
        ASSERT_EQ(inner, "x" + out.substr(1, out.size() - 2));
      }
    }
  }
}

TEST(AppendJsonString, EscapesRunsOfBytesThatNeedIt) {
  std::string s(40, '\n');
  s[17] = '"';
  std::string out;
  AppendJsonString(out, s);
  EXPECT_EQ(out, EscapeBytewise(s));
}

TEST_F(JsonlDeidTest, DefaultPolicyRemovesIdentifiersAndKeepsMeasurements) {
  std::string out;
  auto r = Run(kRecords, DefaultFieldPolicy(), &out);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records, 2u);
  for (const char* phi : {"00482913", "John", "Moreau", "Mary", "Walsh", "1956-03-14", "21401",
                          "03601", "Healey", "7/22", "Harbor View", "Annapolis", "Towson", "Linda",
                          ":91"}) {
    EXPECT_EQ(out.find(phi), std::string::npos) << phi << " survived in:\n" << out;
  }
  for (const char* kept : {"\"hr\":72", "\"I21.4\"", "\"zip\":\"214\"", "\"age\":\"90+\""}) {
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " lost in:\n" << out;
  }
  // Key order survives: "mrn" still comes first.
  EXPECT_EQ(out.rfind("{\"mrn\":", 0), 0u) << out;
}

TEST_F(JsonlDeidTest, PointerPolicyPseudonymizesDropsAndShifts) {
  auto policy = ParseFieldPolicyYaml(
      "patient_field: /mrn\nfields:\n  /mrn: {transform: pseudonym, type: MRN}\n"
      "  /name: drop\n  dob: {transform: date-shift}\n");
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::string out;
  auto r = Run(kRecords, *policy, &out);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(out.find("\"name\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"mrn\":\"MRN-"), std::string::npos) << out;
  EXPECT_EQ(out.find("1956-03-14"), std::string::npos) << out;
  EXPECT_NE(out.find("\"dob\":\"19"), std::string::npos) << out;  // shifted, same shape
  std::string again;
  ASSERT_TRUE(Run(kRecords, *policy, &again).ok());
  EXPECT_EQ(out, again);
}

TEST_F(JsonlDeidTest, MalformedLineIsInvalidArgumentNamingTheLine) {
  std::string out;
  auto r = Run("{\"a\": \"x\"}\n{broken\n", DefaultFieldPolicy(), &out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find(":2:"), std::string::npos) << r.status();
  EXPECT_EQ(Run("[1, 2]\n", DefaultFieldPolicy(), &out).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Run("{\"a\": \"\xff\"}\n", DefaultFieldPolicy(), &out).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(JsonlDeidTest, SkipQuarantinesBadLinesAndThreadsDoNotChangeTheOutput) {
  std::string q_path = dir_.File("q.jsonl");
  auto q = AtomicFileWriter::Open(q_path);
  ASSERT_TRUE(q.ok());
  StructuredOptions run;
  run.on_error = OnError::kSkip;
  run.quarantine = q->get();
  run.threads = 2;
  run.batch_records = 1;
  std::string input = std::string(kRecords) + "{broken\n" + kRecords;
  std::string skipped, single;
  auto r = Run(input, DefaultFieldPolicy(), &skipped, run);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE((*q)->Commit().ok());
  EXPECT_EQ(r->records, 4u);
  EXPECT_EQ(r->failed, 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].line, 4u);
  EXPECT_EQ(ReadFile(q_path), "{broken\n");
  ASSERT_TRUE(Run(std::string(kRecords) + kRecords, DefaultFieldPolicy(), &single).ok());
  EXPECT_EQ(skipped, single);
}

}  // namespace
}  // namespace phiguard::deid
