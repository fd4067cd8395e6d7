#include "phiguard/deid/hl7_deid.h"

#include <array>
#include <cstring>
#include <map>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "deid/internal/field_deidentifier.h"
#include "deid/internal/hl7_message.h"
#include "deid/internal/hl7_segments.h"
#include "deid/internal/machine_date.h"
#include "deid/internal/record_batches.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/utf8.h"

namespace phiguard::deid {
namespace {

using internal::Hl7Encoding;

// SEG-F[.C[.S]] as numbers; 0 = the whole level.
struct Location {
  std::string segment;
  int field = 0, component = 0, subcomponent = 0;
};

absl::StatusOr<Location> ParseLocation(std::string_view s) {
  Location loc;
  size_t dash = s.find('-');
  if (dash == std::string_view::npos || !internal::IsSegmentId(s.substr(0, dash))) {
    return absl::InvalidArgumentError("an HL7 location is SEG-F[.C[.S]], like PID-5 or PID-11.5");
  }
  loc.segment = std::string(s.substr(0, dash));
  std::vector<std::string_view> parts = Split(s.substr(dash + 1), '.');
  int* slots[] = {&loc.field, &loc.component, &loc.subcomponent};
  const int limits[] = {999, 99, 99};
  if (parts.size() > 3) return absl::InvalidArgumentError("at most SEG-F.C.S");
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!ParseNumber(parts[i], *slots[i]) || *slots[i] < 1 || *slots[i] > limits[i]) {
      return absl::InvalidArgumentError(
          Cat("field, component and subcomponent numbers are 1..", limits[i]));
    }
  }
  if ((loc.segment == "MSH" || loc.segment == "BHS" || loc.segment == "FHS") && loc.field <= 2) {
    return absl::InvalidArgumentError(Cat(loc.segment, "-1 and -2 are the encoding characters"));
  }
  if (!internal::IsUserSegment(loc.segment)) {
    const int fields = internal::Hl7SegmentFieldCount(loc.segment);
    if (fields == 0) {
      return absl::InvalidArgumentError(
          Cat("'", loc.segment, "' is not an HL7 v2 segment (site-defined segments start with Z)"));
    }
    if (loc.field > fields) {
      return absl::InvalidArgumentError(
          Cat(loc.segment, " has fields 1..", fields, " (HL7 v2.3-v2.8)"));
    }
  }
  return loc;
}

// The policy's rules by segment and location.
class Hl7Rules {
 public:
  struct Named {
    const FieldRule* rule;
    std::string name;  // the policy key, for the report
  };
  static absl::StatusOr<Hl7Rules> Compile(const FieldPolicy& policy) {
    if (!policy.patient_field.empty()) {
      return absl::InvalidArgumentError(
          Cat(policy.source, ": patient_field does not apply to HL7 (the patient is PID-3)"));
    }
    Hl7Rules r;
    for (const auto& [name, rule] : policy.fields) {
      auto loc = ParseLocation(name);
      if (!loc.ok()) {
        return absl::InvalidArgumentError(
            Cat(PolicyWhere(policy, rule), "'", name, "': ", loc.status().message()));
      }
      r.by_segment_[loc->segment][Key(loc->field, loc->component, loc->subcomponent)] =
          Named{&rule, name};
    }
    return r;
  }
  // The rules of one segment (null if none).
  const absl::flat_hash_map<int, Named>* Segment(std::string_view id) const {
    auto it = by_segment_.find(absl::string_view(id.data(), id.size()));
    return it == by_segment_.end() ? nullptr : &it->second;
  }
  static const Named* Find(const absl::flat_hash_map<int, Named>* seg, int f, int c, int s) {
    if (seg == nullptr) return nullptr;
    for (int key : {Key(f, c, s), Key(f, c, 0), Key(f, 0, 0)}) {
      auto it = seg->find(key);
      if (it != seg->end()) return &it->second;
    }
    return nullptr;
  }

 private:
  static int Key(int f, int c, int s) { return (f * 100 + c) * 100 + s; }
  absl::flat_hash_map<std::string, absl::flat_hash_map<int, Named>> by_segment_;
};

