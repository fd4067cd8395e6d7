// Fuzzes the risk module's parsers: the ARX hierarchy CSV loader (then every lookup it offers), the
// JSONL record reader with plain keys and JSON pointers, and the YAML context of the Expert
// Determination report (with a fixed, valid anonymize report, so the YAML is what varies; the
// whole report is built and rendered). The first byte picks the parser: even = hierarchy, 1 mod 4
// = JSONL, 3 mod 4 = report context. Any bytes give a result or an error, never a crash.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "phiguard/risk/hierarchy.h"
#include "phiguard/risk/records.h"
#include "phiguard/risk/report.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/phiguard-risk-fuzz-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  if (size < 1 || size > 1 << 16) return 0;
  if (data[0] % 4 == 3) {
    risk::ReportInputs in;
    in.anonymize_json =
        R"({"input": {"path": "in.csv", "records": 10}, "quasi_identifiers": ["age", "zip"],
            "transformation": {"age": 1, "zip": 2}, "hierarchy_heights": {"age": 3, "zip": 5},
            "suppressed": 1, "classes": 2, "min_class_size": 4,
            "utility": {"metric": "loss", "value": 0.4, "loss": 0.4},
            "risk": {"before": {"records": 10, "k": 1, "risk": {"prosecutor": {"highest": 1.0}}},
                     "after": {"records": 9, "k": 4, "risk": {"prosecutor": {"highest": 0.25}}}}})";
    in.context_yaml.assign(reinterpret_cast<const char*>(data + 1), size - 1);
    in.generated_at = "2026-12-02T00:00:00Z";
    auto report = risk::BuildDeterminationReport(in);
    if (report.ok() && report->html.find("<script") != std::string::npos) __builtin_trap();
    return 0;
  }
  const std::string path = dir + "/in";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(data + 1, 1, size - 1, f);
  std::fclose(f);
  if (data[0] % 2 == 0) {
    auto h = risk::Hierarchy::LoadArxCsv(path, data[0] % 4 == 0 ? ';' : ',');
    if (h.ok()) {
      for (size_t row = 0; row < h->size(); ++row) {
        for (size_t level = 0; level < h->levels(); ++level) (void)h->label(row, level);
        (void)h->Find(h->label(row, 0));
      }
    }
    return 0;
  }
  auto records = risk::JsonlRecords(path, {"zip", "/patient/age", "/a~1b/0"}, 1 << 12);
  if (!records.ok()) return 0;
  std::vector<std::string> fields;
  while ((*records)->Next(fields)) {
  }
  return 0;
}
