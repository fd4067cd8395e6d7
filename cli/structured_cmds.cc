// phiguard deid csv | jsonl | fhir | hl7: de-identify structured records field by field under a
// policy. One input with -o, or many inputs (files or folders, e.g. a FHIR Bulk Data export) with
// --out-dir, where a manifest of finished inputs makes the run resumable (--resume).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "deid_audit.h"
#include "engine.h"
#include "inputs.h"
#include "phiguard/core/csv.h"
#include "phiguard/core/strings.h"
#include "phiguard/deid/csv_deid.h"
#include "phiguard/deid/field_policy.h"
#include "phiguard/deid/fhir_deid.h"
#include "phiguard/deid/hl7_deid.h"
#include "phiguard/deid/jsonl_deid.h"
#include "phiguard/deid/structured_report.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::cli {

namespace {

namespace fs = std::filesystem;

enum class Format { kCsv, kJsonl, kFhir, kHl7 };

struct FormatInfo {
  Format format;
  const char* name;         // subcommand
  const char* policy_kind;  // built-in policy prefix: data/policies/<kind>-<name>.yaml
  const char* help;
};

constexpr FormatInfo kFormats[] = {
    {Format::kCsv, "csv", "csv",
     "De-identify a CSV extract: each column gets its policy's transform; columns the\n"
     "policy does not name go through the free-text engine (Safe Harbor), or get a\n"
     "Safe Harbor rule from their name (zip, dob, last_name, ...).\n"
     "Examples:\n  phiguard deid csv data/samples/patients.csv\n"
     "  phiguard deid csv --policy data/samples/patients-policy.yaml --key-file deid.key \\\n"
     "      --report report.json -o clean.csv data/samples/patients.csv"},
    {Format::kJsonl, "jsonl", "jsonl",
     "De-identify JSON Lines records field by field: fields by JSON pointer (/a/b) or\n"
     "top-level key; strings the policy does not name go through the free-text engine\n"
     "or get a rule from their key; numbers are kept unless named.\n"
     "Example:\n  phiguard deid jsonl --policy policy.yaml --key-file deid.key -o out.jsonl in.jsonl"},
    {Format::kFhir, "fhir", "fhir",
     "De-identify FHIR R4 resources (Bulk Data NDJSON, or one resource/Bundle per .json file)\n"
     "under a policy of FHIR paths; --policy safe-harbor (the default) is the built-in US Core\n"
     "Safe Harbor policy. Ids and references are pseudonymised consistently, so references still\n"
     "resolve across files and shards that use the same key.\n"
     "Examples:\n"
     "  phiguard deid fhir --key-file deid.key -o Patient.clean.ndjson Patient.000.ndjson\n"
     "  phiguard deid fhir --key-file deid.key --out-dir clean/ --report clean/report.json \\\n"
     "      --on-error=skip --resume export/"},
    {Format::kHl7, "hl7", "hl7v2",
     "De-identify HL7v2 pipe-delimited messages (one or many per file; CR, LF or CRLF after\n"
     "each segment; no MLLP framing) under a policy of HL7 locations (PID-5, PID-11.5, OBX-5);\n"
     "--policy safe-harbor (the default) covers MSH, PID, PD1, NK1, PV1, PV2, OBR, OBX, NTE,\n"
     "IN1, GT1, DG1, AL1; other fields go through the free-text engine. Alias: hl7v2.\n"
     "Example:\n  phiguard deid hl7 --key-file deid.key -o clean.hl7 ../shared/data/samples/hl7v2/oru_r01_v24.hl7"},
};

struct Opts {
  std::vector<std::string> inputs;
  DeidKeyOptions key;
  std::string out = "-", out_dir, policy, report, delimiter = ",", on_error = "stop",
              quarantine;
  int threads = 1;
  bool quiet = false, resume = false;
};

constexpr char kManifest[] = "phiguard-manifest.jsonl";

// Inputs finished by an earlier run with this policy and key: input path -> manifest line.
std::map<std::string, nlohmann::json> ReadManifest(const std::string& out_dir) {
  std::map<std::string, nlohmann::json> done;
  std::ifstream in(fs::path(out_dir) / kManifest);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("input")) done[j["input"].get<std::string>()] = j;
  }
  return done;
}

