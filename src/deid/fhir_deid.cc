#include "phiguard/deid/fhir_deid.h"

#include <simdjson.h>

#include <cctype>
#include <cstring>
#include <deque>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "deid/internal/base64.h"
#include "deid/internal/element_paths.h"
#include "deid/internal/field_deidentifier.h"
#include "deid/internal/fhir_rules.h"
#include "deid/internal/json_escape.h"
#include "deid/internal/machine_date.h"
#include "deid/internal/record_batches.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/utf8.h"

namespace phiguard::deid {
namespace {

using internal::FhirRules;
using Match = FhirRules::Match;
namespace dom = simdjson::dom;

// Number tokens of a valid JSON text in document order (the DOM keeps their values, not their
// spelling, and FHIR decimals carry precision in their spelling: "1.50" is not "1.5").
void ScanNumbers(std::string_view s, std::vector<std::string_view>& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {  // skip the string: to the next quote not escaped by an odd run of backslashes
      for (size_t from = i + 1;;) {
        const void* q = std::memchr(s.data() + from, '"', s.size() - from);
        if (q == nullptr) return;
        const size_t at = static_cast<const char*>(q) - s.data();
        size_t slashes = 0;
        while (at - slashes > from && s[at - slashes - 1] == '\\') ++slashes;
        if (slashes % 2 == 0) {
          i = at;
          break;
        }
        from = at + 1;
      }
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t j = i;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '-' ||
                              s[j] == '+' || s[j] == '.' || s[j] == 'e' || s[j] == 'E')) {
        ++j;
      }
      out.push_back(s.substr(i, j - i));
      i = j - 1;
    }
  }
}

bool IsNumber(dom::element e) {
  auto t = e.type();
  return t == dom::element_type::INT64 || t == dom::element_type::UINT64 ||
         t == dom::element_type::DOUBLE;
}

// Actions that cannot hold a number or boolean: the element goes.
bool RemovesScalars(FieldAction a) {
  return a == FieldAction::kDrop || a == FieldAction::kRedact || a == FieldAction::kPseudonym ||
         a == FieldAction::kTruncate || a == FieldAction::kHashBucket;
}

class FhirWorker {
 public:
  FhirWorker(const phi::Detector& detector, const Transformer& transformer,
             const FieldPolicy& policy, const FhirRules& rules)
      : transformer_(transformer), policy_(policy), rules_(rules), fields_(detector, transformer) {
    reference_year_ = internal::ReferenceYear(policy.reference_year);
  }
  absl::Status Init() { return fields_.Init(); }

