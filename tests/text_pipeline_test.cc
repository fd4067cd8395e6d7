#include "phiguard/deid/text_pipeline.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "phiguard/core/file_io.h"
#include "phiguard/crypto/secret_key.h"
#include "phiguard/deid/profile.h"
#include "phiguard/deid/transformer.h"
#include "test_util.h"

namespace phiguard::deid {
namespace {

using nlohmann::json;
using testing_util::Lines;
using testing_util::ReadFile;
using testing_util::WriteFile;

constexpr char kThreeRecords[] =
    R"({"id": "n1", "patient_id": "p1", "text": "Seen by Dr. Healey on 7/22.", "unit": "CCU", "meta": {"src": "ehr", "n": [1, 2]}})"
    "\n"
    R"({"id": 2, "text": "SSN 123-45-6789 on file.", "unit": "MICU"})"
    "\n"
    R"({"id": "n3", "text": "No identifiers here.", "flag": true, "score": 1.5})"
    "\n";

class TextPipelineTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    detector_ = testing_util::SharedDetector();
    auto profile = BuiltinProfile("redact");
    auto t = Transformer::Create(*profile, *crypto::SecretKey::FromBytes(std::string(32, 'k')));
    ASSERT_TRUE(t.ok()) << t.status();
    redact_ = t->release();
  }
  static void TearDownTestSuite() {
    delete redact_;
    redact_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(detector_, nullptr);
    ASSERT_NE(redact_, nullptr);
  }

  // Runs the pipeline from `input` (written to a file) into out.jsonl. On success the output is
  // committed and returned in `output`; on failure the writer is dropped uncommitted.
  absl::StatusOr<PipelineStats> Run(std::string_view input, const Transformer* t,
                                    PipelineOptions opts, std::string* output = nullptr,
                                    const std::string& name = "in.jsonl") {
    std::string in = WriteFile(dir_.File(name), input);
    out_path_ = dir_.File("out.jsonl");
    auto w = AtomicFileWriter::Open(out_path_);
    if (!w.ok()) return w.status();
    auto st = RunTextPipeline(*detector_, t, in, **w, opts);
    if (!st.ok()) return st;
    if (absl::Status s = (*w)->Commit(); !s.ok()) return s;
    if (output != nullptr) *output = ReadFile(out_path_);
    return st;
  }
  static PipelineOptions Jsonl(int threads = 1) {
    PipelineOptions o;
    o.format = TextFormat::kJsonl;
    o.threads = threads;
    return o;
  }

  static const phi::Detector* detector_;
  static Transformer* redact_;
  testing_util::ScopedTempDir dir_;
  std::string out_path_;
};
const phi::Detector* TextPipelineTest::detector_ = nullptr;
Transformer* TextPipelineTest::redact_ = nullptr;

TEST_F(TextPipelineTest, DeidKeepsIdsAndExtraFieldsAndCleansText) {
  std::string out;
  auto st = Run(kThreeRecords, redact_, Jsonl(), &out);
  ASSERT_TRUE(st.ok()) << st.status();
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 3u) << out;
  json a = json::parse(lines[0]), b = json::parse(lines[1]), c = json::parse(lines[2]);
  EXPECT_EQ(a["id"], "n1");
  EXPECT_EQ(a["patient_id"], "p1");
  EXPECT_EQ(a["unit"], "CCU");
  EXPECT_EQ(a["meta"], json::parse(R"({"src": "ehr", "n": [1, 2]})"));
  EXPECT_EQ(a["text"], "Seen by Dr. [**CLINICIAN**] on [**DATE**].");
  EXPECT_EQ(b["id"], 2);
  EXPECT_EQ(b["unit"], "MICU");
  EXPECT_EQ(b["text"], "SSN [**SSN**] on file.");
  EXPECT_EQ(c["id"], "n3");
  EXPECT_EQ(c["flag"], true);
  EXPECT_EQ(c["score"], 1.5);
  EXPECT_EQ(c["text"], "No identifiers here.");
  // Key order is kept.
  EXPECT_TRUE(lines[0].starts_with(R"({"id":"n1","patient_id":"p1","text":)")) << lines[0];

  EXPECT_EQ(st->documents, 3u);
  EXPECT_EQ(st->spans, 3u);
  EXPECT_EQ(st->by_type[static_cast<int>(phi::PhiType::kSsn)], 1u);
  EXPECT_EQ(SummarizeStats(*st), "CLINICIAN 1, DATE 1, SSN 1");
}

