// PatternScanner: the one-pass Vectorscan scan of the fixed patterns, and its cache of compiled
// databases (a stale, corrupt or unwritable cache must never change what is found).
#include "phi/internal/pattern_scanner.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "phiguard/phi/detector.h"
#include "test_util.h"

namespace phiguard::phi::internal {
namespace {

// A small table (quick to compile) with every value mode.
std::vector<PatternDef> SmallTable() {
  return {
      {PhiType::kSsn, "\\b[0-9]{3}-[0-9]{2}-[0-9]{4}\\b", false, ValueMode::kWhole, 0.95, nullptr},
      {PhiType::kMrn, "\\bmrn\\s*[:#.]?\\s*[0-9]{4,}\\b", true, ValueMode::kTrailingValue, 0.9,
       nullptr},
      {PhiType::kAge, "\\b9[0-9]\\s*yo\\b", true, ValueMode::kLeadingNumber, 0.9, nullptr},
      {PhiType::kFax, "\\bfax\\s*[:#.]?\\s*[0-9]{3}-[0-9]{4}\\b", true, ValueMode::kAfterLabel, 0.9,
       nullptr},
  };
}

constexpr std::string_view kText = "SSN 123-45-6789, MRN: 0012345, a 93 yo man, FAX: 555-0143.";

std::string Found(const PatternScanner& scanner, std::string_view text) {
  auto scratch = scanner.NewScratch();
  EXPECT_TRUE(scratch.ok()) << scratch.status();
  std::vector<PatternMatch> out;
  EXPECT_TRUE(scanner.Scan(text, **scratch, out).ok());
  std::string s;
  for (const PatternMatch& m : out) {
    s += std::string(text.substr(m.start, m.end - m.start)) + "|";
  }
  return s;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PatternScanner, FindsTheValueOfEachMode) {
  auto scanner = PatternScanner::Create(SmallTable());
  ASSERT_TRUE(scanner.ok()) << scanner.status();
  EXPECT_EQ(Found(**scanner, kText), "123-45-6789|0012345|93|555-0143|");
}

TEST(PatternScanner, NamesThePatternThatFailsToCompile) {
  std::vector<PatternDef> bad = SmallTable();
  bad.push_back({PhiType::kOther, "([0-9]", false, ValueMode::kWhole, 0.5, nullptr});
  auto scanner = PatternScanner::Create(bad);
  ASSERT_FALSE(scanner.ok());
  EXPECT_EQ(scanner.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(scanner.status().message().find("([0-9]"), std::string_view::npos);
}

// A scan regex only proposes match ends; the exact regex decides. Every built-in pattern with one
// must find exactly what it finds alone, on text full of near misses.
TEST(PatternScanner, ScanRegexFindsExactlyWhatTheRegexFinds) {
  const std::string text =
      "7-22-2010, 07/22/10 and 12.31.99; not 13-22-2010, 7-32-2010, 0-12-2010, 7-22-201, "
      "17-22-2010, 7-2-20100, 7/22/2010/5, 1.2.345, 6.9/3.22, 5-6/3-4, 10/03/10/04, v7-22-2010, "
      "7-22-2010x, 2010-07-22, 3/4/1999 x 1/1/00 and 11-11-11-11.";
  size_t with_scan_regex = 0;
  for (const PatternDef& p : BuiltinPatterns()) {
    if (p.scan_regex == nullptr) continue;
    ++with_scan_regex;
    PatternDef exact = p;
    exact.scan_regex = nullptr;
    auto fast = PatternScanner::Create({p});
    auto slow = PatternScanner::Create({exact});
    ASSERT_TRUE(fast.ok() && slow.ok()) << p.regex;
    EXPECT_EQ(Found(**fast, text), Found(**slow, text)) << p.regex;
    EXPECT_NE(Found(**slow, text), "") << p.regex;
  }
  EXPECT_GT(with_scan_regex, 0u);

  // A prefilter that also ends elsewhere (any digit) still finds only the regex's matches.
  PatternDef ssn = SmallTable()[0];
  ssn.scan_regex = "[0-9]";
  auto loose = PatternScanner::Create({ssn});
  ASSERT_TRUE(loose.ok()) << loose.status();
  EXPECT_EQ(Found(**loose, kText), "123-45-6789|");

  // Context patterns have no start scan to confirm with: refused.
  PatternDef mrn = SmallTable()[1];
  mrn.scan_regex = "[0-9]";
  auto refused = PatternScanner::Create({mrn});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PatternScanner, CachedDatabasesFindTheSame) {
  testing_util::ScopedTempDir dir;
  const std::string cache = dir.File("cache");  // created on demand
  auto first = PatternScanner::Create(SmallTable(), cache);
  ASSERT_TRUE(first.ok()) << first.status();
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(cache)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);  // one file, no temporary left behind
  const std::string image = ReadAll(files[0]);
  ASSERT_FALSE(image.empty());

  auto second = PatternScanner::Create(SmallTable(), cache);  // loads the file
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(Found(**second, kText), Found(**first, kText));
  EXPECT_EQ(Found(**second, kText), "123-45-6789|0012345|93|555-0143|");
  EXPECT_EQ(ReadAll(files[0]), image);  // loaded, not rewritten

  // Another pattern set gets its own file.
  std::vector<PatternDef> other = SmallTable();
  other.pop_back();
  ASSERT_TRUE(PatternScanner::Create(other, cache).ok());
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(cache)) ++n;
  EXPECT_EQ(n, 2u);
}

TEST(PatternScanner, CacheOthersCanWriteIsNeverRead) {
  // A database planted by another user could make detection miss PHI: a folder or file that
  // anyone but its owner may write is ignored (compiled instead), and a new folder is private.
  namespace fs = std::filesystem;
  testing_util::ScopedTempDir dir;
  const std::string cache = dir.File("cache");
  ASSERT_TRUE(PatternScanner::Create(SmallTable(), cache).ok());
  EXPECT_EQ(fs::status(cache).permissions() & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
  const std::string path = fs::directory_iterator(cache)->path();
  // Plant a foreign pattern set's databases under this set's name: loading them would change
  // what is found.
  std::vector<PatternDef> other = SmallTable();
  other.pop_back();
  const std::string other_cache = dir.File("other");
  ASSERT_TRUE(PatternScanner::Create(other, other_cache).ok());
  const std::string planted = ReadAll(fs::directory_iterator(other_cache)->path());
  auto plant = [&] {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << planted;
  };
  // World-writable file: ignored and replaced.
  plant();
  fs::permissions(path, fs::perms::others_write, fs::perm_options::add);
  auto scanner = PatternScanner::Create(SmallTable(), cache);
  ASSERT_TRUE(scanner.ok());
  EXPECT_EQ(Found(**scanner, kText), "123-45-6789|0012345|93|555-0143|");
  EXPECT_NE(ReadAll(path), planted);
  // Group-writable folder: not read, not written.
  plant();
  fs::permissions(cache, fs::perms::group_write, fs::perm_options::add);
  scanner = PatternScanner::Create(SmallTable(), cache);
  ASSERT_TRUE(scanner.ok());
  EXPECT_EQ(Found(**scanner, kText), "123-45-6789|0012345|93|555-0143|");
  EXPECT_EQ(ReadAll(path), planted);
  // A symbolic link in place of the file: not followed.
  fs::permissions(cache, fs::perms::group_write, fs::perm_options::remove);
  fs::remove(path);
  fs::create_symlink(fs::directory_iterator(other_cache)->path(), path);
  scanner = PatternScanner::Create(SmallTable(), cache);
  ASSERT_TRUE(scanner.ok());
  EXPECT_EQ(Found(**scanner, kText), "123-45-6789|0012345|93|555-0143|");
}

TEST(PatternScanner, StaleCachesOfOtherPatternSetsAreRemovedOnWrite) {
  namespace fs = std::filesystem;
  testing_util::ScopedTempDir dir;
  const std::string cache = dir.File("cache");
  std::vector<PatternDef> old_set = SmallTable();
  old_set.pop_back();
  ASSERT_TRUE(PatternScanner::Create(old_set, cache).ok());
  const std::string old_file = fs::directory_iterator(cache)->path();
  std::vector<PatternDef> recent_set = SmallTable();
  recent_set.erase(recent_set.begin());
  ASSERT_TRUE(PatternScanner::Create(recent_set, cache).ok());
  fs::last_write_time(old_file, fs::file_time_type::clock::now() - std::chrono::hours(24 * 8));
  ASSERT_TRUE(PatternScanner::Create(SmallTable(), cache).ok());  // writes its own file
  EXPECT_FALSE(fs::exists(old_file));  // unused for over a week
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(cache)) ++n;
  EXPECT_EQ(n, 2u);  // the recent one stays
}

TEST(PatternScanner, CorruptOrForeignCacheFilesAreReplaced) {
  testing_util::ScopedTempDir dir;
  const std::string cache = dir.File("cache");
  ASSERT_TRUE(PatternScanner::Create(SmallTable(), cache).ok());
  const std::string path = std::filesystem::directory_iterator(cache)->path();
  const std::string good = ReadAll(path);

  // Truncated, flipped bytes in the databases, and garbage: each is recompiled and rewritten.
  std::string flipped = good;
  for (size_t i = good.size() / 2; i < good.size(); i += 97) flipped[i] = static_cast<char>(~flipped[i]);
  for (const std::string& bad : {good.substr(0, good.size() / 2), flipped,
                                 std::string("not a cache"), std::string()}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bad;
    auto scanner = PatternScanner::Create(SmallTable(), cache);
    ASSERT_TRUE(scanner.ok()) << scanner.status();
    EXPECT_EQ(Found(**scanner, kText), "123-45-6789|0012345|93|555-0143|");
    EXPECT_EQ(ReadAll(path), good);
  }

  // A valid file of another pattern set under this set's name is not used: its key differs.
  std::vector<PatternDef> other = {SmallTable()[0]};
  const std::string other_cache = dir.File("other");
  ASSERT_TRUE(PatternScanner::Create(other, other_cache).ok());
  std::filesystem::copy_file(std::filesystem::directory_iterator(other_cache)->path(), path,
                             std::filesystem::copy_options::overwrite_existing);
  auto scanner = PatternScanner::Create(SmallTable(), cache);
  ASSERT_TRUE(scanner.ok());
  EXPECT_EQ(Found(**scanner, kText), "123-45-6789|0012345|93|555-0143|");
}

TEST(PatternScanner, UnwritableCacheDirOnlyCostsTheCompile) {
  testing_util::ScopedTempDir dir;
  std::ofstream(dir.File("file")) << "x";
  auto scanner = PatternScanner::Create(SmallTable(), dir.File("file") + "/cache");
  ASSERT_TRUE(scanner.ok()) << scanner.status();
  EXPECT_EQ(Found(**scanner, kText), "123-45-6789|0012345|93|555-0143|");
}

TEST(PatternScanner, DefaultCacheDirFollowsTheEnvironment) {
  const char* saved = std::getenv("PHIGUARD_CACHE_DIR");
  const std::string restore = saved == nullptr ? "" : saved;
  ::setenv("PHIGUARD_CACHE_DIR", "/some/cache", 1);
  EXPECT_EQ(DefaultCacheDir(), "/some/cache");
  ::setenv("PHIGUARD_CACHE_DIR", "-", 1);  // off
  EXPECT_EQ(DefaultCacheDir(), "-");
  ::unsetenv("PHIGUARD_CACHE_DIR");
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  if (xdg != nullptr && *xdg != '\0') {
    EXPECT_EQ(DefaultCacheDir(), std::string(xdg) + "/phiguard");
  } else if (home != nullptr && *home != '\0') {
    EXPECT_EQ(DefaultCacheDir(), std::string(home) + "/.cache/phiguard");
  }
  if (saved != nullptr) ::setenv("PHIGUARD_CACHE_DIR", restore.c_str(), 1);
}

}  // namespace
}  // namespace phiguard::phi::internal
