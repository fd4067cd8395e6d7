#include "phiguard/deid/structured_report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

#include "phiguard/core/strings.h"

namespace phiguard::deid {

void StructuredReport::AddError(RecordError e) {
  ++failed;
  if (errors.size() < kMaxListedErrors) errors.push_back(std::move(e));
}

void StructuredReport::Merge(const StructuredReport& o) {
  records += o.records;
  dropped += o.dropped;
  failed += o.failed;
  bytes += o.bytes;
  for (const RecordError& e : o.errors) {
    if (errors.size() < kMaxListedErrors) errors.push_back(e);
  }
  for (const auto& [field, counts] : o.by_field) {
    for (const auto& [action, n] : counts) by_field[field][action] += n;
  }
  text.Add(o.text);
  inputs.insert(inputs.end(), o.inputs.begin(), o.inputs.end());
}

std::string StructuredReportJson(const StructuredReport& r, const FieldPolicy& policy) {
  nlohmann::json j;
  j["format"] = r.format;
  j["policy"] = policy.name;
  j["policy_hash"] = policy.hash;
  j["key_id"] = r.key_id;
  j["inputs"] = r.inputs;
  j["records"] = r.records;
  j["records_dropped"] = r.dropped;
  j["records_failed"] = r.failed;
  j["bytes"] = r.bytes;
  j["errors"] = nlohmann::json::array();
  for (const RecordError& e : r.errors) {
    j["errors"].push_back({{"file", e.file}, {"line", e.line}, {"reason", e.reason}});
  }
  j["fields"] = nlohmann::json::object();
  for (const auto& [field, counts] : r.by_field) {
    for (const auto& [action, n] : counts) j["fields"][field][action] = n;
  }
  j["phi_in_text"] = nlohmann::json::object();
  for (int t = 1; t <= phi::kNumPhiTypes; ++t) {
    if (r.text.by_type[t] > 0) {
      j["phi_in_text"][std::string(phi::PhiTypeName(static_cast<phi::PhiType>(t)))] = r.text.by_type[t];
    }
  }
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string StructuredReportSummary(const StructuredReport& r, const FieldPolicy& policy) {
  std::string out = Cat("phiguard: ", r.format.empty() ? "" : r.format + " ", r.records,
                        " records written, ", r.dropped, " dropped by policy, ", r.failed,
                        " failed; policy '", policy.name, "' (", policy.hash.substr(0, 12), ")",
                        r.key_id.empty() ? "" : ", key " + r.key_id, "\n");
  // The ten fields with the most changed values.
  std::vector<std::pair<size_t, std::string>> fields;
  for (const auto& [field, counts] : r.by_field) {
    for (const auto& [action, n] : counts) fields.emplace_back(n, Cat(field, " ", action));
  }
  std::sort(fields.begin(), fields.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  if (fields.size() > 10) fields.resize(10);
  for (const auto& [n, what] : fields) out += Cat("  ", what, ": ", n, "\n");
  out += Cat("  PHI in text fields: ", r.text.spans, " (", SummarizeStats(r.text), ")\n");
  for (size_t i = 0; i < r.errors.size() && i < 5; ++i) {
    out += Cat("  failed: ", r.errors[i].file, ":", r.errors[i].line, ": ", r.errors[i].reason, "\n");
  }
  return out;
}

}  // namespace phiguard::deid
