// phiguard detect / phiguard deid text: find or remove PHI in free text (plain or JSONL).
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "commands.h"
#include "deid_audit.h"
#include "engine.h"
#include "inputs.h"
#include "phiguard/core/strings.h"
#include "phiguard/deid/profile.h"
#include "phiguard/deid/text_pipeline.h"
#include "phiguard/deid/transformer.h"
#include "phiguard/phi/detector.h"

namespace phiguard::cli {
namespace {

struct TextOptions {
  std::vector<std::string> inputs;
  std::string out = "-";
  std::string format = "auto";
  std::string profile = "safe-harbor";
  DeidKeyOptions key;
  std::string text_field = "text", id_field = "id", patient_field = "patient_id";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool with_text = false;
  bool quiet = false;
  bool timing = false;
  size_t max_record_mb = 64;
};

void AddCommonOptions(CLI::App* cmd, TextOptions& o) {
  cmd->add_option("inputs", o.inputs, "Files or directories ('-' or none: stdin)");
  cmd->add_option("-o,--out", o.out, "Output file ('-': stdout); written atomically")
      ->capture_default_str();
  cmd->add_option("--format", o.format, "Input format: text, jsonl or auto (by extension)")
      ->capture_default_str();
  cmd->add_option("--profile,--policy", o.profile,
                  "Built-in profile (safe-harbor, redact, pseudonymize, surrogate, mask) or YAML file")
      ->capture_default_str();
  cmd->add_option("--text-field", o.text_field, "JSONL field with the free text")->capture_default_str();
  cmd->add_option("--id-field", o.id_field, "JSONL field with the document id")->capture_default_str();
  cmd->add_option("--threads", o.threads, "Worker threads")->check(CLI::Range(1, 256));
  cmd->add_flag("-q,--quiet", o.quiet, "No summary on stderr");
  cmd->add_flag("--timing", o.timing,
                "Also report on stderr the time spent detecting PHI and transforming the text "
                "(summed over threads; reading, parsing and writing excluded)");
  cmd->add_option("--max-record-mb", o.max_record_mb,
                  "Largest document (text) or JSONL line accepted, in MiB; larger is an error")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
}

deid::Profile MustLoadProfile(const std::string& name) {
  auto p = deid::LoadProfile(name);
  if (!p.ok()) {
    if (p.status().code() == absl::StatusCode::kNotFound && name.find('/') == std::string::npos)
      UsageError(std::string(p.status().message()));
    Fail(p.status());
  }
  return *p;
}

void Run(const GlobalOptions& g, const TextOptions& o, bool deid) {
  deid::Profile profile = MustLoadProfile(o.profile);
  auto inputs = ExpandInputs(o.inputs);
  if (!inputs.ok()) Fail(inputs.status());
  // The key first: a refused key fails before the lexicons load.
  std::unique_ptr<deid::Transformer> transformer;
  if (deid) transformer = MakeTransformer(g, profile, o.key, profile.NeedsKey(), o.quiet, "deid text");
  std::unique_ptr<phi::Detector> detector = MakeDetector(g, &profile);
  auto writer = AtomicFileWriter::Open(o.out);
  if (!writer.ok()) Fail(writer.status());
  deid::PipelineStats total;
  deid::PipelineOptions popts;
  popts.text_field = o.text_field;
  popts.id_field = o.id_field;
  popts.patient_field = o.patient_field;
  popts.threads = o.threads;
  popts.progress = !o.quiet && ::isatty(STDERR_FILENO);
  popts.include_text_in_detect = o.with_text;
  popts.time_stages = o.timing;
  popts.max_record_bytes = o.max_record_mb << 20;
  std::vector<deid::PipelineStats> per_input;
  for (const std::string& in : *inputs) {
    auto fmt = ResolveFormat(o.format, in);
    if (!fmt.ok()) UsageError(std::string(fmt.status().message()));
    popts.format = *fmt;
    auto st = deid::RunTextPipeline(*detector, transformer.get(), in, **writer, popts);
    if (!st.ok()) Fail(st.status());  // the writer's destructor drops the temporary file
    total.Add(*st);
    per_input.push_back(*st);
  }
  DeidRunAudit audit(g, o.key.keyring, deid ? "deid.text" : "detect");
  const std::string key_id = deid ? transformer->KeyId() : "";
  for (size_t i = 0; i < inputs->size(); ++i) {
    audit.RecordOutput((*inputs)[i], per_input[i].documents, 0, per_input[i].spans, o.profile, key_id);
  }
  if (absl::Status s = (*writer)->Commit(); !s.ok()) Fail(s);
  if (!o.quiet) {
    std::fprintf(stderr, "phiguard: %zu documents, %.2f MB, %zu PHI spans (%s)\n", total.documents,
                 total.bytes / 1e6, total.spans, deid::SummarizeStats(total).c_str());
  }
  if (o.timing) {
    // Text bytes per second of the two CPU-bound stages together (per core when summed).
    const double busy = total.detect_seconds + total.transform_seconds;
    std::fprintf(stderr, "phiguard: timing: detect %.3f s, transform %.3f s, %.1f MB/s of text\n",
                 total.detect_seconds, total.transform_seconds,
                 busy > 0 ? total.bytes / busy / 1e6 : 0.0);
  }
}

}  // namespace

void RegisterDetect(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<TextOptions>();
  CLI::App* cmd = app.add_subcommand(
      "detect",
      "Find PHI in free text; writes one JSON line per document with its spans.\n"
      "Examples:\n  phiguard detect note.txt\n  phiguard detect --format jsonl notes.jsonl -o spans.jsonl");
  AddCommonOptions(cmd, *o);
  cmd->add_flag("--with-text", o->with_text, "Include the PHI text in each span (handle as PHI!)");
  cmd->add_option("--as", o->key.keyring.identity,
                  "Caller recorded in the audit log (default: $PHIGUARD_IDENTITY, else $USER)");
  cmd->callback([o, &global] { Run(global, *o, /*deid=*/false); });
}

void RegisterDeid(CLI::App& app, const GlobalOptions& global) {
  CLI::App* deid = app.add_subcommand("deid", "De-identify data");
  deid->require_subcommand(1);
  auto o = std::make_shared<TextOptions>();
  CLI::App* cmd = deid->add_subcommand(
      "text",
      "De-identify free text (plain or JSONL); other JSONL fields pass through.\n"
      "Examples:\n  phiguard deid text note.txt\n"
      "  phiguard deid text --profile pseudonymize --key-file key.hex -o out.jsonl notes.jsonl");
  AddCommonOptions(cmd, *o);
  AddDeidKeyOptions(cmd, o->key);
  cmd->add_option("--patient-field", o->patient_field, "JSONL field keying per-patient date shifts")
      ->capture_default_str();
  cmd->callback([o, &global] { Run(global, *o, /*deid=*/true); });
  RegisterDeidCsv(*deid, global);
}

}  // namespace phiguard::cli
