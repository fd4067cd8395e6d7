// Applies one FieldRule to one structured value (a CSV cell, a JSON string): the shared core of
// every structured format. Holds a Detector scratch and a memo of the PHI spans of short values
// (structured data repeats the same code texts, units and labels thousands of times): one per
// thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_set.h"
#include "absl/status/statusor.h"
#include "deid/internal/date_format.h"
#include "deid/internal/machine_date.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/deid/structured_report.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/text_pipeline.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::deid::internal {

using phi::PhiType;

// One value under its rule. kDrop returns "" (the caller removes the field).
class FieldDeidentifier {
 public:
  FieldDeidentifier(const phi::Detector& detector, const Transformer& transformer)
      : detector_(detector), transformer_(transformer) {}

  absl::Status Init() {
    auto s = detector_.NewScratch();
    if (!s.ok()) return s.status();
    scratch_ = std::move(*s);
    return absl::OkStatus();
  }

  // Sets `result` to the transformed value and returns true, or returns false (leaving `result`
  // alone) when the value stays as it is: kept, or text with no PHI in it.
  absl::StatusOr<bool> ApplyIfChanged(const FieldRule& rule, std::string_view value,
                                      const DocumentContext& ctx, PipelineStats& text_stats,
                                      std::string& result) {
    if (value.empty() || rule.action == FieldAction::kKeep) return false;
    if (rule.action == FieldAction::kText) {
      auto spans = Detect(value);
      if (!spans.ok()) return spans.status();
      if ((*spans)->empty()) return false;
      text_stats.spans += (*spans)->size();
      for (const phi::Span& sp : **spans) ++text_stats.by_type[static_cast<int>(sp.type)];
      std::string r = transformer_.Apply(value, **spans, ctx);
      if (r == value) return false;
      result = std::move(r);
      return true;
    }
    auto v = Apply(rule, value, ctx, text_stats);
    if (!v.ok()) return v.status();
    if (*v == value) return false;
    result = std::move(*v);
    return true;
  }

  absl::StatusOr<std::string> Apply(const FieldRule& rule, std::string_view value,
                                    const DocumentContext& ctx, PipelineStats& text_stats) {
    if (value.empty()) return std::string();
    switch (rule.action) {
      case FieldAction::kKeep:
        return std::string(value);
      case FieldAction::kDrop:
        return std::string();
      case FieldAction::kRedact:
        return transformer_.ReplaceWith(Transform::kRedact, rule.type, value, ctx);
      case FieldAction::kPseudonym:
        if (rule.preserve_format) return transformer_.PseudonymPreservingFormat(value);
        return transformer_.ReplaceWith(Transform::kPseudonym, rule.type, value, ctx);
      case FieldAction::kDateShift:
        return transformer_.ReplaceWith(Transform::kDateShift, PhiType::kDate, value, ctx);
      case FieldAction::kGeneralize:
        return Generalize(rule, value, ctx);
      case FieldAction::kTruncate: {
        // Cut at a code point boundary.
        size_t bytes = 0, cps = 0;
        while (bytes < value.size() && cps < rule.length) {
          ++bytes;
          while (bytes < value.size() && (static_cast<unsigned char>(value[bytes]) & 0xC0) == 0x80)
            ++bytes;
          ++cps;
        }
        return std::string(value.substr(0, bytes));
      }
      case FieldAction::kHashBucket:
        return Cat("bucket-", transformer_.KeyedBucket(value, rule.buckets));
      case FieldAction::kText: {
        auto spans = Detect(value);
        if (!spans.ok()) return spans.status();
        if ((*spans)->empty()) return std::string(value);
        text_stats.spans += (*spans)->size();
        for (const phi::Span& sp : **spans) ++text_stats.by_type[static_cast<int>(sp.type)];
        return transformer_.Apply(value, **spans, ctx);
      }
    }
    return absl::InternalError("unknown field action");
  }

  // A date in a data format (FHIR, HL7) under `rule`: date-shift and generalize keep the format;
  // text (or a value no rule names) gets the text profile's DATE transform the same way; a
  // generalised birth date more than 89 years before `reference_year` is aggregated. nullopt for
  // other actions (the caller applies them as to any value).
  std::optional<std::string> MachineDateValue(const FieldRule& rule, const MachineDate& d,
                                              std::string_view original, bool birth_date,
                                              int reference_year, const DocumentContext& ctx) const {
    Transform t;
    switch (rule.action) {
      case FieldAction::kKeep:
        return std::string(original);
      case FieldAction::kDateShift:
        t = Transform::kDateShift;
        break;
      case FieldAction::kGeneralize:
        if (rule.type != PhiType::kDate) return std::nullopt;
        if (rule.to_month) return d.Month();
        t = Transform::kGeneralize;
        break;
      case FieldAction::kText:
        t = transformer_.profile().For(PhiType::kDate);
        break;
      default:
        return std::nullopt;
    }
    switch (t) {
      case Transform::kKeep:
        return std::string(original);
      case Transform::kDateShift:
      case Transform::kSurrogate:
        return d.Shifted(transformer_.DateShiftDays(ctx.patient_id));
      case Transform::kGeneralize: {
        MachineDate y = d;
        if (birth_date) y.year = CapBirthYear(d.year, reference_year);
        return y.Year();
      }
      default:
        return transformer_.ReplaceWith(Transform::kRedact, PhiType::kDate, original, ctx);
    }
  }

