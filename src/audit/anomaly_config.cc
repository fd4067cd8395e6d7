// Loading the anomaly configuration (YAML or JSON) and the relationships file. Patient
// identifiers, surnames and addresses are keyed with the audit key as they are read and never kept
// raw or echoed in messages: errors name the file, line and key only.
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <filesystem>
#include <functional>

#include "phiguard/audit/anomaly.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"

namespace phiguard::audit {
namespace {

constexpr size_t kMaxConfigBytes = 64u << 20;

class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  absl::Status Error(const YAML::Node& n, std::string_view key, std::string_view what) const {
    return absl::InvalidArgumentError(
        Cat(name_, ":", n.Mark().line + 1, ": ", key.empty() ? "" : Cat("\"", key, "\": "), what));
  }

  absl::StatusOr<YAML::Node> Load(std::string_view text) const {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(Cat(name_, ":", e.mark.line + 1, ": ", e.msg));
    }
    if (root.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!root.IsMap()) return absl::InvalidArgumentError(Cat(name_, ": top level must be a mapping"));
    return root;
  }

  // Calls `fn(key, value)` for each entry of mapping `n`; unknown keys (not in `known`) are errors,
  // so a typo never silently disables a rule.
  absl::Status ForEach(const YAML::Node& n, std::string_view where,
                       const std::set<std::string>& known,
                       const std::function<absl::Status(const std::string&, const YAML::Node&)>& fn)
      const {
    if (!n.IsMap()) return Error(n, where, "must be a mapping");
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) return Error(kv.first, where, "keys must be plain names");
      const std::string key = kv.first.Scalar();
      if (!known.empty() && known.count(key) == 0) {
        return Error(kv.first, key, Cat("unknown key", where.empty() ? "" : Cat(" in ", where)));
      }
      absl::Status s = fn(key, kv.second);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status Number(const YAML::Node& n, std::string_view key, T min, T max, T& out) const {
    T v{};
    if (!n.IsScalar() || !ParseNumber(n.Scalar(), v) || v < min || v > max) {
      return Error(n, key, Cat("must be a number from ", min, " to ", max));
    }
    out = v;
    return absl::OkStatus();
  }

  absl::Status Str(const YAML::Node& n, std::string_view key, std::string& out) const {
    if (!n.IsScalar() || n.Scalar().empty()) return Error(n, key, "must be a non-empty string");
    out = n.Scalar();
    return absl::OkStatus();
  }

  absl::Status StrList(const YAML::Node& n, std::string_view key, std::set<std::string>& out) const {
    if (!n.IsSequence()) return Error(n, key, "must be a list of strings");
    out.clear();
    for (const YAML::Node& item : n) {
      std::string s;
      absl::Status st = Str(item, key, s);
      if (!st.ok()) return st;
      out.insert(std::move(s));
    }
    return absl::OkStatus();
  }

  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// "HH:MM-HH:MM" -> minutes of the day.
bool ParseHours(const std::string& text, int& start, int& end) {
  int h1, m1, h2, m2;
  char tail;
  if (std::sscanf(text.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4) return false;
  if (h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59) return false;
  start = h1 * 60 + m1;
  end = h2 * 60 + m2;
  return start < end && end <= 1440;
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

absl::Status LoadFlaggedFile(const std::string& path, const crypto::SecretKey& key,
                             AnomalyConfig& c) {
  absl::StatusOr<std::unique_ptr<LineReader>> r = LineReader::Open(path, 4096);
  if (!r.ok()) return r.status();
  std::string line;
  while ((*r)->Next(line)) {
    std::string_view id = StripAscii(line);
    if (id.empty() || id[0] == '#') continue;
    c.flagged.insert(PseudonymizeId(key, id));
  }
  return (*r)->status();
}

absl::Status LoadRelationships(const std::string& path, const crypto::SecretKey& key,
                               AnomalyConfig& c) {
  absl::StatusOr<std::string> text = ReadFileBounded(path, kMaxConfigBytes);
  if (!text.ok()) return text.status();
  Reader rd(path);
  absl::StatusOr<YAML::Node> root = rd.Load(*text);
  if (!root.ok()) return root.status();
  auto people = [&](const YAML::Node& list, std::string_view section, std::string_view id_key)
      -> absl::Status {
    if (!list.IsSequence()) return rd.Error(list, section, "must be a list");
    for (const YAML::Node& item : list) {
      std::string id;
      std::set<std::string> tags;
      absl::Status s = rd.ForEach(
          item, section, {std::string(id_key), "surname", "address"},
          [&](const std::string& k, const YAML::Node& v) {
            std::string value;
            absl::Status st = rd.Str(v, k, value);
            if (!st.ok()) return st;
            if (k == id_key) {
              id = value;
            } else {
              tags.insert(RelationshipTag(key, k, value));
            }
            return absl::OkStatus();
          });
      if (!s.ok()) return s;
      if (id.empty()) return rd.Error(item, section, Cat("entry lacks \"", id_key, "\""));
      if (id_key == "actor") {
        c.actor_tags[id].insert(tags.begin(), tags.end());
      } else {
        c.patient_tags[PseudonymizeId(key, id)].insert(tags.begin(), tags.end());
      }
    }
    return absl::OkStatus();
  };
  return rd.ForEach(
      *root, "", {"employees", "patients", "pairs"}, [&](const std::string& k, const YAML::Node& v) {
        if (k == "employees") return people(v, k, "actor");
        if (k == "patients") return people(v, k, "id");
        if (!v.IsSequence()) return rd.Error(v, k, "must be a list");
        for (const YAML::Node& item : v) {
          std::string actor, patient;
          absl::Status s = rd.ForEach(item, k, {"actor", "patient"},
                                      [&](const std::string& pk, const YAML::Node& pv) {
                                        return rd.Str(pv, pk, pk == "actor" ? actor : patient);
                                      });
          if (!s.ok()) return s;
          if (actor.empty() || patient.empty()) {
            return rd.Error(item, k, "each pair needs \"actor\" and \"patient\"");
          }
          c.related_pairs.insert({actor, PseudonymizeId(key, patient)});
        }
        return absl::OkStatus();
      });
}

}  // namespace

std::string RelationshipTag(const crypto::SecretKey& audit_key, std::string_view kind,
                            std::string_view value) {
  std::string norm;
  for (char ch : value) {
    const unsigned char u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) || u >= 0x80) {
      norm.push_back(static_cast<char>(std::tolower(u)));
    } else if (!norm.empty() && norm.back() != ' ') {
      norm.push_back(' ');
    }
  }
  while (!norm.empty() && norm.back() == ' ') norm.pop_back();
  return Cat(kind, ":", PseudonymizeId(audit_key, Cat("rel:", kind, ":", norm)));
}

