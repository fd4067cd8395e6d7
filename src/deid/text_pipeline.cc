#include "phiguard/deid/text_pipeline.h"

#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "deid/internal/json_escape.h"
#include "phiguard/core/strings.h"

namespace phiguard::deid {
namespace {

// simdjson parses each line in place, reading up to SIMDJSON_PADDING bytes past its end.
static_assert(LineReader::kReadablePastView >= simdjson::SIMDJSON_PADDING);

// Output is collected and written to the AtomicFileWriter in blocks of about this size (256 KiB
// to 1 MiB measured the same; 25,000 4 KiB writes before cost ~4% more CPU).
constexpr size_t kFlushBytes = 256 << 10;

struct Record {
  size_t line = 0;          // 1-based line in the input (text format: 1)
  std::string_view input;   // the raw line (a view into the LineReader's buffer) or document
  // What gets written, appended: with one worker, `output` is the pipeline's output buffer
  // holding earlier records' output, so records are written in place instead of copied.
  std::string output;
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

// Adds the time from its construction to its destruction to `*seconds`, if `seconds` is set.
class StageTimer {
 public:
  explicit StageTimer(double* seconds)
      : seconds_(seconds),
        start_(seconds != nullptr ? std::chrono::steady_clock::now()
                                  : std::chrono::steady_clock::time_point()) {}
  ~StageTimer() {
    if (seconds_ != nullptr) {
      *seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  double* seconds_;
  std::chrono::steady_clock::time_point start_;
};

void CountSpans(const std::vector<phi::Span>& spans, PipelineStats& st) {
  st.spans += spans.size();
  for (const phi::Span& s : spans) ++st.by_type[static_cast<int>(s.type)];
}

void ProcessText(const phi::Detector& det, const Transformer* tr, Worker& w, Record& r,
                 const std::string& doc_id, const PipelineOptions& opt) {
  absl::Status detected;
  {
    StageTimer timer(opt.time_stages ? &r.stats.detect_seconds : nullptr);
    detected = det.Detect(r.input, *w.scratch, w.spans);
  }
  if (!detected.ok()) {
    r.status = absl::InvalidArgumentError(Cat(doc_id, ": ", detected.message()));
    return;
  }
  r.stats.documents = 1;
  r.stats.bytes = r.input.size();
  CountSpans(w.spans, r.stats);
  if (tr != nullptr) {
    StageTimer timer(opt.time_stages ? &r.stats.transform_seconds : nullptr);
    r.output += tr->Apply(r.input, w.spans, DocumentContext{doc_id});
  } else {
    r.output += "{\"id\":";
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

// Appends `e` as minified JSON. A string is escaped here: AppendJsonString writes the bytes
// simdjson::minify does, without building a temporary string.
void AppendJsonValue(std::string& out, simdjson::dom::element e) {
  std::string_view sv;
  if (e.get_string().get(sv) == simdjson::SUCCESS) {
    internal::AppendJsonString(out, sv);
  } else {
    out += simdjson::minify(e);
  }
}

void ProcessJsonl(const phi::Detector& det, const Transformer* tr, Worker& w, Record& r,
                  const std::string& path, const PipelineOptions& opt) {
  auto where = [&] { return Cat(path, ":", r.line, ": "); };
  simdjson::dom::element doc;
  // In place: the reader guarantees SIMDJSON_PADDING readable bytes past the line.
  if (auto err = w.parser.parse(r.input.data(), r.input.size(), false).get(doc); err) {
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
  simdjson::dom::element id_el;
  const bool has_id = obj.at_key(opt.id_field).get(id_el) == simdjson::SUCCESS;

  absl::Status detected;
  {
    StageTimer timer(opt.time_stages ? &r.stats.detect_seconds : nullptr);
    detected = det.Detect(text, *w.scratch, w.spans);
  }
  if (!detected.ok()) {
    r.status =
        absl::InvalidArgumentError(Cat(where(), "\"", opt.text_field, "\": ", detected.message()));
    return;
  }
  r.stats.documents = 1;
  r.stats.bytes = text.size();
  CountSpans(w.spans, r.stats);
  // The document's name: its id, else file:line.
  auto id = [&] { return has_id ? ScalarText(id_el) : Cat(path, ":", r.line); };
  if (tr == nullptr) {
    r.output += "{\"id\":";
    if (has_id) AppendJsonValue(r.output, id_el);
    else internal::AppendJsonString(r.output, id());
    r.output.push_back(',');
    AppendSpansJson(r.output, text, w.spans, opt.include_text_in_detect);
    return;
  }
  simdjson::dom::element patient_el;
  const DocumentContext ctx{obj.at_key(opt.patient_field).get(patient_el) == simdjson::SUCCESS
                                ? ScalarText(patient_el)
                                : id()};
  // Re-emit the object in its key order with only the text field changed, de-identified and
  // escaped piece by piece straight into the output.
  r.output.reserve(r.output.size() + r.input.size() + 16 * w.spans.size() + 64);
  r.output.push_back('{');
  bool first = true;
  for (auto [key, value] : obj) {
    if (!first) r.output.push_back(',');
    first = false;
    internal::AppendJsonString(r.output, key);
    r.output.push_back(':');
    if (key == opt.text_field) {
      StageTimer timer(opt.time_stages ? &r.stats.transform_seconds : nullptr);
      r.output.push_back('"');
      tr->ApplyInPieces(text, w.spans, ctx,
                        [&r](std::string_view piece) { internal::AppendJsonEscaped(r.output, piece); });
      r.output.push_back('"');
    } else {
      AppendJsonValue(r.output, value);
    }
  }
  r.output += "}\n";
}

}  // namespace

void PipelineStats::Add(const PipelineStats& o) {
  documents += o.documents;
  bytes += o.bytes;
  spans += o.spans;
  for (size_t i = 0; i < by_type.size(); ++i) by_type[i] += o.by_type[i];
  detect_seconds += o.detect_seconds;
  transform_seconds += o.transform_seconds;
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
    r.input = *content;
    ProcessText(detector, transformer, workers[0], r, display, opt);
    if (!r.status.ok()) return r.status;
    if (absl::Status s = out.Write(r.output); !s.ok()) return s;
    return r.stats;
  }

  auto reader = LineReader::Open(path, opt.max_record_bytes);
  if (!reader.ok()) return reader.status();
  // Output of the records done so far, written to `out` in large blocks.
  std::string pending;
  // Stops the run with `status`. The output of every record before the failing one is written
  // first (it matters where `out` writes in place, such as stdout); the caller discards the rest.
  auto fail = [&](absl::Status status) {
    (void)out.Write(pending);
    return status;
  };
  std::vector<Record> batch(std::max<size_t>(1, opt.batch_records));
  bool eof = false;
  while (!eof) {
    (*reader)->DiscardViews();  // the previous batch is written
    size_t n = 0;
    std::string_view line;
    while (n < batch.size()) {
      if (!(*reader)->NextView(line)) {
        if (!(*reader)->status().ok()) return fail((*reader)->status());
        eof = true;
        break;
      }
      if (StripAscii(line).empty()) continue;  // blank lines carry no record
      Record& r = batch[n++];
      r.line = (*reader)->line_number();
      r.input = line;
      r.output.clear();
      r.status = absl::OkStatus();
      r.stats = PipelineStats();
    }
    // One worker writes each record straight into `pending`, in order; several write into their
    // records' own buffers, copied into `pending` in order below.
    const bool direct = threads == 1 || n < 2;
    if (!direct) {
      auto work = [&](int t) {
        for (size_t i = t; i < n; i += threads) {
          ProcessJsonl(detector, transformer, workers[t], batch[i], display, opt);
          if (!batch[i].status.ok()) return;
        }
      };
      std::vector<std::thread> pool;
      for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
    }
    // First error in input order wins, so the message is deterministic.
    for (size_t i = 0; i < n; ++i) {
      Record& r = batch[i];
      const size_t start = pending.size();
      if (direct) {
        r.output.swap(pending);
        ProcessJsonl(detector, transformer, workers[0], r, display, opt);
        r.output.swap(pending);
      }
      if (!r.status.ok()) {
        pending.resize(start);
        return fail(r.status);
      }
      if (r.stats.documents == 0) {
        return fail(absl::InternalError(Cat(display, ":", r.line, ": record was not processed")));
      }
      total.Add(r.stats);
      if (!direct) pending += r.output;
      if (pending.size() >= kFlushBytes) {
        if (absl::Status s = out.Write(pending); !s.ok()) return s;
        pending.clear();
      }
    }
    if (opt.progress) {
      std::fprintf(stderr, "\r%zu documents, %.1f MB", total.documents, total.bytes / 1e6);
    }
  }
  if (absl::Status s = out.Write(pending); !s.ok()) return s;
  if (opt.progress) std::fputc('\n', stderr);
  return total;
}

}  // namespace phiguard::deid
