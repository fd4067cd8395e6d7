// PatternScanner: the one-pass Vectorscan scan of the fixed patterns, and its cache of compiled
// databases (a stale, corrupt or unwritable cache must never change what is found).
#include "phi/internal/pattern_scanner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
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

// A scan regex or a finder only proposes match ends; the exact regex decides.
// Every built-in pattern found that way must find exactly what its regex finds alone, on text
// full of matches and near misses of each.
// A confirmed pattern as the scanner runs it (scan regexes, finder) and its exact regex alone.
using ScannerPair = std::pair<std::unique_ptr<PatternScanner>, std::unique_ptr<PatternScanner>>;
ScannerPair FastAndExact(const PatternDef& p) {
  PatternDef exact = p;
  exact.scan_regexes.clear();
  exact.find = nullptr;
  auto fast = PatternScanner::Create({p});
  auto slow = PatternScanner::Create({exact});
  EXPECT_TRUE(fast.ok() && slow.ok()) << p.regex;
  if (!fast.ok() || !slow.ok()) return {};
  return {std::move(*fast), std::move(*slow)};
}

// The finders of digit-run patterns against their exact regexes on random texts of numbers,
// words, suffixes, units and separators: long words and blank runs push the street finder's
// word walk past its 64-byte window (it then walks byte by byte) and texts end mid-address.
TEST(PatternScanner, FindersAgreeWithTheirRegexesOnRandomTexts) {
  const std::vector<std::string> parts = {
      "12", "221b", "5", "7", "123456", "1234567", "3rd", "22", "2010", "Main", "Oak", "main",
      "St", "st.", "ST", "Street", "Ave", "Rd.", "Blvd", "boulevard", "Ct", "way", "Place", "Pl",
      "Apt", "apt.", "4B", "Suite", "#", "Unit", "O'Neil", "Martin-Luther", "King", "x_y", "on",
      "ON", "the", "since", "th", "nd", "-", "/", ".", ",", "\n", "\t", "   ", "\xC3\xA9",
      "MD", "MD.", "CA,", "md", "XMD", "21201", "21201-1234", "90210-12345",
      std::string(70, 'a'), std::string(40, ' ')};
  const std::vector<std::string> seps = {" ", " ", " ", "", "  ", "\n", ", ", "-"};
  std::vector<ScannerPair> pairs;
  for (const PatternDef& p : BuiltinPatterns()) {
    if (p.find != nullptr) pairs.push_back(FastAndExact(p));
  }
  std::mt19937 rng(20261202);
  size_t found = 0;
  for (int round = 0; round < 150; ++round) {
    std::string text;
    const size_t words = 5 + rng() % 200;
    for (size_t w = 0; w < words; ++w) {
      text += parts[rng() % parts.size()];
      text += seps[rng() % seps.size()];
    }
    for (const auto& [fast, slow] : pairs) {
      ASSERT_TRUE(fast && slow);
      const std::string want = Found(*slow, text);
      ASSERT_EQ(Found(*fast, text), want) << text;
      found += !want.empty();
    }
  }
  EXPECT_GT(found, 150u);  // the texts do hold addresses, dates and numbers
}

