#include "phiguard/phi/phi_type.h"

#include "phiguard/core/strings.h"

namespace phiguard::phi {
namespace {

struct TypeInfo {
  PhiType type;
  std::string_view name;
  char letter;
};

constexpr TypeInfo kTypes[] = {
    {PhiType::kName, "NAME", 'A'},           {PhiType::kClinicianName, "CLINICIAN", 'A'},
    {PhiType::kStreetAddress, "ADDRESS", 'B'}, {PhiType::kLocation, "LOCATION", 'B'},
    {PhiType::kFacility, "FACILITY", 'B'},   {PhiType::kZip, "ZIP", 'B'},
    {PhiType::kDate, "DATE", 'C'},           {PhiType::kAge, "AGE", 'C'},
    {PhiType::kPhone, "PHONE", 'D'},         {PhiType::kFax, "FAX", 'E'},
    {PhiType::kEmail, "EMAIL", 'F'},         {PhiType::kSsn, "SSN", 'G'},
    {PhiType::kMrn, "MRN", 'H'},             {PhiType::kHealthPlan, "HEALTH_PLAN", 'I'},
    {PhiType::kAccount, "ACCOUNT", 'J'},     {PhiType::kLicense, "LICENSE", 'K'},
    {PhiType::kVehicle, "VEHICLE", 'L'},     {PhiType::kDevice, "DEVICE", 'M'},
    {PhiType::kUrl, "URL", 'N'},             {PhiType::kIpAddress, "IP", 'O'},
    {PhiType::kBiometric, "BIOMETRIC", 'P'}, {PhiType::kOther, "ID", 'R'},
};

const TypeInfo& Info(PhiType type) { return kTypes[static_cast<int>(type) - 1]; }

}  // namespace

std::string_view PhiTypeName(PhiType type) { return Info(type).name; }
char SafeHarborLetter(PhiType type) { return Info(type).letter; }

std::optional<PhiType> ParsePhiType(std::string_view name) {
  for (const TypeInfo& t : kTypes) {
    if (phiguard::EqualsIgnoreCase(t.name, name)) return t.type;
  }
  return std::nullopt;
}

}  // namespace phiguard::phi
