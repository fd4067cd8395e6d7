// The built-in pattern table. Each entry cites the Safe Harbor identifier it finds. Patterns find
// identifiers by format ("123-45-6789") and by context ("MRN: 0012345"); names and places come from
// the lexicon rules instead (name_rules.cc).
#include <arpa/inet.h>

#include <cctype>
#include <initializer_list>
#include <string>

#include "phiguard/core/strings.h"
#include "phi/internal/byte_class.h"
#include "phi/internal/pattern_scanner.h"
#include "phi/internal/street_finder.h"

namespace phiguard::phi::internal {
namespace {

#define MONTH                                                                                   \
  "(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|" \
  "nov(ember)?|dec(ember)?)"
#define DAY "(0?[1-9]|[12][0-9]|3[01])"
#define MON "(0?[1-9]|1[0-2])"
#define ORD "(st|nd|rd|th)"
// Context introducing an identifier value: "#", "no.", "number", "id", ":"
#define NUMWORD "\\b\\s*(#|no\\.?|num(ber)?|id)?\\s*[:#.]?\\s*"
// Parts shared by a pattern and the scan regexes it is split into (see PatternDef::scan_regexes).
#define PHONE_VALUE "\\s*[:#.]?\\s*[0-9]{3}[\\-.][0-9]{4}\\b"
#define PAGER_VALUE "\\s*(#|no\\.?|number|num)?[\\s:#.]*[0-9]{4,6}\\b"
#define MRN_VALUE "\\s*[:#.]?\\s*[a-z]{0,3}[0-9][a-z0-9\\-]{2,}\\b"
#define PLAN_VALUE NUMWORD "[a-z0-9][a-z0-9\\-]{4,}\\b"
#define LICENSE_VALUE NUMWORD "[a-z]{0,3}[0-9][a-z0-9\\-]{3,}\\b"
#define DEVICE_VALUE NUMWORD "[a-z0-9][a-z0-9\\-]{3,}\\b"
// The two-letter state codes before a ZIP code, "|"-separated (the regex and FindZipEnds).
#define STATE_CODES                                                                          \
  "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|" \
  "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
#define STREET_NUMBER_WORDS "\\b[0-9]{1,6}[a-z]?\\s+([a-z][a-z.'\\-]*\\s+){1,4}"
#define STREET_UNIT \
  "\\b\\.?((\\s*,?\\s*(apt|apartment|suite|ste|unit|#)\\.?\\s*#?[0-9a-z\\-]+)\\b)?"

bool HasDigit(std::string_view s) {
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

bool HasDigitAndLetter(std::string_view s) {
  bool d = false, a = false;
  for (char c : s) {
    d |= std::isdigit(static_cast<unsigned char>(c)) != 0;
    a |= std::isalpha(static_cast<unsigned char>(c)) != 0;
  }
  return d && a;
}

char At(std::string_view t, size_t i) { return i < t.size() ? t[i] : '\0'; }

// Context patterns are validated on their value ("D1234567" of "license no. D1234567").
bool ValueHasDigit(std::string_view text, size_t start, size_t end) {
  return HasDigit(text.substr(start, end - start));
}

bool IsDigitAt(std::string_view t, size_t i) {
  return i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]));
}

// The word before `start`, lower-cased ("psv" in "PSV 12/5").
std::string WordBefore(std::string_view text, size_t start) {
  size_t e = start;
  while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == ':')) --e;
  size_t b = e;
  while (b > 0 && (std::isalpha(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == '/')) --b;
  return ToLowerAscii(text.substr(b, e - b));
}

// Numbers that only look like dates: ventilator settings, ratios, ranges of measurements.
bool MeasurementContext(std::string_view text, size_t start) {
  static constexpr std::string_view kBefore[] = {"psv", "ps", "cpap", "peep", "bp", "co/ci", "ci", "flowby",
                                                 "bipap", "pap", "fick", "ratio", "x", "ie",
                                                 "i:e", "nbp", "abp", "sbp", "cvp", "pa", "pas"};
  std::string w = WordBefore(text, start);
  for (std::string_view b : kBefore) {
    if (w == b) return true;
  }
  return false;
}

// A numeric date must stand alone: not part of a decimal ("6.9/3.22"), a longer number, a range
// of fractions ("1/3-1/2") or a ratio chain ("5-6/3-4").
bool ValidNumericDate(std::string_view text, size_t start, size_t end) {
  char before = start > 0 ? text[start - 1] : ' ';
  char after = At(text, end);
  if (IsDigitAt(text, start - 1) || before == '/') return false;
  if ((before == '.' || before == '-') && start >= 2 && IsDigitAt(text, start - 2)) return false;
  if (after == '/' || after == '%' || IsDigitAt(text, end)) return false;
  if ((after == '-' || after == '.') && IsDigitAt(text, end + 1)) return false;
  return !MeasurementContext(text, start);
}

// Phone numbers only need to stand apart from other digits.
bool ValidPhone(std::string_view text, size_t start, size_t end) {
  return !(start > 0 && IsDigitAt(text, start - 1)) && !IsDigitAt(text, end) &&
         !(At(text, end) == '-' && IsDigitAt(text, end + 1));
}

