#include "phi/internal/pattern_scanner.h"

#include <hs/hs.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"

namespace phiguard::phi::internal {
namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Bit i set: p[i] is an ASCII digit (i < 64).
uint64_t DigitMask64(const char* p) {
#if defined(__SSE2__)
  const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
  uint64_t m = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k)), zero);
    __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(v, nine), v);  // (c - '0') <= 9, unsigned
    m |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(digit))) << (16 * k);
  }
  return m;
#else
  uint64_t m = 0;
  for (int i = 0; i < 64; ++i) m |= static_cast<uint64_t>(p[i] >= '0' && p[i] <= '9') << i;
  return m;
#endif
}

// "MRN: 12345-67": the value is the last run of alphanumerics and inner '-', '/', '.'.
void TrimToTrailingValue(std::string_view text, size_t& start, size_t end) {
  size_t s = end;
  while (s > start && (IsAlnum(text[s - 1]) || text[s - 1] == '-' || text[s - 1] == '/' ||
                       text[s - 1] == '.')) {
    --s;
  }
  while (s < end && !IsAlnum(text[s])) ++s;
  start = s;
}

// "92 yo", "95 years old": the number is the last digit run before the end.
void TrimToLeadingNumber(std::string_view text, size_t& start, size_t& end) {
  size_t e = end;
  while (e > start && !std::isdigit(static_cast<unsigned char>(text[e - 1]))) --e;
  size_t s = e;
  while (s > start && std::isdigit(static_cast<unsigned char>(text[s - 1]))) --s;
  start = s;
  end = e;
}

}  // namespace

void FindDigitRuns(std::string_view text, std::vector<DigitRun>& out) {
  // 64 bytes at a time: a bit mask of the digits, then runs from its set and clear bits.
  out.clear();
  const size_t n = text.size();
  size_t start = 0;
  bool in_run = false;
  char tail[64];
  for (size_t base = 0; base < n; base += 64) {
    const char* p = text.data() + base;
    if (n - base < 64) {  // the last bytes, padded with non-digits
      std::memset(tail, ' ', sizeof(tail));
      std::memcpy(tail, p, n - base);
      p = tail;
    }
    const uint64_t m = DigitMask64(p);
    unsigned pos = 0;
    while (pos < 64) {
      const uint64_t rest = (in_run ? ~m : m) >> pos;
      if (rest == 0) break;
      pos += static_cast<unsigned>(__builtin_ctzll(rest));
      if (in_run) {
        out.push_back({start, base + pos, 1});
      } else {
        start = base + pos;
      }
      in_run = !in_run;
    }
  }
  if (in_run) out.push_back({start, n});
  ChainDigitRuns(out);
}

namespace {

// Lookback for start recovery when a pattern's matches can be arbitrarily long ("\s*"): a match
// longer than this is looked for again over the whole text before it.
constexpr unsigned kUnboundedWindow = 256;

// `pattern` is the failing pattern's index (-1: not known), `expr` the expression that failed.
absl::Status CompileError(hs_compile_error_t* err, long pattern, const char* expr) {
  std::string msg = pattern < 0 ? phiguard::Cat("patterns: ", err->message)
                                : phiguard::Cat("pattern ", pattern, " (", expr, "): ", err->message);
  hs_free_compile_error(err);
  return absl::InvalidArgumentError(msg);
}

}  // namespace

