#include "phiguard/deid/text_pipeline.h"

#include <simdjson.h>

#include <cstdio>
#include <thread>

#include "deid/internal/json_escape.h"
#include "phiguard/core/strings.h"

namespace phiguard::deid {
namespace {

struct Record {
  size_t line = 0;     // 1-based line in the input (text format: 1)
  std::string input;   // the raw line (JSONL) or whole document (text)
  std::string output;  // what gets written
  absl::Status status;
  PipelineStats stats;
};

// Per-thread state: a Vectorscan scratch and a JSON parser are not shareable.
struct Worker {
  std::unique_ptr<phi::Detector::Scratch> scratch;
  simdjson::dom::parser parser;
  std::vector<phi::Span> spans;
};

void AppendSpansJson(std::string& out, std::string_view text, const std::vector<phi::Span>& spans,
                     bool with_text) {
  out += "\"spans\":[";
  for (size_t i = 0; i < spans.size(); ++i) {
    const phi::Span& s = spans[i];
    if (i) out.push_back(',');
    out += Cat("{\"start\":", s.start, ",\"end\":", s.end, ",\"type\":\"",
               phi::PhiTypeName(s.type), "\",\"confidence\":");
    char conf[16];
    std::snprintf(conf, sizeof conf, "%.2f", s.confidence);
    out += conf;
    if (with_text) {
      out += ",\"text\":";
      internal::AppendJsonString(out, text.substr(s.byte_start, s.byte_end - s.byte_start));
    }
    out.push_back('}');
  }
  out += "]}\n";
}

void CountSpans(const std::vector<phi::Span>& spans, PipelineStats& st) {
  st.spans += spans.size();
  for (const phi::Span& s : spans) ++st.by_type[static_cast<int>(s.type)];
}

void ProcessText(const phi::Detector& det, const Transformer* tr, Worker& w, Record& r,
                 const std::string& doc_id, const PipelineOptions& opt) {
  if (absl::Status s = det.Detect(r.input, *w.scratch, w.spans); !s.ok()) {
    r.status = absl::InvalidArgumentError(Cat(doc_id, ": ", s.message()));
    return;
  }
  r.stats.documents = 1;
  r.stats.bytes = r.input.size();
  CountSpans(w.spans, r.stats);
  if (tr != nullptr) {
    r.output = tr->Apply(r.input, w.spans, DocumentContext{doc_id});
  } else {
    r.output = "{\"id\":";
    internal::AppendJsonString(r.output, doc_id);
    r.output.push_back(',');
    AppendSpansJson(r.output, r.input, w.spans, opt.include_text_in_detect);
  }
}

// A JSON value as text: strings unescaped, numbers as written by simdjson, else minified JSON.
std::string ScalarText(simdjson::dom::element e) {
  std::string_view sv;
  if (e.get_string().get(sv) == simdjson::SUCCESS) return std::string(sv);
  return simdjson::minify(e);
}

void ProcessJsonl(const phi::Detector& det, const Transformer* tr, Worker& w, Record& r,
                  const std::string& path, const PipelineOptions& opt) {
  auto where = [&] { return Cat(path, ":", r.line, ": "); };
  simdjson::dom::element doc;
  if (auto err = w.parser.parse(r.input).get(doc); err) {
    r.status = absl::InvalidArgumentError(Cat(where(), "invalid JSON (", simdjson::error_message(err), ")"));
    return;
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    r.status = absl::InvalidArgumentError(Cat(where(), "expected a JSON object"));
    return;
  }
  std::string_view text;
  simdjson::dom::element text_el;
  if (obj.at_key(opt.text_field).get(text_el) != simdjson::SUCCESS) {
    r.status = absl::InvalidArgumentError(Cat(where(), "no \"", opt.text_field, "\" field"));
    return;
  }
  if (text_el.get_string().get(text) != simdjson::SUCCESS) {
    r.status = absl::InvalidArgumentError(Cat(where(), "\"", opt.text_field, "\" is not a string"));
    return;
  }
  std::string id = Cat(path, ":", r.line);
  simdjson::dom::element id_el;
  if (obj.at_key(opt.id_field).get(id_el) == simdjson::SUCCESS) id = ScalarText(id_el);
  std::string patient = id;
  simdjson::dom::element patient_el;
  if (obj.at_key(opt.patient_field).get(patient_el) == simdjson::SUCCESS) patient = ScalarText(patient_el);

  if (absl::Status s = det.Detect(text, *w.scratch, w.spans); !s.ok()) {
    r.status = absl::InvalidArgumentError(Cat(where(), "\"", opt.text_field, "\": ", s.message()));
    return;
  }
  r.stats.documents = 1;
  r.stats.bytes = text.size();
  CountSpans(w.spans, r.stats);
  if (tr == nullptr) {
    r.output = "{\"id\":";
    if (obj.at_key(opt.id_field).get(id_el) == simdjson::SUCCESS) r.output += simdjson::minify(id_el);
    else internal::AppendJsonString(r.output, id);
    r.output.push_back(',');
    AppendSpansJson(r.output, text, w.spans, opt.include_text_in_detect);
    return;
  }
  std::string clean = tr->Apply(text, w.spans, DocumentContext{patient});
  // Re-emit the object in its key order with only the text field changed.
  r.output.clear();
  r.output.push_back('{');
  bool first = true;
  for (auto [key, value] : obj) {
    if (!first) r.output.push_back(',');
    first = false;
    internal::AppendJsonString(r.output, key);
    r.output.push_back(':');
    if (key == opt.text_field) internal::AppendJsonString(r.output, clean);
    else r.output += simdjson::minify(value);
  }
  r.output += "}\n";
}

}  // namespace

void PipelineStats::Add(const PipelineStats& o) {
  documents += o.documents;
  bytes += o.bytes;
  spans += o.spans;
  for (size_t i = 0; i < by_type.size(); ++i) by_type[i] += o.by_type[i];
}

std::string SummarizeStats(const PipelineStats& st) {
  std::string out;
  for (int t = 1; t <= phi::kNumPhiTypes; ++t) {
    if (st.by_type[t] == 0) continue;
    if (!out.empty()) out += ", ";
    out += Cat(phi::PhiTypeName(static_cast<phi::PhiType>(t)), " ", st.by_type[t]);
  }
  return out.empty() ? "none" : out;
}

absl::StatusOr<PipelineStats> RunTextPipeline(const phi::Detector& detector,
                                              const Transformer* transformer,
                                              const std::string& path, AtomicFileWriter& out,
                                              const PipelineOptions& opt) {
  const int threads = std::max(1, opt.threads);
  std::vector<Worker> workers(threads);
  for (Worker& w : workers) {
    auto s = detector.NewScratch();
    if (!s.ok()) return s.status();
    w.scratch = std::move(*s);
  }
  PipelineStats total;
  const std::string display = path == "-" ? "<stdin>" : path;

  if (opt.format == TextFormat::kText) {
    auto content = ReadFileBounded(path, opt.max_record_bytes);
    if (!content.ok()) return content.status();
    Record r;
    r.line = 1;
    r.input = std::move(*content);
    ProcessText(detector, transformer, workers[0], r, display, opt);
    if (!r.status.ok()) return r.status;
    if (absl::Status s = out.Write(r.output); !s.ok()) return s;
    return r.stats;
  }

  auto reader = LineReader::Open(path, opt.max_record_bytes);
  if (!reader.ok()) return reader.status();
  std::vector<Record> batch;
  bool eof = false;
  while (!eof) {
    batch.clear();
    std::string line;
    while (batch.size() < opt.batch_records) {
      if (!(*reader)->Next(line)) {
        if (!(*reader)->status().ok()) return (*reader)->status();
        eof = true;
        break;
      }
      if (StripAscii(line).empty()) continue;  // blank lines carry no record
      Record r;
      r.line = (*reader)->line_number();
      r.input = std::move(line);
      batch.push_back(std::move(r));
    }
    auto work = [&](int t) {
      for (size_t i = t; i < batch.size(); i += threads) {
        ProcessJsonl(detector, transformer, workers[t], batch[i], display, opt);
        if (!batch[i].status.ok()) return;
      }
    };
    if (threads == 1 || batch.size() < 2) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
    }
    // First error in input order wins, so the message is deterministic.
    for (Record& r : batch) {
      if (!r.status.ok()) return r.status;
      if (r.stats.documents == 0) {
        return absl::InternalError(Cat(display, ":", r.line, ": record was not processed"));
      }
      total.Add(r.stats);
      if (absl::Status s = out.Write(r.output); !s.ok()) return s;
    }
    if (opt.progress) {
      std::fprintf(stderr, "\r%zu documents, %.1f MB", total.documents, total.bytes / 1e6);
    }
  }
  if (opt.progress) std::fputc('\n', stderr);
  return total;
}

}  // namespace phiguard::deid