 private:
  // The detector's spans for `value`. Values up to kMemoBytes are memoised: the detector is a
  // pure function of the text, so a repeated value costs one lookup (the transform, which
  // depends on the patient, still runs each time). Bounded: the memo is dropped when full.
  absl::StatusOr<const std::vector<phi::Span>*> Detect(std::string_view value) {
    const bool memo = value.size() <= kMemoBytes;
    if (memo) {
      auto it = span_memo_.find(absl::string_view(value.data(), value.size()));
      if (it != span_memo_.end()) return &it->second;
    }
    if (absl::Status s = detector_.Detect(value, *scratch_, spans_); !s.ok()) return s;
    if (!memo) return &spans_;
    if (span_memo_.size() >= kMaxMemo) span_memo_.clear();
    return &span_memo_.emplace(std::string(value), spans_).first->second;
  }

  std::string Generalize(const FieldRule& rule, std::string_view value,
                         const DocumentContext& ctx) {
    if (rule.type == PhiType::kAge) {
      // 164.514(b)(2)(i)(C): ages over 89 aggregate into 90+; younger ages stay.
      int age = 0;
      if (ParseNumber(value, age)) return age > 89 ? "90+" : std::string(value);
      return transformer_.ReplaceWith(Transform::kRedact, PhiType::kAge, value, ctx);
    }
    if (rule.type == PhiType::kDate && rule.to_month) {
      auto d = internal::ParseDate(value);
      if (d && d->year != 0 && d->month != 0) {
        return Cat(d->year, "-", d->month < 10 ? "0" : "", d->month);
      }
      return transformer_.ReplaceWith(Transform::kRedact, PhiType::kDate, value, ctx);
    }
    return transformer_.ReplaceWith(Transform::kGeneralize, rule.type, value, ctx);
  }

  const phi::Detector& detector_;
  const Transformer& transformer_;
  static constexpr size_t kMemoBytes = 128;
  static constexpr size_t kMaxMemo = 1 << 15;
  std::unique_ptr<phi::Detector::Scratch> scratch_;
  std::vector<phi::Span> spans_;
  absl::flat_hash_map<std::string, std::vector<phi::Span>> span_memo_;
};

// The report's counter of each (field, transform), by the address of the field's interned name
// (std::map nodes do not move, so a counter is found in the report once).
using CounterSlots = absl::flat_hash_map<std::pair<const std::string*, FieldAction>, size_t*>;

// What one record changed, held until the record is known good (a quarantined record counts
// nothing but its failure).
// Field names are interned (kept from record to record): a record changes dozens of values
// under the same few names.
struct RecordCounts {
  struct Change {
    const std::string* field;
    FieldAction action;
    bool caller_interned;  // AddInterned(): the name outlives the run
  };
  std::vector<Change> changed;
  PipelineStats text;

  void Add(std::string_view field, FieldAction action) {
    auto it = names_.find(absl::string_view(field.data(), field.size()));
    if (it == names_.end()) it = names_.emplace(field).first;
    changed.push_back({&*it, action, false});
  }
  // Add() for a name the caller interned: no copy, no lookup.
  // REQUIRES: `*field` stays unchanged and alive until the end of the run (its address is the
  // key of its counter, see CommitTo).
  void AddInterned(const std::string* field, FieldAction action) {
    changed.push_back({field, action, true});
  }
  void Clear() {
    changed.clear();
    text = PipelineStats();
    if (names_.size() > kMaxNames) {  // bounded: nothing points into it now
      names_.clear();
      slots_.clear();
    }
  }
  // Adds the counts to `report`. Each (field, transform) finds its counter in the report once and
  // keeps a pointer to it: a FHIR export changes ~100k values per 10 MB under a few hundred long
  // dotted names, and a map lookup per value was the walker's largest cost after the detector
  // (string compares of "Encounter.participant.individual..."). Names from AddInterned() keep
  // their counters in `shared` when given: the RecordCounts of a batch of records then find
  // each counter once in all, not once each.
  // REQUIRES: `report` outlives this RecordCounts or is the only report it commits to; the same
  // for `shared` (one CounterSlots per report).
  void CommitTo(StructuredReport& report, CounterSlots* shared = nullptr) {
    if (committed_to_ != &report) {
      slots_.clear();
      committed_to_ = &report;
    }
    for (const Change& change : changed) {
      CounterSlots& slots = change.caller_interned && shared != nullptr ? *shared : slots_;
      size_t*& slot = slots[{change.field, change.action}];
      if (slot == nullptr) {
        slot = &report.by_field[*change.field][std::string(FieldActionName(change.action))];
      }
      ++*slot;
    }
    report.text.Add(text);
  }

 private:
  static constexpr size_t kMaxNames = 1 << 12;
  absl::node_hash_set<std::string> names_;  // node-based: the pointers in `changed` stay valid
  CounterSlots slots_;  // the counters of the names in names_ (and of interned ones if no shared)
  const StructuredReport* committed_to_ = nullptr;
};

// Output of a structured run: records accumulate in a buffer written in ~1 MiB blocks.
class RecordSink {
 public:
  explicit RecordSink(AtomicFileWriter& out) : out_(out) {}
  std::string& buffer() { return buf_; }
  // Counts one finished record and writes the buffer once it is large.
  absl::Status EndRecord(StructuredReport& report) {
    ++report.records;
    report.text.documents = report.records;
    if (buf_.size() < (1u << 20)) return absl::OkStatus();
    return Flush();
  }
  absl::Status Flush() {
    absl::Status s = out_.Write(buf_);
    buf_.clear();
    return s;
  }

 private:
  AtomicFileWriter& out_;
  std::string buf_;
};

}  // namespace phiguard::deid::internal