// Street addresses: the words between number and suffix are a name, not prose ("3 way foley in
// place", "90 to st").
bool ValidAddress(std::string_view text, size_t start, size_t end) {
  std::string m = ToLowerAscii(text.substr(start, end - start));
  if (m.find('\n') != std::string::npos || m.find(". ") != std::string::npos) return false;
  static constexpr std::string_view kProse[] = {
      " in ",  " to ",   " with ",    " for ",  " on ",   " of ",    " at ",    " and ",
      " the ", " per ",  " x ",       " mg ",   " units ", " u ",    " reg ",   " after ",
      " before ", " than ", " from ", " by ",   " via ",  " minutes ", " hours ", " hrs ",
      " ml ",  " cc ",   " episodes ", " times "};
  std::string padded = " " + m + " ";
  for (std::string_view w : kProse) {
    if (padded.find(w) != std::string::npos) return false;
  }
  return true;
}

// `text` lower-cased (ASCII, as ToLowerAscii) into `out`, which must be large enough: a view of
// it. The validators below run for every candidate date; this keeps them free of allocations.
std::string_view LowerInto(char* out, std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    out[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  }
  return {out, text.size()};
}

// "7/22" is a date; "120/80", "5/5 strength", "1/2 tab", "3/4 of" are not.
bool ValidSlashDate(std::string_view text, size_t start, size_t end) {
  char before = start > 0 ? text[start - 1] : ' ';
  if (!ValidNumericDate(text, start, end)) return false;
  if (before == '.') return false;
  // Murmur grades and scores: "+3/6 SEM", "#4/10", "120-140'2/70's".
  if (before == '+' || before == '#' || before == '\'') return false;
  std::string_view m = text.substr(start, end - start);
  size_t slash = m.find('/');
  int a = std::atoi(std::string(m.substr(0, slash)).c_str());
  int b = std::atoi(std::string(m.substr(slash + 1)).c_str());
  if (a == 0) return false;
  // The context, lower-cased once: the word before, and text just before and after.
  const std::string prev = WordBefore(text, start);
  char after_buf[31], window_buf[30];
  after_buf[0] = ' ';  // spaced_after below: " " + after
  const std::string_view after = LowerInto(after_buf + 1, text.substr(end, 30));
  const size_t from = start >= 30 ? start - 30 : 0;
  const std::string_view window = LowerInto(window_buf, text.substr(from, start - from));
  auto after_starts = [&](std::initializer_list<std::string_view> words) {
    for (std::string_view w : words) {
      if (after.starts_with(w)) return true;
    }
    return false;
  };
  // Small fractions and scores: "1/2", "2/3", "5/5"; but "3/02" (a month and year) is a date,
  // and so is "3/5" where the prose says so ("since 3/4", "3/3 tx"), or where an event is placed
  // at a facility ("fell 3/5 at rehab"; a dose is "at 75/hr", a strength "at the hip").
  if (a <= 5 && b <= 5 && m[slash + 1] != '0' && b != 0 &&
      !(prev == "since" || prev == "from" || prev == "until" || prev == "of" || prev == "post" ||
        prev == "dated" ||
        after_starts({" tx", " at rehab", " in rehab", " at hosp", " at the hosp", " in hosp",
                      " at osh", " at clinic", " at the clinic", " at nursing home"})))
    return false;
  // Ventilator settings after or just before: "10/5 FIO2 65%", "10/5/50%", "CPAP/PS (10/5)".
  if (after_starts({"%", " fio2", " peep", " bipap", " cpap", " ps", " ips", " imv"})) return false;
  if (b <= 25) {
    // Whole words only: "MAPS 59-62. ... MLC 8/5" is a line date, not pressure support.
    auto has_word = [](std::string_view in, std::initializer_list<std::string_view> words) {
      for (std::string_view w : words) {
        for (size_t at = in.find(w); at != std::string_view::npos; at = in.find(w, at + 1)) {
          if (at == 0 || !std::isalpha(static_cast<unsigned char>(in[at - 1]))) return true;
        }
      }
      return false;
    };
    if (has_word(window, {"cpap", "psv", "peep", "simv", "imv", "bipap", "setting", "ps ", "ps/",
                          "/ps", "fio2", "pressure support"}))
      return false;
    // A list of settings runs longer ("SETTINGS-40%, TV 400'S, RR 14-19, & 5/10"), and a tidal
    // volume ("TV 500", "500TV/50") is one of them ("in setting of" is no such list).
    const size_t vent_from = start >= 45 ? start - 45 : 0;
    char vent_buf[45];
    if (has_word(LowerInto(vent_buf, text.substr(vent_from, start - vent_from)),
                 {"settings", "tv ", "tv/"}))
      return false;
  }
  if (after_starts({" sem", " murmur", " hsm", " sm ", " systolic", " holosystolic"})) return false;
  // Pain scores: "8/10 CP", "pain 6/10", "c/o 3/10 back pain".
  if (b == 10) {
    if (after_starts({" discomf"}) || prev == "rated" || prev == "rates" || prev == "scale")
      return false;
    const std::string_view spaced_after(after_buf, after.size() + 1);  // "8/10cp" counts as " cp"
    for (std::string_view w : {"pain", "angina", "discomfort", "ache", "pressure", "c/o", " cp"}) {
      if (window.find(w) != std::string_view::npos || spaced_after.find(w) != std::string_view::npos)
        return false;
    }
  }
  // Doses and strengths: "1/2 tab", "5/5 strength", "3/4 of".
  return !after_starts({" strength", " power", " tab", " of ", " mg", " ml", " cc", " x",
                        " units", " pills", " liter", " l ", " amp"});
}

