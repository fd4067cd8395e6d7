// De-identifies FHIR R4 resources under a FieldPolicy whose fields are FHIR paths (see
// src/deid/internal/fhir_rules.h for the path forms: "Patient.name", "*.extension",
// "Patient.identifier.where(type.coding.code='SS').value", "Resource.text", "Device").
//
// Input: FHIR Bulk Data NDJSON (one resource per line; any file not ending in .json) or one JSON
// resource or Bundle (a .json file, which may span many lines). Output: the same resources, one
// per line, in input order, keys in input order, numbers exactly as written.
//
// What the walker adds to the policy's transforms:
// - Ids stay linkable: `pseudonym` on a resource `id`, a `reference` ("Patient/123",
//   "urn:uuid:...", "Practitioner?identifier=system|value") or a `fullUrl` replaces each id with
//   its keyed format-preserving pseudonym, and so does `pseudonym` with `format: preserve` on an
//   identifier value — so "Patient/123" in an Encounter names the pseudonymised Patient in every
//   file and shard that uses the same key.
// - Dates stay valid FHIR: date-shift and generalize keep the date/dateTime/instant format; a
//   generalised birthDate more than 89 years before the policy's reference_year is aggregated.
//   Strings no rule names that are FHIR dates get the text profile's DATE transform.
// - `text` on a base64 `data` element (DocumentReference.content.attachment.data, Binary.data)
//   decodes it, runs the free-text engine and re-encodes it; data that is not UTF-8 text cannot
//   be checked and is removed.
// - Dates are shifted per patient: the Patient's id, or the patient a resource's subject /
//   patient / beneficiary reference names.
// - Numbers and booleans are kept unless a rule that cannot keep them (redact, pseudonym,
//   truncate, hash-bucket, drop) covers them: then the element is removed. Objects and arrays
//   left empty are removed.
//
// Every record is processed on its own, so output does not depend on threads or sharding.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "phiguard/core/file_io.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/structured_report.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::deid {

// Checks that every field of `policy` is a FHIR path this walker understands. InvalidArgument
// "<policy>: line L, column C: ..." naming the first bad rule.
absl::Status ValidateFhirPolicy(const FieldPolicy& policy);

// `transformer` must have been built with policy.text_profile. A malformed resource is
// InvalidArgument "<file>:<line>: <reason>" (the caller discards the output), or under
// OnError::kSkip goes to run.quarantine and the report.
absl::StatusOr<StructuredReport> DeidentifyFhir(const phi::Detector& detector,
                                                const Transformer& transformer,
                                                const FieldPolicy& policy,
                                                const std::string& input_path,
                                                AtomicFileWriter& out,
                                                const StructuredOptions& run = {});

}  // namespace phiguard::deid