TEST(PatternScanner, CandidatesFindExactlyWhatTheRegexFinds) {
  const std::string text =
      "7-22-2010, 07/22/10 and 12.31.99; not 13-22-2010, 7-32-2010, 0-12-2010, 7-22-201, "
      "17-22-2010, 7-2-20100, 7/22/2010/5, 1.2.345, 6.9/3.22, 5-6/3-4, 10/03/10/04, v7-22-2010, "
      "7-22-2010x, 2010-07-22, 3/4/1999 x 1/1/00 and 11-11-11-11, 1/2/3/4/5 10/3-1/12.\n"
      "Seen on the 11th, since 3rd, by\n the 22nd, the 4th ventricle, 2nd unit, on 41st.\n"
      "Christmas, new year's eve, New  Years, Labor Day, valentines day, Easterly.\n"
      "Call (410) 555-0143 x12, 410.555.0143 ext. 9, 555-0143, 1555-01434, phone: 555-0143, "
      "ph 555-0143, tel555-0143, beeper #12345, pager 4321, pg 5678, ph: 123456, x 1234, "
      "x1234567, ext. 77777, box 1234.\n"
      "Mail a.b-c@mail.example.org or x@y.z, @home.com, bob@host.\n"
      "IP 192.168.10.1, 7.45/34/80, 256.1.1.1, 10.0.0.1.5; fe80::1, ::, 1:2:3:4:5:6:7:8, "
      "12:30:45, ::ffff:192.168.1.1.\n"
      "MRN: 0012345, mr no. A1234, Mr. Smith 123, medical record # 99-123, unit no 55a1, "
      "patient id: x1234, pt id 12, chart # 4567, pt id: x1234, PT  ID #ab12-3c, pt id12345, "
      "pt. id 123, apt id 1234, pt\tid\n: abc123-x, pt id abcd123.\n"
      "Admitted on 7-22. Returned on\t12-31 for coiling. ARRIVED ON 1-2. Operated son 7-22. "
      "Admitted on 13-22. Admitted on 7-223. Admitted on 7-2-10. Admitted upon 3-4.\n"
      "Member ID: AB12345, policy #rg17, plan 2 weeks, HIC 123456789A, group: 12345, mbi 1EG4TE5MK73.\n"
      "License no. D1234567, lic 12345, DEA AB1234563, cert: 4, NPI 1234567890.\n"
      "VIN 1HGCM82633A004352, 1HGCM82633A00435, 1HGCM82633A0043520, ABCDEFGHJKLMNPRST, "
      "1HGCM82633A00435I, x_1HGCM82633A004352.\n"
      "Serial # SN-12345, s/n: 9876x, lot 12, model 4500A, udi (01)12345678901234(17)220101.\n"
      "Baltimore, MD 21201 and MD. 21201-1234, CA,  90210, NY 1234, TX 123456, Zip 21201, "
      "PA 21201-12345, 21201.\n"
      "12 Main St, 5 Oak st. Apt 4B, 3 way foley in place, 90 to st, 1600 Pennsylvania Ave, "
      "221b Baker Street Suite 12, 7 Elm Rd # 3, 10 Park Pl, 4 Green Ln., 1 Oak Ct, 12 St.\n"
      "Numbers 1234567, 0.12345678, 12,345,678, 123456789012 and 1234567x; SSN 123-45-6789, "
      "1123-45-6789, 123-45-67890, 12-345-6789.";
  size_t confirmed = 0;
  for (const PatternDef& p : BuiltinPatterns()) {
    if (p.scan_regexes.empty() && p.find == nullptr) continue;
    ++confirmed;
    auto [fast, slow] = FastAndExact(p);
    ASSERT_TRUE(fast && slow) << p.regex;
    EXPECT_EQ(Found(*fast, text), Found(*slow, text)) << p.regex;
    EXPECT_NE(Found(*slow, text), "") << p.regex;
  }
  EXPECT_GT(confirmed, 10u);

  // A prefilter that also ends elsewhere (any digit) still finds only the regex's matches.
  PatternDef ssn = SmallTable()[0];
  ssn.scan_regexes = {"[0-9]"};
  auto loose = PatternScanner::Create({ssn});
  ASSERT_TRUE(loose.ok()) << loose.status();
  EXPECT_EQ(Found(**loose, kText), "123-45-6789|");

  // So does a context pattern's: its value is still only the trailing number, and only where
  // "mrn" comes before it. Two scan regexes may report the same end.
  PatternDef mrn = SmallTable()[1];
  mrn.scan_regexes = {"[0-9]\\b", "[0-9]{4}"};
  auto confirmed_mrn = PatternScanner::Create({mrn});
  ASSERT_TRUE(confirmed_mrn.ok()) << confirmed_mrn.status();
  EXPECT_EQ(Found(**confirmed_mrn, kText), "0012345|");
  EXPECT_EQ(Found(**confirmed_mrn, "MRN 12 and 4444, mrn:\n  98765 and  mrn 5555"), "98765|5555|");
}

// A start of match tracked by the pass itself is the one the start scan finds; only a whole-match
// pattern found by its own regex may have one.
TEST(PatternScanner, StartInThePassFindsTheSame) {
  PatternDef ssn = SmallTable()[0];
  ssn.regex = "(0?[1-9]|1[0-2])/[0-9]{1,2}\\b";
  PatternDef in_pass = ssn;
  in_pass.start_in_pass = true;
  auto a = PatternScanner::Create({ssn});
  auto b = PatternScanner::Create({in_pass});
  ASSERT_TRUE(a.ok() && b.ok());
  const std::string text = "3/4, 12/31, 012/5, 13/5, 10/1/2, 9/99 and 1/2/3/4";
  EXPECT_EQ(Found(**b, text), Found(**a, text));
  EXPECT_EQ(Found(**b, text), "3/4|12/31|12/5|3/5|10/1|1/2|9/99|1/2|2/3|3/4|");
  PatternDef context = SmallTable()[1];
  context.start_in_pass = true;
  auto refused = PatternScanner::Create({context});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
}