// The PHI type of an OBX-5 value whose OBX-2 data type identifies a person or place (nullopt for
// the others): names (XPN, PN, XCN, CN, CNN), addresses (XAD, AD), phones (XTN, TN), ids (CX).
std::optional<phi::PhiType> IdentifyingValueType(std::string_view t) {
  if (t == "XPN" || t == "PN" || t == "XCN" || t == "CN" || t == "CNN") return phi::PhiType::kName;
  if (t == "XAD" || t == "AD") return phi::PhiType::kStreetAddress;
  if (t == "XTN" || t == "TN") return phi::PhiType::kPhone;
  if (t == "CX") return phi::PhiType::kMrn;
  return std::nullopt;
}

// Split that keeps empty pieces (HL7 positions matter), into a vector reused from call to call.
void Pieces(std::string_view s, char sep, std::vector<std::string_view>& out) {
  out.clear();
  for (;;) {
    const void* at = std::memchr(s.data(), sep, s.size());
    if (at == nullptr) break;
    const size_t n = static_cast<const char*>(at) - s.data();
    out.push_back(s.substr(0, n));
    s.remove_prefix(n + 1);
  }
  out.push_back(s);
}

class Hl7Worker {
 public:
  Hl7Worker(const phi::Detector& detector, const Transformer& transformer,
            const FieldPolicy& policy, const Hl7Rules& rules, std::string terminator)
      : policy_(policy), rules_(rules), fields_(detector, transformer),
        terminator_(std::move(terminator)) {
    reference_year_ = internal::ReferenceYear(policy.reference_year);
    by_default_text_ = policy.default_rule.action == FieldAction::kText;
  }
  absl::Status Init() { return fields_.Init(); }