absl::StatusOr<AnomalyConfig> ParseAnomalyConfig(std::string_view yaml, std::string_view name,
                                                 const std::string& base_dir,
                                                 const crypto::SecretKey& audit_key) {
  Reader rd{std::string(name)};
  absl::StatusOr<YAML::Node> root = rd.Load(yaml);
  if (!root.ok()) return root.status();
  AnomalyConfig c;
  const std::set<std::string> rules(AllAnomalyRules().begin(), AllAnomalyRules().end());
  auto section = [&](const YAML::Node& v, std::string_view where, const std::set<std::string>& known,
                     const std::function<absl::Status(const std::string&, const YAML::Node&)>& fn) {
    return rd.ForEach(v, where, known, fn);
  };
  absl::Status s = rd.ForEach(
      *root, "",
      {"baseline", "volume", "bulk_export", "auth", "break_glass", "flagged_patients",
       "flagged_patients_file", "relationships_file", "services", "service_prefixes", "vendors",
       "disabled_rules", "max_seqs_per_alert"},
      [&](const std::string& k, const YAML::Node& v) -> absl::Status {
        if (k == "baseline") {
          return section(v, k,
                         {"days", "min_active_days", "mad_k", "slack_minutes",
                          "continuation_minutes", "default_working_hours", "utc_offset_minutes"},
                         [&](const std::string& bk, const YAML::Node& bv) -> absl::Status {
                           if (bk == "days") return rd.Number(bv, bk, 1, 366, c.baseline_days);
                           if (bk == "min_active_days") {
                             return rd.Number(bv, bk, 1, 366, c.min_active_days);
                           }
                           if (bk == "mad_k") return rd.Number(bv, bk, 0.5, 100.0, c.mad_k);
                           if (bk == "slack_minutes") {
                             return rd.Number(bv, bk, 0, 720, c.slack_minutes);
                           }
                           if (bk == "continuation_minutes") {
                             return rd.Number(bv, bk, 0, 720, c.continuation_minutes);
                           }
                           if (bk == "utc_offset_minutes") {
                             return rd.Number(bv, bk, -14 * 60, 14 * 60, c.utc_offset_minutes);
                           }
                           std::string hours;
                           absl::Status st = rd.Str(bv, bk, hours);
                           if (st.ok() && !ParseHours(hours, c.default_start_minute,
                                                      c.default_end_minute)) {
                             return rd.Error(bv, bk, "must look like \"07:00-19:00\" (start < end)");
                           }
                           return st;
                         });
        }
        if (k == "volume") {
          return section(v, k, {"min_events", "min_ratio", "absolute_events"},
                         [&](const std::string& vk, const YAML::Node& vv) -> absl::Status {
                           if (vk == "min_events") {
                             return rd.Number<int64_t>(vv, vk, 1, 1'000'000'000, c.volume_min_events);
                           }
                           if (vk == "min_ratio") return rd.Number(vv, vk, 1.0, 1e6, c.volume_min_ratio);
                           return rd.Number<int64_t>(vv, vk, 1, 1'000'000'000,
                                                     c.volume_absolute_events);
                         });
        }
        if (k == "bulk_export") {
          return section(v, k, {"min_records", "export_actions", "export_min_records"},
                         [&](const std::string& bk, const YAML::Node& bv) -> absl::Status {
                           if (bk == "min_records") {
                             return rd.Number<int64_t>(bv, bk, 1, 1'000'000'000, c.bulk_min_records);
                           }
                           if (bk == "export_min_records") {
                             return rd.Number<int64_t>(bv, bk, 1, 1'000'000'000,
                                                       c.export_min_records);
                           }
                           return rd.StrList(bv, bk, c.export_actions);
                         });
        }
        if (k == "auth") {
          return section(v, k, {"actions", "burst_failures", "window_minutes"},
                         [&](const std::string& ak, const YAML::Node& av) -> absl::Status {
                           if (ak == "actions") return rd.StrList(av, ak, c.auth_actions);
                           if (ak == "burst_failures") {
                             return rd.Number(av, ak, 2, 100'000, c.auth_burst_failures);
                           }
                           return rd.Number(av, ak, 1, 24 * 60, c.auth_window_minutes);
                         });
        }
        if (k == "break_glass") {
          return section(v, k, {"actions", "purposes"},
                         [&](const std::string& bk, const YAML::Node& bv) {
                           return rd.StrList(bv, bk,
                                             bk == "actions" ? c.break_glass_actions
                                                             : c.break_glass_purposes);
                         });
        }
        if (k == "flagged_patients") {
          if (!v.IsSequence()) return rd.Error(v, k, "must be a list of patient identifiers");
          for (const YAML::Node& item : v) {
            std::string id;
            absl::Status st = rd.Str(item, k, id);
            if (!st.ok()) return st;
            c.flagged.insert(PseudonymizeId(audit_key, id));
          }
          return absl::OkStatus();
        }
        if (k == "flagged_patients_file" || k == "relationships_file") {
          std::string path;
          absl::Status st = rd.Str(v, k, path);
          if (!st.ok()) return st;
          path = Resolve(base_dir, path);
          st = k == "relationships_file" ? LoadRelationships(path, audit_key, c)
                                         : LoadFlaggedFile(path, audit_key, c);
          if (!st.ok()) {
            return absl::Status(st.code(), Cat(rd.name(), ":", v.Mark().line + 1, ": \"", k,
                                               "\": ", st.message()));
          }
          return absl::OkStatus();
        }
        if (k == "services") {
          return section(v, k, {}, [&](const std::string& svc, const YAML::Node& sv) {
            ServicePolicy& p = c.services[svc];
            return section(sv, svc, {"purposes", "actions"},
                           [&](const std::string& pk, const YAML::Node& pv) {
                             return rd.StrList(pv, pk, pk == "purposes" ? p.purposes : p.actions);
                           });
          });
        }
        if (k == "service_prefixes") {
          std::set<std::string> prefixes;
          absl::Status st = rd.StrList(v, k, prefixes);
          c.service_prefixes.assign(prefixes.begin(), prefixes.end());
          return st;
        }
        if (k == "vendors") {
          return section(v, k, {}, [&](const std::string& vendor, const YAML::Node& vv) {
            std::set<std::string>& covered = c.vendor_covered[vendor];
            return section(vv, vendor, {"covered_phi_types"},
                           [&](const std::string& ck, const YAML::Node& cv) {
                             return rd.StrList(cv, ck, covered);
                           });
          });
        }
        if (k == "disabled_rules") {
          absl::Status st = rd.StrList(v, k, c.disabled_rules);
          if (!st.ok()) return st;
          for (const std::string& r : c.disabled_rules) {
            if (rules.count(r) == 0) return rd.Error(v, k, Cat("unknown rule \"", r, "\""));
          }
          return absl::OkStatus();
        }
        return rd.Number<size_t>(v, k, 1, 1'000'000, c.max_seqs_per_alert);
      });
  if (!s.ok()) return s;
  return c;
}

absl::StatusOr<AnomalyConfig> LoadAnomalyConfig(const std::string& path,
                                                const crypto::SecretKey& audit_key) {
  absl::StatusOr<std::string> text = ReadFileBounded(path, kMaxConfigBytes);
  if (!text.ok()) return text.status();
  return ParseAnomalyConfig(*text, path, std::filesystem::path(path).parent_path().string(),
                            audit_key);
}

}  // namespace phiguard::audit