// Blood gases ("7.45/34/80") look like dotted quads; an IP address is not glued to '/'.
bool ValidIpv4(std::string_view text, size_t start, size_t end) {
  return !(start > 0 && (text[start - 1] == '/' || text[start - 1] == '.')) &&
         At(text, end) != '/' && !(At(text, end) == '.' && IsDigitAt(text, end + 1));
}

// "th" in "on the 11th." is a date; "the 4th ventricle" and "2nd unit" are not.
bool ValidOrdinalDate(std::string_view text, size_t, size_t end) {
  size_t k = end;
  while (k < text.size() && text[k] == ' ') ++k;
  if (k >= text.size() || !std::isalpha(static_cast<unsigned char>(text[k]))) return true;
  std::string next;
  while (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k])) && next.size() < 12)
    next.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[k++]))));
  return next == "of" || next == "at" || next == "and" || next == "when" || next == "in" ||
         next == "to" || next == "through" || next == "thru" || next == "until";
}

// "07/22/2010" and "07-22-2010", not "5.6/67" (a ratio) or "7.5/12".
bool ValidFullDate(std::string_view text, size_t start, size_t end) {
  if (!ValidNumericDate(text, start, end)) return false;
  char seps[2];
  int n = 0;
  for (size_t i = start; i < end && n < 2; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) seps[n++] = text[i];
  }
  if (n == 2 && seps[0] == seps[1]) return true;
  // "11/21.93": a slash date with its two-digit year after a period, but no fraction and decimal
  // ("3/4.25").
  if (n != 2 || seps[0] != '/' || seps[1] != '.' || end - start > 8) return false;
  const int a = std::atoi(text.data() + start);
  const int b = std::atoi(text.data() + text.find('/', start) + 1);
  return a > 5 || b > 5;
}

// "98 s/p hip fracture" at the start of a line: a number over 89 that opens a line and is followed
// directly by a history cue is the patient's age ("HR 98 w/ PVCs" mid-line is a vital sign).
bool AtLineStart(std::string_view text, size_t start, size_t) {
  size_t k = start;
  while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t')) --k;
  return k == 0 || text[k - 1] == '\n' || text[k - 1] == '\r';
}

// "returned to the OR on 7-8 for coiling": a month-day pair joined by a hyphen is a date after
// "on" when an event verb opens the clause and no unit or noun follows ("on 4-5 L NC", "on 1-2
// pillows" are ranges).
bool ValidEventDateAfterOn(std::string_view text, size_t start, size_t end) {
  if (!ValidNumericDate(text, start, end)) return false;
  // What follows: the end of a clause or a preposition, not a unit ("L", "pillows", "hours").
  size_t k = end;
  while (k < text.size() && text[k] == ' ') ++k;
  if (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k]))) {
    std::string next;
    while (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k])) && next.size() < 8)
      next.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[k++]))));
    static constexpr std::string_view kAfter[] = {"for", "with", "and", "at", "after", "when",
                                                  "where", "while", "because", "but", "via"};
    bool ok = false;
    for (std::string_view a : kAfter) ok |= next == a;
    if (!ok) return false;
  } else if (k < text.size() && std::string_view(",.;)\n").find(text[k]) == std::string_view::npos) {
    return false;
  }
  // Before "on" (the match starts with it): a past-tense event verb in the same clause, and no
  // verb that puts a patient on a treatment ("placed on 2-4 for comfort" is a range).
  static constexpr std::string_view kOnTreatment[] = {
      "placed", "started", "put", "maintained", "weaned", "continued", "remained", "tried",
      "kept", "restarted", "changed", "switched", "titrated", "increased", "decreased"};
  size_t b = start;
  while (b > 0 && std::isalnum(static_cast<unsigned char>(text[b - 1])) == 0 &&
         text[b - 1] != '\n' && text[b - 1] != '.' && text[b - 1] != ';')
    --b;
  for (int words = 0; words < 6 && b > 0; ++words) {
    size_t e = b;
    while (b > 0 && std::isalpha(static_cast<unsigned char>(text[b - 1]))) --b;
    if (b == e) break;  // a digit or punctuation: the clause ends
    const std::string w = ToLowerAscii(text.substr(b, e - b));
    for (std::string_view t : kOnTreatment) {
      if (w == t) return false;
    }
    if (words > 0 && ((w.size() >= 5 && w.ends_with("ed")) || w == "went" || w == "came" ||
                      w == "underwent"))
      return true;
    while (b > 0 && text[b - 1] == ' ') --b;
  }
  return false;
}

// "21 Apr, 21": a two-digit year after the comma, not a count ("3 Jan, 12 hours later").
bool ValidShortYearAfterDate(std::string_view text, size_t, size_t end) {
  size_t k = end;
  while (k < text.size() && text[k] == ' ') ++k;
  if (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k]))) return false;
  return !((At(text, end) == '.' || At(text, end) == ':') && IsDigitAt(text, end + 1));
}