absl::Status PatternScanner::Compile() {
  const size_t n = patterns_.size();
  start_db_.assign(n, nullptr);
  max_width_.assign(n, 0);
  // The expressions of the one pass, each with its pattern's index as id.
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < n; ++i) {
    const PatternDef& p = patterns_[i];
    if (p.start_in_pass && (Confirmed(p) || !NeedsStart(p))) {
      return absl::InvalidArgumentError(phiguard::Cat(
          "pattern ", i, " (", p.regex, "): a start in the pass needs a whole-match regex"));
    }
    if (!Confirmed(p)) exprs.push_back(p.regex);
    exprs.insert(exprs.end(), p.scan_regexes.begin(), p.scan_regexes.end());
    flags.resize(exprs.size(), (p.caseless ? HS_FLAG_CASELESS : 0u) |
                                   (p.start_in_pass ? HS_FLAG_SOM_LEFTMOST : 0u));
    ids.resize(exprs.size(), static_cast<unsigned>(i));
  }
  hs_compile_error_t* err = nullptr;
  if (!exprs.empty() &&
      hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &db_, &err) != HS_SUCCESS) {
    const int e = err->expression;
    return e < 0 ? CompileError(err, -1, "") : CompileError(err, ids[e], exprs[e]);
  }
  // Start-of-match tracking in the one pass costs more than half its speed, and context patterns
  // ("MRN: 123") find their value backwards from the match end anyway. Whole-match patterns get
  // their start, and scan regexes' ends their confirmation, from a second, one-pattern scan of a
  // few bytes before each (rare) match end.
  for (size_t i = 0; i < n; ++i) {
    const PatternDef& p = patterns_[i];
    if (!HasStartDb(p)) continue;
    const unsigned f = p.caseless ? HS_FLAG_CASELESS : 0u;
    hs_expr_info_t* info = nullptr;
    if (hs_expression_info(p.regex, f, &info, &err) != HS_SUCCESS) {
      return CompileError(err, static_cast<long>(i), p.regex);
    }
    max_width_[i] = std::min(info->max_width, kUnboundedWindow);
    std::free(info);
    if (hs_compile(p.regex, f | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, nullptr, &start_db_[i],
                   &err) != HS_SUCCESS) {
      return CompileError(err, static_cast<long>(i), p.regex);
    }
  }
  return absl::OkStatus();
}

// ---- Cache of compiled databases ----
//
// File: kCacheMagic, u64 length + key (the exact text the databases were compiled from: format
// version, Vectorscan version, target platform, every pattern with its flags), then per pattern
// u32 max width, then u64 length (0: none) + serialized database: the one pass's, then each
// pattern's start database. Vectorscan checks each database's own version, platform and CRC.

namespace {

constexpr std::string_view kCacheMagic = "PGHSDB1\n";
constexpr size_t kMaxCacheBytes = 64u << 20;

void PutU64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void PutU32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

// Reads from a cache file, refusing to run past its end.
struct CacheReader {
  std::string_view data;
  bool ok = true;
  std::string_view Take(size_t n) {
    if (!ok || n > data.size()) {
      ok = false;
      return {};
    }
    std::string_view r = data.substr(0, n);
    data.remove_prefix(n);
    return r;
  }
  uint64_t U64() {
    uint64_t v = 0;
    std::string_view b = Take(8);
    if (ok) std::memcpy(&v, b.data(), 8);
    return v;
  }
  uint32_t U32() {
    uint32_t v = 0;
    std::string_view b = Take(4);
    if (ok) std::memcpy(&v, b.data(), 4);
    return v;
  }
};

bool AppendDatabase(std::string& out, const hs_database_t* db) {
  if (db == nullptr) {
    PutU64(out, 0);
    return true;
  }
  char* bytes = nullptr;
  size_t len = 0;
  if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return false;
  PutU64(out, len);
  out.append(bytes, len);
  std::free(bytes);
  return true;
}

// Cache writes of one process are serialised: AtomicFileWriter's temporary name is per process.
std::mutex& CacheWriteMutex() {
  static std::mutex* m = new std::mutex();
  return *m;
}

// True if `path` itself (links are not followed) is of file type `type` (S_IFDIR, S_IFREG),
// belongs to this user and nobody else may write to it.
bool OwnedPrivate(const std::string& path, mode_t type) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_uid == ::geteuid() &&
         (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// True if `dir` exists or was created (mode 0700), belongs to this user and nobody else may write
// to it.
bool PrivateCacheDir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  return OwnedPrivate(dir, S_IFDIR);
}

// Removes other pattern caches not written for a week (an older phiguard's pattern set): each is
// ~1 MB, and a cache in use is rewritten after at most one recompile.
void RemoveStaleCacheFiles(const std::string& dir, const std::string& keep) {
  std::error_code ec;
  const auto cutoff = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * 7);
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path() == keep || name.rfind("patterns-", 0) != 0 || e.path().extension() != ".hsdb") continue;
    std::error_code time_ec;
    if (e.is_regular_file(time_ec) && e.last_write_time(time_ec) < cutoff && !time_ec) {
      std::filesystem::remove(e.path(), time_ec);
    }
  }
}

}  // namespace

