// Linkage risk across sources: can the records of data set A (say a de-identified training set) be
// re-linked with data set B (say a public registry with names) on the quasi-identifiers they
// share? Every A record is matched against the B records with the same values on those columns:
// one match is a unique link (re-identification if the person is in B), a few matches a small
// group, none no link. One pass over each input; memory grows with the number of distinct
// combinations, not with the number of records. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/risk/records.h"

namespace phiguard::risk {

struct LinkageOptions {
  // The shared quasi-identifiers: a_columns[i] in A is compared with b_columns[i] in B.
  std::vector<std::string> a_columns;
  std::vector<std::string> b_columns;
  // A record that matches 2..small_group B records "links to a small group".
  uint64_t small_group = 5;
  // Compare values with surrounding white space removed and ASCII case ignored.
  bool normalize = false;
};

struct LinkageReport {
  uint64_t a_records = 0;
  uint64_t b_records = 0;
  uint64_t unique_links = 0;        // A records matching exactly one B record
  uint64_t one_to_one = 0;          // ... and unique in A as well (an unambiguous pair)
  uint64_t small_group_links = 0;   // A records matching 2..small_group B records
  uint64_t large_group_links = 0;   // A records matching more
  uint64_t unlinked = 0;            // A records matching none
  uint64_t small_group = 0;         // the bound used
  // Expected correct re-identifications if every A record's person is in B and an attacker links
  // each A record to a random matching B record: sum over combinations of min(a, b) / b.
  double expected_reidentifications = 0;
  // B match count -> number of A records with that many matches (0 = unlinked).
  std::map<uint64_t, uint64_t> match_sizes;
};

// Links the records of `a` and `b`, whose fields are a_columns and b_columns in order.
// InvalidArgument when no column is named, the two lists differ in length, or small_group < 1;
// either source's own error (with file and line) for malformed input.
absl::StatusOr<LinkageReport> Link(RecordSource& a, RecordSource& b, const LinkageOptions& options);

// The report as JSON and as a table for a terminal.
std::string LinkageReportJson(const LinkageReport& report, const LinkageOptions& options);
std::string FormatLinkageReport(const LinkageReport& report, const LinkageOptions& options);

}  // namespace phiguard::risk
