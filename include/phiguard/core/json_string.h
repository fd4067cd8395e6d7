// Appends a string as a JSON string literal (RFC 8259) with the same bytes nlohmann::json's
// dump() writes: quotes and backslashes escaped, \b \f \n \r \t by name, other control characters
// as \u00xx, everything else (valid UTF-8 included) passed through. Writers that must produce
// canonical bytes (audit leaves) or stream at speed (de-identified JSON) use it instead of
// building a JSON object. REQUIRES: `s` is valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace phiguard {

inline void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

}  // namespace phiguard