bool PatternScanner::NeedsStart(const PatternDef& p) {
  return p.mode == ValueMode::kWhole || p.mode == ValueMode::kAfterLabel;
}

bool PatternScanner::Confirmed(const PatternDef& p) {
  return !p.scan_regexes.empty() || p.find != nullptr;
}

bool PatternScanner::HasStartDb(const PatternDef& p) {
  return (NeedsStart(p) && !p.start_in_pass) || Confirmed(p);
}

bool PatternScanner::InOnePass(const PatternDef& p) {
  return !Confirmed(p) || !p.scan_regexes.empty();
}

std::string PatternScanner::CacheKey() const {
  hs_platform_info_t platform;
  std::string key = phiguard::Cat("phiguard pattern cache 2\nvectorscan ", hs_version(), "\n");
  if (hs_populate_platform(&platform) == HS_SUCCESS) {
    key += phiguard::Cat("platform ", platform.tune, " ", platform.cpu_features, "\n");
  }
  for (const PatternDef& p : patterns_) {
    key += phiguard::Cat(p.caseless ? "i" : "-", HasStartDb(p) ? "s" : "-",
                         p.start_in_pass ? "S " : "- ", p.regex, "\n");
    for (const char* scan : p.scan_regexes) key += phiguard::Cat("  scan ", scan, "\n");
    if (p.find != nullptr) key += "  find\n";
  }
  return key;
}

bool PatternScanner::LoadCache(std::string_view data, const std::string& key) {
  const size_t n = patterns_.size();
  CacheReader in{data};
  if (in.Take(kCacheMagic.size()) != kCacheMagic || !in.ok) return false;
  if (in.Take(in.U64()) != key || !in.ok) return false;
  std::vector<unsigned> widths(n);
  for (size_t i = 0; i < n; ++i) widths[i] = in.U32();
  // Which databases Compile() makes: the one pass's if some pattern is in it, a start database
  // exactly for the patterns needing one.
  std::vector<bool> expected(n + 1, false);
  for (size_t i = 0; i < n; ++i) {
    const PatternDef& p = patterns_[i];
    expected[0] = expected[0] || InOnePass(p);
    expected[i + 1] = HasStartDb(p);
  }
  std::vector<hs_database_t*> dbs(n + 1, nullptr);
  bool ok = in.ok;
  for (size_t i = 0; ok && i <= n; ++i) {
    std::string_view bytes = in.Take(in.U64());
    ok = in.ok && bytes.empty() != expected[i] &&
         (bytes.empty() ||
          hs_deserialize_database(bytes.data(), bytes.size(), &dbs[i]) == HS_SUCCESS);
  }
  if (!ok || !in.data.empty()) {
    for (hs_database_t* d : dbs) hs_free_database(d);
    return false;
  }
  db_ = dbs[0];
  start_db_.assign(dbs.begin() + 1, dbs.end());
  max_width_ = std::move(widths);
  return true;
}

std::string PatternScanner::SerializeCache(const std::string& key) const {
  std::string out(kCacheMagic);
  PutU64(out, key.size());
  out += key;
  for (unsigned w : max_width_) PutU32(out, w);
  if (!AppendDatabase(out, db_)) return "";
  for (const hs_database_t* d : start_db_) {
    if (!AppendDatabase(out, d)) return "";
  }
  return out;
}

absl::StatusOr<std::unique_ptr<PatternScanner>> PatternScanner::Create(
    std::vector<PatternDef> patterns, const std::string& cache_dir) {
  std::unique_ptr<PatternScanner> scanner(new PatternScanner());
  scanner->patterns_ = std::move(patterns);
  if (cache_dir.empty()) {
    if (absl::Status s = scanner->Compile(); !s.ok()) return s;
    return scanner;
  }
  const std::string key = scanner->CacheKey();
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a: only names the file; the key inside decides
  for (unsigned char c : key) h = (h ^ c) * 0x100000001b3ull;
  const std::string path = phiguard::Cat(cache_dir, "/patterns-", phiguard::HexEncode(std::string_view(
                                                                    reinterpret_cast<const char*>(&h), 8)),
                                         ".hsdb");
  // A cache only this user can write: a database planted by someone else could make detection
  // miss PHI silently, so an untrusted folder or file is never read (the patterns are compiled).
  const bool trusted_dir = PrivateCacheDir(cache_dir);
  if (trusted_dir && OwnedPrivate(path, S_IFREG)) {
    if (auto data = ReadFileBounded(path, kMaxCacheBytes); data.ok() && scanner->LoadCache(*data, key)) {
      return scanner;
    }
  }
  if (absl::Status s = scanner->Compile(); !s.ok()) return s;
  std::string image = scanner->SerializeCache(key);
  if (!image.empty() && trusted_dir) {
    std::lock_guard<std::mutex> lock(CacheWriteMutex());
    if (auto w = AtomicFileWriter::Open(path); w.ok()) {
      if ((*w)->Write(image).ok() && (*w)->Commit().ok()) RemoveStaleCacheFiles(cache_dir, path);
    }
  }
  return scanner;
}

