// Shared by the FHIR and HL7 fuzz targets: the detector, the format's built-in safe-harbor policy
// and a keyless transformer, built once; and one run of the format's Deidentify* over the fuzz
// input (as a file), alternating stop and skip-to-quarantine so both paths are exercised.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "phiguard/core/file_io.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/structured_report.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::fuzzing {

class StructuredFuzzer {
 public:
  // `format`: "fhir" or "hl7v2" (the built-in policy to load); `ext`: the input file's extension.
  StructuredFuzzer(const char* format, const char* ext)
      : detector_(std::move(*phi::Detector::Create({}))),
        policy_(*deid::LoadFieldPolicyFor(format, "safe-harbor")),
        transformer_(std::move(*deid::Transformer::Create(policy_.text_profile, std::nullopt))) {
    char tmpl[] = "/tmp/phiguard-structured-fuzz-XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    in_ = dir + "/in." + ext;
    out_ = dir + "/out." + ext;
    quarantine_ = dir + "/quarantine." + ext;
  }

  // Runs `deidentify` over `data`; the committed output, or nullopt when the run failed (which
  // it may: bad input is an error, never a crash).
  template <typename Fn>
  std::optional<std::string> Run(Fn deidentify, const uint8_t* data, size_t size) {
    std::FILE* f = std::fopen(in_.c_str(), "wb");
    if (f == nullptr) return std::nullopt;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    auto writer = AtomicFileWriter::Open(out_);
    auto quarantine = AtomicFileWriter::Open(quarantine_);
    if (!writer.ok() || !quarantine.ok()) return std::nullopt;
    deid::StructuredOptions run;
    run.max_record_bytes = 1 << 14;
    run.on_error = size % 2 == 0 ? deid::OnError::kStop : deid::OnError::kSkip;
    run.quarantine = quarantine->get();
    auto r = deidentify(*detector_, *transformer_, policy_, in_, **writer, run);
    if (!r.ok() || !(*writer)->Commit().ok()) return std::nullopt;
    auto written = ReadFileBounded(out_, 1 << 22);
    if (!written.ok()) return std::nullopt;
    return *written;
  }

 private:
  std::unique_ptr<phi::Detector> detector_;
  deid::FieldPolicy policy_;
  std::unique_ptr<deid::Transformer> transformer_;
  std::string in_, out_, quarantine_;
};

}  // namespace phiguard::fuzzing
