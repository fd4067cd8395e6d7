#include "phiguard/core/file_io.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace phiguard {
namespace {

namespace fs = std::filesystem;

class FileIoTest : public testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& content) {
    return testing_util::WriteFile(tmp_.File(name), content);
  }
  std::vector<std::string> Entries() const { return tmp_.Entries(); }

  testing_util::ScopedTempDir tmp_;
  const fs::path& dir_ = tmp_.path();
};

TEST_F(FileIoTest, ReadFileBoundedReadsWholeFile) {
  std::string p = Write("a.txt", "hello\nworld");
  auto r = ReadFileBounded(p, 100);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "hello\nworld");
}

TEST_F(FileIoTest, ReadFileBoundedAcceptsFileOfExactlyTheLimit) {
  std::string p = Write("a.txt", "12345");
  auto r = ReadFileBounded(p, 5);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "12345");
}

TEST_F(FileIoTest, ReadFileBoundedMissingFileIsNotFound) {
  auto r = ReadFileBounded((dir_ / "missing.txt").string(), 100);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(FileIoTest, ReadFileBoundedOverLimitIsResourceExhausted) {
  std::string p = Write("big.txt", std::string(200000, 'x'));
  EXPECT_EQ(ReadFileBounded(p, 199999).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReadFileBounded(Write("six.txt", "123456"), 5).status().code(),
            absl::StatusCode::kResourceExhausted);
}

// A pipe has no size to read by: it is read in blocks, to its end or just past the limit.
TEST_F(FileIoTest, ReadFileBoundedReadsAPipeInBlocks) {
  const std::string fifo = (dir_ / "pipe").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string content(200000, 'x');
  for (size_t limit : {content.size(), content.size() - 1}) {
    std::thread writer([&] {
      FILE* f = std::fopen(fifo.c_str(), "w");
      if (f == nullptr) return;
      std::fwrite(content.data(), 1, content.size(), f);
      std::fclose(f);
    });
    auto r = ReadFileBounded(fifo, limit);
    writer.join();
    if (limit == content.size()) {
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(*r, content);
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
    }
  }
}

TEST_F(FileIoTest, ReadFileBoundedDirectoryIsAnError) {
  EXPECT_FALSE(ReadFileBounded(dir_.string(), 100).ok());
}

TEST_F(FileIoTest, LineReaderStripsLfAndCrlf) {
  std::string p = Write("lines.txt", "one\r\ntwo\n\nthree\r\nlast");
  auto r = LineReader::Open(p, 100);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> lines;
  std::string line;
  while ((*r)->Next(line)) lines.push_back(line);
  EXPECT_TRUE((*r)->status().ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "", "three", "last"}));
  EXPECT_EQ((*r)->line_number(), 5u);
}

TEST_F(FileIoTest, LineReaderOverLongLineIsResourceExhausted) {
  std::string p = Write("long.txt", "short\n" + std::string(50, 'x') + "\nafter\n");
  auto r = LineReader::Open(p, 10);
  ASSERT_TRUE(r.ok()) << r.status();
  std::string line;
  ASSERT_TRUE((*r)->Next(line));
  EXPECT_EQ(line, "short");
  EXPECT_FALSE((*r)->Next(line));
  EXPECT_EQ((*r)->status().code(), absl::StatusCode::kResourceExhausted);
  // The reader stays failed.
  EXPECT_FALSE((*r)->Next(line));
  EXPECT_EQ((*r)->status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(FileIoTest, LineReaderAcceptsLineOfExactlyTheLimit) {
  std::string p = Write("exact.txt", "0123456789\n");
  auto r = LineReader::Open(p, 10);
  ASSERT_TRUE(r.ok()) << r.status();
  std::string line;
  ASSERT_TRUE((*r)->Next(line)) << (*r)->status();
  EXPECT_EQ(line, "0123456789");
}

TEST_F(FileIoTest, LineReaderAcceptsCrlfLineOfExactlyTheLimit) {
  // The limit is on the line as returned, without its "\r\n".
  std::string p = Write("exact_crlf.txt", "0123456789\r\nnext\r\n");
  auto r = LineReader::Open(p, 10);
  ASSERT_TRUE(r.ok()) << r.status();
  std::string line;
  bool ok = (*r)->Next(line);
  ASSERT_TRUE(ok) << (*r)->status();
  EXPECT_EQ(line, "0123456789");
}

// Lines of every length from 0 to 700 bytes, some CRLF, ~1.4 MB: several read blocks.
std::vector<std::string> ManyLines(std::string* file) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < 4000; ++i) {
    std::string line(i % 701, static_cast<char>('a' + i % 26));
    if (!line.empty()) line[0] = '{';
    *file += line + (i % 3 == 0 ? "\r\n" : "\n");
    lines.push_back(std::move(line));
  }
  return lines;
}

