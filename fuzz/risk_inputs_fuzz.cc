// Fuzzes the risk module's parsers: the ARX hierarchy CSV loader (then every lookup it offers) and
// the JSONL record reader with plain keys and JSON pointers. The first byte picks the parser. Any
// bytes give a result or an error naming the line, never a crash.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "phiguard/risk/hierarchy.h"
#include "phiguard/risk/records.h"

using namespace phiguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/phiguard-risk-fuzz-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  if (size < 1 || size > 1 << 16) return 0;
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