// "10/03/10/04" (a date range); "1/3-1/2" is a range of fractions.
bool ValidDateRange(std::string_view text, size_t start, size_t end) {
  if (!ValidNumericDate(text, start, end)) return false;
  int nums[4] = {0, 0, 0, 0};
  int n = 0;
  for (size_t i = start; i < end && n < 4; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i]))) nums[n] = nums[n] * 10 + (text[i] - '0');
    else ++n;
  }
  return (nums[0] > 5 || nums[1] > 5) && (nums[2] > 5 || nums[3] > 5);
}

bool ValidIpv6(std::string_view text, size_t start, size_t end) {
  std::string s(text.substr(start, end - start));
  size_t hex = 0;
  for (char c : s) hex += std::isxdigit(static_cast<unsigned char>(c)) != 0;
  if (hex < 2) return false;
  in6_addr addr;
  size_t colons = 0;
  for (char c : s) colons += c == ':';
  return colons >= 2 && inet_pton(AF_INET6, s.c_str(), &addr) == 1;
}

bool ValidVin(std::string_view text, size_t start, size_t end) {
  return HasDigitAndLetter(text.substr(start, end - start));
}

bool ValidLongNumber(std::string_view text, size_t start, size_t end) {
  // Not a decimal fraction ("0.12345678") and not part of a larger number with separators.
  char before = start > 0 ? text[start - 1] : ' ';
  char after = At(text, end);
  if (before == '.' || before == ',') return false;
  if ((after == '.' || after == ',') && std::isdigit(static_cast<unsigned char>(At(text, end + 1))))
    return false;
  return true;
}

bool ValidUrl(std::string_view text, size_t start, size_t end) {
  // Bare "word.com" only when the host has a letter before the dot.
  return end > start && std::isalnum(static_cast<unsigned char>(text[end - 1]));
}

// ---- Candidate finders (PatternDef::find) for patterns that are a repeated character class. ----


// VIN: a word of exactly 17 characters. Only words with a digit: ValidVin rejects the others.
void FindVinEnds(std::string_view text, const std::vector<DigitRun>& digits,
                 std::vector<size_t>& ends) {
  size_t done = 0;  // the end of the last word looked at
  for (const DigitRun& d : digits) {
    if (d.start < done) continue;
    size_t s = d.start, e = d.end;
    while (s > 0 && IsWordByte(text[s - 1])) --s;
    while (e < text.size() && IsWordByte(text[e])) ++e;
    if (e - s == 17) ends.push_back(e);
    done = e;
  }
}

// Whether the two bytes at `at` are a state code (upper case, as the regex is case-sensitive).
bool StateCodeAt(std::string_view text, size_t at) {
  static constexpr std::string_view kCodes = STATE_CODES;
  for (size_t k = 0; k + 2 <= kCodes.size(); k += 3) {
    if (text[at] == kCodes[k] && text[at + 1] == kCodes[k + 1]) return true;
  }
  return false;
}

// "MD 21201", "MD. 21201-1234": a number of exactly five digits, or its ZIP+4 extension, after
// blanks that follow a state code, '.' and ',' (each optional). Checking the code here keeps
// every other five-digit number from the exact regex, whose unbounded "\\s+" makes each
// rejection a scan of the whole text.
void FindZipEnds(std::string_view text, const std::vector<DigitRun>& digits,
                 std::vector<size_t>& ends) {
  for (const DigitRun& d : digits) {
    if (d.end - d.start != 5) continue;
    size_t q = SpacesStartBefore(text, d.start);
    if (q == d.start) continue;
    if (q > 0 && text[q - 1] == ',') --q;
    if (q > 0 && text[q - 1] == '.') --q;
    if (q < 2 || !StateCodeAt(text, q - 2) || (q > 2 && IsWordByte(text[q - 3]))) continue;
    ends.push_back(d.end);
    const size_t e = d.end;
    if (e + 5 <= text.size() && text[e] == '-' && IsDigitByte(text[e + 1]) &&
        IsDigitByte(text[e + 2]) && IsDigitByte(text[e + 3]) && IsDigitByte(text[e + 4]))
      ends.push_back(e + 5);
  }
}

size_t Len(const DigitRun& r) { return r.end - r.start; }
bool OneOf(char c, std::string_view set) {
  for (char x : set) {
    if (x == c) return true;
  }
  return false;
}

// Calls `f(r)` for every `n` consecutive digit runs r[0], ..., r[n - 1] with exactly one byte
// between each run and the next ("7-22-2010" is three such runs) whose last run passes `gate`,
// a cheap test of it alone: whether a run continues a chain of two is data (every decimal is
// one) and mispredicted, so a rare property of the last run is tested in the same branch.
template <typename G, typename F>
void ForEachChain(const std::vector<DigitRun>& d, size_t n, G gate, F f) {
  for (size_t k = n - 1; k < d.size(); ++k) {
    const bool chained = d[k].chain >= n, passes = gate(d[k]);
    if (chained & passes) f(&d[k + 1 - n]);
  }
}
template <typename F>
void ForEachChain(const std::vector<DigitRun>& d, size_t n, F f) {
  ForEachChain(d, n, [](const DigitRun&) { return true; }, f);
}