  // One record appended to r.output; a reason (never a value) when it cannot be de-identified.
  absl::Status Rewrite(internal::BatchRecord& r) {
    dom::element root;
    if (auto err = parser_.parse(r.input).get(root); err) {
      return absl::InvalidArgumentError(Cat("invalid JSON (", simdjson::error_message(err), ")"));
    }
    dom::object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("not a JSON object");
    }
    std::string_view type;
    if (obj["resourceType"].get_string().get(type) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("no resourceType");
    }
    // Number spellings are read from the input only when a number is written (most resources
    // have none: 552 of the export's 5,945 without DocumentReference).
    input_ = r.input;
    numbers_scanned_ = false;
    next_number_ = 0;
    counts_ = &r.counts;
    paths_.ForgetTransient();
    if (path_rules_.size() > paths_.Size()) path_rules_.resize(paths_.Size());
    path_ = internal::ElementPaths::kNone;
    bool kept = false;
    const size_t start = r.output.size();
    if (absl::Status s = Resource(root, obj, type, "", r.output, kept); !s.ok()) return s;
    if (!kept) {
      r.dropped = true;
      r.output.resize(start);
      return absl::OkStatus();
    }
    r.output.push_back('\n');
    return absl::OkStatus();
  }

 private:
  // The raw id of the patient a resource belongs to ("" if none is named).
  static std::string PatientOf(dom::object obj, std::string_view type, const std::string& outer) {
    std::string_view v;
    if (type == "Patient") {
      if (obj["id"].get_string().get(v) == simdjson::SUCCESS) return std::string(v);
      return outer;
    }
    for (const char* key : {"subject", "patient", "beneficiary"}) {
      if (obj[key]["reference"].get_string().get(v) != simdjson::SUCCESS) continue;
      if (v.starts_with("Patient/")) {
        v.remove_prefix(8);
        return std::string(v.substr(0, v.find('/')));
      }
      if (v.starts_with("urn:uuid:")) return std::string(v.substr(9));
    }
    return outer;
  }

  // Writes resource `obj` (or nothing: `kept` false when the policy drops it).
  absl::Status Resource(dom::element element, dom::object obj, std::string_view type,
                        const std::string& outer_patient, std::string& out, bool& kept) {
    Match resource_rule;
    FhirRules::Active active;
    rules_.Start(type, active, resource_rule);
    const int saved_path = path_;
    path_ = Child(internal::ElementPaths::kNone, internal::ElementPaths::kNone, type);
    RulesAt(path_).fixed = true;  // `active` is Start(type)'s
    DocumentContext ctx{PatientOf(obj, type, outer_patient)};
    kept = true;
    absl::Status s;
    if (resource_rule.rule != nullptr && resource_rule.rule->action == FieldAction::kDrop) {
      SkipNumbers(element);
      kept = false;
    } else {
      bool any = false;
      s = Object(obj, active, resource_rule, ctx, /*at_resource=*/true, out, any);
    }
    path_ = saved_path;
    return s;
  }

  absl::Status Object(dom::object obj, const FhirRules::Active& active, const Match& inherited,
                      const DocumentContext& ctx, bool at_resource, std::string& out, bool& any) {
    out.push_back('{');
    const size_t open = out.size();
    int previous = internal::ElementPaths::kNone;  // the path of the member before
    for (auto [key, value] : obj) {
      const size_t before = out.size();
      if (out.size() > open) out.push_back(',');
      const int parent_path = path_;
      path_ = previous = Child(parent_path, previous, key);
      out.append(paths_.JsonKey(path_));
      bool kept = false;
      absl::Status s;
      if (at_resource && key == "resourceType") {
        out += simdjson::minify(value);
        kept = true;
      } else {
        s = Member(parent_path, key, value, active, inherited, ctx, out, kept);
      }
      path_ = parent_path;
      if (!s.ok()) return s;
      if (!kept) out.resize(before);
    }
    any = out.size() > open;
    out.push_back('}');
    return absl::OkStatus();
  }

  // One member `key: value` of an object whose walk state is `active`.
  // Walk state for one nesting level, reused from record to record (no allocation per member).
  struct Level {
    std::vector<int> edges;
    FhirRules::Active next;
  };
  struct Depth {  // claims the next Level for the duration of one Member call
    explicit Depth(FhirWorker& w) : w_(w) {
      if (w_.depth_ == w_.levels_.size()) w_.levels_.push_back(std::make_unique<Level>());
      level = w_.levels_[w_.depth_++].get();
    }
    ~Depth() { --w_.depth_; }
    Depth(const Depth&) = delete;
    Depth& operator=(const Depth&) = delete;
    FhirWorker& w_;
    Level* level;
  };

  // What the rules say at one element path when no where() decides it on the way there: then the
  // walk state is a function of the path alone (the keys from the resource type down), found
  // once per path instead of once per member.
  struct PathRules {
    bool fixed = false;  // `next` and `here` hold (a resource's root path: always)
    FhirRules::Active next;
    Match here;
  };
  PathRules& RulesAt(int path) {
    if (static_cast<size_t>(path) >= path_rules_.size()) path_rules_.resize(path + 1);
    return path_rules_[path];
  }

  // Member `key: value` (at path_) of the object at `parent_path` whose walk state is `active`.
  absl::Status Member(int parent_path, std::string_view key, dom::element value,
                      const FhirRules::Active& active, const Match& inherited,
                      const DocumentContext& ctx, std::string& out, bool& kept) {
    Depth depth(*this);
    std::vector<int>& edges = depth.level->edges;
    const FhirRules::Active* next = &depth.level->next;
    Match here;
    bool conditional = false;  // some candidate has a where(): decided per element
    PathRules& at = RulesAt(path_);
    if (at.fixed) {
      next = &at.next;
      here = at.here;
    } else {
      rules_.Candidates(active, paths_.Tag(path_), edges);
      conditional = rules_.HasConditions(edges);
      if (!conditional && RulesAt(parent_path).fixed) {
        rules_.Enter(edges, value, at.next, at.here);
        at.fixed = true;
        next = &at.next;
        here = at.here;
      } else if (!conditional) {
        rules_.Enter(edges, value, depth.level->next, here);
      }
    }
    dom::array arr;
    if (value.get_array().get(arr) == simdjson::SUCCESS) {
      out.push_back('[');
      const size_t open = out.size();
      for (dom::element item : arr) {
        if (conditional) rules_.Enter(edges, item, depth.level->next, here);
        const size_t before = out.size();
        if (out.size() > open) out.push_back(',');
        bool item_kept = false;
        if (absl::Status s = Value(key, item, *next, Pick(here, inherited), ctx, out, item_kept);
            !s.ok()) {
          return s;
        }
        if (!item_kept) out.resize(before);
      }
      kept = out.size() > open || arr.size() == 0;
      out.push_back(']');
      return absl::OkStatus();
    }
    if (conditional) rules_.Enter(edges, value, depth.level->next, here);
    return Value(key, value, *next, Pick(here, inherited), ctx, out, kept);
  }

  // The rule matched at an element itself wins over the inherited one.
  static Match Pick(const Match& here, const Match& inherited) {
    return here.rule != nullptr ? here : inherited;
  }

  absl::Status Value(std::string_view key, dom::element value, const FhirRules::Active& active,
                     const Match& rule, const DocumentContext& ctx, std::string& out, bool& kept) {
    const FieldRule* r = rule.rule;
    if (r != nullptr && r->action == FieldAction::kDrop) {
      SkipNumbers(value);
      if (!value.is_null()) Count(FieldAction::kDrop);
      kept = false;
      return absl::OkStatus();
    }
    switch (value.type()) {
      case dom::element_type::OBJECT: {
        dom::object obj;
        if (value.get_object().get(obj) != simdjson::SUCCESS) {}
        std::string_view type;
        if (obj["resourceType"].get_string().get(type) == simdjson::SUCCESS) {
          // A resource inside a Bundle entry or `contained`: its own rules and patient.
          return Resource(value, obj, type, ctx.patient_id, out, kept);
        }
        bool any = false;
        absl::Status s = Object(obj, active, rule, ctx, false, out, any);
        kept = any || obj.size() == 0;
        return s;
      }
      case dom::element_type::ARRAY: {  // arrays of arrays do not occur in FHIR; kept as written
        SkipNumbers(value);
        out += simdjson::minify(value);
        kept = true;
        return absl::OkStatus();
      }
      case dom::element_type::STRING: {
        std::string_view sv;
        if (value.get_string().get(sv) != simdjson::SUCCESS) {}
        return String(key, sv, r, ctx, out, kept);
      }
      case dom::element_type::NULL_VALUE:
        out += "null";
        kept = true;
        return absl::OkStatus();
      default: {  // number or boolean
        std::string_view text;
        double number = 0;
        if (IsNumber(value)) {
          if (!numbers_scanned_) {
            ScanNumbers(input_, numbers_);
            numbers_scanned_ = true;
          }
          if (next_number_ >= numbers_.size()) return absl::InternalError("number tokens out of step");
          text = numbers_[next_number_++];
          if (value.get_double().get(number) != simdjson::SUCCESS) {}
        } else {
          bool b = false;
          if (value.get_bool().get(b) != simdjson::SUCCESS) {}
          text = b ? "true" : "false";
        }
        if (r != nullptr && RemovesScalars(r->action)) {
          Count(FieldAction::kDrop);
          kept = false;
          return absl::OkStatus();
        }
        if (r != nullptr && r->action == FieldAction::kGeneralize && r->type == phi::PhiType::kAge &&
            number > 89) {
          Count(FieldAction::kGeneralize);
          out += "90";
        } else {
          out.append(text);
        }
        kept = true;
        return absl::OkStatus();
      }
    }
  }

  absl::Status String(std::string_view key, std::string_view value, const FieldRule* r,
                      const DocumentContext& ctx, std::string& out, bool& kept) {
    kept = true;
    const FieldRule& rule = r != nullptr ? *r : policy_.default_rule;
    if (auto d = internal::ParseFhirDate(value)) {
      if (auto v = fields_.MachineDateValue(rule, *d, value, key == "birthDate", reference_year_, ctx)) {
        return Emit(value, *v, rule.action, out);
      }
    }
    if (rule.action == FieldAction::kPseudonym) {
      if (key == "reference" || key == "fullUrl") return Emit(value, Reference(value), rule.action, out);
      if (key == "id") return Emit(value, IdPseudonym(value), rule.action, out);
      // Identifier values (Synthea's repeat the resource id) share the id memo: the same
      // keyed format-preserving pseudonym FieldDeidentifier would compute.
      if (rule.preserve_format && !value.empty()) {
        return Emit(value, IdPseudonym(value), rule.action, out);
      }
    }
    if (rule.action == FieldAction::kText && key == "data") {
      if (auto decoded = internal::Base64Decode(value)) {
        return Attachment(*decoded, rule, ctx, out, kept);
      }
    }
    auto changed = fields_.ApplyIfChanged(rule, value, ctx, counts_->text, result_);
    if (!changed.ok()) {
      return absl::InvalidArgumentError(Cat(paths_.Name(path_), ": ", changed.status().message()));
    }
    if (!*changed) {  // most values: written as they came, nothing copied or compared
      internal::AppendJsonString(out, value);
      return absl::OkStatus();
    }
    Count(rule.action);
    internal::AppendJsonString(out, result_);
    return absl::OkStatus();
  }

  absl::Status Emit(std::string_view before, const std::string& after, FieldAction action,
                    std::string& out) {
    if (after != before) Count(action);
    internal::AppendJsonString(out, after);
    return absl::OkStatus();
  }

  // base64 text: decoded, de-identified as text, re-encoded. Binary content cannot be checked.
  absl::Status Attachment(const std::string& decoded, const FieldRule& r,
                          const DocumentContext& ctx, std::string& out, bool& kept) {
    if (FindInvalidUtf8(decoded) || decoded.find('\0') != std::string::npos) {
      Count(FieldAction::kDrop);
      kept = false;
      return absl::OkStatus();
    }
    auto v = fields_.Apply(r, decoded, ctx, counts_->text);
    if (!v.ok()) return absl::InvalidArgumentError(Cat(paths_.Name(path_), ": ", v.status().message()));
    if (*v != decoded) Count(r.action);
    out.push_back('"');  // base64 needs no JSON escaping
    internal::AppendBase64(out, *v);
    out.push_back('"');
    return absl::OkStatus();
  }

  // "Patient/123" -> "Patient/<pseudonym>", "urn:uuid:X" -> "urn:uuid:<pseudonym>",
  // "Practitioner?identifier=sys|value" -> "...|<pseudonym>", "#contained" kept.
  std::string Reference(std::string_view ref) {
    if (ref.empty() || ref[0] == '#') return std::string(ref);
    if (ref.starts_with("urn:uuid:") || ref.starts_with("urn:oid:")) {
      size_t colon = ref.find(':', 4) + 1;
      return Cat(ref.substr(0, colon), IdPseudonym(ref.substr(colon)));
    }
    size_t q = ref.find('?');
    if (q != std::string_view::npos) {
      std::string out(ref.substr(0, q + 1));
      bool first = true;
      for (std::string_view param : Split(ref.substr(q + 1), '&')) {
        if (!first) out.push_back('&');
        first = false;
        size_t eq = param.find('=');
        if (eq == std::string_view::npos) {
          out += IdPseudonym(param);
          continue;
        }
        std::string_view v = param.substr(eq + 1);
        size_t bar = v.rfind('|');
        size_t cut = bar == std::string_view::npos ? 0 : bar + 1;
        out += Cat(param.substr(0, eq + 1), v.substr(0, cut),
                   IdPseudonym(v.substr(cut)));
      }
      return out;
    }
    // Type/id, the common case.
    const size_t slash = ref.find('/');
    if (slash != std::string_view::npos && ref.find('/', slash + 1) == std::string_view::npos &&
        internal::IsFhirResourceType(ref.substr(0, slash))) {
      return Cat(ref.substr(0, slash + 1), IdPseudonym(ref.substr(slash + 1)));
    }
    // [base/]Type/id[/_history/version]: the id after the last resource type segment.
    std::vector<std::string_view> parts = Split(ref, '/');
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i) out.push_back('/');
      bool is_id = i > 0 && internal::IsFhirResourceType(parts[i - 1]);
      out += is_id ? IdPseudonym(parts[i]) : std::string(parts[i]);
    }
    if (parts.size() == 1) return IdPseudonym(ref);
    return out;
  }

  // The path of element `key` below `parent` (after member `previous`), tagged with the key's id
  // in the rules.
  int Child(int parent, int previous, std::string_view key) {
    return paths_.Child(parent, previous, key,
                        [this](std::string_view k) { return rules_.KeyId(k); });
  }

  // Counts a value changed at the current path for the report.
  void Count(FieldAction action) {
    if (paths_.Stable(path_)) {
      counts_->AddInterned(&paths_.Name(path_), action);
    } else {
      counts_->Add(paths_.Name(path_), action);
    }
  }

  // Keyed format-preserving pseudonym of an id, memoised: the same patient, encounter and
  // practitioner ids recur in thousands of references, and each costs two HMACs. Bounded: the
  // memo is dropped when full (output does not depend on it).
  // The reference is valid until the next call.
  const std::string& IdPseudonym(std::string_view id) {
    auto it = id_memo_.find(absl::string_view(id.data(), id.size()));
    if (it != id_memo_.end()) return it->second;
    if (id_memo_.size() >= kMaxMemo) id_memo_.clear();
    return id_memo_.emplace(std::string(id), transformer_.PseudonymPreservingFormat(id))
        .first->second;
  }

  // Advances past the number tokens inside `e` (an element not written out).
  void SkipNumbers(dom::element e) {
    switch (e.type()) {
      case dom::element_type::OBJECT: {
        dom::object obj;
        if (e.get_object().get(obj) != simdjson::SUCCESS) {}
        for (auto [k, v] : obj) SkipNumbers(v);
        break;
      }
      case dom::element_type::ARRAY: {
        dom::array arr;
        if (e.get_array().get(arr) != simdjson::SUCCESS) {}
        for (dom::element v : arr) SkipNumbers(v);
        break;
      }
      default:
        if (IsNumber(e)) ++next_number_;
    }
  }

  const Transformer& transformer_;
  const FieldPolicy& policy_;
  const FhirRules& rules_;
  internal::FieldDeidentifier fields_;
  dom::parser parser_;
  int reference_year_ = 0;
  std::string_view input_;        // the record being rewritten
  bool numbers_scanned_ = false;  // numbers_ holds input_'s number tokens
  std::vector<std::string_view> numbers_;
  size_t next_number_ = 0;        // number tokens of input_ passed so far
  internal::RecordCounts* counts_ = nullptr;
  internal::ElementPaths paths_;  // every element path met (bounded)
  std::deque<PathRules> path_rules_;  // by path id (a deque: Member holds references)
  int path_ = internal::ElementPaths::kNone;  // the element being written: "Patient.name.family"
  std::string result_;  // a transformed string value (its buffer is reused)
  std::vector<std::unique_ptr<Level>> levels_;  // by nesting depth (pointers stay valid)
  size_t depth_ = 0;
  static constexpr size_t kMaxMemo = 1 << 16;
  absl::flat_hash_map<std::string, std::string> id_memo_;
};

}  // namespace

