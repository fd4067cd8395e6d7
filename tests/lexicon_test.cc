// Lexicon::Load on small hand-written lists: what each list contributes, and the errors a user
// who edits a list gets (file and line named).
#include "phi/internal/lexicon.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "phi/internal/rule_words.h"
#include "test_util.h"

namespace phiguard::phi::internal {
namespace {

class LexiconLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Write("first_names.tsv", "# name<TAB>count\nMary\t4000000\nHope\t90\n\n");
    Write("surnames.tsv", "SMITH\t2442977\nOBRIEN\t1500\n");
    Write("english_words.txt", "hope\n  bell  \n");
    Write("us_places.txt", "San Diego\nBaltimore\n");
    Write("non_phi_words.txt", "doe\n");
    Write("us_states.tsv", "Maryland\tMD\n");
    Write("us_hospitals.txt", "Greater Baltimore Medical Center\n");
  }
  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_.File(name), std::ios::binary) << content;
  }
  absl::StatusOr<std::unique_ptr<Lexicon>> Load() { return Lexicon::Load(dir_.path().string()); }
  testing_util::ScopedTempDir dir_;
};

TEST_F(LexiconLoadTest, EveryListAddsItsFlagToTheLowerCasedWord) {
  auto lex = Load();
  ASSERT_TRUE(lex.ok()) << lex.status();
  const Lexicon& l = **lex;
  EXPECT_EQ(l.Lookup("mary").flags & (kFirstName | kCommonName), kFirstName | kCommonName);
  EXPECT_EQ(l.Lookup("mary").name_count, 4000000u);
  EXPECT_EQ(l.Lookup("hope").flags & (kFirstName | kEnglish | kCommonName), kFirstName | kEnglish);
  EXPECT_EQ(l.Lookup("smith").flags & kSurname, kSurname);
  EXPECT_EQ(l.Lookup("bell").flags & kEnglish, kEnglish);  // surrounding spaces stripped
  EXPECT_EQ(l.Lookup("san diego").flags & kPlace, kPlace);
  EXPECT_EQ(l.Lookup("san").flags & kPlacePrefix, kPlacePrefix);
  EXPECT_EQ(l.Lookup("diego").flags & kPlaceSecondWord, kPlaceSecondWord);
  EXPECT_EQ(l.Lookup("baltimore").flags & (kPlacePrefix | kPlaceSecondWord), 0u);
  EXPECT_EQ(l.Lookup("doe").flags & kClinical, kClinical);
  EXPECT_EQ(l.Lookup("md").flags & kState, kState);
  EXPECT_EQ(l.Lookup("gbmc").flags & kFacilityAcronym, kFacilityAcronym);
  EXPECT_EQ(l.Lookup("greater").flags & kFacilityWord, kFacilityWord);
  EXPECT_EQ(l.Lookup("medical").flags & kFacilityWord, 0u);  // generic hospital word
  EXPECT_EQ(l.Lookup("Mary").flags, 0u);  // lookups take lower-case words
  EXPECT_EQ(l.Lookup("nowhere").flags, 0u);
}

TEST_F(LexiconLoadTest, MalformedCountLinesNameFileAndLine) {
  for (const char* bad : {"Mary\t12\t3\n", "Mary 12\n", "Mary\tmany\n", "Mary\t\n"}) {
    Write("first_names.tsv", std::string("# header\n\nAnn\t5\n") + bad);
    auto lex = Load();
    ASSERT_FALSE(lex.ok()) << bad;
    EXPECT_EQ(lex.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(lex.status().message().find("first_names.tsv:4: expected 'name<TAB>count'"),
              std::string_view::npos)
        << lex.status();
  }
}

TEST_F(LexiconLoadTest, MissingListIsNotFound) {
  std::filesystem::remove(dir_.File("us_places.txt"));
  auto lex = Load();
  ASSERT_FALSE(lex.ok());
  EXPECT_EQ(lex.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(lex.status().message().find("us_places.txt"), std::string_view::npos);
}

TEST_F(LexiconLoadTest, LastLineWithoutNewlineCounts) {
  Write("surnames.tsv", "SMITH\t2442977\nJONES\t1425470");
  auto lex = Load();
  ASSERT_TRUE(lex.ok()) << lex.status();
  EXPECT_EQ((*lex)->Lookup("jones").flags & kSurname, kSurname);
}

// kRuleStart (Rules::Run dispatches only the tokens it, an initial or the next words call for):
// keywords, names and places, but no clinical, short or ordinary English word unless a very common
// first name; set last, so that it sees the rule words' roles.
TEST_F(LexiconLoadTest, RuleWordsMarkTheWordsARuleMayStartAt) {
  auto lex = Load();
  ASSERT_TRUE(lex.ok()) << lex.status();
  Lexicon& l = **lex;
  l.AddFlags("jo", kFirstName);
  l.AddFlags("hope", kRoleRelative);  // as if a relative word: a context role
  ASSERT_TRUE(AddRuleWords(l, dir_.path().string()).ok());
  for (const char* w : {"mary", "smith", "baltimore", "san", "dr", "daughter", "hope", "the"}) {
    EXPECT_EQ(l.Lookup(w).flags & kRuleStart, kRuleStart) << w;
  }
  for (const char* w : {"doe", "bell", "jo", "maryland", "a", "nowhere", "balt"}) {
    EXPECT_EQ(l.Lookup(w).flags & kRuleStart, 0u) << w;
  }
}

// The per-thread cache answers exactly what the table does, for words of every length (one,
// two and four key words, and past the cache's longest key), for a word that is a prefix of the
// bytes after it, and after far more distinct words than it holds have evicted each other.
TEST_F(LexiconLoadTest, CacheAgreesWithTableAcrossLengthsAndEvictions) {
  auto lex = Load();
  ASSERT_TRUE(lex.ok()) << lex.status();
  Lexicon& l = **lex;
  std::vector<std::string> words;
  for (size_t i = 0; i < 40000; ++i) {
    std::string w;
    for (size_t v = i * 2654435761u; w.size() < 1 + i % 40; v = v / 26 + i) {
      w.push_back(static_cast<char>('a' + v % 26));
    }
    words.push_back(w);
    if (i % 3 == 0) l.AddFlags(w, static_cast<uint32_t>(1u << (i % 8)));
  }
  for (const char* w : {"mary", "maryland", "san diego", "md", "m", "o'brien"}) words.push_back(w);
  LexiconCache cache;
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < words.size(); ++i) {
      // The word is followed by more letters (another word, or the rest of the text): the cache
      // must not read them as part of it, nor take it for the longer word they make.
      const std::string& w = words[i];
      for (const std::string& after : {words[(i + 1) % words.size()], std::string(32, 'z')}) {
        const std::string joined = w + after;
        const std::string buffer = joined + std::string(LexiconCache::kPadding, '\0');
        const LexiconEntry whole = cache.Get(buffer.data(), joined.size(), l);
        ASSERT_EQ(whole.flags, l.Lookup(joined).flags) << joined;
        const LexiconEntry got = cache.Get(buffer.data(), w.size(), l);
        const LexiconEntry want = l.Lookup(w);
        ASSERT_EQ(got.flags, want.flags) << w;
        ASSERT_EQ(got.name_count, want.name_count) << w;
      }
    }
  }
  const std::string mary = "maryland" + std::string(LexiconCache::kPadding, '\0');
  EXPECT_EQ(cache.Get(mary.data(), 4, l).name_count, 4000000u);
  EXPECT_EQ(cache.Get(mary.data(), 8, l).flags & kState, kState);
}

}  // namespace
}  // namespace phiguard::phi::internal