TEST_F(FileIoTest, LineReaderViewsStayValidUntilDiscarded) {
  std::string content;
  const std::vector<std::string> expected = ManyLines(&content);
  auto r = LineReader::Open(Write("many.txt", content), 1000);
  ASSERT_TRUE(r.ok()) << r.status();
  // All views held at once, across block boundaries.
  std::vector<std::string_view> views;
  std::string_view line;
  while ((*r)->NextView(line)) {
    views.push_back(line);
    // The padding a parser may read past the view is there (ASan reports it if not).
    volatile char past = line.data()[line.size() + LineReader::kReadablePastView - 1];
    (void)past;
  }
  ASSERT_TRUE((*r)->status().ok()) << (*r)->status();
  EXPECT_EQ((*r)->line_number(), expected.size());
  ASSERT_EQ(views.size(), expected.size());
  for (size_t i = 0; i < views.size(); ++i) ASSERT_EQ(views[i], expected[i]) << "line " << i + 1;
}

TEST_F(FileIoTest, LineReaderViewsInBatchesMatchNext) {
  std::string content;
  const std::vector<std::string> expected = ManyLines(&content);
  std::string p = Write("many.txt", content);
  for (size_t batch : {size_t{1}, size_t{7}, size_t{512}}) {
    auto r = LineReader::Open(p, 1000);
    ASSERT_TRUE(r.ok()) << r.status();
    std::vector<std::string> got;
    std::vector<std::string_view> views;
    std::string_view line;
    bool more = true;
    while (more) {
      views.clear();
      while (views.size() < batch && (more = (*r)->NextView(line))) views.push_back(line);
      got.insert(got.end(), views.begin(), views.end());
      (*r)->DiscardViews();
      // Next() and NextView() share the reader's position.
      std::string copied;
      if (more && (more = (*r)->Next(copied))) got.push_back(copied);
    }
    EXPECT_TRUE((*r)->status().ok()) << (*r)->status();
    EXPECT_EQ(got, expected) << "batch " << batch;
  }
}

TEST_F(FileIoTest, LineReaderReturnsLinesLongerThanABlockWhole) {
  const std::string big(3 << 20, 'x');
  auto r = LineReader::Open(Write("big.txt", "a\n" + big + "\r\nb"), 4 << 20);
  ASSERT_TRUE(r.ok()) << r.status();
  std::string_view one, two, three, end;
  ASSERT_TRUE((*r)->NextView(one));
  ASSERT_TRUE((*r)->NextView(two)) << (*r)->status();
  ASSERT_TRUE((*r)->NextView(three));
  EXPECT_FALSE((*r)->NextView(end));
  EXPECT_TRUE((*r)->status().ok());
  EXPECT_EQ(one, "a");
  EXPECT_EQ(two, big);
  EXPECT_EQ(three, "b");
}

TEST_F(FileIoTest, LineReaderViewOfOverLongLineIsResourceExhaustedNamingTheLine) {
  // Past the limit both within a block and across blocks (the limit is larger than a block).
  for (size_t limit : {size_t{10}, size_t{300000}}) {
    auto r = LineReader::Open(Write("long.txt", "ok\n\n" + std::string(limit + 2, 'x') + "\nafter\n"), limit);
    ASSERT_TRUE(r.ok()) << r.status();
    std::string_view line;
    ASSERT_TRUE((*r)->NextView(line));
    ASSERT_TRUE((*r)->NextView(line));
    EXPECT_FALSE((*r)->NextView(line));
    EXPECT_EQ((*r)->status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_NE((*r)->status().message().find(":3: "), std::string_view::npos) << (*r)->status();
    EXPECT_FALSE((*r)->NextView(line));  // the reader stays failed
  }
}

TEST_F(FileIoTest, LineReaderLastLineWithoutNewlineAndLoneCr) {
  auto r = LineReader::Open(Write("cr.txt", "\r\n\rx\r"), 10);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> lines;
  std::string line;
  while ((*r)->Next(line)) lines.push_back(line);
  EXPECT_TRUE((*r)->status().ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"", "\rx"}));
}

