// Scores a Detector on the PhysioNet deid gold standard (Neamatullah et al. 2008): notes in
// `id.text` (records "START_OF_RECORD=<pid>||||<note>||||\n<text>||||END_OF_RECORD") and gold PHI in
// `id-phi.phrase` ("<pid> <note> <start> <end> <type> <text>", character offsets, end exclusive).
//
// A gold PHI counts as found only when every alphanumeric character of it lies inside a detected
// span. Gold "DateYear" (a bare year, which Safe Harbor lets you keep) is scored apart: reported as
// how many were flagged, never as a miss. A detected span is a true positive when it overlaps any
// gold PHI (DateYear included).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/phi/detector.h"

namespace phiguard::eval {

struct PhysionetNote {
  std::string patient;
  std::string note;
  std::string text;  // UTF-8 (latin-1 input is converted; code-point offsets are unchanged)
};

struct GoldPhi {
  std::string patient;
  std::string note;
  size_t start = 0;  // code points
  size_t end = 0;
  std::string type;  // HCPName, Date, Location, ...
  std::string text;
};

// InvalidArgument naming the file and line for a malformed record.
absl::StatusOr<std::vector<PhysionetNote>> ReadPhysionetNotes(const std::string& path);
absl::StatusOr<std::vector<GoldPhi>> ReadPhysionetGold(const std::string& path);

struct Counts {
  size_t total = 0;
  size_t hit = 0;
  double Rate() const { return total == 0 ? 1.0 : static_cast<double>(hit) / total; }
};

struct Miss {  // a gold PHI not fully covered, or a detected span that matches no gold PHI
  std::string patient, note, type, text, context;
};

struct EvalReport {
  Counts recall;                          // gold PHI (DateYear excluded) found
  Counts precision;                       // detected spans that overlap gold PHI
  std::map<std::string, Counts> recall_by_gold_type;
  std::map<std::string, Counts> precision_by_detected_type;
  Counts date_year;                       // bare years flagged (not part of recall)
  std::vector<Miss> misses;
  std::vector<Miss> false_positives;
  double F2() const;
};

// Runs `detector` over `notes` (on `threads` threads) and scores against `gold`. InvalidArgument
// if a gold entry names a note that is not in `notes` or lies outside its text.
absl::StatusOr<EvalReport> EvaluatePhysionet(const phi::Detector& detector,
                                             const std::vector<PhysionetNote>& notes,
                                             const std::vector<GoldPhi>& gold, int threads = 1);

// A fixed-width table for a terminal, and a JSON document with the same numbers.
std::string FormatReportTable(const EvalReport& report);
std::string ReportToJson(const EvalReport& report, bool include_examples);

}  // namespace phiguard::eval
