// Fuzzes the HL7v2 reader and de-identification (built-in safe-harbor policy): any bytes give
// messages, an error naming a line, or (under skip) quarantined messages — never a crash or an
// unprocessed message. Also checks that escaping round-trips: Unescape(Escape(x)) == x.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "deid/internal/hl7_message.h"
#include "fhir_hl7_fuzz_util.h"
#include "phiguard/deid/hl7_deid.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzzing::StructuredFuzzer fuzzer("hl7v2", "hl7");
  if (size > 1 << 16) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  deid::internal::Hl7Encoding enc;
  std::string text;
  for (char c : bytes) {
    if (c != '\r') text.push_back(c);  // a value never holds a segment terminator
  }
  if (deid::internal::Hl7Unescape(deid::internal::Hl7Escape(text, enc), enc) != text) std::abort();
  (void)fuzzer.Run(deid::DeidentifyHl7, data, size);
  return 0;
}