TEST_F(FileIoTest, LineReaderEmptyFileHasNoLines) {
  auto r = LineReader::Open(Write("empty.txt", ""), 10);
  ASSERT_TRUE(r.ok()) << r.status();
  std::string_view line;
  EXPECT_FALSE((*r)->NextView(line));
  EXPECT_TRUE((*r)->status().ok());
  EXPECT_EQ((*r)->line_number(), 0u);
}

TEST_F(FileIoTest, LineReaderMissingFileIsNotFound) {
  EXPECT_EQ(LineReader::Open((dir_ / "missing").string(), 10).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(FileIoTest, AtomicFileWriterCreatesTargetOnlyOnCommit) {
  std::string target = (dir_ / "out.txt").string();
  auto w = AtomicFileWriter::Open(target);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->Write("hello ").ok());
  ASSERT_TRUE((*w)->Write("world").ok());
  EXPECT_FALSE(fs::exists(target));
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_TRUE(fs::exists(target));
  EXPECT_EQ(*ReadFileBounded(target, 100), "hello world");
  // Only the target remains: no temporary file.
  EXPECT_EQ(Entries(), std::vector<std::string>{"out.txt"});
  EXPECT_EQ((*w)->Write("more").code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(FileIoTest, AtomicFileWriterUncommittedLeavesNoTargetAndNoTempFile) {
  std::string target = (dir_ / "out.txt").string();
  {
    auto w = AtomicFileWriter::Open(target);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE((*w)->Write("partial").ok());
  }
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(Entries().empty());
}

TEST_F(FileIoTest, AtomicFileWriterUncommittedLeavesExistingTargetUntouched) {
  std::string target = Write("out.txt", "old");
  {
    auto w = AtomicFileWriter::Open(target);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE((*w)->Write("new").ok());
  }
  EXPECT_EQ(*ReadFileBounded(target, 100), "old");
  EXPECT_EQ(Entries(), std::vector<std::string>{"out.txt"});
}

TEST_F(FileIoTest, AtomicFileWriterCommitReplacesExistingTarget) {
  std::string target = Write("out.txt", "old");
  auto w = AtomicFileWriter::Open(target);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->Write("new").ok());
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ(*ReadFileBounded(target, 100), "new");
}

TEST_F(FileIoTest, AtomicFileWriterCreatesOwnerOnlyFile) {
  std::string target = (dir_ / "key.hex").string();
  auto w = AtomicFileWriter::Open(target);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->Commit().ok());
  auto perms = fs::status(target).permissions();
  EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
}

TEST_F(FileIoTest, AtomicFileWriterInMissingDirectoryFails) {
  auto w = AtomicFileWriter::Open((dir_ / "no" / "such" / "out.txt").string());
  EXPECT_EQ(w.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(FileIoTest, AtomicFileWriterWritesDevicesAndPipesInPlace) {
  // `-o /dev/null` must never rename a temporary file over the device (as root it could).
  {
    auto w = AtomicFileWriter::Open("/dev/null");
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE((*w)->Write("Mary Walsh\n").ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_FALSE(fs::exists("/dev/null.tmp." + std::to_string(::getpid())));
  {
    auto uncommitted = AtomicFileWriter::Open("/dev/null");  // dropped without commit: closed
    ASSERT_TRUE(uncommitted.ok());
  }
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  // A FIFO gets the bytes and stays a FIFO.
  const std::string fifo = tmp_.File("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = testing_util::ReadFile(fifo); });
  {
    auto w = AtomicFileWriter::Open(fifo);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE((*w)->Write("record\n").ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  reader.join();
  EXPECT_EQ(got, "record\n");
  EXPECT_TRUE(fs::is_fifo(fifo));
  // A directory is refused, naming it.
  auto dir = AtomicFileWriter::Open(tmp_.path().string());
  EXPECT_EQ(dir.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(dir.status().message().find("is a directory"), absl::string_view::npos);
}

}  // namespace
}  // namespace phiguard
