// Single-thread throughput of structured de-identification, each beside a plain baseline over the
// same bytes, so the cost of de-identification itself is visible:
//   FHIR NDJSON (the Synthea 10-patient export, all files, notes included): simdjson parse only,
//     parse-and-rewrite through the FHIR walker with a keep-everything policy, and the built-in
//     safe-harbor policy (every free-text string and base64 note scanned).
//   HL7v2 (data/samples/adt_oru_v251.hl7 repeated to ~2 MB): message split only, and safe-harbor.
//   CSV (data/samples/patients.csv repeated to ~2 MB): CSV parse only, and the sample policy.
// Run from the repository root: build/bench/structured_bench --benchmark_min_time=1.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "deid/internal/hl7_message.h"
#include "phiguard/core/csv.h"
#include "phiguard/core/file_io.h"
#include "phiguard/deid/csv_deid.h"
#include "phiguard/deid/fhir_deid.h"
#include "phiguard/deid/hl7_deid.h"
#include "phiguard/phi/detector.h"

namespace {

using namespace phiguard;

const phi::Detector& SharedDetector() {
  static auto* d = phi::Detector::Create({})->release();
  return *d;
}

std::string Scratch(const std::string& name) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/phiguard-structured-bench-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  return dir + "/" + name;
}

struct Input {
  std::string path;
  size_t bytes = 0;
  size_t records = 0;
};

void Fail(const std::string& what) {
  std::fprintf(stderr, "structured_bench: %s\n", what.c_str());
  std::exit(1);
}

// The export's files, optionally without the DocumentReference notes (to show the structured
// part's own rate; the notes' rate is the free-text engine's).
Input* LoadFhir(bool with_notes) {
    auto* i = new Input{Scratch(with_notes ? "fhir.ndjson" : "fhir-no-notes.ndjson")};
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator("../shared/data/samples/fhir-synthea-10-patients")) {
      if (with_notes || e.path().string().find("DocumentReference") == std::string::npos) {
        files.push_back(e.path().string());
      }
    }
    std::sort(files.begin(), files.end());
    std::string all;
    for (const auto& f : files) {
      auto text = ReadFileBounded(f, 1 << 26);
      if (!text.ok()) Fail(std::string(text.status().message()));
      all += *text;
    }
    i->bytes = all.size();
    i->records = static_cast<size_t>(std::count(all.begin(), all.end(), '\n'));
    std::FILE* out = std::fopen(i->path.c_str(), "wb");
    std::fwrite(all.data(), 1, all.size(), out);
    std::fclose(out);
    return i;
}

const Input& FhirInput() {
  static const Input* in = LoadFhir(true);
  return *in;
}
const Input& FhirInputNoNotes() {
  static const Input* in = LoadFhir(false);
  return *in;
}

// `sample` repeated to about 2 MB.
Input Repeated(const std::string& sample, const std::string& name, bool keep_first_line_once) {
  auto text = ReadFileBounded(sample, 1 << 20);
  if (!text.ok()) Fail(std::string(text.status().message()));
  std::string header, body = *text;
  if (keep_first_line_once) {
    header = body.substr(0, body.find('\n') + 1);
    body = body.substr(header.size());
  }
  std::string all = header;
  while (all.size() < (2u << 20)) all += body;
  Input in{Scratch(name), all.size(), 0};
  std::FILE* out = std::fopen(in.path.c_str(), "wb");
  std::fwrite(all.data(), 1, all.size(), out);
  std::fclose(out);
  return in;
}

const Input& Hl7Input() {
  static const Input in = Repeated("data/samples/adt_oru_v251.hl7", "feed.hl7", false);
  return in;
}
const Input& CsvInput() {
  static const Input in = Repeated("data/samples/patients.csv", "patients.csv", true);
  return in;
}

void Report(benchmark::State& state, const Input& in, size_t records) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.bytes));
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(records * state.iterations()),
                                                   benchmark::Counter::kIsRate);
}

template <typename Fn>
void RunDeid(benchmark::State& state, const Input& in, const deid::FieldPolicy& policy, Fn fn) {
  auto tr = deid::Transformer::Create(policy.text_profile, std::nullopt);
  if (!tr.ok()) Fail(std::string(tr.status().message()));
  const phi::Detector& detector = SharedDetector();  // built once, outside the timed loop
  size_t records = 0;
  for (auto _ : state) {
    auto w = AtomicFileWriter::Open(Scratch("out"));
    auto r = fn(detector, **tr, policy, in.path, **w, deid::StructuredOptions());
    if (!r.ok()) Fail(std::string(r.status().message()));
    records = r->records;
  }
  Report(state, in, records);
}

