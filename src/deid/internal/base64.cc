#include "deid/internal/base64.h"

#include <array>
#include <cstdint>

namespace phiguard::deid::internal {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kTable = Table();

}  // namespace

// Both directions write into a string sized once (no push_back per byte: the FHIR notes are
// megabytes of base64, decoded and re-encoded on the hot path).
std::optional<std::string> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  char* o = out.data();
  size_t i = 0;
  // All quartets but the last have no padding: four lookups, one check (a negative table entry
  // sets the sign bit of the OR).
  for (; i + 4 < in.size(); i += 4) {
    const auto* q = reinterpret_cast<const unsigned char*>(in.data() + i);
    const int a = kTable[q[0]], b = kTable[q[1]], c = kTable[q[2]], d = kTable[q[3]];
    if ((a | b | c | d) < 0) return std::nullopt;
    const uint32_t bits = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                          (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
    o[0] = static_cast<char>(bits >> 16);
    o[1] = static_cast<char>((bits >> 8) & 0xff);
    o[2] = static_cast<char>(bits & 0xff);
    o += 3;
  }
  for (; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int pad = 0;
    if (last && in[i + 3] == '=') pad = in[i + 2] == '=' ? 2 : 1;
    uint32_t bits = 0;
    for (int j = 0; j < 4; ++j) {
      int v = j >= 4 - pad ? 0 : kTable[static_cast<unsigned char>(in[i + j])];
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | static_cast<uint32_t>(v);
    }
    *o++ = static_cast<char>(bits >> 16);
    if (pad < 2) *o++ = static_cast<char>((bits >> 8) & 0xff);
    if (pad < 1) *o++ = static_cast<char>(bits & 0xff);
  }
  out.resize(static_cast<size_t>(o - out.data()));
  return out;
}

std::string Base64Encode(std::string_view in) {
  std::string out;
  AppendBase64(out, in);
  return out;
}

void AppendBase64(std::string& out, std::string_view in) {
  const size_t start = out.size();
  out.resize(start + (in.size() + 2) / 3 * 4);
  char* o = out.data() + start;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t b = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    o[0] = kAlphabet[b >> 18];
    o[1] = kAlphabet[(b >> 12) & 63];
    o[2] = kAlphabet[(b >> 6) & 63];
    o[3] = kAlphabet[b & 63];
    o += 4;
  }
  if (i < in.size()) {
    uint32_t b = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) b |= uint32_t(uint8_t(in[i + 1])) << 8;
    o[0] = kAlphabet[b >> 18];
    o[1] = kAlphabet[(b >> 12) & 63];
    o[2] = i + 1 < in.size() ? kAlphabet[(b >> 6) & 63] : '=';
    o[3] = '=';
  }
}

}  // namespace phiguard::deid::internal
