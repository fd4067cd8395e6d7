// The PHI types phiguard detects, each mapped to its HIPAA Safe Harbor identifier letter
// (45 CFR 164.514(b)(2)(i)(A)-(R)). Values are written to disk and the wire: do not renumber.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace phiguard::phi {

enum class PhiType : uint8_t {
  kName = 1,           // (A) patient, relative, household member or employer name
  kClinicianName = 2,  // (A) clinician name (a name of a person in the record)
  kStreetAddress = 3,  // (B) street address
  kLocation = 4,       // (B) city, county, neighbourhood, other geographic subdivision
  kFacility = 5,       // (B) hospital, clinic, nursing home or other facility name
  kZip = 6,            // (B) ZIP code
  kDate = 7,           // (C) date element other than the year
  kAge = 8,            // (C) age over 89
  kPhone = 9,          // (D) telephone number
  kFax = 10,           // (E) fax number
  kEmail = 11,         // (F) email address
  kSsn = 12,           // (G) Social Security number
  kMrn = 13,           // (H) medical record number
  kHealthPlan = 14,    // (I) health plan beneficiary number
  kAccount = 15,       // (J) account number
  kLicense = 16,       // (K) certificate or license number
  kVehicle = 17,       // (L) vehicle identifier, serial number or licence plate
  kDevice = 18,        // (M) device identifier or serial number
  kUrl = 19,           // (N) web URL
  kIpAddress = 20,     // (O) IP address
  kBiometric = 21,     // (P) biometric identifier
  kOther = 22,         // (R) any other unique identifying number, characteristic or code
};

inline constexpr int kNumPhiTypes = 22;

// Upper-case tag used in redaction output and profiles, e.g. "NAME", "DATE".
std::string_view PhiTypeName(PhiType type);
// Safe Harbor letter, 'A'..'R'.
char SafeHarborLetter(PhiType type);
// Parses a tag as written by PhiTypeName (case-insensitive). nullopt if unknown.
std::optional<PhiType> ParsePhiType(std::string_view name);

}  // namespace phiguard::phi
