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

// Reads every record, skipping bad ones: the good rows, and for each bad record its line and raw
// bytes.
struct Skipped {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::pair<size_t, std::string>> bad;
  absl::Status end;
};
Skipped ReadSkipping(const std::string& path) {
  Skipped out;
  auto r = CsvReader::Open(path);
  EXPECT_TRUE(r.ok()) << r.status();
  std::vector<std::string> row;
  for (;;) {
    if ((*r)->Next(row)) {
      out.rows.push_back(row);
      continue;
    }
    if ((*r)->status().ok()) break;
    EXPECT_EQ((*r)->status().code(), absl::StatusCode::kInvalidArgument);
    out.bad.emplace_back((*r)->line_number(), (*r)->raw_record());
    if (!(*r)->SkipBadRecord()) break;
  }
  out.end = (*r)->status();
  return out;
}

TEST(CsvReader, ReadingGoesOnAfterABadRecordWhenItIsSkipped) {
  ScopedTempDir dir;
  std::string path = WriteFile(dir.File("a.csv"),
                               "a,b\n1,2\n3\n\"x\"y,\"multi\nline\"\n4,5\n6,7,8\n9,\"ok\nfine\"\n");
  Skipped s = ReadSkipping(path);
  EXPECT_TRUE(s.end.ok()) << s.end;
  EXPECT_EQ(s.rows, (std::vector<std::vector<std::string>>{{"1", "2"}, {"4", "5"}, {"9", "ok\nfine"}}));
  ASSERT_EQ(s.bad.size(), 3u);
  EXPECT_EQ(s.bad[0], (std::pair<size_t, std::string>{3, "3"}));
  // Text after a closing quote: the record runs on to the line break outside quotes.
  EXPECT_EQ(s.bad[1], (std::pair<size_t, std::string>{4, "\"x\"y,\"multi\nline\""}));
  EXPECT_EQ(s.bad[2], (std::pair<size_t, std::string>{7, "6,7,8"}));
}

TEST(CsvReader, AQuoteNeverClosedRunsToTheEndOfInput) {
  ScopedTempDir dir;
  Skipped s = ReadSkipping(WriteFile(dir.File("a.csv"), "a,b\n1,2\n3,\"open\n4,5\n"));
  EXPECT_TRUE(s.end.ok()) << s.end;
  EXPECT_EQ(s.rows.size(), 1u);
  ASSERT_EQ(s.bad.size(), 1u);
  EXPECT_EQ(s.bad[0], (std::pair<size_t, std::string>{3, "3,\"open\n4,5"}));
}

TEST(CsvReader, NothingToSkipWithoutABadRecordAndNoSkippingAnOverlongOne) {
  ScopedTempDir dir;
  auto ok = CsvReader::Open(WriteFile(dir.File("a.csv"), "a\n1\n"));
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE((*ok)->SkipBadRecord());
  CsvOptions opts;
  opts.max_record_bytes = 100;
  auto r = CsvReader::Open(WriteFile(dir.File("b.csv"), "a\n\"" + std::string(500, 'x') + "\"\n2\n"),
                           opts);
  ASSERT_TRUE(r.ok());
  std::vector<std::string> row;
  EXPECT_FALSE((*r)->Next(row));
  EXPECT_FALSE((*r)->SkipBadRecord());
  EXPECT_EQ((*r)->status().code(), absl::StatusCode::kResourceExhausted);
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