TEST_F(TextPipelineTest, DetectWritesSpansWithCodePointOffsetsAndNoText) {
  std::string out;
  auto st = Run(kThreeRecords, nullptr, Jsonl(), &out);
  ASSERT_TRUE(st.ok()) << st.status();
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 3u);
  json a = json::parse(lines[0]);
  EXPECT_EQ(a["id"], "n1");
  ASSERT_EQ(a["spans"].size(), 2u) << lines[0];
  EXPECT_EQ(a["spans"][0]["start"], 12);
  EXPECT_EQ(a["spans"][0]["end"], 18);
  EXPECT_EQ(a["spans"][0]["type"], "CLINICIAN");
  EXPECT_TRUE(a["spans"][0]["confidence"].is_number());
  EXPECT_EQ(a["spans"][1]["start"], 22);
  EXPECT_EQ(a["spans"][1]["end"], 26);
  EXPECT_EQ(a["spans"][1]["type"], "DATE");
  EXPECT_FALSE(a["spans"][0].contains("text"));  // PHI only on request
  EXPECT_EQ(lines[0].find("Healey"), std::string::npos);
  EXPECT_EQ(json::parse(lines[1])["id"], 2);
  EXPECT_TRUE(json::parse(lines[2])["spans"].empty());
}

TEST_F(TextPipelineTest, DetectIncludesTextOnlyWhenAsked) {
  PipelineOptions o = Jsonl();
  o.include_text_in_detect = true;
  std::string out;
  ASSERT_TRUE(Run(kThreeRecords, nullptr, o, &out).ok());
  json a = json::parse(Lines(out)[0]);
  EXPECT_EQ(a["spans"][0]["text"], "Healey");
  EXPECT_EQ(a["spans"][1]["text"], "7/22");
}

TEST_F(TextPipelineTest, DetectOffsetsAreCodePoints) {
  std::string out;
  ASSERT_TRUE(Run(R"({"id": "u", "text": "Jos\u00e9 Ram\u00edrez visited on 7/22"})"
                  "\n",
                  nullptr, Jsonl(), &out)
                  .ok());
  json a = json::parse(Lines(out)[0]);
  ASSERT_EQ(a["spans"].size(), 1u) << out;
  EXPECT_EQ(a["spans"][0]["start"], 24);
  EXPECT_EQ(a["spans"][0]["end"], 28);
}

TEST_F(TextPipelineTest, PlainTextIsOneDocument) {
  PipelineOptions o;
  o.format = TextFormat::kText;
  std::string out;
  auto st = Run("Seen by Dr. Healey\non 7/22.\n", redact_, o, &out, "note.txt");
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(out, "Seen by Dr. [**CLINICIAN**]\non [**DATE**].\n");
  EXPECT_EQ(st->documents, 1u);
}

TEST_F(TextPipelineTest, CustomFieldNames) {
  PipelineOptions o = Jsonl();
  o.text_field = "body";
  o.id_field = "doc";
  std::string out;
  ASSERT_TRUE(Run(R"({"doc": "d1", "body": "SSN 123-45-6789", "text": "untouched 7/22"})"
                  "\n",
                  redact_, o, &out)
                  .ok());
  json a = json::parse(Lines(out)[0]);
  EXPECT_EQ(a["doc"], "d1");
  EXPECT_EQ(a["body"], "SSN [**SSN**]");
  EXPECT_EQ(a["text"], "untouched 7/22");
}

TEST_F(TextPipelineTest, PatientFieldKeysDateShift) {
  Profile p;
  p.by_type.fill(Transform::kDateShift);
  auto t = Transformer::Create(p, *crypto::SecretKey::FromBytes(std::string(32, 'd')));
  ASSERT_TRUE(t.ok());
  std::string out;
  ASSERT_TRUE(Run(R"({"id": "a", "patient_id": "p-7", "text": "on 07/22/2010"})"
                  "\n",
                  t->get(), Jsonl(), &out)
                  .ok());
  EXPECT_EQ(json::parse(Lines(out)[0])["text"],
            "on " + (*t)->Replace(phi::PhiType::kDate, "07/22/2010", {.patient_id = "p-7"}));
}

TEST_F(TextPipelineTest, BlankLinesAreSkipped) {
  std::string out;
  auto st = Run("\n   \n" R"({"id": "a", "text": "x"})" "\n\n\t\n" R"({"id": "b", "text": "y"})" "\r\n\n",
                redact_, Jsonl(), &out);
  ASSERT_TRUE(st.ok()) << st.status();
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  EXPECT_EQ(json::parse(lines[0])["id"], "a");
  EXPECT_EQ(json::parse(lines[1])["id"], "b");
  EXPECT_EQ(st->documents, 2u);
}

