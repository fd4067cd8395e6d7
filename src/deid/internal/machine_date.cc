#include "deid/internal/machine_date.h"

#include <cctype>
#include <cstdio>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"

namespace phiguard::deid::internal {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool ValidDay(int y, int m, int d) {
  if (m < 1 || m > 12) return false;
  if (d == 0) return true;
  absl::CivilDay day(y, m, d);
  return day.year() == y && day.month() == m && day.day() == d;
}

void AppendDigits(std::string& out, int v, int n) {
  char buf[4];
  for (int i = n - 1; i >= 0; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  out.append(buf, n);
}

std::string Format(const MachineDate& f, int y, int m, int d) {
  if (y >= 0 && y <= 9999 && m >= 0 && m <= 12 && d >= 0 && d <= 31) {  // as below, no printf
    std::string out;
    AppendDigits(out, y, 4);
    if (m == 0) return out;
    if (!f.compact) out.push_back('-');
    AppendDigits(out, m, 2);
    if (d == 0) return out;
    if (!f.compact) out.push_back('-');
    AppendDigits(out, d, 2);
    return out;
  }
  char buf[16];
  if (m == 0) std::snprintf(buf, sizeof buf, "%04d", y);
  else if (d == 0) std::snprintf(buf, sizeof buf, f.compact ? "%04d%02d" : "%04d-%02d", y, m);
  else std::snprintf(buf, sizeof buf, f.compact ? "%04d%02d%02d" : "%04d-%02d-%02d", y, m, d);
  return buf;
}

}  // namespace

std::string MachineDate::Shifted(int days) const {
  if (month == 0) return Format(*this, year, 0, 0) + rest;
  absl::CivilDay base(year, month, day == 0 ? 15 : day);
  absl::CivilDay moved = base + days;
  int y = static_cast<int>(moved.year());
  if (y < 1 || y > 9999) return Format(*this, year, month, day) + rest;
  return Format(*this, y, moved.month(), day == 0 ? 0 : moved.day()) + rest;
}

std::string MachineDate::Year() const { return Format(*this, year, 0, 0); }
std::string MachineDate::Month() const { return Format(*this, year, month, 0); }

std::optional<MachineDate> ParseFhirDate(std::string_view s) {
  MachineDate d;
  if (s.size() != 4 && (s.size() < 7 || s[4] != '-')) return std::nullopt;
  if (!Digits(s, 0, 4, d.year)) return std::nullopt;
  size_t pos = 4;
  if (s.size() > 4) {
    if (!Digits(s, 5, 2, d.month)) return std::nullopt;
    pos = 7;
    if (s.size() > 7) {
      if (s[7] != '-' || !Digits(s, 8, 2, d.day) || d.day == 0) return std::nullopt;
      pos = 10;
      if (s.size() > 10) {
        // dateTime / instant: "Thh:mm[:ss[.fff]][Z|+hh:mm]" — the time is checked for shape only.
        if (s[10] != 'T' || s.size() < 16) return std::nullopt;
        for (size_t i = 11; i < s.size(); ++i) {
          char c = s[i];
          if (!std::isdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.' && c != '+' &&
              c != '-' && c != 'Z') {
            return std::nullopt;
          }
        }
      }
    }
  }
  if (d.month != 0 && !ValidDay(d.year, d.month, d.day)) return std::nullopt;
  d.rest = std::string(s.substr(pos));
  return d;
}

std::optional<MachineDate> ParseHl7Date(std::string_view s) {
  MachineDate d;
  d.compact = true;
  if (s.size() < 8 || !Digits(s, 0, 4, d.year) || !Digits(s, 4, 2, d.month) ||
      !Digits(s, 6, 2, d.day) || d.day == 0 || !ValidDay(d.year, d.month, d.day)) {
    return std::nullopt;
  }
  for (size_t i = 8; i < s.size(); ++i) {
    char c = s[i];
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '-') {
      return std::nullopt;
    }
  }
  if (s.size() > 8 && s.size() < 10) return std::nullopt;  // "YYYYMMDDH" is no DTM
  d.rest = std::string(s.substr(8));
  return d;
}

int CapBirthYear(int year, int reference_year) {
  return reference_year - year > 89 ? reference_year - 90 : year;
}

int ReferenceYear(int policy_year) {
  if (policy_year != 0) return policy_year;
  return static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
}

}  // namespace phiguard::deid::internal
