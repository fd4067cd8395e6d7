#include "deid/internal/surrogates.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/hmac.h"

namespace phiguard::deid::internal {
namespace {

using phi::PhiType;

constexpr size_t kListSize = 2000;

std::string TitleCase(std::string_view s) {
  std::string out = ToLowerAscii(s);
  bool start = true;
  for (char& c : out) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    start = c == ' ' || c == '-' || c == '\'';
  }
  return out;
}

// The `limit` most frequent names of a "name<TAB>count" file, Title case.
absl::StatusOr<std::vector<std::string>> TopNames(const std::string& path, size_t limit) {
  auto content = ReadFileBounded(path, 64u << 20);
  if (!content.ok()) return content.status();
  // Lines and fields found in place: every process that de-identifies reads these lists, and a
  // vector per line of a 200k-line file cost more than the rest of the start-up together.
  std::vector<std::pair<uint64_t, std::string_view>> rows;
  std::string_view rest(*content);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, tab), number = line.substr(tab + 1);
    uint64_t count = 0;
    if (number.find('\t') == std::string_view::npos && ParseNumber(number, count) &&
        name.size() >= 3) {
      rows.emplace_back(count, name);
    }
  }
  std::partial_sort(rows.begin(), rows.begin() + std::min(limit, rows.size()), rows.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < std::min(limit, rows.size()); ++i) out.push_back(TitleCase(rows[i].second));
  std::sort(out.begin(), out.end());  // order independent of file order
  return out;
}

// Copies the letter case of `like` onto `s` (UPPER, lower or Title).
std::string CaseLike(std::string_view like, std::string s) {
  bool has_lower = false, has_upper = false;
  for (char c : like) {
    has_lower |= std::islower(static_cast<unsigned char>(c)) != 0;
    has_upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
  }
  if (has_upper && !has_lower) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else if (has_lower && !has_upper) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// A keyed stream of pseudo-random values for one input.
class KeyedStream {
 public:
  KeyedStream(const crypto::SecretKey& key, std::string_view label) : key_(key), label_(label) {}
  uint64_t Next() {
    return crypto::HmacU64(key_, Cat(label_, "#", counter_++));
  }

 private:
  const crypto::SecretKey& key_;
  std::string label_;
  uint64_t counter_ = 0;
};

// Replaces each digit with a keyed digit and each letter with a keyed letter of the same case;
// punctuation and length stay.
std::string SameShape(std::string_view value, KeyedStream& rng) {
  std::string out(value);
  uint64_t bits = 0;
  int left = 0;
  for (char& c : out) {
    if (left == 0) {
      bits = rng.Next();
      left = 8;
    }
    unsigned v = static_cast<unsigned>(bits & 0xFF);
    bits >>= 8;
    --left;
    if (std::isdigit(static_cast<unsigned char>(c))) c = static_cast<char>('0' + v % 10);
    else if (std::isupper(static_cast<unsigned char>(c))) c = static_cast<char>('A' + v % 26);
    else if (std::islower(static_cast<unsigned char>(c))) c = static_cast<char>('a' + v % 26);
  }
  return out;
}

}  // namespace

absl::StatusOr<SurrogateLists> LoadSurrogateLists(const std::string& dir) {
  SurrogateLists lists;
  auto first = TopNames(dir + "/first_names.tsv", kListSize);
  if (!first.ok()) return first.status();
  auto last = TopNames(dir + "/surnames.tsv", kListSize);
  if (!last.ok()) return last.status();
  lists.first_names = std::move(*first);
  lists.surnames = std::move(*last);
  auto places = ReadFileBounded(dir + "/us_places.txt", 64u << 20);
  if (!places.ok()) return places.status();
  for (std::string_view line : Split(*places, '\n')) {
    line = StripAscii(line);
    if (line.size() >= 4 && line.find(' ') == std::string_view::npos &&
        lists.places.size() < kListSize * 4) {
      lists.places.push_back(TitleCase(line));
    }
  }
  if (lists.first_names.empty() || lists.surnames.empty() || lists.places.empty()) {
    return absl::InvalidArgumentError(Cat(dir, ": surrogate lists are empty"));
  }
  return lists;
}

std::string MakeSurrogate(PhiType type, std::string_view value, std::string_view normalized,
                          const crypto::SecretKey& key, const SurrogateLists& lists) {
  KeyedStream rng(key, Cat(phi::PhiTypeName(type), "|", normalized));
  auto pick = [&](const std::vector<std::string>& v) { return v[rng.Next() % v.size()]; };
  switch (type) {
    case PhiType::kName:
    case PhiType::kClinicianName: {
      // One surrogate word per word: "John Smith" -> "Alan Moore"; the last word is a surname.
      auto words = Split(StripAscii(value), ' ');
      std::string out;
      for (size_t i = 0; i < words.size(); ++i) {
        if (words[i].empty()) continue;
        if (!out.empty()) out.push_back(' ');
        if (words[i].size() <= 2 && (words[i].size() == 1 || words[i][1] == '.')) {
          out += Cat(std::string(1, static_cast<char>('A' + rng.Next() % 26)),
                     words[i].size() == 2 ? "." : "");
          continue;
        }
        bool last = i + 1 == words.size();
        out += CaseLike(words[i], last ? pick(lists.surnames) : pick(lists.first_names));
      }
      return out;
    }
    case PhiType::kLocation:
    case PhiType::kFacility:
      return CaseLike(value, pick(lists.places));
    case PhiType::kStreetAddress: {
      static constexpr std::string_view kSuffix[] = {"Street", "Avenue", "Road", "Lane", "Drive"};
      return CaseLike(value, Cat(1 + rng.Next() % 9899, " ", pick(lists.surnames), " ",
                                 kSuffix[rng.Next() % 5]));
    }
    case PhiType::kEmail:
      return Cat(ToLowerAscii(pick(lists.first_names)), ".", ToLowerAscii(pick(lists.surnames)),
                 "@example.org");
    case PhiType::kUrl:
      return Cat("https://example.org/", SameShape("xxxxxxxx", rng));
    case PhiType::kIpAddress:
      if (value.find(':') != std::string_view::npos) {
        // 2001:db8::/32 is the IPv6 documentation range.
        return Cat("2001:db8::", fmt::format("{:x}", 1 + rng.Next() % 0xFFFE));
      }
      // 192.0.2.0/24 (TEST-NET-1) is reserved for documentation: never a real host.
      return Cat("192.0.2.", 1 + rng.Next() % 254);
    default:
      return SameShape(value, rng);
  }
}

}  // namespace phiguard::deid::internal
