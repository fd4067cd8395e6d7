// Helpers shared by the FHIR and HL7 de-identification tests: run a format's Deidentify* into a
// temporary file with a fixed key, a quarantine for skipped records, and whole-word search for
// leaked identifiers.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "phiguard/core/file_io.h"
#include "phiguard/crypto/secret_key.h"
#include "phiguard/deid/structured_report.h"
#include "phiguard/deid/transformer.h"
#include "test_util.h"

namespace phiguard::testing_util {

// Runs `deidentify(detector, transformer, policy, input, writer, run)` with a key of 32
// `key_byte`s; on success sets `*out` to what was written.
template <typename Fn>
absl::StatusOr<deid::StructuredReport> RunStructured(Fn deidentify, const ScopedTempDir& dir,
                                                     const std::string& in,
                                                     const deid::FieldPolicy& policy,
                                                     std::string* out,
                                                     const deid::StructuredOptions& run,
                                                     char key_byte) {
  auto key = crypto::SecretKey::FromBytes(std::string(32, key_byte));
  auto tr = deid::Transformer::Create(policy.text_profile, std::move(*key));
  EXPECT_TRUE(tr.ok()) << tr.status();
  if (!tr.ok()) return tr.status();
  std::string out_path = dir.File("out.data");
  auto w = AtomicFileWriter::Open(out_path);
  EXPECT_TRUE(w.ok());
  auto r = deidentify(*SharedDetector(), **tr, policy, in, **w, run);
  if (r.ok()) {
    EXPECT_TRUE((*w)->Commit().ok());
    *out = ReadFile(out_path);
  }
  return r;
}

// What the text detector finds in `text` at confidence >= 0.6 (below that: guesses such as a
// bare code "SUR" read as a name), dates aside (years stay; the leak tests check full dates on
// their own): the values a leak test expects gone from the output.
inline std::vector<std::string> DetectedNonDateValues(std::string_view text) {
  const phi::Detector& detector = *SharedDetector();
  static thread_local auto scratch = detector.NewScratch();
  EXPECT_TRUE(scratch.ok());
  std::vector<phi::Span> spans;
  EXPECT_TRUE(scratch.ok() && detector.Detect(text, **scratch, spans).ok());
  std::vector<std::string> values;
  for (const phi::Span& s : spans) {
    if (s.type != phi::PhiType::kDate && s.confidence >= 0.6f) {
      values.emplace_back(text.substr(s.byte_start, s.byte_end - s.byte_start));
    }
  }
  return values;
}

// A quarantine file in `dir` and the run options that send bad records to it (OnError::kSkip).
struct QuarantineRun {
  std::string path;
  std::unique_ptr<AtomicFileWriter> writer;
  deid::StructuredOptions run;
};
inline QuarantineRun Quarantine(const ScopedTempDir& dir) {
  QuarantineRun q;
  q.path = dir.File("quarantine.data");
  auto w = AtomicFileWriter::Open(q.path);
  EXPECT_TRUE(w.ok()) << w.status();
  if (w.ok()) q.writer = std::move(*w);
  q.run.on_error = deid::OnError::kSkip;
  q.run.quarantine = q.writer.get();
  return q;
}

// `s` cut at every character of `seps`, empty pieces kept (HL7 positions count them): an HL7
// parser independent of the one under test.
inline std::vector<std::string> SplitAtAny(const std::string& s, const std::string& seps) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (seps.find(c) != std::string::npos) out.emplace_back();
    else out.back().push_back(c);
  }
  return out;
}

// True if `needle` occurs in `haystack` with no letter or digit right before or after it.
inline bool ContainsWord(const std::string& haystack, const std::string& needle) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    size_t end = pos + needle.size();
    if ((pos == 0 || !word(haystack[pos - 1])) && (end == haystack.size() || !word(haystack[end])))
      return true;
  }
  return false;
}

}  // namespace phiguard::testing_util