TEST_F(TextPipelineTest, MalformedJsonIsInvalidArgumentAndLeavesNoOutput) {
  auto st = Run(R"({"id": "a", "text": "ok"})"
                "\n"
                R"({"id": "b", "text": "broken)"
                "\n"
                R"({"id": "c", "text": "ok"})"
                "\n",
                redact_, Jsonl());
  EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument);
  // The writer was destroyed uncommitted: no output and no temporary file.
  EXPECT_FALSE(std::filesystem::exists(out_path_));
  EXPECT_EQ(dir_.Entries(), std::vector<std::string>{"in.jsonl"});
}

struct BadRecord {
  const char* name;
  std::string line;
};
void PrintTo(const BadRecord& c, std::ostream* os) { *os << c.name; }

class TextPipelineBadRecordTest : public TextPipelineTest,
                                  public testing::WithParamInterface<BadRecord> {};

TEST_P(TextPipelineBadRecordTest, IsInvalidArgument) {
  for (const Transformer* t : {static_cast<const Transformer*>(redact_),
                               static_cast<const Transformer*>(nullptr)}) {
    auto st = Run(R"({"id": "ok", "text": "fine"})" "\n" + GetParam().line + "\n", t, Jsonl());
    EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument)
        << (t ? "deid" : "detect") << ": " << st.status();
    EXPECT_FALSE(std::filesystem::exists(out_path_));
  }
}

INSTANTIATE_TEST_SUITE_P(
    TextPipeline, TextPipelineBadRecordTest,
    testing::Values(BadRecord{"MissingText", R"({"id": "x", "body": "Seen 7/22"})"},
                    BadRecord{"NumericText", R"({"id": "x", "text": 42})"},
                    BadRecord{"NullText", R"({"id": "x", "text": null})"},
                    BadRecord{"ObjectText", R"({"id": "x", "text": {"a": "b"}})"},
                    BadRecord{"NotAnObject", R"(["id", "text"])"},
                    BadRecord{"TrailingGarbage", R"({"id": "x", "text": "a"} x)"},
                    BadRecord{"InvalidUtf8InString", "{\"id\": \"x\", \"text\": \"Dr. \xff Healey\"}"},
                    BadRecord{"TruncatedUtf8InString", "{\"id\": \"x\", \"text\": \"caf\xc3\"}"}),
    [](const testing::TestParamInfo<BadRecord>& info) { return std::string(info.param.name); });

