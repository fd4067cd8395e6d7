// What every structured de-identification run (CSV, JSONL, FHIR R4, HL7v2) reports and how it
// treats bad records. A StructuredReport holds counts, field names and input positions — never a
// value — so it can be stored and shared with the output. Plain values; not thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "phiguard/core/file_io.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/text_pipeline.h"

namespace phiguard::deid {

// What a run does with a record it cannot parse or transform.
enum class OnError : uint8_t {
  kStop,  // the run fails with the file, line and reason; the caller discards the output
  kSkip,  // the record goes to the quarantine file (verbatim) and into the report; the run goes on
};

// Options shared by every structured format.
struct StructuredOptions {
  // Worker threads over records (FHIR, JSONL); output stays in input order.
  int threads = 1;
  // Longest record (line, HL7 message) accepted; longer is ResourceExhausted (or quarantined).
  size_t max_record_bytes = 64u << 20;
  // Records handed to the workers at once (bounds memory: batch_records * max record size).
  size_t batch_records = 256;
  OnError on_error = OnError::kStop;
  // kSkip: the bad records' bytes, one per line (HL7: one message per block). Not owned; may be
  // null (then bad records are only counted and listed).
  AtomicFileWriter* quarantine = nullptr;
  // "\rN records, X MB" on stderr while running.
  bool progress = false;
};

// Where a bad record was and why (no value from the record).
struct RecordError {
  std::string file;
  size_t line = 0;
  std::string reason;
};

struct StructuredReport {
  size_t records = 0;  // records written
  size_t dropped = 0;  // records the policy removes whole (e.g. a resource type set to drop)
  size_t failed = 0;   // records quarantined under OnError::kSkip
  size_t bytes = 0;    // input bytes read
  std::vector<RecordError> errors;  // the first kMaxListedErrors failures
  // field -> transform applied -> values changed (empty values are left empty and not counted).
  std::map<std::string, std::map<std::string, size_t>> by_field;
  PipelineStats text;  // PHI found inside text fields, by type
  // Filled by the caller: inputs done, fingerprint of the policy, key id (never the key).
  std::vector<std::string> inputs;
  std::string format;
  std::string key_id;

  static constexpr size_t kMaxListedErrors = 1000;
  void AddError(RecordError e);
  // Adds `other`'s counts, errors and inputs to this report.
  void Merge(const StructuredReport& other);
};

// The report as JSON: format, policy name and hash, key id, inputs, records written, dropped and
// failed (with file, line and reason), per-field counts, PHI types found in text. No values.
std::string StructuredReportJson(const StructuredReport& report, const FieldPolicy& policy);

// A few human-readable lines for a terminal: records, failures, top fields, PHI in text.
std::string StructuredReportSummary(const StructuredReport& report, const FieldPolicy& policy);

}  // namespace phiguard::deid
