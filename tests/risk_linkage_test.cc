// Linkage across sources: unique, small-group, large-group and missing links counted by hand,
// different column names per side, normalisation, JSONL against CSV, and the error paths.
#include "phiguard/risk/linkage.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace phiguard::risk {
namespace {

using testing_util::ScopedTempDir;
using testing_util::WriteFile;

constexpr char kA[] =
    "zip,yob,sex,dx\n"
    "021,1980,F,flu\n"                     // B has 1: unique, and unique in A (one-to-one)
    "021,1980,M,flu\n021,1980,M,cold\n"    // B has 1: two unique links, not one-to-one
    "100,1975,F,flu\n"                     // B has 3: small group
    "100,1990,M,flu\n"                     // B has none
    "200,1960,F,flu\n";                    // B has 6: large group
constexpr char kB[] =
    "name,zip,birth_year,sex\n"
    "n1,021,1980,F\n"
    "n2,021,1980,M\n"
    "n3,100,1975,F\nn4,100,1975,F\nn5,100,1975,F\n"
    "n6,200,1960,F\nn7,200,1960,F\nn8,200,1960,F\nn9,200,1960,F\nn10,200,1960,F\nn11,200,1960,F\n"
    "n12,300,1950,M\n";

LinkageOptions Options() {
  LinkageOptions o;
  o.a_columns = {"zip", "yob", "sex"};
  o.b_columns = {"zip", "birth_year", "sex"};
  o.small_group = 5;
  return o;
}

absl::StatusOr<LinkageReport> LinkCsv(const std::string& a, const std::string& b,
                                      const LinkageOptions& o) {
  auto ra = CsvReader::Open(a);
  auto rb = CsvReader::Open(b);
  if (!ra.ok()) return ra.status();
  if (!rb.ok()) return rb.status();
  auto sa = CsvRecords(**ra, o.a_columns);
  if (!sa.ok()) return sa.status();
  auto sb = CsvRecords(**rb, o.b_columns);
  if (!sb.ok()) return sb.status();
  return Link(**sa, **sb, o);
}

TEST(RiskLinkage, CountsLinksByHowManyRecordsOfBMatch) {
  ScopedTempDir dir;
  auto r = LinkCsv(WriteFile(dir.File("a.csv"), kA), WriteFile(dir.File("b.csv"), kB), Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->a_records, 6u);
  EXPECT_EQ(r->b_records, 12u);
  EXPECT_EQ(r->unique_links, 3u);
  EXPECT_EQ(r->one_to_one, 1u);
  EXPECT_EQ(r->small_group_links, 1u);
  EXPECT_EQ(r->large_group_links, 1u);
  EXPECT_EQ(r->unlinked, 1u);
  // 1/1 + min(2,1)/1 + 1/3 + 1/6.
  EXPECT_NEAR(r->expected_reidentifications, 2.5, 1e-12);
  EXPECT_EQ(r->match_sizes, (std::map<uint64_t, uint64_t>{{0, 1}, {1, 3}, {3, 1}, {6, 1}}));
  // With a bound of 2 the group of 3 is large.
  LinkageOptions o = Options();
  o.small_group = 2;
  r = LinkCsv(dir.File("a.csv"), dir.File("b.csv"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->small_group_links, 0u);
  EXPECT_EQ(r->large_group_links, 2u);
  std::string json = LinkageReportJson(*r, o);
  EXPECT_NE(json.find("\"unique_links\": 3"), std::string::npos) << json;
}

TEST(RiskLinkage, NormalizeIgnoresCaseAndSpaces) {
  ScopedTempDir dir;
  std::string a = WriteFile(dir.File("a.csv"), "zip,yob,sex\n021 ,1980, f\n");
  std::string b = WriteFile(dir.File("b.csv"), "zip,birth_year,sex\n021,1980,F\n");
  auto r = LinkCsv(a, b, Options());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unlinked, 1u);
  LinkageOptions o = Options();
  o.normalize = true;
  r = LinkCsv(a, b, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unique_links, 1u);
}

TEST(RiskLinkage, JsonlLinksAgainstCsv) {
  ScopedTempDir dir;
  std::string a = WriteFile(dir.File("a.jsonl"),
                            "{\"zip\": \"021\", \"yob\": 1980, \"sex\": \"F\"}\n"
                            "{\"zip\": \"100\", \"yob\": 1975, \"sex\": \"F\"}\n");
  auto sa = JsonlRecords(a, {"zip", "yob", "sex"});
  ASSERT_TRUE(sa.ok());
  auto rb = CsvReader::Open(WriteFile(dir.File("b.csv"), kB));
  ASSERT_TRUE(rb.ok());
  auto sb = CsvRecords(**rb, {"zip", "birth_year", "sex"});
  ASSERT_TRUE(sb.ok());
  auto r = Link(**sa, **sb, Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->unique_links, 1u);
  EXPECT_EQ(r->small_group_links, 1u);
}

TEST(RiskLinkage, BadOptionsAndInputAreErrors) {
  ScopedTempDir dir;
  std::string a = WriteFile(dir.File("a.csv"), kA);
  std::string b = WriteFile(dir.File("b.csv"), kB);
  LinkageOptions o = Options();
  o.b_columns.pop_back();
  EXPECT_EQ(LinkCsv(a, b, o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options();
  o.a_columns.clear();
  o.b_columns.clear();
  EXPECT_EQ(LinkCsv(a, b, o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options();
  o.small_group = 0;
  EXPECT_EQ(LinkCsv(a, b, o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options();
  o.b_columns[1] = "yob";  // not in B
  EXPECT_EQ(LinkCsv(a, b, o).status().code(), absl::StatusCode::kInvalidArgument);
  std::string ragged = WriteFile(dir.File("r.csv"), "zip,yob,sex\n021,1980\n");
  EXPECT_EQ(LinkCsv(ragged, b, Options()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace phiguard::risk