TEST_F(TextPipelineTest, OverLongLineIsResourceExhausted) {
  PipelineOptions o = Jsonl();
  o.max_record_bytes = 64;
  std::string line = R"({"id": "x", "text": ")" + std::string(100, 'a') + "\"}\n";
  EXPECT_EQ(Run(line, redact_, o).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(TextPipelineTest, MissingInputIsNotFound) {
  auto w = AtomicFileWriter::Open(dir_.File("out.jsonl"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(RunTextPipeline(*detector_, redact_, dir_.File("missing.jsonl"), **w, Jsonl())
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(TextPipelineTest, TwoThreadsGiveIdenticalOutputToOne) {
  static constexpr const char* kTexts[] = {
      "Seen by Dr. Healey on 7/22.", "SSN 123-45-6789 on file.", "Call (410) 555-0142.",
      "Patient is a 92 yo woman, lives in Towson.", "No identifiers here.",
      "Mr. John Moreau admitted 07/22/2010 from Calvert Hospital.",
      "Email jane.doe@example.com, MRN: 00482913."};
  std::string input;
  for (int i = 0; i < 50; ++i) {
    json rec = {{"id", "doc-" + std::to_string(i)},
                {"patient_id", "p-" + std::to_string(i % 7)},
                {"text", kTexts[i % 7]},
                {"n", i}};
    input += rec.dump() + "\n";
  }
  for (const Transformer* t : {static_cast<const Transformer*>(redact_),
                               static_cast<const Transformer*>(nullptr)}) {
    PipelineOptions one = Jsonl(1), two = Jsonl(2);
    one.batch_records = two.batch_records = 8;  // several batches
    std::string out1, out2;
    auto s1 = Run(input, t, one, &out1);
    auto s2 = Run(input, t, two, &out2);
    ASSERT_TRUE(s1.ok() && s2.ok()) << s1.status() << " " << s2.status();
    EXPECT_EQ(out1, out2);
    EXPECT_EQ(Lines(out1).size(), 50u);
    EXPECT_EQ(s1->spans, s2->spans);
    EXPECT_EQ(s2->documents, 50u);
    // Input order is kept.
    EXPECT_EQ(json::parse(Lines(out2)[49])["id"], "doc-49");
  }
}

TEST_F(TextPipelineTest, ErrorInLaterBatchWithThreadsIsReported) {
  std::string input;
  for (int i = 0; i < 20; ++i) input += R"({"id": "a", "text": "fine"})" "\n";
  input += "{not json}\n";
  PipelineOptions o = Jsonl(2);
  o.batch_records = 4;
  EXPECT_EQ(Run(input, redact_, o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TextPipelineTest, StringFieldsAreWrittenAsSimdjsonMinifiesThem) {
  // Known answer from the simdjson::minify writer used before: escapes undone and redone the
  // RFC 8259 way (\u00e9 becomes the UTF-8 bytes, \/ a plain slash, controls lower-case hex).
  const std::string line =
      R"({"id": "a\"b\u00e9\/c", "text": "x\u0001\ty\"z\\", "n": "\u001F\b\f\r\n\u007f", "m": [ "\u00e9" ] })"
      "\n";
  std::string out;
  ASSERT_TRUE(Run(line, redact_, Jsonl(), &out).ok());
  EXPECT_EQ(out, "{\"id\":\"a\\\"b\xC3\xA9/c\",\"text\":\"x\\u0001\\ty\\\"z\\\\\","
                 "\"n\":\"\\u001f\\b\\f\\r\\n\x7f\",\"m\":[\"\xC3\xA9\"]}\n");
  std::string spans;
  ASSERT_TRUE(Run(line, nullptr, Jsonl(), &spans).ok());
  EXPECT_EQ(spans.substr(0, spans.find(',')), "{\"id\":\"a\\\"b\xC3\xA9/c\"");
}

TEST_F(TextPipelineTest, ManyRecordsAcrossReadBlocksKeepOrderWithOneAndTwoThreads) {
  std::string input;
  for (int i = 0; i < 3000; ++i) {
    json rec = {{"id", i}, {"text", std::string(i % 500, 'a') + " Seen by Dr. Healey on 7/22.\n"}};
    input += rec.dump() + (i % 5 == 0 ? "\r\n\n" : "\n");
  }
  std::string out1, out2;
  auto s1 = Run(input, redact_, Jsonl(1), &out1);
  auto s2 = Run(input, redact_, Jsonl(2), &out2);
  ASSERT_TRUE(s1.ok() && s2.ok()) << s1.status() << " " << s2.status();
  EXPECT_EQ(out1, out2);
  std::vector<std::string> lines = Lines(out1);
  ASSERT_EQ(lines.size(), 3000u);
  for (int i = 0; i < 3000; i += 499) {
    json rec = json::parse(lines[i]);
    EXPECT_EQ(rec["id"], i);
    EXPECT_EQ(rec["text"], std::string(i % 500, 'a') + " Seen by Dr. [**CLINICIAN**] on [**DATE**].\n");
  }
  EXPECT_EQ(s1->documents, 3000u);
}

// Where the output is written in place (stdout, a pipe), the records before a bad one are
// written before the run stops, as they were when each record was written on its own.
TEST_F(TextPipelineTest, RecordsBeforeABadOneReachAnOutputWrittenInPlace) {
  std::string good;
  for (int i = 0; i < 6; ++i) good += json({{"id", i}, {"text", "Seen on 7/22."}}).dump() + "\n";
  struct Case {
    std::string bad;
    absl::StatusCode code;
    size_t written;  // the whole batches before a read error; every record before a bad record
  };
  const Case cases[] = {{"{not json}", absl::StatusCode::kInvalidArgument, 6},
                        {std::string(300, ' ') + "{}", absl::StatusCode::kResourceExhausted, 4}};
  for (const Case& c : cases) {
    for (int threads : {1, 2}) {
      const std::string in = WriteFile(dir_.File("in.jsonl"), good + c.bad + "\n" + good);
      const std::string fifo = dir_.File("out.fifo");
      std::filesystem::remove(fifo);
      ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
      std::string got;
      std::thread drain([&] { got = ReadFile(fifo); });
      {
        auto w = AtomicFileWriter::Open(fifo);
        ASSERT_TRUE(w.ok()) << w.status();
        PipelineOptions o = Jsonl(threads);
        o.batch_records = 4;
        o.max_record_bytes = 200;
        EXPECT_EQ(RunTextPipeline(*detector_, redact_, in, **w, o).status().code(), c.code);
      }
      drain.join();
      std::vector<std::string> lines = Lines(got);
      ASSERT_EQ(lines.size(), c.written) << threads << " threads: " << got;
      for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(json::parse(lines[i])["id"], i);
    }
  }
}

}  // namespace
}  // namespace phiguard::deid
