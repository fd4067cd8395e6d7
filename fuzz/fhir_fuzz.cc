// Fuzzes FHIR de-identification (built-in safe-harbor policy) on arbitrary NDJSON, and the FHIR
// path parser on the first line: bad resources come back as errors naming a line (or are
// quarantined under skip), never a crash, an unprocessed resource or invalid JSON out.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "deid/internal/fhir_rules.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/deid/fhir_deid.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto detector = std::move(*phi::Detector::Create({}));
  static auto policy = *deid::LoadFieldPolicyFor("fhir", "safe-harbor");
  static auto transformer = std::move(*deid::Transformer::Create(policy.text_profile, std::nullopt));
  static const std::string dir = [] {
    char tmpl[] = "/tmp/phiguard-fhir-fuzz-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  if (size > 1 << 16) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)deid::internal::ParseFhirPath(bytes.substr(0, bytes.find('\n')));

  std::string in = dir + "/in.ndjson", out = dir + "/out.ndjson", q = dir + "/q.ndjson";
  std::FILE* f = std::fopen(in.c_str(), "wb");
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto writer = AtomicFileWriter::Open(out);
  auto quarantine = AtomicFileWriter::Open(q);
  if (!writer.ok() || !quarantine.ok()) return 0;
  deid::StructuredOptions run;
  run.max_record_bytes = 1 << 14;
  run.on_error = size % 2 == 0 ? deid::OnError::kStop : deid::OnError::kSkip;
  run.quarantine = quarantine->get();
  auto r = deid::DeidentifyFhir(*detector, *transformer, policy, in, **writer, run);
  if (!r.ok()) return 0;
  if (!(*writer)->Commit().ok()) return 0;
  // Every line written is a JSON object.
  auto written = ReadFileBounded(out, 1 << 22);
  if (!written.ok()) std::abort();
  for (std::string_view line : Split(*written, '\n')) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) std::abort();
  }
  return 0;
}
