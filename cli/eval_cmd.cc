// phiguard eval physionet: score detection on the PhysioNet gold standard.
#include <cstdio>
#include <thread>

#include "commands.h"
#include "engine.h"
#include "phiguard/core/file_io.h"
#include "phiguard/eval/physionet.h"
#include "phiguard/phi/detector.h"

namespace phiguard::cli {

void RegisterEval(CLI::App& app, const GlobalOptions& global) {
  CLI::App* eval = app.add_subcommand("eval", "Measure detection accuracy against gold standards");
  eval->require_subcommand(1);
  CLI::App* physionet = eval->add_subcommand(
      "physionet",
      "Score PHI detection on the PhysioNet deid gold standard (recall, precision, F2 per type).\n"
      "Example:\n  phiguard eval physionet --text ../shared/data/physionet-deid/dev/id.text \\\n"
      "      --gold ../shared/data/physionet-deid/dev/id-phi.phrase -o report.json");
  struct Opts {
    std::string text, gold, out, examples;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  };
  auto opts = std::make_shared<Opts>();
  physionet->add_option("--text", opts->text, "id.text file")->required();
  physionet->add_option("--gold", opts->gold, "id-phi.phrase file")->required();
  physionet->add_option("-o,--out", opts->out, "Write the JSON report here");
  physionet->add_option("--examples", opts->examples,
                        "Write misses and false positives (with context) as JSON here");
  physionet->add_option("--threads", opts->threads, "Worker threads")->check(CLI::Range(1, 256));
  physionet->callback([opts, &global] {
    auto notes = eval::ReadPhysionetNotes(opts->text);
    if (!notes.ok()) Fail(notes.status());
    auto gold = eval::ReadPhysionetGold(opts->gold);
    if (!gold.ok()) Fail(gold.status());
    auto detector = MakeDetector(global, nullptr);
    auto report = eval::EvaluatePhysionet(*detector, *notes, *gold, opts->threads);
    if (!report.ok()) Fail(report.status());
    std::fputs(eval::FormatReportTable(*report).c_str(), stdout);
    if (!opts->out.empty()) WriteWholeFile(opts->out, eval::ReportToJson(*report, false));
    if (!opts->examples.empty()) WriteWholeFile(opts->examples, eval::ReportToJson(*report, true));
  });
}

}  // namespace phiguard::cli