  // One record into r.output; a reason (never a value) when it cannot be de-identified.
  absl::Status Rewrite(internal::BatchRecord& r) {
    if (auto bad = FindInvalidUtf8(r.input)) {
      return absl::InvalidArgumentError(
          Cat("not valid UTF-8 at byte ", *bad, " (only ASCII and UTF-8 messages are supported)"));
    }
    counts_ = &r.counts;
    std::vector<std::string_view>& segments = segments_;
    Pieces(r.input, '\r', segments);
    const std::string_view first = segments[0];
    if (!internal::IsHeaderSegment(first) && !first.starts_with("BTS") && !first.starts_with("FTS")) {
      return absl::InvalidArgumentError(Cat("message starts with ",
                                            internal::IsSegmentId(first.substr(0, 3)) ? first.substr(0, 3) : "no segment id",
                                            ", not MSH"));
    }
    Hl7Encoding enc;
    if (internal::IsHeaderSegment(first)) {
      auto e = internal::ParseEncoding(first);
      if (!e.ok()) return e.status();
      enc = *e;
    }
    // The patient: PID-3, first repetition, first component.
    DocumentContext ctx;
    for (std::string_view seg : segments) {
      if (!seg.starts_with("PID")) continue;
      std::vector<std::string_view>& f = fields_at_;
      Pieces(seg, enc.field, f);
      if (f.size() > 3) {
        std::string_view id = f[3].substr(0, f[3].find(enc.repetition));
        ctx.patient_id = internal::Hl7Unescape(id.substr(0, id.find(enc.component)), enc);
      }
      break;
    }
    for (size_t i = 0; i < segments.size(); ++i) {
      if (absl::Status s = Segment(segments[i], enc, ctx, r.output); !s.ok()) {
        r.error_line = r.line + i;  // one segment per line (blank lines aside)
        return s;
      }
      r.output += terminator_;
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Segment(std::string_view seg, const Hl7Encoding& enc, const DocumentContext& ctx,
                       std::string& out) {
    const std::string_view id = seg.substr(0, 3);
    if (!internal::IsSegmentId(id) || (seg.size() > 3 && seg[3] != enc.field)) {
      return absl::InvalidArgumentError(
          "segment does not start with a segment id (3 upper-case letters or digits) and the "
          "field separator");
    }
    const bool header = internal::IsHeaderSegment(seg);
    const auto* rules = rules_.Segment(id);
    // Segments the standard does not define (Z-segments): nothing is known of their fields.
    const bool loose = internal::Hl7SegmentFieldCount(id) == 0;
    std::vector<std::string_view>& fields = fields_at_;
    Pieces(seg, enc.field, fields);
    // OBX-5 is text only when OBX-2 says so.
    std::string_view value_type = id == "OBX" && fields.size() > 2 ? fields[2] : std::string_view();
    out.append(id);
    for (size_t p = 1; p < fields.size(); ++p) {
      out.push_back(enc.field);
      // MSH-1 is the separator itself, so MSH's p-th piece is field p + 1.
      const int field = static_cast<int>(header ? p + 1 : p);
      if (header && field <= 2) {
        out.append(fields[p]);
        continue;
      }
      const bool birth_date = (id == "PID" && field == 7) || (id == "GT1" && field == 8) ||
                              (id == "IN1" && field == 18) || (id == "NK1" && field == 16);
      bool first_rep = true;
      Pieces(fields[p], enc.repetition, reps_);
      for (std::string_view rep : reps_) {
        if (!first_rep) out.push_back(enc.repetition);
        first_rep = false;
        std::vector<std::string_view>& comps = comps_;
        Pieces(rep, enc.component, comps);
        // A person's name where the policy names nothing (a sender's misplaced XCN, a
        // Z-segment): the text engine cannot tell a bare "HIPPOCRATES" is a name, its shape can.
        const internal::NameShape shape = by_default_text_
                                              ? internal::PersonNameShape(comps, loose)
                                              : internal::NameShape::kNone;
        for (size_t ci = 0; ci < comps.size(); ++ci) {
          const int c = static_cast<int>(ci) + 1;
          if (ci > 0) out.push_back(enc.component);
          std::vector<std::string_view>& subs = subs_;
          Pieces(comps[ci], enc.subcomponent, subs);
          const internal::NameShape sub_shape = by_default_text_ && subs.size() >= 3
                                                    ? internal::PersonNameShape(subs, false)
                                                    : internal::NameShape::kNone;
          for (size_t si = 0; si < subs.size(); ++si) {
            const int s = static_cast<int>(si) + 1;
            if (si > 0) out.push_back(enc.subcomponent);
            const Hl7Rules::Named* named = Hl7Rules::Find(rules, field, c, s);
            const bool is_name = named == nullptr && (internal::IsNameComponent(shape, c) ||
                                                      internal::IsNameComponent(sub_shape, s));
            absl::Status st = Leaf(subs[si], named, id, field, id == "OBX" && field == 5,
                                   value_type, enc, ctx, birth_date, is_name, out);
            if (!st.ok()) return st;
          }
        }
      }
    }
    return absl::OkStatus();
  }

  // `is_name`: no rule names the value and its shape says it is part of a person's name.
  absl::Status Leaf(std::string_view raw, const Hl7Rules::Named* named, std::string_view segment,
                    int field, bool obx5, std::string_view value_type, const Hl7Encoding& enc,
                    const DocumentContext& ctx, bool birth_date, bool is_name, std::string& out) {
    if (raw.empty() || raw == "\"\"") {  // empty, or HL7's explicit null
      out.append(raw);
      return absl::OkStatus();
    }
    FieldRule rule = named != nullptr ? *named->rule : policy_.default_rule;
    if (is_name) {
      rule.action = FieldAction::kRedact;
      rule.type = phi::PhiType::kName;
    }
    if (obx5 && rule.action == FieldAction::kText) {
      if (value_type == "NM" || value_type == "SN" || value_type == "NA" || value_type == "CE" ||
          value_type == "CWE" || value_type == "CNE" || value_type == "CF" || value_type == "ID" ||
          value_type == "IS") {
        rule.action = FieldAction::kKeep;
      } else if (value_type == "ED" || value_type == "RP") {
        rule.action = FieldAction::kRedact;
        rule.type = phi::PhiType::kOther;
      } else if (auto t = IdentifyingValueType(value_type)) {  // a name, address, phone, id
        rule.action = FieldAction::kRedact;
        rule.type = *t;
      }
    }
    if (rule.action == FieldAction::kKeep) {
      out.append(raw);
      return absl::OkStatus();
    }
    std::string value = internal::Hl7Unescape(raw, enc);
    std::string result;
    if (rule.action == FieldAction::kDrop) {
      Count(named, segment, field, FieldAction::kDrop);
      return absl::OkStatus();
    }
    std::optional<std::string> date;
    if (auto d = internal::ParseHl7Date(value)) {
      date = fields_.MachineDateValue(rule, *d, value, birth_date, reference_year_, ctx);
    }
    if (date) {
      result = std::move(*date);
    } else {
      auto v = fields_.Apply(rule, value, ctx, counts_->text);
      if (!v.ok()) {
        return absl::InvalidArgumentError(
            Cat(*FieldName(named, segment, field), ": ", v.status().message()));
      }
      result = std::move(*v);
    }
    if (result == value) {
      out.append(raw);  // untouched values are written exactly as read
      return absl::OkStatus();
    }
    Count(named, segment, field, rule.action);
    out += internal::Hl7Escape(result, enc);
    return absl::OkStatus();
  }

  // The report's name of a value: the policy key that names it, else "SEG-F". Interned: the
  // rules live for the run, and so do the "SEG-F" names of this worker (up to kMaxNames).
  const std::string* FieldName(const Hl7Rules::Named* named, std::string_view segment, int field) {
    if (named != nullptr) return &named->name;
    uint64_t key = static_cast<uint64_t>(field);
    for (char c : segment) key = (key << 8) | static_cast<unsigned char>(c);
    auto it = names_.find(key);
    if (it != names_.end()) return &it->second;
    overflow_name_ = Cat(segment, "-", field);
    if (names_.size() >= kMaxNames) return &overflow_name_;
    return &names_.emplace(key, overflow_name_).first->second;
  }
  void Count(const Hl7Rules::Named* named, std::string_view segment, int field, FieldAction a) {
    const std::string* name = FieldName(named, segment, field);
    if (name == &overflow_name_) {
      counts_->Add(*name, a);
    } else {
      counts_->AddInterned(name, a);
    }
  }

  const FieldPolicy& policy_;
  const Hl7Rules& rules_;
  internal::FieldDeidentifier fields_;
  std::string terminator_;
  int reference_year_ = 0;
  bool by_default_text_ = false;  // values no rule names go through the text engine
  internal::RecordCounts* counts_ = nullptr;
  // The pieces of the message being rewritten, by level (reused from record to record).
  std::vector<std::string_view> segments_, fields_at_, reps_, comps_, subs_;
  static constexpr size_t kMaxNames = 1 << 12;
  absl::node_hash_map<uint64_t, std::string> names_;  // "PID-5" by segment id and field
  std::string overflow_name_;  // a name past kMaxNames (counted by copy)
};

}  // namespace

absl::Status ValidateHl7Policy(const FieldPolicy& policy) {
  return Hl7Rules::Compile(policy).status();
}

absl::StatusOr<StructuredReport> DeidentifyHl7(const phi::Detector& detector,
                                               const Transformer& transformer,
                                               const FieldPolicy& policy,
                                               const std::string& input_path,
                                               AtomicFileWriter& out,
                                               const StructuredOptions& run) {
  auto rules = Hl7Rules::Compile(policy);
  if (!rules.ok()) return rules.status();
  auto reader = internal::Hl7Reader::Open(input_path, run.max_record_bytes);
  if (!reader.ok()) return reader.status();
  const std::string display = input_path == "-" ? "<stdin>" : input_path;
  StructuredReport report;
  report.format = "hl7v2";
  report.key_id = transformer.KeyId();
  report.inputs.push_back(display);
  // Read the first record before the workers exist: it fixes the file's segment terminator.
  internal::BatchRecord first;
  bool have_first = (*reader)->Next(first.input, first.line);
  if (!(*reader)->status().ok()) return (*reader)->status();
  std::vector<std::unique_ptr<Hl7Worker>> workers;
  for (int t = 0; t < std::max(1, run.threads); ++t) {
    workers.push_back(std::make_unique<Hl7Worker>(detector, transformer, policy, *rules,
                                                  (*reader)->terminator()));
    if (absl::Status s = workers.back()->Init(); !s.ok()) return s;
  }
  internal::RecordSink sink(out);
  auto next = [&](internal::BatchRecord& r) {
    if (have_first) {
      have_first = false;
      r.input = std::move(first.input);
      r.line = first.line;
      return true;
    }
    return (*reader)->Next(r.input, r.line);
  };
  absl::Status s = internal::RunRecordBatches<std::unique_ptr<Hl7Worker>>(
      next, [&] { return (*reader)->status(); }, workers,
      [](std::unique_ptr<Hl7Worker>& w, internal::BatchRecord& r) { r.status = w->Rewrite(r); }, run,
      display, sink, report);
  if (!s.ok()) return s;
  return report;
}

}  // namespace phiguard::deid
