// The pieces every data command builds the same way: a Detector (lexicons from --data-dir, the
// profile's extra patterns and confidence floor), a Transformer (keyed by --key-file, or a
// one-time key with a warning), and small reports written atomically. Errors exit via Fail().
#pragma once

#include <memory>
#include <string>

#include "commands.h"
#include "phiguard/deid/profile.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::cli {

// `profile` may be null: default detection, no extra patterns.
std::unique_ptr<phi::Detector> MakeDetector(const GlobalOptions& global,
                                            const deid::Profile* profile);

// Reads `key_file` when given; otherwise, when `needs_key`, warns (unless `quiet`) that a
// one-time random key makes pseudonyms, surrogates and date shifts differ on the next run.
std::unique_ptr<deid::Transformer> MakeTransformer(const GlobalOptions& global,
                                                   const deid::Profile& profile,
                                                   const std::string& key_file, bool needs_key,
                                                   bool quiet);

// Writes `data` to `path` atomically (a report, a JSON summary).
void WriteWholeFile(const std::string& path, const std::string& data);

}  // namespace phiguard::cli
