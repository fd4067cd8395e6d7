#include "phiguard/eval/physionet.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <thread>

#include <fmt/format.h>

#include "phiguard/core/strings.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/utf8.h"

namespace phiguard::eval {
namespace {

constexpr size_t kMaxCorpusBytes = 1u << 30;

std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

absl::StatusOr<std::string> ReadCorpusFile(const std::string& path) {
  auto content = ReadFileBounded(path, kMaxCorpusBytes);
  if (!content.ok()) return content.status();
  if (FindInvalidUtf8(*content)) return Latin1ToUtf8(*content);
  return content;
}

// Byte offset of code point `cp` in UTF-8 `s` (clamped to s.size()).
size_t CodePointToByte(std::string_view s, size_t cp) {
  size_t i = 0, seen = 0;
  while (i < s.size() && seen < cp) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++seen;
  }
  return i;
}

std::string Context(std::string_view text, size_t byte_start, size_t byte_end) {
  size_t a = byte_start > 30 ? byte_start - 30 : 0;
  size_t b = std::min(text.size(), byte_end + 30);
  std::string out = phiguard::Cat(text.substr(a, byte_start - a), "[[",
                                 text.substr(byte_start, byte_end - byte_start), "]]",
                                 text.substr(byte_end, b - byte_end));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

}  // namespace

double EvalReport::F2() const {
  double r = recall.Rate(), p = precision.Rate();
  return (r + p) == 0 ? 0 : 5 * p * r / (4 * p + r);
}

absl::StatusOr<std::vector<PhysionetNote>> ReadPhysionetNotes(const std::string& path) {
  auto content = ReadCorpusFile(path);
  if (!content.ok()) return content.status();
  std::vector<PhysionetNote> notes;
  std::string_view rest = *content;
  size_t line_no = 1;
  constexpr std::string_view kStart = "START_OF_RECORD=";
  constexpr std::string_view kEnd = "||||END_OF_RECORD";
  while (true) {
    size_t s = rest.find(kStart);
    if (s == std::string_view::npos) break;
    line_no += std::count(rest.begin(), rest.begin() + s, '\n');
    size_t nl = rest.find('\n', s);
    if (nl == std::string_view::npos) {
      return absl::InvalidArgumentError(phiguard::Cat(path, ":", line_no, ": header without text"));
    }
    std::string_view header = rest.substr(s + kStart.size(), nl - s - kStart.size());
    std::vector<std::string_view> ids = phiguard::Split(header, "||||");
    if (ids.size() < 2 || ids[0].empty() || ids[1].empty()) {
      return absl::InvalidArgumentError(
          phiguard::Cat(path, ":", line_no, ": header is not START_OF_RECORD=<pid>||||<note>||||"));
    }
    size_t e = rest.find(kEnd, nl + 1);
    if (e == std::string_view::npos) {
      return absl::InvalidArgumentError(
          phiguard::Cat(path, ":", line_no, ": record has no ||||END_OF_RECORD"));
    }
    notes.push_back({std::string(ids[0]), std::string(ids[1]),
                     std::string(rest.substr(nl + 1, e - nl - 1))});
    line_no += std::count(rest.begin() + s, rest.begin() + e, '\n');
    rest = rest.substr(e + kEnd.size());
  }
  if (notes.empty()) {
    return absl::InvalidArgumentError(phiguard::Cat(path, ": no START_OF_RECORD= records"));
  }
  return notes;
}

absl::StatusOr<std::vector<GoldPhi>> ReadPhysionetGold(const std::string& path) {
  auto content = ReadCorpusFile(path);
  if (!content.ok()) return content.status();
  std::vector<GoldPhi> gold;
  size_t line_no = 0;
  for (std::string_view line : phiguard::Split(*content, '\n')) {
    ++line_no;
    line = phiguard::StripAscii(line);
    if (line.empty()) continue;
    std::vector<std::string_view> f = phiguard::Split(line, ' ');
    if (f.size() > 6) {  // the gold text may hold spaces: rejoin it
      f[5] = line.substr(static_cast<size_t>(f[5].data() - line.data()));
      f.resize(6);
    }
    GoldPhi g;
    if (f.size() < 5 || !phiguard::ParseNumber(f[2], g.start) || !phiguard::ParseNumber(f[3], g.end) ||
        g.end < g.start) {
      return absl::InvalidArgumentError(phiguard::Cat(
          path, ":", line_no, ": expected '<pid> <note> <start> <end> <type> <text>'"));
    }
    g.patient = f[0];
    g.note = f[1];
    g.type = f[4];
    if (f.size() > 5) g.text = f[5];
    gold.push_back(std::move(g));
  }
  return gold;
}

absl::StatusOr<EvalReport> EvaluatePhysionet(const phi::Detector& detector,
                                             const std::vector<PhysionetNote>& notes,
                                             const std::vector<GoldPhi>& gold, int threads) {
  std::vector<std::vector<phi::Span>> spans(notes.size());
  std::vector<absl::Status> status(std::max(threads, 1));
  auto work = [&](int t) {
    auto scratch = detector.NewScratch();
    if (!scratch.ok()) {
      status[t] = scratch.status();
      return;
    }
    for (size_t i = t; i < notes.size(); i += status.size()) {
      if (absl::Status s = detector.Detect(notes[i].text, **scratch, spans[i]); !s.ok()) {
        status[t] = absl::InvalidArgumentError(
            phiguard::Cat("note ", notes[i].patient, "/", notes[i].note, ": ", s.message()));
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < status.size(); ++t) pool.emplace_back(work, static_cast<int>(t));
  work(0);
  for (auto& th : pool) th.join();
  for (const auto& s : status) {
    if (!s.ok()) return s;
  }

  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t i = 0; i < notes.size(); ++i) index[{notes[i].patient, notes[i].note}] = i;
  std::vector<std::vector<const GoldPhi*>> gold_by_note(notes.size());
  for (const GoldPhi& g : gold) {
    auto it = index.find({g.patient, g.note});
    if (it == index.end()) {
      return absl::InvalidArgumentError(
          phiguard::Cat("gold PHI for note ", g.patient, "/", g.note, " which is not in the text"));
    }
    gold_by_note[it->second].push_back(&g);
  }

  EvalReport r;
  for (size_t i = 0; i < notes.size(); ++i) {
    const std::string& text = notes[i].text;
    // Code-point coverage of this note's detected spans.
    size_t n_cp = CodePointIndex(text).ToCodePoint(text.size());
    std::vector<uint8_t> covered(n_cp + 1, 0);
    for (const phi::Span& s : spans[i]) {
      for (size_t k = s.start; k < s.end && k < covered.size(); ++k) covered[k] = 1;
    }
    std::vector<uint8_t> gold_mark(n_cp + 1, 0);
    for (const GoldPhi* g : gold_by_note[i]) {
      if (g->end > n_cp) {
        return absl::InvalidArgumentError(phiguard::Cat("gold PHI ", g->patient, "/", g->note, " ",
                                                       g->start, "-", g->end,
                                                       " lies outside the note"));
      }
      for (size_t k = g->start; k < g->end; ++k) gold_mark[k] = 1;
      size_t bs = CodePointToByte(text, g->start), be = CodePointToByte(text, g->end);
      bool found = true;
      size_t cp = g->start;
      for (size_t b = bs; b < be; ++cp) {
        unsigned char c = static_cast<unsigned char>(text[b]);
        if ((c >= 0x80 || std::isalnum(c)) && !covered[cp]) found = false;
        ++b;
        while (b < be && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80) ++b;
      }
      if (g->type == "DateYear") {
        ++r.date_year.total;
        r.date_year.hit += found;
        continue;
      }
      ++r.recall.total;
      r.recall.hit += found;
      Counts& c = r.recall_by_gold_type[g->type];
      ++c.total;
      c.hit += found;
      if (!found) {
        r.misses.push_back({g->patient, g->note, g->type, g->text, Context(text, bs, be)});
      }
    }
    for (const phi::Span& s : spans[i]) {
      bool tp = false;
      for (size_t k = s.start; k < s.end && !tp; ++k) tp = gold_mark[k];
      ++r.precision.total;
      r.precision.hit += tp;
      Counts& c = r.precision_by_detected_type[std::string(phi::PhiTypeName(s.type))];
      ++c.total;
      c.hit += tp;
      if (!tp) {
        r.false_positives.push_back({notes[i].patient, notes[i].note,
                                     std::string(phi::PhiTypeName(s.type)),
                                     text.substr(s.byte_start, s.byte_end - s.byte_start),
                                     Context(text, s.byte_start, s.byte_end)});
      }
    }
  }
  return r;
}

std::string FormatReportTable(const EvalReport& r) {
  std::string out;
  fmt::format_to(std::back_inserter(out), "{:<22} {:>8} {:>8} {:>8}\n", "gold type", "total", "found", "recall");
  for (const auto& [type, c] : r.recall_by_gold_type) {
    fmt::format_to(std::back_inserter(out), "{:<22} {:>8} {:>8} {:>8.3f}\n", type, c.total, c.hit, c.Rate());
  }
  fmt::format_to(std::back_inserter(out), "{:<22} {:>8} {:>8} {:>8.3f}\n", "ALL (excl. DateYear)", r.recall.total,
                        r.recall.hit, r.recall.Rate());
  fmt::format_to(std::back_inserter(out), "{:<22} {:>8} {:>8} {:>8}\n", "DateYear (kept ok)", r.date_year.total,
                        r.date_year.hit, "flagged");
  fmt::format_to(std::back_inserter(out), "\n{:<22} {:>8} {:>8} {:>8}\n", "detected type", "spans", "true",
                        "precision");
  for (const auto& [type, c] : r.precision_by_detected_type) {
    fmt::format_to(std::back_inserter(out), "{:<22} {:>8} {:>8} {:>8.3f}\n", type, c.total, c.hit, c.Rate());
  }
  fmt::format_to(std::back_inserter(out), "{:<22} {:>8} {:>8} {:>8.3f}\n", "ALL", r.precision.total, r.precision.hit,
                        r.precision.Rate());
  fmt::format_to(std::back_inserter(out), "\nrecall {:.4f}  precision {:.4f}  F2 {:.4f}\n", r.recall.Rate(),
                        r.precision.Rate(), r.F2());
  return out;
}

std::string ReportToJson(const EvalReport& r, bool include_examples) {
  using nlohmann::json;
  auto counts = [](const Counts& c) {
    return json{{"total", c.total}, {"hit", c.hit}, {"rate", c.Rate()}};
  };
  json j;
  j["recall"] = r.recall.Rate();
  j["precision"] = r.precision.Rate();
  j["f2"] = r.F2();
  j["gold_total"] = r.recall.total;
  j["gold_found"] = r.recall.hit;
  j["detected_total"] = r.precision.total;
  j["detected_true"] = r.precision.hit;
  j["date_year"] = counts(r.date_year);
  for (const auto& [t, c] : r.recall_by_gold_type) j["recall_by_gold_type"][t] = counts(c);
  for (const auto& [t, c] : r.precision_by_detected_type) {
    j["precision_by_detected_type"][t] = counts(c);
  }
  if (include_examples) {
    auto list = [](const std::vector<Miss>& v) {
      json a = json::array();
      for (const Miss& m : v) {
        a.push_back({{"patient", m.patient}, {"note", m.note}, {"type", m.type},
                     {"text", m.text}, {"context", m.context}});
      }
      return a;
    };
    j["misses"] = list(r.misses);
    j["false_positives"] = list(r.false_positives);
  }
  return j.dump(2) + "\n";
}

}  // namespace phiguard::eval
