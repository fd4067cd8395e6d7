// A Detector finds protected health information (PHI) in free text: the Safe Harbor identifiers of
// 45 CFR 164.514(b)(2)(i) that can appear in prose. Fixed formats (dates, phone numbers, SSNs,
// identifiers by context such as "MRN:") are compiled into one Vectorscan database and found in one
// pass; names and places come from public lexicons plus context rules; user regexes run on RE2.
//
// A Detector is built once and is then immutable: Detect() is safe to call from many threads at
// once, each with its own Scratch. Returned spans never overlap and are sorted by start.
//
//   auto det = phiguard::phi::Detector::Create({});
//   auto scratch = (*det)->NewScratch();
//   std::vector<phiguard::phi::Span> spans;
//   absl::Status s = (*det)->Detect("Seen by Dr. Healey on 7/22.", **scratch, spans);
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "phiguard/phi/phi_type.h"
#include "phiguard/phi/span.h"

namespace phiguard::phi {

// A user-supplied pattern (RE2 syntax). The whole match is PHI of `type`, or only capture group 1
// when the regex has one ("Study ID: (\d+)").
struct ExtraPattern {
  std::string name;  // shown in errors
  PhiType type = PhiType::kOther;
  std::string regex;
};

struct DetectorOptions {
  // Folder holding the lexicons (first_names.tsv, surnames.tsv, ...). Empty: DefaultDataDir() +
  // "/lexicons".
  std::string lexicon_dir;
  // Extra user patterns, compiled with RE2.
  std::vector<ExtraPattern> extra_patterns;
  // Spans below this confidence are dropped. 0 keeps all (highest recall).
  float min_confidence = 0;
  // Longest input Detect() accepts, in bytes; longer input is InvalidArgument. Default 64 MiB.
  size_t max_input_bytes = 64u << 20;
  // Folder where the compiled pattern databases are kept between processes (Create() then takes
  // milliseconds instead of ~0.4 s of compiling). Empty: DefaultCacheDir(); "-": no cache. Best
  // effort: a folder that cannot be read or written only costs the compile. Holds no PHI.
  std::string cache_dir;
};

// The data directory: $PHIGUARD_DATA_DIR if set, else the one fixed at build time.
std::string DefaultDataDir();

// The cache directory: $PHIGUARD_CACHE_DIR if set ("-" turns the cache off), else
// $XDG_CACHE_HOME/phiguard, else $HOME/.cache/phiguard, else "-" (none).
std::string DefaultCacheDir();

class Detector {
 public:
  // Per-thread working memory for Detect(): reuse one per thread to avoid allocations.
  class Scratch {
   public:
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

   private:
    friend class Detector;
    Scratch();
    struct State;
    std::unique_ptr<State> state_;
  };

  // Loads lexicons and compiles all patterns. NotFound for a missing lexicon file;
  // InvalidArgument naming a lexicon line or extra pattern that does not parse.
  static absl::StatusOr<std::unique_ptr<Detector>> Create(const DetectorOptions& options);
  ~Detector();
  // Not copyable: owns compiled pattern databases and lexicons that are expensive to build.
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  absl::StatusOr<std::unique_ptr<Scratch>> NewScratch() const;

  // Replaces the contents of `spans` with the PHI found in `text`. InvalidArgument if `text` is not
  // valid UTF-8 (the message gives the byte offset) or larger than max_input_bytes.
  // REQUIRES: `scratch` came from this Detector's NewScratch() and is used by one thread at a time.
  absl::Status Detect(std::string_view text, Scratch& scratch, std::vector<Span>& spans) const;

 private:
  struct Impl;
  explicit Detector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace phiguard::phi
