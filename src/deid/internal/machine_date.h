// Dates as data formats write them: FHIR date/dateTime/instant ("1987-11-19T00:22:16.824-05:00",
// "1987-11", "1987") and HL7v2 DT/DTM ("20060705000000", "200202150930+0100"). Unlike the free-text
// date parser these have one spelling each, so a shifted or generalised date is written back in the
// same format and stays valid for its schema.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace phiguard::deid::internal {

struct MachineDate {
  int year = 0;
  int month = 0;  // 0: year only
  int day = 0;    // 0: no day
  bool compact = false;  // HL7 "YYYYMMDD..." rather than FHIR "YYYY-MM-DD..."
  std::string rest;      // time and zone after the date, kept as written

  // The same date moved by `days` (a date without a day moves by whole months of ~30 days).
  std::string Shifted(int days) const;
  // "YYYY" or "YYYY-MM" (HL7: "YYYY", "YYYYMM").
  std::string Year() const;
  std::string Month() const;
};

// nullopt unless `text` is exactly a FHIR date/dateTime/instant (`compact` false) or an HL7 DT/DTM
// (`compact` true, at least YYYYMMDD so that plain numbers are not taken for years) with a valid
// month and day.
std::optional<MachineDate> ParseFhirDate(std::string_view text);
std::optional<MachineDate> ParseHl7Date(std::string_view text);

// Safe Harbor (164.514(b)(2)(i)(C)): a birth year more than 89 years before `reference_year`
// becomes reference_year - 90, so every such person falls into one "90 or older" category.
int CapBirthYear(int year, int reference_year);

// `policy_year`, or the current UTC year when it is 0 (FieldPolicy::reference_year).
int ReferenceYear(int policy_year);

}  // namespace phiguard::deid::internal
