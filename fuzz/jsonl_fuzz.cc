// Fuzzes the JSONL text pipeline: arbitrary bytes as a JSONL file, de-identified with the
// safe-harbor profile. Bad records must come back as errors; good ones as valid output.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "phiguard/core/file_io.h"
#include "phiguard/deid/text_pipeline.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto detector = std::move(*phi::Detector::Create({}));
  static auto transformer =
      std::move(*deid::Transformer::Create(*deid::BuiltinProfile("safe-harbor"), std::nullopt));
  static const std::string dir = [] {
    char tmpl[] = "/tmp/phiguard-jsonl-fuzz-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  if (size > 1 << 16) return 0;
  std::string in = dir + "/in.jsonl", out = dir + "/out.jsonl";
  std::FILE* f = std::fopen(in.c_str(), "wb");
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  deid::PipelineOptions opts;
  opts.format = deid::TextFormat::kJsonl;
  opts.max_record_bytes = 1 << 14;
  auto writer = AtomicFileWriter::Open(out);
  if (!writer.ok()) return 0;
  auto st = deid::RunTextPipeline(*detector, transformer.get(), in, **writer, opts);
  if (st.ok()) (void)(*writer)->Commit();
  return 0;
}
