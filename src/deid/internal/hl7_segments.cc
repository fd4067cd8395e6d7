#include "deid/internal/hl7_segments.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "phiguard/core/strings.h"

namespace phiguard::deid::internal {
namespace {

// Segment ids of HL7 v2.3-v2.8 and the highest field number each defines in any of those
// versions (later versions only add fields at the end). Sorted by id.
constexpr std::pair<std::string_view, int> kSegments[] = {
    {"ABS", 14}, {"ACC", 12}, {"ADD", 1},  {"ADJ", 27}, {"AFF", 5},  {"AIG", 14}, {"AIL", 12},
    {"AIP", 12}, {"AIS", 12}, {"AL1", 6},  {"APR", 5},  {"ARQ", 25}, {"ARV", 6},  {"AUT", 20},
    {"BHS", 12}, {"BLC", 2},  {"BLG", 4},  {"BPO", 14}, {"BPX", 21}, {"BTS", 3},  {"BTX", 20},
    {"BUI", 13}, {"CDM", 13}, {"CDO", 6},  {"CER", 31}, {"CM0", 11}, {"CM1", 3},  {"CM2", 4},
    {"CNS", 6},  {"CON", 25}, {"CSP", 6},  {"CSR", 16}, {"CSS", 3},  {"CTD", 7},  {"CTI", 4},
    {"DB1", 8},  {"DG1", 26}, {"DMI", 5},  {"DON", 34}, {"DRG", 34}, {"DSC", 2},  {"DSP", 5},
    {"ECD", 5},  {"ECR", 3},  {"EDU", 9},  {"EQP", 5},  {"EQU", 5},  {"ERR", 12}, {"EVN", 7},
    {"FAC", 12}, {"FHS", 12}, {"FT1", 56}, {"FTS", 2},  {"GOL", 22}, {"GP1", 5},  {"GP2", 14},
    {"GT1", 57}, {"IAM", 20}, {"IAR", 4},  {"IIM", 15}, {"ILT", 10}, {"IN1", 55},
    {"IN2", 72}, {"IN3", 28}, {"INV", 20}, {"IPC", 10}, {"IPR", 7},  {"ISD", 3},  {"ITM", 34},
    {"IVC", 36}, {"IVT", 27}, {"LAN", 4},  {"LCC", 4},  {"LCH", 5},  {"LDP", 12}, {"LOC", 9},
    {"LRL", 6},  {"MFA", 7},  {"MFE", 7},  {"MFI", 6},  {"MRG", 7},  {"MSA", 9},  {"MSH", 28},
    {"NCK", 1},  {"NDS", 4},  {"NK1", 41}, {"NPU", 2},  {"NSC", 9},  {"NST", 15}, {"NTE", 9},
    {"OBR", 55}, {"OBX", 33}, {"ODS", 4},  {"ODT", 3},  {"OM1", 59}, {"OM2", 10}, {"OM3", 7},
    {"OM4", 17}, {"OM5", 3},  {"OM6", 2},  {"OM7", 24}, {"ORC", 35}, {"ORG", 12}, {"OVR", 5},
    {"PAC", 8},  {"PCE", 4},  {"PCR", 26}, {"PD1", 22}, {"PDA", 9},  {"PDC", 15}, {"PEO", 25},
    {"PES", 13}, {"PID", 40}, {"PKG", 8},  {"PMT", 12}, {"PR1", 25}, {"PRA", 12}, {"PRB", 27},
    {"PRC", 18}, {"PRD", 13}, {"PRT", 24}, {"PSG", 6},  {"PSH", 14}, {"PSL", 52}, {"PSS", 5},
    {"PTH", 6},  {"PV1", 54}, {"PV2", 50}, {"PYE", 7},  {"QAK", 4},  {"QID", 2},  {"QPD", 99},
    {"QRD", 12}, {"QRF", 10}, {"QRI", 3},  {"RCP", 7},  {"RDF", 2},  {"RDT", 99}, {"REL", 14},
    {"RF1", 12}, {"RFI", 4},  {"RGS", 3},  {"RMI", 3},  {"ROL", 14}, {"RQ1", 7},  {"RQD", 10},
    {"RXA", 27}, {"RXC", 12}, {"RXD", 33}, {"RXE", 51}, {"RXG", 27}, {"RXO", 38}, {"RXR", 6},
    {"RXV", 22}, {"SAC", 49}, {"SCD", 37}, {"SCH", 27}, {"SCP", 8},  {"SDD", 7},  {"SFT", 6},
    {"SGH", 2},  {"SGT", 2},  {"SHP", 12}, {"SID", 4},  {"SLT", 5},  {"SPM", 35}, {"STF", 39},
    {"STZ", 4},  {"TCC", 15}, {"TCD", 8},  {"TQ1", 14}, {"TQ2", 10}, {"TXA", 28}, {"UAC", 2},
    {"UB1", 23}, {"UB2", 17}, {"URD", 7},  {"URS", 9},  {"VAR", 6},  {"VND", 5},
};

// HL7 table 0396 and the common local forms: the third component of a coded value.
constexpr std::string_view kCodingSystems[] = {
    "ANS+", "ATC",   "C4",  "C5",   "CDCREC", "CPT",  "CPT4", "CVX",  "DEA",  "FDDC",
    "GMDN", "HCPCS", "HCPT", "I10", "I10C",   "I10P", "I9",   "I9C",  "I9CDX", "ICD10",
    "ICD10CM", "ICD10PCS", "ICD9", "ISO", "ISO+", "L", "LN", "LOCAL", "LOINC", "MDDX",
    "MEDR", "MEDRA", "MVX", "NCI", "NDC", "NDFRT", "NPI", "NUCC", "RXN", "RXNORM", "SCT",
    "SNM", "SNM3", "SNOMED", "SNT", "UCUM", "UPIN", "UML", "UMLS", "USPS"};

bool IsCodingSystem(std::string_view s) {
  if (s.starts_with("99") || s.starts_with("HL7")) return true;
  return std::any_of(std::begin(kCodingSystems), std::end(kCodingSystems),
                     [&](std::string_view x) { return EqualsIgnoreCase(x, s); });
}

// Letters (any non-ASCII byte counts as one: accented names) in at most three words joined by
// space, apostrophe, hyphen or period; no digits or other punctuation; two letters at least.
bool IsNameWords(std::string_view s) {
  size_t letters = 0, words = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isalpha(c) || c >= 0x80) {
      ++letters;
    } else if (c == ' ') {
      if (i == 0 || s[i - 1] == ' ') return false;
      ++words;
    } else if (c != '\'' && c != '-' && c != '.') {
      return false;
    }
  }
  return letters >= 2 && words <= 3;
}

// An id: one token of letters, digits and - . / _ (no spaces).
bool IsIdToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return std::isalnum(c) || c == '-' || c == '.' || c == '/' || c == '_';
  });
}

}  // namespace

int Hl7SegmentFieldCount(std::string_view id) {
  auto it = std::lower_bound(std::begin(kSegments), std::end(kSegments), id,
                             [](const auto& entry, std::string_view v) { return entry.first < v; });
  if (it == std::end(kSegments) || it->first != id) return 0;
  return it->second;
}

NameShape PersonNameShape(const std::vector<std::string_view>& c, bool loose) {
  auto coded = [&](size_t i) { return c.size() > i && IsCodingSystem(c[i]); };
  if (c.size() >= 3 && (c[0].empty() || IsIdToken(c[0])) && IsNameWords(c[1]) &&
      IsNameWords(c[2]) && !coded(2)) {
    return NameShape::kXcn;
  }
  if (loose && c.size() >= 2 && IsNameWords(c[0]) && IsNameWords(c[1]) && !coded(2)) {
    return NameShape::kXpn;
  }
  return NameShape::kNone;
}

}  // namespace phiguard::deid::internal
