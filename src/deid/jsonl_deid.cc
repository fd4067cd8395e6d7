#include "phiguard/deid/jsonl_deid.h"

#include <nlohmann/json.hpp>

#include "deid/internal/field_deidentifier.h"
#include "deid/internal/record_batches.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/utf8.h"

namespace phiguard::deid {
namespace {

// ordered_json keeps each record's key order in the output.
using json = nlohmann::ordered_json;

// Policy names are JSON pointers ("/a/b") or top-level keys ("a").
std::string PointerOf(const std::string& name) { return name.starts_with("/") ? name : "/" + name; }

// RFC 6901 escaping of one reference token.
std::string EscapeToken(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

class RecordWalker {
 public:
  RecordWalker(const FieldPolicy& policy, const phi::Detector& detector,
               const Transformer& transformer)
      : policy_(policy), fields_(detector, transformer) {
    for (const auto& [name, rule] : policy.fields) rules_[PointerOf(name)] = rule;
    if (!policy.patient_field.empty()) patient_ptr_ = PointerOf(policy.patient_field);
  }
  absl::Status Init() { return fields_.Init(); }

  // One JSONL record: parse, transform, serialise; a reason (no value) on failure.
  void Process(internal::BatchRecord& r) {
    counts_ = &r.counts;
    json record = json::parse(r.input, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !record.is_object()) {
      r.status = absl::InvalidArgumentError("not a JSON object");
      return;
    }
    DocumentContext ctx;
    if (!patient_ptr_.empty()) {
      json::json_pointer ptr;
      try {
        ptr = json::json_pointer(patient_ptr_);
      } catch (const json::exception&) {
        r.status = absl::InvalidArgumentError(
            Cat("patient_field '", policy_.patient_field, "' is not a JSON pointer"));
        return;
      }
      if (record.contains(ptr)) {
        const json& p = record.at(ptr);
        ctx.patient_id = p.is_string() ? p.get<std::string>() : p.dump();
      }
    }
    auto kept = Walk(record, "", "", ctx);
    if (!kept.ok()) {
      r.status = kept.status();
      return;
    }
    // The parser already rejected invalid UTF-8, so nothing is replaced here; `replace` only
    // keeps dump() from throwing.
    r.output += record.dump(-1, ' ', false, json::error_handler_t::replace);
    r.output.push_back('\n');
  }

  // Transforms `node` (at `pointer`, under object key `key`) in place. Returns false if the
  // caller should erase it (drop).
  absl::StatusOr<bool> Walk(json& node, const std::string& pointer, const std::string& key,
                            const DocumentContext& ctx) {
    auto named = rules_.find(pointer);
    if (node.is_object()) {
      if (named != rules_.end() && named->second.action == FieldAction::kDrop) {
        Count(pointer, FieldAction::kDrop);
        return false;
      }
      for (auto it = node.begin(); it != node.end();) {
        auto keep = Walk(it.value(), pointer + "/" + EscapeToken(it.key()), it.key(), ctx);
        if (!keep.ok()) return keep.status();
        it = *keep ? std::next(it) : node.erase(it);
      }
      return true;
    }
    if (node.is_array()) {
      if (named != rules_.end() && named->second.action == FieldAction::kDrop) {
        Count(pointer, FieldAction::kDrop);
        return false;
      }
      for (size_t i = 0; i < node.size();) {
        // Array elements share the array's key for rule inference ("names": [...]).
        auto keep = Walk(node[i], pointer + "/" + std::to_string(i), key, ctx);
        if (!keep.ok()) return keep.status();
        if (*keep) ++i;
        else node.erase(i);
      }
      return true;
    }
    FieldRule rule;
    bool explicit_rule = named != rules_.end();
    if (explicit_rule) {
      rule = named->second;
    } else {
      rule = policy_.default_rule;
      if (rule.action == FieldAction::kText) {
        if (auto inferred = RuleFromFieldName(key)) {
          rule = *inferred;
          explicit_rule = true;
        }
      }
    }
    if (node.is_null()) return true;
    if (rule.action == FieldAction::kDrop) {
      Count(pointer, FieldAction::kDrop);
      return false;
    }
    std::string value;
    if (node.is_string()) {
      value = node.get<std::string>();
    } else if (explicit_rule) {
      value = node.dump();  // a number the policy names (an MRN, an age)
    } else {
      return true;  // numbers and booleans under unnamed keys are measurements, not PHI
    }
    if (auto bad = FindInvalidUtf8(value)) {
      return absl::InvalidArgumentError(Cat(pointer, ": invalid UTF-8 at byte ", *bad));
    }
    auto out = fields_.Apply(rule, value, ctx, counts_->text);
    if (!out.ok()) return absl::InvalidArgumentError(Cat(pointer, ": ", out.status().message()));
    if (*out != value) {
      Count(pointer, rule.action);
      node = *out;
    }
    return true;
  }

 private:
  void Count(const std::string& pointer, FieldAction action) { counts_->Add(pointer, action); }

  const FieldPolicy& policy_;
  internal::FieldDeidentifier fields_;
  internal::RecordCounts* counts_ = nullptr;
  std::map<std::string, FieldRule> rules_;
  std::string patient_ptr_;
};

}  // namespace

absl::StatusOr<StructuredReport> DeidentifyJsonl(const phi::Detector& detector,
                                                 const Transformer& transformer,
                                                 const FieldPolicy& policy,
                                                 const std::string& input_path,
                                                 AtomicFileWriter& out,
                                                 const StructuredOptions& run) {
  const std::string display = input_path == "-" ? "<stdin>" : input_path;
  std::vector<std::unique_ptr<RecordWalker>> workers;
  for (int t = 0; t < std::max(1, run.threads); ++t) {
    workers.push_back(std::make_unique<RecordWalker>(policy, detector, transformer));
    if (absl::Status s = workers.back()->Init(); !s.ok()) return s;
  }
  StructuredReport report;
  report.format = "jsonl";
  report.key_id = transformer.KeyId();
  report.inputs.push_back(display);
  internal::RecordSink sink(out);
  absl::Status s = internal::RunLineRecords<std::unique_ptr<RecordWalker>>(
      input_path, workers,
      [](std::unique_ptr<RecordWalker>& w, internal::BatchRecord& r) { w->Process(r); }, run,
      display, sink, report);
  if (!s.ok()) return s;
  return report;
}

}  // namespace phiguard::deid
