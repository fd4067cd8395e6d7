#include "phiguard/deid/jsonl_deid.h"

#include <nlohmann/json.hpp>

#include "deid/internal/field_deidentifier.h"
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
  RecordWalker(const FieldPolicy& policy, internal::FieldDeidentifier& fields,
               StructuredReport& report)
      : policy_(policy), fields_(fields), report_(report) {
    for (const auto& [name, rule] : policy.fields) rules_[PointerOf(name)] = rule;
  }

  // Transforms `node` (at `pointer`, under object key `key`) in place. Returns false if the
  // caller should erase it (drop).
  absl::StatusOr<bool> Walk(json& node, const std::string& pointer, const std::string& key,
                            const DocumentContext& ctx) {
    auto named = rules_.find(pointer);
    if (node.is_object()) {
      if (named != rules_.end() && named->second.action == FieldAction::kDrop) {
        Count(pointer, "drop");
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
        Count(pointer, "drop");
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
      Count(pointer, "drop");
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
    auto out = fields_.Apply(rule, value, ctx, report_.text);
    if (!out.ok()) return absl::InvalidArgumentError(Cat(pointer, ": ", out.status().message()));
    if (*out != value) {
      Count(pointer, FieldActionName(rule.action));
      node = *out;
    }
    return true;
  }

 private:
  void Count(const std::string& pointer, std::string_view action) {
    ++report_.by_field[pointer][std::string(action)];
  }

  const FieldPolicy& policy_;
  internal::FieldDeidentifier& fields_;
  StructuredReport& report_;
  std::map<std::string, FieldRule> rules_;
};

}  // namespace

absl::StatusOr<StructuredReport> DeidentifyJsonl(const phi::Detector& detector,
                                                 const Transformer& transformer,
                                                 const FieldPolicy& policy,
                                                 const std::string& input_path,
                                                 AtomicFileWriter& out, size_t max_record_bytes) {
  auto reader = LineReader::Open(input_path, max_record_bytes);
  if (!reader.ok()) return reader.status();
  const std::string display = input_path == "-" ? "<stdin>" : input_path;
  internal::FieldDeidentifier fields(detector, transformer);
  if (absl::Status s = fields.Init(); !s.ok()) return s;
  StructuredReport report;
  RecordWalker walker(policy, fields, report);
  const std::string patient_ptr = policy.patient_field.empty() ? "" : PointerOf(policy.patient_field);
  internal::RecordSink sink(out);
  std::string line;
  while ((*reader)->Next(line)) {
    size_t line_no = (*reader)->line_number();
    if (StripAscii(line).empty()) continue;
    json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !record.is_object()) {
      return absl::InvalidArgumentError(Cat(display, ":", line_no, ": not a JSON object"));
    }
    DocumentContext ctx;
    if (!patient_ptr.empty()) {
      json::json_pointer ptr;
      try {
        ptr = json::json_pointer(patient_ptr);
      } catch (const json::exception&) {
        return absl::InvalidArgumentError(Cat("patient_field '", policy.patient_field,
                                              "' is not a JSON pointer"));
      }
      if (record.contains(ptr)) {
        const json& p = record.at(ptr);
        ctx.patient_id = p.is_string() ? p.get<std::string>() : p.dump();
      }
    }
    auto kept = walker.Walk(record, "", "", ctx);
    if (!kept.ok()) return absl::InvalidArgumentError(Cat(display, ":", line_no, ": ", kept.status().message()));
    // The parser already rejected invalid UTF-8, so nothing is replaced here; `replace` only keeps
    // dump() from throwing.
    sink.buffer() += record.dump(-1, ' ', false, json::error_handler_t::replace);
    sink.buffer().push_back('\n');
    if (absl::Status s = sink.EndRecord(report); !s.ok()) return s;
  }
  if (!(*reader)->status().ok()) return (*reader)->status();
  if (absl::Status s = sink.Flush(); !s.ok()) return s;
  return report;
}

}  // namespace phiguard::deid
