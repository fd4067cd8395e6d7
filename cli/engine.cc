#include "engine.h"

#include <cstdio>
#include <optional>

#include "phiguard/core/file_io.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::cli {

std::unique_ptr<phi::Detector> MakeDetector(const GlobalOptions& global,
                                            const deid::Profile* profile) {
  phi::DetectorOptions det;
  if (!global.data_dir.empty()) det.lexicon_dir = global.data_dir + "/lexicons";
  if (profile != nullptr) {
    det.extra_patterns = profile->extra_patterns;
    det.min_confidence = profile->min_confidence;
  }
  auto d = phi::Detector::Create(det);
  if (!d.ok()) Fail(d.status());
  return std::move(*d);
}

std::unique_ptr<deid::Transformer> MakeTransformer(const GlobalOptions& global,
                                                   const deid::Profile& profile,
                                                   const std::string& key_file, bool needs_key,
                                                   bool quiet) {
  std::optional<crypto::SecretKey> key;
  if (!key_file.empty()) {
    auto k = crypto::SecretKey::ReadFile(key_file);
    if (!k.ok()) Fail(k.status());
    key.emplace(std::move(*k));
  } else if (needs_key && !quiet) {
    std::fprintf(stderr,
                 "phiguard: no --key-file: using a one-time random key; pseudonyms, surrogates "
                 "and date shifts will differ on the next run\n");
  }
  deid::TransformerOptions topts;
  topts.data_dir = global.data_dir;
  auto t = deid::Transformer::Create(profile, std::move(key), topts);
  if (!t.ok()) Fail(t.status());
  return std::move(*t);
}

void WriteWholeFile(const std::string& path, const std::string& data) {
  auto w = AtomicFileWriter::Open(path);
  if (!w.ok()) Fail(w.status());
  if (auto s = (*w)->Write(data); !s.ok()) Fail(s);
  if (auto s = (*w)->Commit(); !s.ok()) Fail(s);
}

}  // namespace phiguard::cli
