// A Transformer rewrites the PHI spans of a text according to a Profile. Keyed transforms
// (pseudonym, surrogate, date shift) use keys derived from one secret, so the same value gets the
// same replacement in every document and on every shard that holds the key, and nothing can be
// reversed without it (45 CFR 164.514(c)). Immutable after Create(): Apply() is thread-safe.
//
//   auto t = Transformer::Create(profile, std::move(key), {});
//   std::string clean = (*t)->Apply(text, spans, {.patient_id = "p-17"});
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "phiguard/crypto/secret_key.h"
#include "phiguard/deid/profile.h"
#include "phiguard/phi/span.h"

namespace phiguard::deid {

struct TransformerOptions {
  // Folder with lexicons/ (surrogate names and places) and zip3_restricted.txt. Empty: the
  // detector's DefaultDataDir().
  std::string data_dir;
};

// Per-document facts the transforms need.
struct DocumentContext {
  // Dates of one patient all shift by the same keyed amount. Empty: one shift for everything.
  std::string patient_id;
};

class Transformer {
 public:
  // `key` may be nullopt: then a random key is generated, so replacements are consistent within
  // this Transformer's lifetime only. NotFound/InvalidArgument for missing or malformed data files.
  static absl::StatusOr<std::unique_ptr<Transformer>> Create(
      const Profile& profile, std::optional<crypto::SecretKey> key,
      const TransformerOptions& options = {});
  ~Transformer();
  // Not copyable: owns key material.
  Transformer(const Transformer&) = delete;
  Transformer& operator=(const Transformer&) = delete;

  // Returns `text` with every span replaced. REQUIRES: `spans` come from Detector::Detect() on
  // this `text` (sorted, disjoint, byte offsets valid).
  std::string Apply(std::string_view text, const std::vector<phi::Span>& spans,
                    const DocumentContext& context) const;

  // As Apply(), but hands the result to `piece` in order, as the unchanged runs of `text` and the
  // replacements, instead of building one string: a writer can escape or copy each straight
  // into its output. Same REQUIRES as Apply().
  void ApplyInPieces(std::string_view text, const std::vector<phi::Span>& spans,
                     const DocumentContext& context,
                     absl::FunctionRef<void(std::string_view)> piece) const;

  // The replacement for one PHI value (exposed for structured fields and tests).
  std::string Replace(phi::PhiType type, std::string_view value,
                      const DocumentContext& context) const;

  // The replacement for one value under an explicit transform, whatever the profile says (for
  // structured fields whose policy names the transform per field).
  std::string ReplaceWith(Transform transform, phi::PhiType type, std::string_view value,
                          const DocumentContext& context) const;

  // A keyed bucket in [0, buckets) for `value` (hash-bucket transform). REQUIRES: buckets > 0.
  uint64_t KeyedBucket(std::string_view value, uint64_t buckets) const;

  // A keyed pseudonym in the shape of `value`: digits become digits, letters letters of the same
  // case, other characters stay; a hexadecimal identifier (a UUID) stays hexadecimal. The same
  // value always gets the same pseudonym under one key (FHIR ids, references and identifiers
  // use it so that "Patient/123" still resolves after de-identification).
  std::string PseudonymPreservingFormat(std::string_view value) const;

  // A short public name for the key (16 hex digits derived one-way from it), for reports: equal
  // ids mean the same key; it reveals nothing about the key.
  std::string KeyId() const;

  // Whole weeks (in days, never 0) that this patient's dates move under kDateShift.
  int DateShiftDays(std::string_view patient_id) const;

  const Profile& profile() const;

 private:
  struct Impl;
  explicit Transformer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace phiguard::deid