void Run(const FormatInfo& fmt, const Opts& o, const GlobalOptions& global) {
  if (o.delimiter.size() != 1) UsageError("--delimiter must be one character");
  if (o.on_error != "stop" && o.on_error != "skip") UsageError("--on-error is stop or skip");
  if (o.threads < 1 || o.threads > 256) UsageError("--threads must be 1..256");
  if (o.resume && o.out_dir.empty()) UsageError("--resume needs --out-dir");
  auto inputs = ExpandInputs(o.inputs);
  if (!inputs.ok()) Fail(inputs.status());
  if (o.out_dir.empty() && inputs->size() > 1) {
    UsageError("several inputs need --out-dir (one output per input)");
  }
  const bool builtin_default = fmt.format == Format::kFhir || fmt.format == Format::kHl7;
  std::string policy_name = o.policy.empty() && builtin_default ? "safe-harbor" : o.policy;
  auto policy = deid::LoadFieldPolicyFor(fmt.policy_kind, policy_name, global.data_dir);
  if (!policy.ok()) Fail(policy.status());
  if (fmt.format == Format::kFhir) {
    if (auto s = deid::ValidateFhirPolicy(*policy); !s.ok()) Fail(s);
  }
  if (fmt.format == Format::kHl7) {
    if (auto s = deid::ValidateHl7Policy(*policy); !s.ok()) Fail(s);
  }
  // The key first: a refused key fails before the lexicons load.
  auto transformer =
      MakeTransformer(global, policy->text_profile, o.key, policy->NeedsKey(), o.quiet, Cat("deid ", fmt.name));
  auto detector = MakeDetector(global, &policy->text_profile);
  DeidRunAudit audit(global, o.key.keyring, Cat("deid.", fmt.name));

  // Output paths, one per input.
  std::vector<std::string> outputs;
  if (o.out_dir.empty()) {
    outputs.push_back(o.out);
  } else {
    std::error_code ec;
    fs::create_directories(o.out_dir, ec);
    if (ec) Fail(absl::UnavailableError(Cat(o.out_dir, ": ", ec.message())));
    std::set<std::string> names;
    for (const std::string& in : *inputs) {
      if (in == "-") UsageError("--out-dir needs input files, not stdin");
      std::string name = fs::path(in).filename().string();
      if (!names.insert(name).second) {
        Fail(absl::InvalidArgumentError(Cat("two inputs are named '", name, "'; --out-dir keeps one file per name")));
      }
      outputs.push_back((fs::path(o.out_dir) / name).string());
    }
  }
  std::map<std::string, nlohmann::json> manifest;
  if (o.resume) manifest = ReadManifest(o.out_dir);

  deid::StructuredReport total;
  total.format = fmt.name;
  total.key_id = transformer->KeyId();
  size_t resumed = 0;
  for (size_t i = 0; i < inputs->size(); ++i) {
    const std::string& in = (*inputs)[i];
    if (o.resume) {
      auto it = manifest.find(in);
      std::error_code ec;
      if (it != manifest.end() && it->second.value("policy_hash", "") == policy->hash &&
          it->second.value("key_id", "") == total.key_id && fs::exists(outputs[i], ec)) {
        ++resumed;
        continue;
      }
    }
    auto writer = AtomicFileWriter::Open(outputs[i]);
    if (!writer.ok()) Fail(writer.status());
    deid::StructuredOptions run;
    run.threads = o.threads;
    run.on_error = o.on_error == "skip" ? deid::OnError::kSkip : deid::OnError::kStop;
    run.progress = !o.quiet && ::isatty(STDERR_FILENO);
    std::unique_ptr<AtomicFileWriter> quarantine;
    if (run.on_error == deid::OnError::kSkip) {
      std::string qpath = !o.quarantine.empty() ? (o.out_dir.empty() ? o.quarantine
                                                                     : (fs::path(o.quarantine) / fs::path(in).filename()).string())
                          : !AtomicFileWriter::WritesInPlace(outputs[i]) ? outputs[i] + ".quarantine"
                                              : std::string();
      if (!o.quarantine.empty() && !o.out_dir.empty()) {
        std::error_code ec;
        fs::create_directories(o.quarantine, ec);
      }
      if (!qpath.empty()) {
        auto q = AtomicFileWriter::Open(qpath);
        if (!q.ok()) Fail(q.status());
        quarantine = std::move(*q);
        run.quarantine = quarantine.get();
      }
    }
    absl::StatusOr<deid::StructuredReport> report;
    switch (fmt.format) {
      case Format::kCsv: {
        CsvOptions csv;
        csv.delimiter = o.delimiter[0];
        csv.max_record_bytes = std::min<size_t>(run.max_record_bytes, 16u << 20);
        report = deid::DeidentifyCsv(*detector, *transformer, *policy, in, **writer, csv, run);
        break;
      }
      case Format::kJsonl:
        report = deid::DeidentifyJsonl(*detector, *transformer, *policy, in, **writer, run);
        break;
      case Format::kFhir:
        report = deid::DeidentifyFhir(*detector, *transformer, *policy, in, **writer, run);
        break;
      case Format::kHl7:
        report = deid::DeidentifyHl7(*detector, *transformer, *policy, in, **writer, run);
        break;
    }
    if (!report.ok()) Fail(report.status());
    audit.RecordOutput(in, report->records, report->failed, report->text.spans, policy->hash, total.key_id);
    if (auto s = (*writer)->Commit(); !s.ok()) Fail(s);
    if (quarantine != nullptr && report->failed > 0) {
      if (auto s = quarantine->Commit(); !s.ok()) Fail(s);
    }
    total.Merge(*report);
    if (!o.out_dir.empty()) {
      // The manifest lists each finished input once; rewritten whole so that it is never torn.
      manifest[in] = {{"input", in},
                      {"output", fs::path(outputs[i]).filename().string()},
                      {"records", report->records},
                      {"failed", report->failed},
                      {"policy_hash", policy->hash},
                      {"key_id", total.key_id}};
      std::string text;
      for (const auto& [name, entry] : manifest) text += entry.dump() + "\n";
      WriteWholeFile((fs::path(o.out_dir) / kManifest).string(), text);
    }
  }
  if (!o.report.empty()) WriteWholeFile(o.report, deid::StructuredReportJson(total, *policy));
  if (!o.quiet) {
    std::string summary = deid::StructuredReportSummary(total, *policy);
    if (resumed > 0) summary += Cat("  resumed: ", resumed, " inputs already done (", kManifest, ")\n");
    std::fputs(summary.c_str(), stderr);
  }
}

