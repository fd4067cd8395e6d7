// Fuzzes the HL7v2 reader and de-identification (built-in safe-harbor policy): any bytes give
// messages, an error naming a line, or (under skip) quarantined messages — never a crash or an
// unprocessed message. Also checks that escaping round-trips: Unescape(Escape(x)) == x.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "deid/internal/hl7_message.h"
#include "phiguard/core/file_io.h"
#include "phiguard/deid/hl7_deid.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto detector = std::move(*phi::Detector::Create({}));
  static auto policy = *deid::LoadFieldPolicyFor("hl7v2", "safe-harbor");
  static auto transformer = std::move(*deid::Transformer::Create(policy.text_profile, std::nullopt));
  static const std::string dir = [] {
    char tmpl[] = "/tmp/phiguard-hl7-fuzz-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  if (size > 1 << 16) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  deid::internal::Hl7Encoding enc;
  std::string text;
  for (char c : bytes) {
    if (c != '\r') text.push_back(c);  // a value never holds a segment terminator
  }
  if (deid::internal::Hl7Unescape(deid::internal::Hl7Escape(text, enc), enc) != text) std::abort();

  std::string in = dir + "/in.hl7", out = dir + "/out.hl7", q = dir + "/q.hl7";
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
  auto r = deid::DeidentifyHl7(*detector, *transformer, policy, in, **writer, run);
  if (r.ok()) (void)(*writer)->Commit();
  return 0;
}