deid::FieldPolicy Builtin(const char* format) {
  auto p = deid::LoadFieldPolicyFor(format, "safe-harbor", "data");
  if (!p.ok()) Fail(std::string(p.status().message()));
  return *p;
}

void BM_FhirParseOnly(benchmark::State& state) {
  const Input& in = FhirInput();
  simdjson::dom::parser parser;
  size_t records = 0;
  for (auto _ : state) {
    auto reader = LineReader::Open(in.path, 64u << 20);
    std::string line;
    records = 0;
    while ((*reader)->Next(line)) {
      simdjson::dom::element e;
      if (parser.parse(line).get(e) != simdjson::SUCCESS) Fail("bad JSON");
      ++records;
    }
  }
  Report(state, in, records);
}
BENCHMARK(BM_FhirParseOnly)->Unit(benchmark::kMillisecond);

void BM_FhirRewriteKeepAll(benchmark::State& state) {
  auto policy = deid::ParseFieldPolicyYaml("default: keep\n");
  RunDeid(state, FhirInput(), *policy, deid::DeidentifyFhir);
}
BENCHMARK(BM_FhirRewriteKeepAll)->Unit(benchmark::kMillisecond);

void BM_FhirSafeHarbor(benchmark::State& state) {
  RunDeid(state, FhirInput(), Builtin("fhir"), deid::DeidentifyFhir);
}
BENCHMARK(BM_FhirSafeHarbor)->Unit(benchmark::kMillisecond);

void BM_FhirSafeHarborWithoutNotes(benchmark::State& state) {
  RunDeid(state, FhirInputNoNotes(), Builtin("fhir"), deid::DeidentifyFhir);
}
BENCHMARK(BM_FhirSafeHarborWithoutNotes)->Unit(benchmark::kMillisecond);

void BM_FhirRewriteKeepAllWithoutNotes(benchmark::State& state) {
  auto policy = deid::ParseFieldPolicyYaml("default: keep\n");
  RunDeid(state, FhirInputNoNotes(), *policy, deid::DeidentifyFhir);
}
BENCHMARK(BM_FhirRewriteKeepAllWithoutNotes)->Unit(benchmark::kMillisecond);

void BM_Hl7SplitOnly(benchmark::State& state) {
  const Input& in = Hl7Input();
  size_t records = 0;
  for (auto _ : state) {
    auto reader = deid::internal::Hl7Reader::Open(in.path, 1 << 20);
    std::string msg;
    size_t line = 0;
    records = 0;
    while ((*reader)->Next(msg, line)) ++records;
  }
  Report(state, in, records);
}
BENCHMARK(BM_Hl7SplitOnly)->Unit(benchmark::kMillisecond);

void BM_Hl7SafeHarbor(benchmark::State& state) {
  RunDeid(state, Hl7Input(), Builtin("hl7v2"), deid::DeidentifyHl7);
}
BENCHMARK(BM_Hl7SafeHarbor)->Unit(benchmark::kMillisecond);

void BM_CsvParseOnly(benchmark::State& state) {
  const Input& in = CsvInput();
  size_t records = 0;
  for (auto _ : state) {
    auto reader = CsvReader::Open(in.path);
    std::vector<std::string> row;
    records = 0;
    while ((*reader)->Next(row)) ++records;
  }
  Report(state, in, records);
}
BENCHMARK(BM_CsvParseOnly)->Unit(benchmark::kMillisecond);

void BM_CsvPolicy(benchmark::State& state) {
  auto policy = deid::LoadFieldPolicy("data/samples/patients-policy.yaml");
  if (!policy.ok()) Fail(std::string(policy.status().message()));
  RunDeid(state, CsvInput(), *policy,
          [](const phi::Detector& d, const deid::Transformer& t, const deid::FieldPolicy& p,
             const std::string& in, AtomicFileWriter& w, const deid::StructuredOptions& run) {
            return deid::DeidentifyCsv(d, t, p, in, w, CsvOptions(), run);
          });
}
BENCHMARK(BM_CsvPolicy)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
