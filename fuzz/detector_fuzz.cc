// Fuzzes PHI detection and every transform on arbitrary bytes: Detect() must reject invalid UTF-8
// cleanly, and on valid text return sorted, disjoint, in-bounds spans that Apply() can rewrite.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto detector = std::move(*phi::Detector::Create({}));
  static auto scratch = std::move(*detector->NewScratch());
  static auto redact = std::move(*deid::Transformer::Create(*deid::BuiltinProfile("safe-harbor"), std::nullopt));
  static auto surrogate = std::move(*deid::Transformer::Create(*deid::BuiltinProfile("surrogate"), std::nullopt));
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<phi::Span> spans;
  if (!detector->Detect(text, *scratch, spans).ok()) return 0;
  size_t prev_end = 0;
  for (const phi::Span& s : spans) {
    if (s.byte_start < prev_end || s.byte_end <= s.byte_start || s.byte_end > size ||
        s.start > s.end || s.end > size)
      std::abort();
    prev_end = s.byte_end;
  }
  (void)redact->Apply(text, spans, {"p"});
  (void)surrogate->Apply(text, spans, {"p"});
  return 0;
}
