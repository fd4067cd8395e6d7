// Helpers shared by the FHIR and HL7 de-identification tests: run a format's Deidentify* into a
// temporary file with a fixed key, and whole-word search for leaked identifiers.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <string>

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