PatternScanner::~PatternScanner() {
  hs_free_database(db_);
  for (hs_database* d : start_db_) hs_free_database(d);
}

absl::StatusOr<std::unique_ptr<ScanScratch>> PatternScanner::NewScratch() const {
  std::unique_ptr<ScanScratch> s(new ScanScratch());
  // One scratch serves every database (hs_alloc_scratch grows it); the start scans run only
  // after the main scan has returned, never inside its callback.
  std::vector<hs_database*> all = start_db_;
  all.push_back(db_);
  for (hs_database* d : all) {
    if (d != nullptr && hs_alloc_scratch(d, &s->scratch_) != HS_SUCCESS) {
      return absl::ResourceExhaustedError("cannot allocate Vectorscan scratch");
    }
  }
  return s;
}

ScanScratch::~ScanScratch() { hs_free_scratch(scratch_); }

size_t PatternScanner::StartOf(unsigned id, std::string_view text, size_t end,
                               ScanScratch& scratch) const {
  struct Ctx {
    unsigned long long target;  // the match end, relative to the window
    unsigned long long best;
  };
  auto on_match = [](unsigned, unsigned long long from, unsigned long long to, unsigned,
                     void* p) -> int {
    auto* c = static_cast<Ctx*>(p);
    if (to == c->target && from < c->best) c->best = from;
    return 0;
  };
  // The window holds one byte before the earliest possible start and one after the end, so
  // "\b" at either edge sees the same neighbours as in the whole text.
  const size_t width = max_width_[id];
  const size_t stop = std::min(text.size(), end + 1);
  const size_t from = end > width + 1 ? end - width - 1 : 0;
  Ctx ctx{end - from, ~0ull};
  hs_scan(start_db_[id], text.data() + from, static_cast<unsigned>(stop - from), 0,
          scratch.scratch_, on_match, &ctx);
  const bool found = ctx.best != ~0ull;
  // A pattern with no length bound ("\s*") may have started before the window: when the match
  // reaches the window's edge (or none ends here), look it up among the pattern's matches over
  // the whole text, found once per Scan (so many such ends cost one pass, not one each).
  if (from > 0 && width == kUnboundedWindow && (!found || ctx.best <= 1)) {
    auto cached = std::find_if(scratch.whole_text_.begin(), scratch.whole_text_.end(),
                               [id](const auto& e) { return e.first == id; });
    if (cached == scratch.whole_text_.end()) {
      auto on_any = [](unsigned, unsigned long long f, unsigned long long t, unsigned,
                       void* p) -> int {
        static_cast<std::vector<std::pair<size_t, size_t>>*>(p)->emplace_back(t, f);
        return 0;
      };
      std::vector<std::pair<size_t, size_t>> all;
      hs_scan(start_db_[id], text.data(), static_cast<unsigned>(text.size()), 0,
              scratch.scratch_, on_any, &all);
      std::sort(all.begin(), all.end());  // by end, then leftmost start first
      cached = scratch.whole_text_.insert(scratch.whole_text_.end(), {id, std::move(all)});
    }
    const auto& all = cached->second;
    auto it = std::lower_bound(all.begin(), all.end(), std::make_pair(end, size_t{0}));
    return it != all.end() && it->first == end ? it->second : end;
  }
  return found ? from + static_cast<size_t>(ctx.best) : end;
}