void RegisterStructured(CLI::App& deid, const GlobalOptions& global, const FormatInfo& fmt) {
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = deid.add_subcommand(fmt.name, fmt.help);
  if (fmt.format == Format::kHl7) cmd->alias("hl7v2");
  cmd->add_option("inputs", o->inputs, "Input files or folders ('-' or none: stdin)");
  cmd->add_option("-o,--out", o->out, "Output file ('-': stdout); written atomically")
      ->capture_default_str();
  cmd->add_option("--out-dir", o->out_dir,
                  "One output per input, same file name; keeps phiguard-manifest.jsonl of "
                  "finished inputs");
  cmd->add_option("--policy", o->policy,
                  fmt.format == Format::kFhir || fmt.format == Format::kHl7
                      ? "Policy: a YAML file or a built-in name (default: safe-harbor)"
                      : "Policy: a YAML file or a built-in name; default: every field as free text");
  AddDeidKeyOptions(cmd, o->key);
  cmd->add_option("--report", o->report, "Write the transform report (JSON, no values) here");
  cmd->add_option("--on-error", o->on_error,
                  "stop: a bad record fails the run (no output); skip: it goes to the "
                  "quarantine file and the report")
      ->capture_default_str();
  cmd->add_option("--quarantine", o->quarantine,
                  "Where skipped records go (a file; with --out-dir a folder). Default: "
                  "<output>.quarantine (none for stdout or a device). Holds raw PHI: protect it like the input");
  cmd->add_option("--threads", o->threads, "Worker threads (output is the same for any count)")
      ->capture_default_str();
  cmd->add_flag("--resume", o->resume,
                "With --out-dir: skip inputs the manifest lists as done with this policy and key");
  if (fmt.format == Format::kCsv) {
    cmd->add_option("--delimiter", o->delimiter, "Field delimiter (one character)")
        ->capture_default_str();
  }
  cmd->add_flag("-q,--quiet", o->quiet, "No summary on stderr");
  cmd->callback([o, &global, &fmt] { Run(fmt, *o, global); });
}

}  // namespace

void RegisterDeidCsv(CLI::App& deid, const GlobalOptions& global) {
  for (const FormatInfo& fmt : kFormats) RegisterStructured(deid, global, fmt);
}

}  // namespace phiguard::cli
