#include "phiguard/deid/profile.h"

#include "deid/internal/yaml_doc.h"

#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"

namespace phiguard::deid {
namespace {

using phi::PhiType;

constexpr std::pair<Transform, std::string_view> kNames[] = {
    {Transform::kKeep, "keep"},           {Transform::kRedact, "redact"},
    {Transform::kMask, "mask"},           {Transform::kSurrogate, "surrogate"},
    {Transform::kPseudonym, "pseudonym"}, {Transform::kDateShift, "date-shift"},
    {Transform::kGeneralize, "generalize"},
};

constexpr std::string_view kBuiltins = "safe-harbor, redact, pseudonymize, surrogate, mask";

Profile AllOf(std::string name, Transform t) {
  Profile p;
  p.name = std::move(name);
  p.by_type.fill(t);
  return p;
}

}  // namespace

std::string_view TransformName(Transform t) {
  for (const auto& [x, n] : kNames) {
    if (x == t) return n;
  }
  return "?";
}

std::optional<Transform> ParseTransform(std::string_view name) {
  for (const auto& [x, n] : kNames) {
    if (EqualsIgnoreCase(n, name)) return x;
  }
  if (EqualsIgnoreCase(name, "generalise")) return Transform::kGeneralize;
  if (EqualsIgnoreCase(name, "date_shift")) return Transform::kDateShift;
  return std::nullopt;
}

bool Profile::NeedsKey() const {
  for (int i = 1; i <= phi::kNumPhiTypes; ++i) {
    Transform t = by_type[i];
    if (t == Transform::kSurrogate || t == Transform::kPseudonym || t == Transform::kDateShift)
      return true;
  }
  return false;
}

absl::StatusOr<Profile> BuiltinProfile(std::string_view name) {
  if (name == "safe-harbor") {
    // 45 CFR 164.514(b)(2)(i): remove (A)-(R); keep years; ages over 89 become "90+"; ZIP codes
    // keep their first three digits where the 3-digit area holds more than 20,000 people.
    Profile p = AllOf("safe-harbor", Transform::kRedact);
    p.Set(PhiType::kDate, Transform::kGeneralize);
    p.Set(PhiType::kAge, Transform::kGeneralize);
    p.Set(PhiType::kZip, Transform::kGeneralize);
    return p;
  }
  if (name == "redact") return AllOf("redact", Transform::kRedact);
  if (name == "mask") return AllOf("mask", Transform::kMask);
  if (name == "pseudonymize") {
    // Consistent keyed pseudonyms for people and identifiers, dates shifted per patient: the
    // structure a longitudinal model needs, without the identifiers.
    Profile p = AllOf("pseudonymize", Transform::kPseudonym);
    p.Set(PhiType::kDate, Transform::kDateShift);
    p.Set(PhiType::kAge, Transform::kGeneralize);
    p.Set(PhiType::kZip, Transform::kGeneralize);
    for (PhiType t : {PhiType::kLocation, PhiType::kFacility, PhiType::kStreetAddress}) {
      p.Set(t, Transform::kSurrogate);
    }
    return p;
  }
  if (name == "surrogate") {
    Profile p = AllOf("surrogate", Transform::kSurrogate);
    p.Set(PhiType::kDate, Transform::kDateShift);
    p.Set(PhiType::kAge, Transform::kGeneralize);
    return p;
  }
  return absl::NotFoundError(Cat("unknown profile '", name, "' (built-in: ", kBuiltins, ")"));
}

absl::StatusOr<Profile> ParseProfileYaml(std::string_view yaml) {
  auto loaded = internal::LoadYamlMapping("profile", yaml);
  if (!loaded.ok()) return loaded.status();
  const YAML::Node& root = *loaded;
  auto where = [](const YAML::Node& n) { return internal::YamlWhere("profile", n); };
  try {
    Profile p = AllOf("custom", Transform::kRedact);
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      static constexpr std::string_view kKnown[] = {"name", "base", "default", "transforms",
                                                    "date_shift", "min_confidence",
                                                    "extra_patterns", "description"};
      bool known = false;
      for (std::string_view k : kKnown) known |= key == k;
      if (!known) return absl::InvalidArgumentError(Cat(where(kv.first), "unknown field '", key, "'"));
    }
    if (root["base"]) {
      auto base = BuiltinProfile(root["base"].as<std::string>());
      if (!base.ok()) {
        return absl::InvalidArgumentError(Cat(where(root["base"]), base.status().message()));
      }
      p = *base;
    }
    if (root["name"]) p.name = root["name"].as<std::string>();
    if (root["default"]) {
      auto t = ParseTransform(root["default"].as<std::string>());
      if (!t) return absl::InvalidArgumentError(Cat(where(root["default"]), "unknown transform"));
      p.by_type.fill(*t);
    }
    if (const YAML::Node& tr = root["transforms"]) {
      if (!tr.IsMap()) return absl::InvalidArgumentError(Cat(where(tr), "transforms must be a mapping"));
      for (const auto& kv : tr) {
        std::string type_name = kv.first.as<std::string>();
        auto type = phi::ParsePhiType(type_name);
        if (!type) {
          return absl::InvalidArgumentError(Cat(where(kv.first), "unknown PHI type '", type_name, "'"));
        }
        auto t = ParseTransform(kv.second.as<std::string>());
        if (!t) {
          return absl::InvalidArgumentError(Cat(where(kv.second), "unknown transform '",
                                                kv.second.as<std::string>(), "'"));
        }
        p.Set(*type, *t);
      }
    }
    if (const YAML::Node& ds = root["date_shift"]) {
      if (ds["max_days"]) {
        int d = ds["max_days"].as<int>();
        if (d < 7 || d > 3650) {
          return absl::InvalidArgumentError(Cat(where(ds["max_days"]), "max_days must be 7..3650"));
        }
        p.date_shift_max_days = d;
      }
    }
    if (root["min_confidence"]) {
      float c = root["min_confidence"].as<float>();
      if (c < 0 || c > 1) {
        return absl::InvalidArgumentError(Cat(where(root["min_confidence"]), "must be 0..1"));
      }
      p.min_confidence = c;
    }
    if (const YAML::Node& ep = root["extra_patterns"]) {
      if (!ep.IsSequence()) {
        return absl::InvalidArgumentError(Cat(where(ep), "extra_patterns must be a list"));
      }
      for (const auto& item : ep) {
        if (!item["regex"]) return absl::InvalidArgumentError(Cat(where(item), "pattern needs 'regex'"));
        phi::ExtraPattern x;
        x.regex = item["regex"].as<std::string>();
        x.name = item["name"] ? item["name"].as<std::string>() : x.regex;
        if (item["type"]) {
          auto type = phi::ParsePhiType(item["type"].as<std::string>());
          if (!type) return absl::InvalidArgumentError(Cat(where(item["type"]), "unknown PHI type"));
          x.type = *type;
        }
        p.extra_patterns.push_back(std::move(x));
      }
    }
    return p;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(Cat("profile: line ", e.mark.line + 1, ": ", e.msg));
  }
}

absl::StatusOr<Profile> LoadProfile(const std::string& name_or_path) {
  auto builtin = BuiltinProfile(name_or_path);
  if (builtin.ok()) return builtin;
  if (name_or_path.find('/') == std::string::npos && !name_or_path.ends_with(".yaml") &&
      !name_or_path.ends_with(".yml")) {
    return builtin.status();
  }
  auto text = ReadFileBounded(name_or_path, 1 << 20);
  if (!text.ok()) return text.status();
  auto p = ParseProfileYaml(*text);
  if (!p.ok()) return absl::InvalidArgumentError(Cat(name_or_path, ": ", p.status().message()));
  return p;
}

}  // namespace phiguard::deid
