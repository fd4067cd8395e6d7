// Fuzzes FHIR de-identification (built-in safe-harbor policy) on arbitrary NDJSON, and the FHIR
// path parser on the first line: bad resources come back as errors naming a line (or are
// quarantined under skip), never a crash, an unprocessed resource or invalid JSON out.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "deid/internal/fhir_rules.h"
#include "fhir_hl7_fuzz_util.h"
#include "phiguard/core/strings.h"
#include "phiguard/deid/fhir_deid.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzzing::StructuredFuzzer fuzzer("fhir", "ndjson");
  if (size > 1 << 16) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)deid::internal::ParseFhirPath(bytes.substr(0, bytes.find('\n')));
  auto written = fuzzer.Run(deid::DeidentifyFhir, data, size);
  if (!written) return 0;
  // Every line written is a JSON object.
  for (std::string_view line : Split(*written, '\n')) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) std::abort();
  }
  return 0;
}
