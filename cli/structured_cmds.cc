// phiguard deid csv / deid jsonl: de-identify structured records field by field under a policy.
#include <cstdio>

#include "commands.h"
#include "engine.h"
#include "phiguard/core/csv.h"
#include "phiguard/core/strings.h"
#include "phiguard/deid/csv_deid.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/jsonl_deid.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::cli {

namespace {

void RegisterStructured(CLI::App& deid, const GlobalOptions& global, bool csv_format) {
  struct Opts {
    std::string input = "-", out = "-", policy, key_file, report, delimiter = ",";
    bool quiet = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd =
      csv_format
          ? deid.add_subcommand(
                "csv",
                "De-identify a CSV extract: each column gets its policy's transform; columns the\n"
                "policy does not name go through the free-text engine (Safe Harbor), or get a\n"
                "Safe Harbor rule from their name (zip, dob, last_name, ...).\n"
                "Examples:\n  phiguard deid csv data/samples/patients.csv\n"
                "  phiguard deid csv --policy data/samples/patients-policy.yaml --key-file deid.key \\\n"
                "      --report report.json -o clean.csv data/samples/patients.csv")
          : deid.add_subcommand(
                "jsonl",
                "De-identify JSON Lines records field by field: fields by JSON pointer (/a/b) or\n"
                "top-level key; strings the policy does not name go through the free-text engine\n"
                "or get a rule from their key; numbers are kept unless named.\n"
                "Example:\n  phiguard deid jsonl --policy policy.yaml --key-file deid.key -o out.jsonl in.jsonl");
  cmd->add_option("input", o->input, "Input file ('-' or none: stdin)");
  cmd->add_option("-o,--out", o->out, "Output file ('-': stdout); written atomically")
      ->capture_default_str();
  cmd->add_option("--policy", o->policy, "Field policy (YAML); default: every column as free text");
  cmd->add_option("--key-file", o->key_file, "Secret key for pseudonyms, date shifts, buckets");
  cmd->add_option("--report", o->report, "Write the transform report (JSON, no values) here");
  if (csv_format) {
    cmd->add_option("--delimiter", o->delimiter, "Field delimiter (one character)")
        ->capture_default_str();
  }
  cmd->add_flag("-q,--quiet", o->quiet, "No summary on stderr");
  cmd->callback([o, &global, csv_format] {
    if (o->delimiter.size() != 1) UsageError("--delimiter must be one character");
    deid::FieldPolicy policy = deid::DefaultFieldPolicy();
    if (!o->policy.empty()) {
      auto p = deid::LoadFieldPolicy(o->policy);
      if (!p.ok()) Fail(p.status());
      policy = *p;
    }
    auto detector = MakeDetector(global, &policy.text_profile);
    auto transformer =
        MakeTransformer(global, policy.text_profile, o->key_file, policy.NeedsKey(), o->quiet);
    auto writer = AtomicFileWriter::Open(o->out);
    if (!writer.ok()) Fail(writer.status());
    CsvOptions csv;
    csv.delimiter = o->delimiter[0];
    auto report = csv_format
                      ? deid::DeidentifyCsv(*detector, *transformer, policy, o->input, **writer, csv)
                      : deid::DeidentifyJsonl(*detector, *transformer, policy, o->input, **writer);
    if (!report.ok()) Fail(report.status());
    if (auto s = (*writer)->Commit(); !s.ok()) Fail(s);
    if (!o->report.empty()) {
      WriteWholeFile(o->report, deid::StructuredReportJson(*report, policy));
    }
    if (!o->quiet) {
      std::fprintf(stderr, "phiguard: %zu records, %zu PHI spans in text fields (%s)\n",
                   report->records, report->text.spans, deid::SummarizeStats(report->text).c_str());
    }
  });
}

}  // namespace

void RegisterDeidCsv(CLI::App& deid, const GlobalOptions& global) {
  RegisterStructured(deid, global, /*csv_format=*/true);
  RegisterStructured(deid, global, /*csv_format=*/false);
}

}  // namespace phiguard::cli
