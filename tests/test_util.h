// Helpers shared by the test files: one Detector per test process (building it loads ~300k
// lexicon entries), per-test temporary directories and small file helpers.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "phiguard/phi/detector.h"
#include "phiguard/phi/span.h"

namespace phiguard::testing_util {

// The default Detector, built on first use and shared by every test in the process; nullptr if it
// cannot be built (the calling fixture then fails).
inline const phi::Detector* SharedDetector() {
  static const phi::Detector* detector = [] {
    auto d = phi::Detector::Create({});
    if (!d.ok()) {
      ADD_FAILURE() << "Detector::Create({}) failed: " << d.status();
      return static_cast<const phi::Detector*>(nullptr);
    }
    return static_cast<const phi::Detector*>(d->release());
  }();
  return detector;
}

// Runs `detector` over `text`; fails the test on error.
inline std::vector<phi::Span> DetectOrDie(const phi::Detector& detector, std::string_view text) {
  std::vector<phi::Span> spans;
  auto scratch = detector.NewScratch();
  EXPECT_TRUE(scratch.ok()) << scratch.status();
  if (!scratch.ok()) return spans;
  absl::Status s = detector.Detect(text, **scratch, spans);
  EXPECT_TRUE(s.ok()) << s;
  return spans;
}

inline std::string_view SpanText(std::string_view text, const phi::Span& s) {
  return text.substr(s.byte_start, s.byte_end - s.byte_start);
}

// "[Healey CLINICIAN] [7/22 DATE]": readable span lists for failure messages.
inline std::string Describe(std::string_view text, const std::vector<phi::Span>& spans) {
  std::string out;
  for (const phi::Span& s : spans) {
    out += "[" + std::string(SpanText(text, s)) + " " + std::string(phi::PhiTypeName(s.type)) + "] ";
  }
  return out.empty() ? "(no spans)" : out;
}

// A fresh directory for the current test, removed by the destructor.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info == nullptr ? "suite" : std::string(info->test_suite_name()) + "_" + info->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("phiguard_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScopedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  // Names of the entries in the directory.
  std::vector<std::string> Entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }

 private:
  std::filesystem::path path_;
};

inline std::string WriteFile(const std::string& path, std::string_view content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// Lower-case hex of any byte container ("a1b2...").
template <typename Bytes>
std::string Hex(const Bytes& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    auto v = static_cast<unsigned char>(b);
    out.push_back(kHex[v >> 4]);
    out.push_back(kHex[v & 15]);
  }
  return out;
}

inline std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Standard base64 with padding (what Go's encoding/json writes for []byte); nullopt if malformed.
// Written apart from src/deid's decoder on purpose: tests check that code with this one.
inline std::optional<std::string> Base64Decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    const int pad = last ? (in[i + 3] == '=') + (in[i + 2] == '=') : 0;
    if (pad == 1 && in[i + 2] == '=') return std::nullopt;
    uint32_t bits = 0;
    for (int j = 0; j < 4; ++j) {
      int v = j >= 4 - pad ? 0 : value(in[i + j]);
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<char>(bits >> 16));
    if (pad < 2) out.push_back(static_cast<char>((bits >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(bits & 0xff));
  }
  return out;
}

}  // namespace phiguard::testing_util