absl::Status ValidateFhirPolicy(const FieldPolicy& policy) {
  if (!policy.patient_field.empty()) {
    return absl::InvalidArgumentError(Cat(policy.source,
                                          ": patient_field does not apply to FHIR (the patient is "
                                          "the resource's subject or patient reference)"));
  }
  return FhirRules::Compile(policy).status();
}

absl::StatusOr<StructuredReport> DeidentifyFhir(const phi::Detector& detector,
                                                const Transformer& transformer,
                                                const FieldPolicy& policy,
                                                const std::string& input_path,
                                                AtomicFileWriter& out,
                                                const StructuredOptions& run) {
  if (absl::Status s = ValidateFhirPolicy(policy); !s.ok()) return s;
  auto rules = FhirRules::Compile(policy);
  if (!rules.ok()) return rules.status();
  const std::string display = input_path == "-" ? "<stdin>" : input_path;
  std::vector<std::unique_ptr<FhirWorker>> workers;
  for (int t = 0; t < std::max(1, run.threads); ++t) {
    workers.push_back(std::make_unique<FhirWorker>(detector, transformer, policy, *rules));
    if (absl::Status s = workers.back()->Init(); !s.ok()) return s;
  }
  StructuredReport report;
  report.format = "fhir";
  report.key_id = transformer.KeyId();
  report.inputs.push_back(display);
  internal::RecordSink sink(out);
  auto process = [](std::unique_ptr<FhirWorker>& w, internal::BatchRecord& r) { r.status = w->Rewrite(r); };

  if (input_path.ends_with(".json")) {  // one resource or Bundle, possibly pretty-printed
    auto whole = ReadFileBounded(input_path, run.max_record_bytes);
    if (!whole.ok()) return whole.status();
    bool done = false;
    auto next = [&](internal::BatchRecord& r) {
      if (done) return false;
      done = true;
      r.line = 1;
      r.input = std::move(*whole);
      return true;
    };
    absl::Status s = internal::RunRecordBatches<std::unique_ptr<FhirWorker>>(
        next, [] { return absl::OkStatus(); }, workers, process, run, display, sink, report);
    if (!s.ok()) return s;
    return report;
  }
  absl::Status s = internal::RunLineRecords<std::unique_ptr<FhirWorker>>(
      input_path, workers, process, run, display, sink, report);
  if (!s.ok()) return s;
  return report;
}

}  // namespace phiguard::deid
