// The Expert Determination report (45 CFR 164.514(b)(1)): what a qualified expert files with the
// privacy impact assessment. Built from machine output — `phiguard risk anonymize --report-json`
// (risk before and after, the transformation, suppression, utility) and/or `phiguard risk analyze
// -o` (the risk of one data set) — plus a YAML context file the expert writes: the data set, why
// each quasi-identifier, the anticipated recipient and environment, the thresholds chosen and why,
// and the expert's name, qualification and date. Output: a JSON summary and a self-contained HTML
// page (inline CSS, no external assets, every input value HTML-escaped) with a signature block;
// a PDF through headless Chromium when it is installed. Stateless functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace phiguard::risk {

struct ReportInputs {
  std::string anonymize_json;  // text of `risk anonymize --report-json`, or empty
  std::string analyze_json;    // text of `risk analyze -o`, or empty
  std::string context_yaml;    // the context file (docs/risk.md shows its keys)
  std::string generated_at;    // timestamp printed in the report; empty: now (UTC)
};

struct DeterminationReport {
  std::string json;     // the summary (format "phiguard-determination-report/1")
  std::string html;     // the self-contained page
  std::string summary;  // a few lines for a terminal
  // Gaps an expert should see before signing: a quasi-identifier without a reason, a risk above
  // the threshold, context quasi-identifiers that the analysis did not use.
  std::vector<std::string> warnings;
};

// InvalidArgument when both JSON inputs are empty, when one is not valid JSON of the expected shape
// (naming the input and key), or when the context is not valid YAML or lacks a required key
// (dataset.description, recipient, environment, thresholds.why) — naming the key.
absl::StatusOr<DeterminationReport> BuildDeterminationReport(const ReportInputs& inputs);

// The Chromium binary for PDF output: `explicit_path` when given (NotFound if it is not an
// executable file), else the first of chromium, chromium-browser, google-chrome, google-chrome-
// stable on PATH (NotFound saying so and naming the Debian package when there is none).
absl::StatusOr<std::string> FindChromium(const std::string& explicit_path);

// Prints `html` to `pdf_path` with `chromium --headless --print-to-pdf` (no shell). Internal naming
// the exit status when Chromium fails or writes no file; the PDF appears only when complete.
absl::Status RenderPdf(const std::string& chromium, const std::string& html,
                       const std::string& pdf_path);

}  // namespace phiguard::risk
