// De-identifies HL7v2 pipe-delimited messages under a FieldPolicy whose fields are HL7 locations:
//
//   PID-5        the whole field (every repetition, component and subcomponent in it)
//   PID-11.5     component 5 of every repetition of PID-11
//   PID-3.1.2    subcomponent 2 of component 1
//   OBX-5        observation value: with `text`, only when OBX-2 says it is text (TX, FT, ST);
//                numbers and codes are kept, dates (DT, DTM, TS) follow the text profile's DATE
//                transform, encapsulated data (ED, RP) is redacted
//
// The most specific location wins (PID-11.5 over PID-11); locations the policy does not name get
// `default` (text: the free-text engine), except values that are HL7 dates (YYYYMMDD[HHMM...]),
// which get the text profile's DATE transform in HL7 format. MSH-1 and MSH-2 are never changed.
// Values are unescaped (\F\ \S\ \T\ \R\ \E\, \.br\) before they are transformed and escaped
// again; untouched values are written exactly as read. Dates are shifted per patient: PID-3's
// first identifier. Input files may hold one or many messages, with \r, \n or \r\n after each
// segment; the output keeps the input's terminator. Every message is processed on its own, so
// any split of a file between messages gives the same output.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "phiguard/core/file_io.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/structured_report.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::deid {

// Checks that every field of `policy` is an HL7 location (SEG-F[.C[.S]], F in 1..999).
// InvalidArgument "<policy>: line L, column C: ..." naming the first bad one.
absl::Status ValidateHl7Policy(const FieldPolicy& policy);

// `transformer` must have been built with policy.text_profile. A malformed message (no MSH
// first, bad segment id, bad encoding characters, invalid UTF-8) is InvalidArgument
// "<file>:<line>: <reason>" with the line where its segment starts, or under OnError::kSkip goes
// to run.quarantine (segments joined by \r, a \n after each message) and the report.
absl::StatusOr<StructuredReport> DeidentifyHl7(const phi::Detector& detector,
                                               const Transformer& transformer,
                                               const FieldPolicy& policy,
                                               const std::string& input_path,
                                               AtomicFileWriter& out,
                                               const StructuredOptions& run = {});

}  // namespace phiguard::deid
