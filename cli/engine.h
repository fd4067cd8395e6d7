// The pieces every data command builds the same way: a Detector (lexicons from --data-dir, the
// profile's extra patterns and confidence floor), a Transformer (keyed by --key-file or a keyring
// mac key, or a one-time key with a warning), and small reports written atomically. Errors exit via Fail().
#pragma once

#include <memory>
#include <string>

#include "commands.h"
#include "keyring_support.h"
#include "phiguard/deid/profile.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::cli {

// `profile` may be null: default detection, no extra patterns.
std::unique_ptr<phi::Detector> MakeDetector(const GlobalOptions& global,
                                            const deid::Profile* profile);

// Where the de-identification key comes from: a key file, or a mac key in the keyring under
// --home from which the key is derived (label "deid", audited as `derive_key`). At most one.
struct DeidKeyOptions {
  std::string key_file;     // --key-file
  std::string keyring_key;  // --key
  uint32_t key_version = 0;  // --key-version (0: the key's primary version)
  KeyOptions keyring;       // --as, --token-file, --unseal-key-file
};

// Adds --key-file, --key, --key-version and the keyring's identity options to `cmd`.
void AddDeidKeyOptions(CLI::App* cmd, DeidKeyOptions& o);

// Keys the transformer from `key` (`object_id` names the run in the keyring's audit event);
// without a key, when `needs_key`, warns (unless `quiet`) that a one-time random key makes
// pseudonyms, surrogates and date shifts differ on the next run.
std::unique_ptr<deid::Transformer> MakeTransformer(const GlobalOptions& global,
                                                   const deid::Profile& profile,
                                                   const DeidKeyOptions& key, bool needs_key,
                                                   bool quiet, std::string_view object_id);

// Writes `data` to `path` atomically (a report, a JSON summary).
void WriteWholeFile(const std::string& path, const std::string& data);

}  // namespace phiguard::cli
