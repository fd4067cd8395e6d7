#include "engine.h"

#include <cstdio>
#include <optional>

#include <CLI/CLI.hpp>

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

void AddDeidKeyOptions(CLI::App* cmd, DeidKeyOptions& o) {
  CLI::Option* file = cmd->add_option(
      "--key-file", o.key_file, "Secret key file (>= 64 hex chars) for consistent pseudonyms, surrogates, date shifts");
  CLI::Option* name = cmd->add_option(
      "--key", o.keyring_key,
      "Instead of --key-file: a mac key in the keyring under --home; the de-identification key is "
      "derived from it (needs the crypto user role, an unsealed keyring and the caller's token)");
  file->excludes(name);
  cmd->add_option("--key-version", o.key_version,
                  "With --key: derive from this version (default: the primary; a rotation changes "
                  "every pseudonym unless the version is pinned)")
      ->needs(name)
      ->check(CLI::Range(1u, 0xffffffffu));
  AddKeyOptions(cmd, o.keyring);
}

std::unique_ptr<deid::Transformer> MakeTransformer(const GlobalOptions& global,
                                                   const deid::Profile& profile,
                                                   const DeidKeyOptions& key_options, bool needs_key,
                                                   bool quiet, std::string_view object_id) {
  std::optional<crypto::SecretKey> key;
  if (!key_options.key_file.empty()) {
    auto k = crypto::SecretKey::ReadFile(key_options.key_file);
    if (!k.ok()) Fail(k.status());
    key.emplace(std::move(*k));
  } else if (!key_options.keyring_key.empty()) {
    OpenedKeyring kr = OpenKeyring(global, key_options.keyring, /*unseal=*/true);
    auto derived = kr.keyring->DeriveKey(kr.identity, key_options.keyring_key, key_options.key_version, "deid",
                                         object_id);
    if (!derived.ok()) Fail(derived.status());
    key.emplace(std::move(derived->key));
    if (!quiet) {
      std::fprintf(stderr, "phiguard: de-identification key derived from keyring key %s version %u\n",
                   key_options.keyring_key.c_str(), derived->key_version);
    }
  } else if (needs_key && !quiet) {
    std::fprintf(stderr,
                 "phiguard: no --key-file or --key: using a one-time random key; pseudonyms, surrogates "
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
