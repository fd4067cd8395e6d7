#include "phiguard/deid/field_policy.h"

#include "deid/internal/yaml_doc.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <initializer_list>
#include <utility>

#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/hmac.h"
#include "phiguard/phi/detector.h"

namespace phiguard::deid {
namespace {

constexpr std::pair<FieldAction, std::string_view> kActions[] = {
    {FieldAction::kKeep, "keep"},         {FieldAction::kDrop, "drop"},
    {FieldAction::kRedact, "redact"},     {FieldAction::kPseudonym, "pseudonym"},
    {FieldAction::kDateShift, "date-shift"}, {FieldAction::kGeneralize, "generalize"},
    {FieldAction::kText, "text"},         {FieldAction::kTruncate, "truncate"},
    {FieldAction::kHashBucket, "hash-bucket"},
};

std::string Where(const YAML::Node& n) { return internal::YamlWhere("policy", n); }

std::string HexOf(const crypto::Sha256Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

absl::StatusOr<FieldAction> ParseAction(const YAML::Node& n) {
  std::string s = n.as<std::string>();
  for (const auto& [a, name] : kActions) {
    if (EqualsIgnoreCase(name, s)) return a;
  }
  return absl::InvalidArgumentError(Cat(Where(n), "unknown transform '", s, "'"));
}

absl::StatusOr<FieldRule> ParseRule(const YAML::Node& n) {
  FieldRule r;
  if (n.IsScalar()) {  // "mrn: pseudonym"
    auto a = ParseAction(n);
    if (!a.ok()) return a.status();
    r.action = *a;
    return r;
  }
  if (!n.IsMap()) return absl::InvalidArgumentError(Cat(Where(n), "a field rule is a mapping"));
  for (const auto& kv : n) {
    std::string k = kv.first.as<std::string>();
    if (k != "transform" && k != "type" && k != "to" && k != "length" && k != "buckets" &&
        k != "format") {
      return absl::InvalidArgumentError(Cat(Where(kv.first), "unknown key '", k, "'"));
    }
  }
  if (!n["transform"]) return absl::InvalidArgumentError(Cat(Where(n), "missing 'transform'"));
  auto a = ParseAction(n["transform"]);
  if (!a.ok()) return a.status();
  r.action = *a;
  if (n["type"]) {
    auto t = phi::ParsePhiType(n["type"].as<std::string>());
    if (!t) return absl::InvalidArgumentError(Cat(Where(n["type"]), "unknown PHI type"));
    r.type = *t;
  } else if (r.action == FieldAction::kDateShift) {
    r.type = phi::PhiType::kDate;
  }
  if (n["to"]) {
    std::string to = n["to"].as<std::string>();
    if (to != "year" && to != "month") {
      return absl::InvalidArgumentError(Cat(Where(n["to"]), "'to' is year or month"));
    }
    r.to_month = to == "month";
  }
  if (n["format"]) {
    if (n["format"].as<std::string>() != "preserve") {
      return absl::InvalidArgumentError(Cat(Where(n["format"]), "'format' is preserve"));
    }
    if (r.action != FieldAction::kPseudonym) {
      return absl::InvalidArgumentError(Cat(Where(n["format"]), "format: preserve needs pseudonym"));
    }
    r.preserve_format = true;
  }
  if (n["to"] && !(r.action == FieldAction::kGeneralize && r.type == phi::PhiType::kDate)) {
    return absl::InvalidArgumentError(Cat(Where(n["to"]), "'to' needs generalize with type DATE"));
  }
  if (r.action == FieldAction::kTruncate) {
    if (!n["length"]) return absl::InvalidArgumentError(Cat(Where(n), "truncate needs 'length'"));
    r.length = n["length"].as<size_t>();
  }
  if (r.action == FieldAction::kHashBucket) {
    if (!n["buckets"]) return absl::InvalidArgumentError(Cat(Where(n), "hash-bucket needs 'buckets'"));
    r.buckets = n["buckets"].as<uint64_t>();
    if (r.buckets == 0) return absl::InvalidArgumentError(Cat(Where(n["buckets"]), "buckets must be > 0"));
  }
  if (r.action == FieldAction::kGeneralize && r.type != phi::PhiType::kZip &&
      r.type != phi::PhiType::kAge && r.type != phi::PhiType::kDate) {
    return absl::InvalidArgumentError(
        Cat(Where(n), "generalize needs type ZIP, AGE or DATE"));
  }
  return r;
}

}  // namespace

std::string_view FieldActionName(FieldAction a) {
  for (const auto& [x, name] : kActions) {
    if (x == a) return name;
  }
  return "?";
}

bool FieldPolicy::NeedsKey() const {
  auto keyed = [](const FieldRule& r) {
    return r.action == FieldAction::kPseudonym || r.action == FieldAction::kDateShift ||
           r.action == FieldAction::kHashBucket;
  };
  if (keyed(default_rule) || text_profile.NeedsKey()) return true;
  for (const auto& [name, rule] : fields) {
    if (keyed(rule)) return true;
  }
  return false;
}

std::optional<FieldRule> RuleFromFieldName(std::string_view field_name) {
  std::string n;
  for (char c : field_name) {
    if (std::isalnum(static_cast<unsigned char>(c))) n.push_back(static_cast<char>(std::tolower(c)));
  }
  auto rule = [](FieldAction a, phi::PhiType t) {
    FieldRule r;
    r.action = a;
    r.type = t;
    return r;
  };
  auto any = [&](std::initializer_list<std::string_view> names) {
    for (std::string_view x : names) {
      if (n == x) return true;
    }
    return false;
  };
  auto ends = [&](std::initializer_list<std::string_view> suffixes) {
    for (std::string_view x : suffixes) {
      if (n.ends_with(x)) return true;
    }
    return false;
  };
  using A = FieldAction;
  using T = phi::PhiType;
  if (any({"zip", "zipcode", "postalcode", "postcode", "zip5"}) || ends({"zip", "zipcode"}))
    return rule(A::kGeneralize, T::kZip);
  if (any({"age", "ageyears", "patientage"})) return rule(A::kGeneralize, T::kAge);
  if (any({"dob", "birthdate", "dateofbirth", "birthday", "deathdate", "dateofdeath", "dod",
           "admitted", "discharged", "admissiondate", "dischargedate"}) ||
      ends({"date", "dt", "datetime", "timestamp"}) || n.starts_with("date"))
    return rule(A::kGeneralize, T::kDate);
  if (any({"name", "firstname", "lastname", "fullname", "surname", "givenname", "middlename",
           "familyname", "patientname", "first", "last", "maidenname", "nextofkin", "given",
           "family"}) ||
      ends({"firstname", "lastname", "fullname", "surname"}))
    return rule(A::kRedact, T::kName);
  if (any({"ssn", "socialsecuritynumber", "socialsecurity"})) return rule(A::kRedact, T::kSsn);
  if (any({"mrn", "medicalrecordnumber", "patientid", "medicalrecord"}) || ends({"mrn"}))
    return rule(A::kRedact, T::kMrn);
  if (ends({"phone", "telephone", "mobile", "cell", "phonenumber"})) return rule(A::kRedact, T::kPhone);
  if (ends({"fax"})) return rule(A::kRedact, T::kFax);
  if (ends({"email", "emailaddress"})) return rule(A::kRedact, T::kEmail);
  if (any({"address", "street", "address1", "address2", "streetaddress", "addressline1",
           "addressline2"}) || ends({"address"}))
    return rule(A::kRedact, T::kStreetAddress);
  if (any({"city", "county", "town", "municipality"}) || ends({"city", "county"}))
    return rule(A::kRedact, T::kLocation);
  if (ends({"accountnumber", "acct", "accountno"})) return rule(A::kRedact, T::kAccount);
  if (ends({"memberid", "policynumber", "subscriberid"})) return rule(A::kRedact, T::kHealthPlan);
  if (ends({"license", "licensenumber", "npi", "dea"})) return rule(A::kRedact, T::kLicense);
  if (ends({"ip", "ipaddress"})) return rule(A::kRedact, T::kIpAddress);
  if (ends({"url", "website"})) return rule(A::kRedact, T::kUrl);
  if (ends({"vin", "plate", "licenseplate"})) return rule(A::kRedact, T::kVehicle);
  if (ends({"serialnumber", "deviceid", "udi"})) return rule(A::kRedact, T::kDevice);
  return std::nullopt;
}

FieldPolicy DefaultFieldPolicy() {
  FieldPolicy p;
  p.text_profile = *BuiltinProfile("safe-harbor");
  p.source = "builtin:default";
  p.hash = "default";
  return p;
}

absl::StatusOr<FieldPolicy> ParseFieldPolicyYaml(std::string_view yaml) {
  auto loaded = internal::LoadYamlMapping("policy", yaml);
  if (!loaded.ok()) return loaded.status();
  const YAML::Node& root = *loaded;
  try {
    FieldPolicy p = DefaultFieldPolicy();
    for (const auto& kv : root) {
      std::string k = kv.first.as<std::string>();
      if (k != "name" && k != "patient_field" && k != "default" && k != "text_profile" &&
          k != "fields" && k != "description" && k != "reference_year" &&
          k != "unchecked_types") {
        return absl::InvalidArgumentError(Cat(Where(kv.first), "unknown field '", k, "'"));
      }
    }
    if (root["name"]) p.name = root["name"].as<std::string>();
    if (root["patient_field"]) p.patient_field = root["patient_field"].as<std::string>();
    if (root["reference_year"]) {
      p.reference_year = root["reference_year"].as<int>();
      if (p.reference_year < 1900 || p.reference_year > 9999) {
        return absl::InvalidArgumentError(
            Cat(Where(root["reference_year"]), "reference_year must be a year (1900-9999)"));
      }
    }
    if (const YAML::Node& u = root["unchecked_types"]) {
      if (!u.IsSequence()) {
        return absl::InvalidArgumentError(
            Cat(Where(u), "unchecked_types is a list of resource types"));
      }
      for (const auto& t : u) {
        std::string type = t.as<std::string>();
        if (type.empty() || !std::isupper(static_cast<unsigned char>(type[0])) ||
            !std::all_of(type.begin(), type.end(),
                         [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; })) {
          return absl::InvalidArgumentError(Cat(Where(t), "'", type, "' is not a resource type name"));
        }
        p.unchecked_types.push_back(std::move(type));
      }
    }
    if (root["default"]) {
      auto r = ParseRule(root["default"]);
      if (!r.ok()) return r.status();
      if (r->action != FieldAction::kKeep && r->action != FieldAction::kDrop &&
          r->action != FieldAction::kRedact && r->action != FieldAction::kText) {
        return absl::InvalidArgumentError(
            Cat(Where(root["default"]), "default must be keep, drop, redact or text"));
      }
      p.default_rule = *r;
    }
    if (root["text_profile"]) {
      auto prof = LoadProfile(root["text_profile"].as<std::string>());
      if (!prof.ok()) {
        return absl::InvalidArgumentError(Cat(Where(root["text_profile"]), prof.status().message()));
      }
      p.text_profile = *prof;
    }
    if (const YAML::Node& f = root["fields"]) {
      if (!f.IsMap()) return absl::InvalidArgumentError(Cat(Where(f), "fields must be a mapping"));
      for (const auto& kv : f) {
        auto r = ParseRule(kv.second);
        if (!r.ok()) return r.status();
        r->line = kv.first.Mark().line + 1;
        r->column = kv.first.Mark().column + 1;
        std::string name = kv.first.as<std::string>();
        if (!p.fields.emplace(name, *r).second) {
          return absl::InvalidArgumentError(Cat(Where(kv.first), "field '", name, "' twice"));
        }
      }
    }
    p.hash = HexOf(crypto::HmacSha256Raw("phiguard field policy v1", yaml));
    return p;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(Cat("policy: line ", e.mark.line + 1, ", column ",
                                          e.mark.column + 1, ": ", e.msg));
  }
}

absl::StatusOr<FieldPolicy> LoadFieldPolicy(const std::string& path) {
  auto text = ReadFileBounded(path, 1 << 20);
  if (!text.ok()) return text.status();
  auto p = ParseFieldPolicyYaml(*text);
  if (!p.ok()) return absl::InvalidArgumentError(Cat(path, ": ", p.status().message()));
  p->source = path;
  return p;
}

std::string PolicyWhere(const FieldPolicy& policy, const FieldRule& rule) {
  return Cat(policy.source, ": line ", rule.line, ", column ", rule.column, ": ");
}

absl::StatusOr<FieldPolicy> LoadFieldPolicyFor(std::string_view format,
                                               const std::string& name_or_path,
                                               const std::string& data_dir) {
  if (name_or_path.empty() || name_or_path == "default") return DefaultFieldPolicy();
  std::error_code ec;
  if (std::filesystem::exists(name_or_path, ec)) return LoadFieldPolicy(name_or_path);
  bool plain_name = name_or_path.find('/') == std::string::npos &&
                    name_or_path.find('.') == std::string::npos;
  if (!plain_name) return absl::NotFoundError(Cat(name_or_path, ": no such policy file"));
  std::string dir = data_dir.empty() ? phi::DefaultDataDir() : data_dir;
  std::string path = Cat(dir, "/policies/", format, "-", name_or_path, ".yaml");
  if (!std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(Cat("no built-in ", format, " policy '", name_or_path,
                                   "' (looked for ", path, ")"));
  }
  auto p = LoadFieldPolicy(path);
  if (p.ok()) p->source = Cat("builtin:", format, "-", name_or_path, " (", path, ")");
  return p;
}

}  // namespace phiguard::deid