// A day of the month as the whole run `r` (DAY: 1-9, 01-09, 10-31).
bool DayRun(std::string_view text, const DigitRun& r) {
  const char a = text[r.start], b = Len(r) == 2 ? text[r.start + 1] : '\0';
  if (Len(r) == 1) return a != '0';
  return Len(r) == 2 && (a == '0' ? b != '0' : a <= '2' || (a == '3' && b <= '1'));
}

// "7-22-2010", "07/22/10": a month (the run's last digits), a day, a two- or four-digit year (19..
// or 20..) that ends the word, with one separator between each.
void FindFullDateEnds(std::string_view text, const std::vector<DigitRun>& digits,
                      std::vector<size_t>& ends) {
  ForEachChain(digits, 3, [&](const DigitRun* r) {
    const char mon = text[r[0].end - 1];  // MON: 1-9, or 10-12 ending in 0-2
    const bool month = mon != '0' || (Len(r[0]) >= 2 && text[r[0].end - 2] == '1');
    const size_t year = Len(r[2]);
    const std::string_view century = text.substr(r[2].start, 2);
    const bool year_ok = year == 2 || (year == 4 && (century == "19" || century == "20"));
    if (month && OneOf(text[r[0].end], "/-.") && DayRun(text, r[1]) &&
        OneOf(text[r[1].end], "/-.") && year_ok &&
        (r[2].end == text.size() || !IsWordByte(text[r[2].end])))
      ends.push_back(r[2].end);
  });
}

// "10/03-10/04": month/day, a separator, month/day.
void FindDateRangeEnds(std::string_view text, const std::vector<DigitRun>& digits,
                       std::vector<size_t>& ends) {
  ForEachChain(digits, 4, [&](const DigitRun* r) {
    if (text[r[0].end] == '/' && Len(r[1]) <= 2 && OneOf(text[r[1].end], "/-.") &&
        Len(r[2]) <= 2 && text[r[2].end] == '/' && Len(r[3]) <= 2)
      ends.push_back(r[3].end);
  });
}

// "2010-07-22": a four-digit year, then month and day.
void FindIsoDateEnds(std::string_view text, const std::vector<DigitRun>& digits,
                     std::vector<size_t>& ends) {
  ForEachChain(digits, 3, [&](const DigitRun* r) {
    if (Len(r[0]) == 4 && OneOf(text[r[0].end], "-/.") && Len(r[1]) <= 2 &&
        OneOf(text[r[1].end], "-/.") && Len(r[2]) <= 2)
      ends.push_back(r[2].end);
  });
}

// "on the 11th", "since 3rd": a day of one or two digits (the whole run) with an ordinal suffix
// that ends the word, after one of the regex's words and blanks. Checking those words here keeps
// "2nd dose" from the exact regex, whose unbounded "\\s+" makes each rejection a scan of the
// whole text.
void FindOrdinalEnds(std::string_view text, const std::vector<DigitRun>& digits,
                     std::vector<size_t>& ends) {
  static constexpr std::string_view kBefore[] = {"on",    "the", "since",  "until", "till",
                                                 "from",  "by",  "before", "after"};
  const size_t n = text.size();
  for (const DigitRun& d : digits) {
    const size_t e = d.end;
    if (e + 2 > n) continue;
    const char a = static_cast<char>(text[e] | 0x20), b = static_cast<char>(text[e + 1] | 0x20);
    const bool suffix = ((a == 's') & (b == 't')) | ((a == 'n') & (b == 'd')) |
                        ((a == 'r') & (b == 'd')) | ((a == 't') & (b == 'h'));
    if (!suffix || (e + 2 < n && IsWordByte(text[e + 2])) || Len(d) > 2) continue;
    const size_t blank = SpacesStartBefore(text, d.start);
    if (blank == d.start) continue;
    for (std::string_view word : kBefore) {
      if (WordEndsAt(text, blank, word)) {
        ends.push_back(e + 2);
        break;
      }
    }
  }
}

// "123-45-6789"
void FindSsnEnds(std::string_view text, const std::vector<DigitRun>& digits,
                 std::vector<size_t>& ends) {
  ForEachChain(digits, 3, [&](const DigitRun* r) {
    if (Len(r[0]) == 3 && text[r[0].end] == '-' && Len(r[1]) == 2 && text[r[1].end] == '-' &&
        Len(r[2]) == 4)
      ends.push_back(r[2].end);
  });
}

// "21201-1234"
void FindZipPlusFourEnds(std::string_view text, const std::vector<DigitRun>& digits,
                         std::vector<size_t>& ends) {
  auto four = [](const DigitRun& last) { return Len(last) == 4; };
  ForEachChain(digits, 2, four, [&](const DigitRun* r) {
    if (Len(r[0]) == 5 && text[r[0].end] == '-' && Len(r[1]) == 4) ends.push_back(r[1].end);
  });
}

// "x 1234", "x#12345", "X no. 4567": a pager's four to six digits after a lone "x", with only
// blanks, ':', '#', '.' and the letters of "no"/"number"/"num" between ("x" alone is too common
// a literal for the one pass: every one would start an automaton).
void FindPagerAfterXEnds(std::string_view text, const std::vector<DigitRun>& digits,
                         std::vector<size_t>& ends) {
  for (const DigitRun& d : digits) {
    if (Len(d) < 4 || Len(d) > 6) continue;
    auto gap = [](char c) {
      return OneOf(c, " \t\n\v\f\r:#.") || OneOf(static_cast<char>(c | 0x20), "nomuber");
    };
    size_t b = d.start;
    while (b > 0 && gap(text[b - 1])) --b;
    if (b > 0 && (text[b - 1] | 0x20) == 'x') ends.push_back(d.end);
  }
}


