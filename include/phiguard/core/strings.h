// Small string helpers over std::string_view. Debian's Abseil (20220623) has its own
// absl::string_view distinct from std::string_view, so its string utilities do not accept ours;
// these few replace them. Pure functions, thread-safe.
#pragma once

#include <charconv>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace phiguard {

namespace internal {
inline void AppendPiece(std::string& out, std::string_view s) { out.append(s); }
inline void AppendPiece(std::string& out, absl::string_view s) { out.append(s.data(), s.size()); }
inline void AppendPiece(std::string& out, const char* s) { out.append(s); }
inline void AppendPiece(std::string& out, const std::string& s) { out.append(s); }
inline void AppendPiece(std::string& out, char c) { out.push_back(c); }
template <std::integral T>
  requires(!std::same_as<T, char> && !std::same_as<T, bool>)
void AppendPiece(std::string& out, T v) {
  out.append(std::to_string(v));
}
}  // namespace internal

// Concatenates strings, characters and integers: Cat("line ", 12, ": ", msg).
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (internal::AppendPiece(out, args), ...);
  return out;
}

// Splits on `sep`, keeping empty pieces. "a,,b" -> {"a", "", "b"}.
std::vector<std::string_view> Split(std::string_view s, char sep);
// Splits on the string `sep`.
std::vector<std::string_view> Split(std::string_view s, std::string_view sep);
std::string_view StripAscii(std::string_view s);
std::string ToLowerAscii(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Lower-case hex of `bytes` (two characters per byte).
std::string HexEncode(std::string_view bytes);
// The bytes of an even-length hex string (either case); nullopt for anything else.
std::optional<std::string> HexDecode(std::string_view hex);

// Parses a whole decimal number; false on any other character or overflow.
template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace phiguard
