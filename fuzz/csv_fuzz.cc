// Fuzzes the CSV reader through the whole CSV de-identification (default policy): any bytes give
// records or an error naming a line (or, on odd sizes, bad records skipped into a quarantine and
// the reader resuming after them), never a crash or an unprocessed record.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "phiguard/core/file_io.h"
#include "phiguard/deid/csv_deid.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto detector = std::move(*phi::Detector::Create({}));
  static auto policy = deid::DefaultFieldPolicy();
  static auto transformer = std::move(*deid::Transformer::Create(policy.text_profile, std::nullopt));
  static const std::string dir = [] {
    char tmpl[] = "/tmp/phiguard-csv-fuzz-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  if (size > 1 << 16) return 0;
  std::string in = dir + "/in.csv", out = dir + "/out.csv", q = dir + "/q.csv";
  std::FILE* f = std::fopen(in.c_str(), "wb");
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  CsvOptions opts;
  opts.max_record_bytes = 1 << 14;
  auto writer = AtomicFileWriter::Open(out);
  auto quarantine = AtomicFileWriter::Open(q);
  if (!writer.ok() || !quarantine.ok()) return 0;
  deid::StructuredOptions run;
  run.on_error = size % 2 == 0 ? deid::OnError::kStop : deid::OnError::kSkip;
  run.quarantine = quarantine->get();
  auto r = deid::DeidentifyCsv(*detector, *transformer, policy, in, **writer, opts, run);
  if (r.ok()) (void)(*writer)->Commit();
  return 0;
}