// "on 7-22": a month and a day of one or two digits joined by '-', after "on" and blanks ("on"
// is in every other word of a note: as a literal of the one pass it would start an automaton
// at each).
void FindOnDateEnds(std::string_view text, const std::vector<DigitRun>& digits,
                    std::vector<size_t>& ends) {
  auto after_hyphen = [&](const DigitRun& last) {
    return text[last.start - (last.start > 0)] == '-' && Len(last) <= 2;
  };
  ForEachChain(digits, 2, after_hyphen, [&](const DigitRun* r) {
    if (Len(r[0]) > 2) return;
    const size_t blank = SpacesStartBefore(text, r[0].start);
    if (blank < r[0].start && WordEndsAt(text, blank, "on")) ends.push_back(r[1].end);
  });
}

// A number of seven digits or more.
void FindLongNumberEnds(std::string_view, const std::vector<DigitRun>& digits,
                        std::vector<size_t>& ends) {
  for (const DigitRun& d : digits) {
    if (d.end - d.start >= 7) ends.push_back(d.end);
  }
}

}  // namespace

const std::vector<PatternDef>& BuiltinPatterns() {
  using T = PhiType;
  using M = ValueMode;
  static const std::vector<PatternDef>* kPatterns = new std::vector<PatternDef>{
      // (C) dates: every element except the year.
      // Numbers with separators ("7-22-2010") are found from the text's digit runs (PatternDef::
      // find): in the one pass, their only literals ("/", "-", "." and a digit) would be looked
      // up at nearly every number. The exact regex confirms each of the few hundred candidates.
      {T::kDate, MON "[/\\-.]" DAY "[/\\-.]((19|20)?[0-9]{2})\\b", true, M::kWhole, 0.95,
       ValidFullDate, {}, FindFullDateEnds},
      {T::kDate, "\\b" MON "/" DAY "[/\\-.]" MON "/" DAY "\\b", true, M::kWhole, 0.9,
       ValidDateRange, {}, FindDateRangeEnds},
      // "3/4": over a thousand matches in the dev notes, each with its start from the pass itself.
      {T::kDate, MON "/([0-9]{1,2}|(19|20)[0-9]{2})\\b", true, M::kWhole, 0.8, ValidSlashDate, {},
       nullptr, true},
      {T::kDate, "\\b(19|20)[0-9]{2}[\\-/.]" MON "[\\-/.]" DAY "\\b", true, M::kWhole, 0.95,
       ValidNumericDate, {}, FindIsoDateEnds},
      {T::kDate, "\\b" MONTH "\\.?\\s*" DAY ORD "?\\b(,?\\s*(19|20)[0-9]{2}\\b)?", true, M::kWhole,
       0.9, nullptr},
      {T::kDate, "\\b" DAY ORD "?(\\s+of)?\\s*" MONTH "\\b\\.?(,?\\s*(19|20)[0-9]{2}\\b)?", true,
       M::kWhole, 0.9, nullptr},
      {T::kDate, "\\b" MONTH "\\.?,?\\s+(of\\s+)?(19|20)[0-9]{2}\\b", true, M::kWhole, 0.9, nullptr},
      // "21 Apr, 21" (a two-digit year after a comma), "1->2 nov" (a range of days).
      {T::kDate, "\\b" DAY "\\s+" MONTH "\\.?,\\s*'?[0-9]{2}\\b", true, M::kWhole, 0.85,
       ValidShortYearAfterDate},
      {T::kDate, "\\b" DAY "\\s*(-+>|-|to)\\s*" DAY ORD "?\\s+(of\\s+)?" MONTH "\\b", true,
       M::kWhole, 0.85, ValidNumericDate},
      {T::kDate, "\\bon\\s+" MON "-" DAY "\\b", true, M::kTrailingValue, 0.75,
       ValidEventDateAfterOn, {}, FindOnDateEnds},
      {T::kDate,
       "\\b(january|february|april|june|july|august|september|october|november|december|jan|feb|"
       "apr|jun|jul|sept?|oct|nov)\\b",
       true, M::kWhole, 0.7, nullptr},
      // Found from its ordinal ("11th"), not from "on" and "the" all over the text.
      {T::kDate, "\\b(on|the|since|until|till|from|by|before|after)\\s+(the\\s+)?" DAY ORD "\\b",
       true, M::kTrailingValue, 0.8, ValidOrdinalDate, {}, FindOrdinalEnds},
      {T::kDate,
       "\\b(christmas|thanksgiving|easter|hanukkah|halloween|new\\s+year'?s(\\s+(day|eve))?|"
       "independence\\s+day|memorial\\s+day|labor\\s+day|veterans\\s+day|valentine'?s\\s+day)\\b",
       true, M::kWhole, 0.7, nullptr,
       {"(christmas|thanksgiving|easter|hanukkah|halloween)\\b", "year'?s(\\s+(day|eve))?\\b",
        "(independence|memorial|labor|veterans|valentine'?s)\\s+day\\b"}},
      // (C) ages over 89.
      {T::kAge,
       "\\b(9[0-9]|1[0-2][0-9])\\s*-?\\s*(y/?o|yo|y\\.o\\.?|yrs?\\.?(\\s*|-)old|years?(\\s*|-)old|"
       "yr|yrs|years?|year-old)\\b",
       true, M::kLeadingNumber, 0.95, nullptr},
      {T::kAge, "\\b(9[0-9]|1[01][0-9])[ \\t]+(s/p|h/o|(w/|with)\\s*(pmh|hx|h/o|history))", true,
       M::kLeadingNumber, 0.85, AtLineStart},
      {T::kAge, "\\b(age|aged|age:)\\s*(9[0-9]|1[0-2][0-9])\\b", true, M::kTrailingValue, 0.95,
       nullptr},
      // (D)(E) telephone and fax numbers.
      {T::kPhone,
       "(\\(\\s*[0-9]{3}\\s*\\)\\s*|[0-9]{3}[\\-.\\s]\\s?)[0-9]{3}[\\-.][0-9]{4}\\b"
       "(\\s*(x|ext\\.?|extension)\\s*[0-9]{1,6}\\b)?",
       true, M::kWhole, 0.9, ValidPhone,
       {"[0-9][\\-.][0-9]{4}\\b(\\s*(x|ext\\.?|extension)\\s*[0-9]{1,6}\\b)?"}},
      // Split where one alternation mixes long and one- or two-letter literals ("ph", "x"): such
      // an alternation is scanned for as if it had no literal at all.
      {T::kPhone, "\\b(phone|tel|telephone|cell|home|work|pager|ph)" PHONE_VALUE, true,
       M::kTrailingValue, 0.85, ValidPhone,
       {"\\b(phone|tel|telephone|cell|home|work|pager)" PHONE_VALUE, "\\bph" PHONE_VALUE}},
      {T::kPhone, "\\b1[\\-.\\s][0-9]{3}[\\-.\\s][0-9]{3}[\\-.\\s][0-9]{4}\\b", true, M::kWhole, 0.9,
       nullptr},
      // A whole ten-digit group in parentheses, however it is spaced: "(301 273 4516)",
      // "(240444-1243)" (one typo'd extra digit allowed: a phone written down by hand).
      {T::kPhone, "\\(\\s*[0-9]{3}[\\-.\\s]?[0-9]{3}[\\-.\\s]?[0-9]{4,5}\\s*\\)", false, M::kWhole, 0.85,
       nullptr},
      {T::kPhone,
       "\\b(beeper|beep|pager|pgr|pg|page|cell|tel|telephone|phone|ph|ext|extension|x)" PAGER_VALUE,
       true, M::kTrailingValue, 0.85, nullptr,
       {"\\b(beeper|beep|pager|pgr|page|cell|tel|telephone|phone|ext|extension)" PAGER_VALUE,
        "\\b(pg|ph)" PAGER_VALUE},
       FindPagerAfterXEnds},
      {T::kFax, "\\bfax\\s*(#|no\\.?|number)?\\s*[:#.]?\\s*(\\(?[0-9]{3}\\)?[\\-.\\s]*)?[0-9]{3}[\\-.][0-9]{4}\\b",
       true, M::kAfterLabel, 0.95, nullptr},
      // (F) email, (N) URLs, (O) IP addresses.
      {T::kEmail, "\\b[a-z0-9._%+\\-]+@[a-z0-9\\-]+(\\.[a-z0-9\\-]+)*\\.[a-z]{2,}\\b", true,
       M::kWhole, 0.99, nullptr, {"@[a-z0-9\\-]+(\\.[a-z0-9\\-]+)*\\.[a-z]{2,}\\b"}},
      {T::kUrl, "\\b((https?|ftp)://|www\\.)[^\\s<>\"'()]+", true, M::kWhole, 0.99, ValidUrl},
      {T::kUrl, "\\b[a-z0-9\\-]+(\\.[a-z0-9\\-]+)*\\.(com|org|net|edu|gov|io|info|health|us)(/[^\\s<>\"']*)?\\b",
       true, M::kWhole, 0.9, ValidUrl},
      {T::kIpAddress,
       "\\b((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|"
       "[1-9]?[0-9])\\b",
       false, M::kWhole, 0.95, ValidIpv4, {"\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\b"}},
      {T::kIpAddress, "[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}(:[0-9.]{7,15})?", true, M::kWhole, 0.95,
       ValidIpv6, {":[0-9a-f]{0,4}:[0-9a-f]{0,4}", ":[0-9.]{7,15}"}},
      // (G) Social Security numbers.
      {T::kSsn, "\\b[0-9]{3}-[0-9]{2}-[0-9]{4}\\b", false, M::kWhole, 0.95, nullptr, {},
       FindSsnEnds},
      {T::kSsn, "\\b(ssn|ss#|social\\s+security(\\s+(number|no\\.?|#))?)\\s*[:#.]?\\s*[0-9]{9}\\b",
       true, M::kTrailingValue, 0.99, nullptr},
      // (H) medical record numbers.
      {T::kMrn,
       "\\b(mrn|mr#|mr\\s*no\\.?|medical\\s+record(\\s+(number|no\\.?|#))?|unit\\s+(no\\.?|number|#)|"
       "hospital\\s+(no\\.?|number|#)|patient\\s+(id|number|no\\.?)|pt\\s+id|chart\\s+(no\\.?|number|#))"
       MRN_VALUE,
       true, M::kTrailingValue, 0.95, nullptr,
       {"\\b(mrn|mr#)" MRN_VALUE, "\\bmr\\s*no\\.?" MRN_VALUE,
        "\\bmedical\\s+record(\\s+(number|no\\.?|#))?" MRN_VALUE,
        "\\b(unit|hospital|chart)\\s+(no\\.?|number|#)" MRN_VALUE,
        "\\bpatient\\s+(id|number|no\\.?)" MRN_VALUE, "\\bpt\\s+id" MRN_VALUE}},
      // (I) health plan beneficiary numbers.
      {T::kHealthPlan,
       "\\b(member|policy|subscriber|medicaid|medicare|insurance|group|beneficiary|plan|hicn?|mbi)"
       PLAN_VALUE,
       true, M::kTrailingValue, 0.9, ValueHasDigit,
       {"\\b(member|policy|subscriber|medicaid|medicare|insurance|group|beneficiary)" PLAN_VALUE,
        "\\b(plan|hicn?|mbi)" PLAN_VALUE}},
      // A short policy or member number after an explicit number sign ("policy #rg17").
      {T::kHealthPlan,
       "\\b(policy|member|subscriber)\\s*(#|no\\.?|num(ber)?)\\s*[:.]?\\s*[a-z0-9\\-]{3,}\\b", true,
       M::kTrailingValue, 0.85, ValueHasDigit},
      // (J) account numbers.
      {T::kAccount, "\\b(acct|account|billing)" NUMWORD "[a-z]{0,3}[0-9][0-9\\-]{3,}\\b", true,
       M::kTrailingValue, 0.9, nullptr},
      // (K) certificate / license numbers.
      {T::kLicense, "\\b(licen[cs]e|lic|certificate|cert|dea|npi|registration|permit)" LICENSE_VALUE,
       true, M::kTrailingValue, 0.9, nullptr,
       {"\\b(licen[cs]e|certificate|registration|permit)" LICENSE_VALUE,
        "\\b(lic|cert|dea|npi)" LICENSE_VALUE}},
      // (L) vehicle identifiers: VINs and licence plates.
      // A repeated class has no literal to look for: found in C++ (a word of 17 characters).
      {T::kVehicle, "\\b[a-hj-npr-z0-9]{17}\\b", true, M::kWhole, 0.8, ValidVin, {},
       FindVinEnds},
      {T::kVehicle, "\\b(license\\s+plate|licen[cs]e\\s+tag|plate|vin)" NUMWORD
       "[a-z0-9]{1,4}[\\- ]?[a-z0-9]{2,5}\\b",
       true, M::kTrailingValue, 0.9, ValueHasDigit},
      // (M) device identifiers and serial numbers (incl. GS1 UDI).
      {T::kDevice, "\\b(serial|s/n|sn|device\\s+id|udi|imei|lot|model)" DEVICE_VALUE, true,
       M::kTrailingValue, 0.85, ValueHasDigit,
       {"\\b(serial|s/n|device\\s+id|imei|model)" DEVICE_VALUE, "\\b(sn|udi|lot)" DEVICE_VALUE}},
      {T::kDevice, "\\(01\\)[0-9]{14}(\\([0-9]{2,4}\\)[0-9a-z\\-]+)*", true, M::kWhole, 0.95,
       nullptr},
      // (B) ZIP codes and street addresses.
      {T::kZip, "\\b(zip|zipcode|zip\\s+code)\\s*[:#.]?\\s*[0-9]{5}(-[0-9]{4})?\\b", true,
       M::kTrailingValue, 0.95, nullptr},
      {T::kZip,
       "\\b(" STATE_CODES ")\\.?,?\\s+[0-9]{5}"
       "(-[0-9]{4})?\\b",
       false, M::kTrailingValue, 0.95, nullptr, {}, FindZipEnds},
      {T::kZip, "\\b[0-9]{5}-[0-9]{4}\\b", false, M::kWhole, 0.85, nullptr, {},
       FindZipPlusFourEnds},
      {T::kStreetAddress,
       STREET_NUMBER_WORDS "(street|st|avenue|ave|road|rd|boulevard|"
       "blvd|lane|ln|drive|court|ct|way|place|pl|terrace|circle|cir|highway|hwy|parkway|pkwy|"
       "square|pike|row|alley|trail)" STREET_UNIT,
       true, M::kWhole, 0.85, ValidAddress, {}, FindStreetEnds},
      {T::kStreetAddress, "\\bp\\.?\\s*o\\.?\\s*box\\s+[0-9]+\\b", true, M::kWhole, 0.95, nullptr},
      // (R) other unique identifying numbers: long digit runs that are no measurement.
      {T::kOther, "\\b[0-9]{7,}\\b", false, M::kWhole, 0.6, ValidLongNumber, {},
       FindLongNumberEnds},
  };
  return *kPatterns;
}

}  // namespace phiguard::phi::internal
