// A FieldPolicy says what happens to each field of a structured record (a CSV column, a JSON
// field): keep, drop, redact, pseudonym, date-shift, generalize, text (run the free-text engine),
// truncate or hash-bucket. Fields the policy does not name get `default` — `text` unless the policy
// says otherwise, so an unexpected column is scanned rather than passed through. YAML:
//
//   name: claims-extract
//   patient_field: mrn              # keys per-patient date shifts
//   default: text                   # for columns not listed (keep | drop | redact | text)
//   text_profile: safe-harbor       # how PHI found in text fields is transformed
//   fields:
//     mrn:       {transform: pseudonym, type: MRN}
//     name:      {transform: redact, type: NAME}
//     birth_date: {transform: date-shift}
//     zip:       {transform: generalize, type: ZIP}
//     admitted:  {transform: generalize, type: DATE, to: month}
//     age:       {transform: generalize, type: AGE}
//     note:      {transform: text}
//     comment:   {transform: truncate, length: 20}
//     site:      {transform: hash-bucket, buckets: 16}
//     ssn:       {transform: pseudonym, type: SSN, format: preserve}   # 999-94-5397 -> 412-07-8813
//
// The same file format addresses FHIR R4 elements by path ("Patient.name",
// "Patient.identifier.where(system='...')"; `unchecked_types: [Basic, MyResource]` exempts
// resource types from the element check) and HL7v2 fields by location ("PID-5", "PID-11.5");
// see fhir_deid.h and hl7_deid.h for what those names mean. Every rule keeps the line and column
// it came from, so a format that rejects a field name can say where it is.
//
// Plain values; copyable and safe to share between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/deid/profile.h"
#include "phiguard/phi/phi_type.h"

namespace phiguard::deid {

enum class FieldAction : uint8_t {
  kKeep, kDrop, kRedact, kPseudonym, kDateShift, kGeneralize, kText, kTruncate, kHashBucket,
};

std::string_view FieldActionName(FieldAction a);

struct FieldRule {
  FieldAction action = FieldAction::kText;
  phi::PhiType type = phi::PhiType::kOther;  // what the field holds (tags, generalisation)
  bool to_month = false;                     // generalize DATE to "YYYY-MM" instead of the year
  size_t length = 0;                         // truncate: characters kept
  uint64_t buckets = 0;                      // hash-bucket: number of buckets
  bool preserve_format = false;              // pseudonym: digits stay digits, letters letters
  int line = 0, column = 0;                  // where the rule is in the policy file (1-based)
};

struct FieldPolicy {
  std::string name = "default";
  std::string patient_field;      // empty: one date shift for the whole input
  FieldRule default_rule;         // for fields not in `fields`
  std::map<std::string, FieldRule> fields;
  Profile text_profile;           // transforms for PHI found in text fields
  // Ages over 89 are counted from this year (generalised birth dates; 0: the current UTC year).
  int reference_year = 0;
  // FHIR: resource types whose elements are not checked against phiguard's table of FHIR R4
  // elements (R4 types outside the table, or custom types): paths into them are taken as written.
  std::vector<std::string> unchecked_types;
  std::string source = "policy";  // file the policy came from (or "builtin:<name>"), for errors
  std::string hash;               // fingerprint of the policy text (hex), for reports

  const FieldRule& For(const std::string& field) const {
    auto it = fields.find(field);
    return it == fields.end() ? default_rule : it->second;
  }
  // True if a transform needs the secret key to be consistent across runs.
  bool NeedsKey() const;
};

// The conservative default: every field through the free-text engine with `safe-harbor`, except
// columns whose name says what they hold (see RuleFromFieldName).
FieldPolicy DefaultFieldPolicy();

// A Safe Harbor rule for a field the policy does not name but whose name says what it holds
// ("zip", "DOB", "Last Name", "patient_phone"): a bare value has no context for the text engine
// to go on. nullopt for names that say nothing.
std::optional<FieldRule> RuleFromFieldName(std::string_view field_name);

// Parses a YAML policy. InvalidArgument naming the line and field that is wrong (unknown keys,
// unknown transforms or types, a truncate without length, ...).
absl::StatusOr<FieldPolicy> ParseFieldPolicyYaml(std::string_view yaml);
absl::StatusOr<FieldPolicy> LoadFieldPolicy(const std::string& path);

// "<source>: line L, column C: " for messages about `rule`.
std::string PolicyWhere(const FieldPolicy& policy, const FieldRule& rule);

// `name_or_path` is a file, or the name of a built-in policy for `format` ("fhir", "hl7v2",
// "csv", "jsonl"): "safe-harbor" loads <data_dir>/policies/<format>-safe-harbor.yaml ("default"
// is DefaultFieldPolicy()). `data_dir` empty: the detector's DefaultDataDir(). NotFound for an
// unknown name that is not a file either.
absl::StatusOr<FieldPolicy> LoadFieldPolicyFor(std::string_view format,
                                               const std::string& name_or_path,
                                               const std::string& data_dir = "");

}  // namespace phiguard::deid
