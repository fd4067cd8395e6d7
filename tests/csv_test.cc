// CsvReader / AppendCsvRecord: RFC 4180 quoting, multi-line fields, ragged rows and bad quotes.
#include "phiguard/core/csv.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace phiguard {
namespace {

using testing_util::ScopedTempDir;
using testing_util::WriteFile;

std::vector<std::vector<std::string>> ReadAll(const std::string& path, absl::Status* status,
                                              char delimiter = ',') {
  CsvOptions opts;
  opts.delimiter = delimiter;
  auto r = CsvReader::Open(path, opts);
  if (!r.ok()) {
    *status = r.status();
    return {};
  }
  std::vector<std::vector<std::string>> rows{(*r)->header()};
  std::vector<std::string> row;
  while ((*r)->Next(row)) rows.push_back(row);
  *status = (*r)->status();
  return rows;
}

TEST(CsvReader, ReadsQuotedFieldsWithDelimitersQuotesAndLineBreaks) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("a.csv"),
                               "id,name,note\r\n1,\"O'Brien, Pat\",\"said \"\"hi\"\"\nand left\"\n\n2,Ann,\n");
  absl::Status s;
  auto rows = ReadAll(path, &s);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "name", "note"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "O'Brien, Pat", "said \"hi\"\nand left"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2", "Ann", ""}));
}

TEST(CsvReader, OtherDelimiterAndByteOrderMark) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("a.csv"), "\xEF\xBB\xBFsex;age\r\nMale;39\r\n");
  absl::Status s;
  auto rows = ReadAll(path, &s, ';');
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(rows[0][0], "sex");
  EXPECT_EQ(rows[1], (std::vector<std::string>{"Male", "39"}));
}

TEST(CsvReader, RaggedRowIsInvalidArgument) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("a.csv"), "a,b\n1,2\n3\n");
  absl::Status s;
  ReadAll(path, &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(CsvReader, UnclosedQuoteIsInvalidArgument) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("a.csv"), "a,b\n1,\"open\n2,3\n");
  absl::Status s;
  ReadAll(path, &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(CsvReader, TextAfterClosingQuoteIsInvalidArgument) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("a.csv"), "a,b\n\"x\"y,2\n");
  absl::Status s;
  ReadAll(path, &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(CsvReader, EmptyFileHasNoHeader) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("a.csv"), "");
  EXPECT_EQ(CsvReader::Open(path).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CsvReader::Open(dir.File("missing.csv")).status().code(), absl::StatusCode::kNotFound);
}

TEST(CsvReader, OversizedRecordIsResourceExhausted) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("a.csv"), "a\n\"" + std::string(5000, 'x') + "\"\n");
  CsvOptions opts;
  opts.max_record_bytes = 1000;
  auto r = CsvReader::Open(path, opts);
  ASSERT_TRUE(r.ok());
  std::vector<std::string> row;
  EXPECT_FALSE((*r)->Next(row));
  EXPECT_EQ((*r)->status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(AppendCsvRecord, QuotesOnlyWhereNeededAndRoundTrips) {
  std::string out;
  AppendCsvRecord(out, {"plain", "a,b", "say \"x\"", "two\nlines", ""});
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"x\"\"\",\"two\nlines\",\n");
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("a.csv"), "h1,h2,h3,h4,h5\n" + out);
  absl::Status s;
  auto rows = ReadAll(path, &s);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(rows[1], (std::vector<std::string>{"plain", "a,b", "say \"x\"", "two\nlines", ""}));
}

}  // namespace
}  // namespace phiguard