absl::Status PatternScanner::Scan(std::string_view text, ScanScratch& scratch,
                                  std::vector<PatternMatch>& out,
                                  const std::vector<DigitRun>* digit_runs) const {
  scratch.raw_.clear();
  scratch.whole_text_.clear();
  auto on_match = [](unsigned id, unsigned long long from, unsigned long long to, unsigned,
                     void* ctx) -> int {
    static_cast<ScanScratch*>(ctx)->raw_.push_back({id, static_cast<size_t>(from),
                                                    static_cast<size_t>(to)});
    return 0;
  };
  if (text.size() > 0xFFFFFFFFu) return absl::InvalidArgumentError("text larger than 4 GiB");
  if (db_ != nullptr) {
    hs_error_t rc = hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0,
                            scratch.scratch_, on_match, &scratch);
    if (rc != HS_SUCCESS) return absl::InternalError(phiguard::Cat("hs_scan failed: ", rc));
  }
  const std::vector<DigitRun>* digits = digit_runs;
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (patterns_[i].find == nullptr) continue;
    if (digits == nullptr) {
      FindDigitRuns(text, scratch.digits_);
      digits = &scratch.digits_;
    }
    scratch.found_.clear();
    patterns_[i].find(text, *digits, scratch.found_);
    for (size_t end : scratch.found_) {
      if (end <= text.size()) scratch.raw_.push_back({static_cast<unsigned>(i), 0, end});
    }
  }
  // Vectorscan reports every end offset of a pattern (several scan regexes of one pattern may
  // report the same). Turn each into its value span first (context patterns have no start of
  // match), then keep the longest per (pattern, start).
  auto& raw = scratch.raw_;
  std::sort(raw.begin(), raw.end(), [](const auto& a, const auto& b) {
    if (a.id != b.id) return a.id < b.id;
    return a.to != b.to ? a.to < b.to : a.from < b.from;  // the leftmost start first
  });
  raw.erase(std::unique(raw.begin(), raw.end(),
                        [](const auto& a, const auto& b) { return a.id == b.id && a.to == b.to; }),
            raw.end());
  for (auto& r : raw) {
    const PatternDef& p = patterns_[r.id];
    // A context pattern's value and its check depend on the match end alone: a value that fails
    // them needs no start-of-match scan ("plan: continue" is no health plan number).
    size_t s = r.to > 96 ? r.to - 96 : 0, e = r.to;
    const bool value = p.mode == ValueMode::kTrailingValue || p.mode == ValueMode::kLeadingNumber;
    if (value) {
      if (p.mode == ValueMode::kTrailingValue) TrimToTrailingValue(text, s, e);
      if (p.mode == ValueMode::kLeadingNumber) TrimToLeadingNumber(text, s, e);
      if (s >= e || (p.validate != nullptr && !p.validate(text, s, e))) {
        r.from = r.to = 0;
        continue;
      }
    }
    if (HasStartDb(p)) {
      r.from = StartOf(r.id, text, r.to, scratch);
      // A scan regex's end where no match of the exact regex ends: not a match.
      if (r.from == r.to) {
        r.from = r.to = 0;
        continue;
      }
    }
    if (value) {
      r.from = s;
      r.to = e;
    } else if (p.mode == ValueMode::kAfterLabel) {
      while (r.from < r.to && !std::isdigit(static_cast<unsigned char>(text[r.from])) &&
             text[r.from] != '(')
        ++r.from;
    }
  }
  std::sort(raw.begin(), raw.end(), [](const auto& a, const auto& b) {
    if (a.id != b.id) return a.id < b.id;
    if (a.from != b.from) return a.from < b.from;
    return a.to > b.to;
  });
  size_t covered_to = 0;
  unsigned last_id = ~0u;
  for (size_t i = 0; i < raw.size(); ++i) {
    const auto& r = raw[i];
    if (r.id != last_id) covered_to = 0;  // a new pattern: nothing of it is covered yet
    if (r.id == last_id && r.to <= covered_to) continue;  // inside a longer match of this pattern
    last_id = r.id;
    const PatternDef& p = patterns_[r.id];
    if (r.to <= r.from) continue;  // a context pattern whose value was rejected above
    if (p.mode == ValueMode::kWhole && p.validate != nullptr && !p.validate(text, r.from, r.to))
      continue;
    covered_to = r.to;
    out.push_back({r.from, r.to, p.type, p.confidence});
  }
  return absl::OkStatus();
}

}  // namespace phiguard::phi::internal
