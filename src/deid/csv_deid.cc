#include "phiguard/deid/csv_deid.h"

#include <nlohmann/json.hpp>

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
                                               const CsvOptions& options) {
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
          Cat(display, ": policy '", policy.name, "' names column '", name, "', not in the header"));
    }
  }
  if (!policy.patient_field.empty() && patient_col < 0) {
    return absl::InvalidArgumentError(
        Cat(display, ": patient_field '", policy.patient_field, "' is not a column"));
  }
  FieldDeidentifier fields(detector, transformer);
  if (absl::Status s = fields.Init(); !s.ok()) return s;

  StructuredReport report;
  internal::RecordSink sink(out);
  AppendCsvRecord(sink.buffer(), out_header, options.delimiter);
  std::vector<std::string> row, out_row;
  while ((*reader)->Next(row)) {
    size_t line = (*reader)->line_number();
    DocumentContext ctx{patient_col >= 0 ? row[patient_col] : std::string()};
    out_row.clear();
    for (size_t c = 0; c < row.size(); ++c) {
      if (auto bad = FindInvalidUtf8(row[c])) {
        return absl::InvalidArgumentError(Cat(display, ":", line, ": column '", header[c],
                                              "': invalid UTF-8 at byte ", *bad));
      }
      const FieldRule& rule = rules[c];
      if (rule.action == FieldAction::kDrop) {
        if (!row[c].empty()) ++report.by_field[header[c]]["drop"];
        continue;
      }
      auto v = fields.Apply(rule, row[c], ctx, report.text);
      if (!v.ok()) {
        return absl::InvalidArgumentError(
            Cat(display, ":", line, ": column '", header[c], "': ", v.status().message()));
      }
      if (*v != row[c]) ++report.by_field[header[c]][std::string(FieldActionName(rule.action))];
      out_row.push_back(std::move(*v));
    }
    AppendCsvRecord(sink.buffer(), out_row, options.delimiter);
    if (absl::Status s = sink.EndRecord(report); !s.ok()) return s;
  }
  if (!(*reader)->status().ok()) return (*reader)->status();
  if (absl::Status s = sink.Flush(); !s.ok()) return s;
  return report;
}

std::string StructuredReportJson(const StructuredReport& r, const FieldPolicy& policy) {
  nlohmann::json j;
  j["policy"] = policy.name;
  j["records"] = r.records;
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
  return j.dump(2) + "\n";
}

}  // namespace phiguard::deid