// A context pattern whose words are far from its value: ends found in a window are looked up
// over the whole text (once per scan), so a match longer than the window is still found.
TEST(PatternScanner, CandidatesOfMatchesLongerThanTheWindowAreFound) {
  PatternDef mrn = SmallTable()[1];
  mrn.scan_regexes = {"[0-9]{4}\\b"};
  auto scanner = PatternScanner::Create({mrn});
  ASSERT_TRUE(scanner.ok()) << scanner.status();
  const std::string far = "MRN:" + std::string(600, ' ') + "123456 and 1234, mrn 7777";
  EXPECT_EQ(Found(**scanner, far), "123456|7777|");
}

// The finders' input: every maximal run of ASCII digits, across 64-byte blocks and at the ends.
TEST(PatternScanner, FindDigitRunsFindsEveryRun) {
  std::string text;
  std::mt19937 rng(5);
  const std::string alphabet = "0123456789 a/-\xd9\x80\x3a\x2f";
  for (int i = 0; i < 3000; ++i) text += alphabet[rng() % alphabet.size()];
  for (size_t len : {0u, 1u, 63u, 64u, 65u, 128u, 200u, 3000u}) {
    std::string_view t = std::string_view(text).substr(0, len);
    std::vector<DigitRun> runs;
    FindDigitRuns(t, runs);
    std::vector<DigitRun> naive;
    for (size_t i = 0; i < t.size();) {
      if (t[i] < '0' || t[i] > '9') {
        ++i;
        continue;
      }
      size_t e = i;
      while (e < t.size() && t[e] >= '0' && t[e] <= '9') ++e;
      const bool follows = !naive.empty() && naive.back().end + 1 == i;
      naive.push_back({i, e, follows ? naive.back().chain + 1 : 1u});
      i = e;
    }
    ASSERT_EQ(runs.size(), naive.size()) << len;
    for (size_t k = 0; k < runs.size(); ++k) {
      EXPECT_EQ(runs[k].start, naive[k].start) << len;
      EXPECT_EQ(runs[k].end, naive[k].end) << len;
      EXPECT_EQ(runs[k].chain, naive[k].chain) << len;
    }
  }
  std::vector<DigitRun> runs;
  FindDigitRuns(std::string(64, '7') + "x" + std::string(64, '8'), runs);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].end, 64u);
  EXPECT_EQ(runs[1].start, 65u);
  EXPECT_EQ(runs[1].end, 129u);
  EXPECT_EQ(runs[1].chain, 2u);  // "7...7x8...8": one byte between the runs
}

void FindSevenDigits(std::string_view, const std::vector<DigitRun>& digits,
                     std::vector<size_t>& ends) {
  for (const DigitRun& d : digits) {
    if (d.end - d.start >= 7) ends.push_back(d.end);
  }
}

// A finder's pattern is found, and its start database kept in and loaded from the cache; a
// table of finders only has no one-pass database at all.
TEST(PatternScanner, FinderPatternsAreFoundAndCached) {
  std::vector<PatternDef> table = {
      {PhiType::kZip, "\\bzip\\s*[0-9]{5}\\b", true, ValueMode::kTrailingValue, 0.9, nullptr,
       {"[0-9]{5}\\b"}},
      {PhiType::kOther, "\\b[0-9]{7,}\\b", false, ValueMode::kWhole, 0.6, nullptr, {},
       FindSevenDigits},
  };
  const std::string text = "zip 21201, 12345, id 12345678, 123456 and x1234567.";
  testing_util::ScopedTempDir dir;
  const std::string cache = dir.File("cache");
  auto first = PatternScanner::Create(table, cache);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Found(**first, text), "21201|12345678|");
  const std::string path = std::filesystem::directory_iterator(cache)->path();
  const std::string image = ReadAll(path);
  auto second = PatternScanner::Create(table, cache);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(Found(**second, text), "21201|12345678|");
  EXPECT_EQ(ReadAll(path), image);  // loaded, not rewritten
  // Without its finder the pattern is another set: compiled (its regex in the one pass), not
  // loaded from the file above.
  table[1].find = nullptr;
  auto third = PatternScanner::Create(table, cache);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(Found(**third, text), "21201|12345678|");
  // Finders only: no one-pass database, compiled and cached all the same.
  table[1].find = FindSevenDigits;
  for (int round = 0; round < 2; ++round) {
    auto only = PatternScanner::Create({table[1]}, cache);
    ASSERT_TRUE(only.ok()) << only.status();
    EXPECT_EQ(Found(**only, text), "12345678|");
  }
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
