#include "phiguard/deid/csv_deid.h"

#include "deid/internal/field_deidentifier.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/utf8.h"

namespace phiguard::deid {

using internal::FieldDeidentifier;

absl::StatusOr<StructuredReport> DeidentifyCsv(const phi::Detector& detector,
                                               const Transformer& transformer,
                                               const FieldPolicy& policy,
                                               const std::string& input_path,
                                               AtomicFileWriter& out,
                                               const CsvOptions& options,
                                               const StructuredOptions& run) {
  auto reader = CsvReader::Open(input_path, options);
  if (!reader.ok()) return reader.status();
  const std::vector<std::string> header = (*reader)->header();
  const std::string display = input_path == "-" ? "<stdin>" : input_path;
  int patient_col = -1;
  std::vector<FieldRule> rules;
  std::vector<std::string> out_header;
  for (size_t c = 0; c < header.size(); ++c) {
    FieldRule rule = policy.For(header[c]);
    // A column the policy does not name, left to the text engine, is better judged by its name.
    if (!policy.fields.contains(header[c]) && rule.action == FieldAction::kText) {
      if (auto inferred = RuleFromFieldName(header[c])) rule = *inferred;
    }
    rules.push_back(rule);
    if (rule.action != FieldAction::kDrop) out_header.push_back(header[c]);
    if (header[c] == policy.patient_field) patient_col = static_cast<int>(c);
  }
  for (const auto& [name, rule] : policy.fields) {
    bool present = false;
    for (const std::string& h : header) present |= h == name;
    if (!present) {
      return absl::InvalidArgumentError(
          Cat(PolicyWhere(policy, rule), "column '", name, "' is not in the header of ", display));
    }
  }
  if (!policy.patient_field.empty() && patient_col < 0) {
    return absl::InvalidArgumentError(
        Cat(display, ": patient_field '", policy.patient_field, "' is not a column"));
  }
  FieldDeidentifier fields(detector, transformer);
  if (absl::Status s = fields.Init(); !s.ok()) return s;

  StructuredReport report;
  report.format = "csv";
  report.key_id = transformer.KeyId();
  report.inputs.push_back(display);
  internal::RecordSink sink(out);
  internal::RecordCounts counts;
  AppendCsvRecord(sink.buffer(), out_header, options.delimiter);
  std::vector<std::string> row, out_row;
  // One row; a reason naming the column (never the value) when it cannot be de-identified.
  auto rewrite = [&](const std::vector<std::string>& row, const DocumentContext& ctx) -> absl::Status {
    out_row.clear();
    counts.Clear();
    for (size_t c = 0; c < row.size(); ++c) {
      if (auto bad = FindInvalidUtf8(row[c])) {
        return absl::InvalidArgumentError(
            Cat("column '", header[c], "': invalid UTF-8 at byte ", *bad));
      }
      const FieldRule& rule = rules[c];
      if (rule.action == FieldAction::kDrop) {
        if (!row[c].empty()) counts.Add(header[c], FieldAction::kDrop);
        continue;
      }
      auto v = fields.Apply(rule, row[c], ctx, counts.text);
      if (!v.ok()) return absl::InvalidArgumentError(Cat("column '", header[c], "': ", v.status().message()));
      if (*v != row[c]) counts.Add(header[c], rule.action);
      out_row.push_back(std::move(*v));
    }
    return absl::OkStatus();
  };
  // A bad record under kSkip: into the report and, byte for byte, the quarantine file (a CSV
  // with the input's header).
  auto quarantine = [&](size_t line, std::string reason) -> absl::Status {
    report.AddError({display, line, std::move(reason)});
    if (run.quarantine == nullptr) return absl::OkStatus();
    std::string raw;
    if (report.failed == 1) AppendCsvRecord(raw, header, options.delimiter);
    raw += (*reader)->raw_record();
    raw.push_back('\n');
    return run.quarantine->Write(raw);
  };
  for (;;) {
    if (!(*reader)->Next(row)) {
      absl::Status bad = (*reader)->status();
      if (bad.ok()) break;  // the end of input
      if (run.on_error == OnError::kStop || !(*reader)->SkipBadRecord()) return bad;
      // The reader's message is "<file>:<line>: <reason>"; the report keeps the parts apart.
      const size_t line = (*reader)->line_number();
      std::string_view reason(bad.message().data(), bad.message().size());
      const std::string prefix = Cat(display, ":", line, ": ");
      if (reason.starts_with(prefix)) reason.remove_prefix(prefix.size());
      if (absl::Status s = quarantine(line, std::string(reason)); !s.ok()) return s;
      continue;
    }
    size_t line = (*reader)->line_number();
    DocumentContext ctx{patient_col >= 0 ? row[patient_col] : std::string()};
    if (absl::Status s = rewrite(row, ctx); !s.ok()) {
      if (run.on_error == OnError::kStop) {
        return absl::Status(s.code(), Cat(display, ":", line, ": ", s.message()));
      }
      if (absl::Status w = quarantine(line, std::string(s.message())); !w.ok()) return w;
      continue;
    }
    counts.CommitTo(report);
    AppendCsvRecord(sink.buffer(), out_row, options.delimiter);
    if (absl::Status s = sink.EndRecord(report); !s.ok()) return s;
  }
  if (absl::Status s = sink.Flush(); !s.ok()) return s;
  return report;
}

}  // namespace phiguard::deid
