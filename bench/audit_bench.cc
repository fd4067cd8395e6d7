// Durable audit appends per second with 1, 8 and 64 concurrent writers (group commit), side by
// side in the same run with plain SQLite inserts of the same rows (one durable autocommit
// transaction each, the usual way to log, and one transaction per 1000 rows, the batch ceiling);
// and inclusion/consistency proof times at 10^6 and (with PHIGUARD_BENCH_BIG=1) 10^7 events.
// Databases go to $PHIGUARD_BENCH_DIR (default /tmp); the proof fixtures are built once and kept.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "phiguard/audit/audit_log.h"
#include "phiguard/store/sqlite.h"

namespace {

using namespace phiguard;

std::string BenchDir() {
  const char* env = std::getenv("PHIGUARD_BENCH_DIR");
  return env != nullptr ? env : "/tmp";
}

crypto::SecretKey Key() { return *crypto::SecretKey::FromBytes(std::string(32, 'b')); }

audit::AuditEvent Event(uint64_t i) {
  audit::AuditEvent e;
  e.actor.id = "svc:gateway";
  e.actor.role = "service";
  e.action = "read";
  e.resource_type = "Observation";
  e.record_ids = {"OBS-" + std::to_string(i)};
  e.patient = "MRN-" + std::to_string(i % 100000);
  e.phi_types = {"NAME", "DATE"};
  e.purpose = "treatment";
  e.destination.vendor = "acme-ai";
  e.outcome = "success";
  e.request_id = "req-" + std::to_string(i);
  return e;
}

std::unique_ptr<audit::AuditLog> FreshLog(const std::string& name) {
  const std::string path = BenchDir() + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return std::move(*audit::AuditLog::Open(*audit::OpenSqliteAuditStore(path), Key()));
}

// ---- durable appends ---------------------------------------------------------------------------

std::unique_ptr<audit::AuditLog> g_log;
std::atomic<uint64_t> g_next{0};

void BM_AuditAppend(benchmark::State& state) {
  if (state.thread_index() == 0) g_log = FreshLog("phiguard-bench-append.db");
  // Google Benchmark starts the timed loop only after every thread's setup (barrier).
  for (auto _ : state) {
    absl::StatusOr<uint64_t> seq = g_log->Append(Event(g_next++));
    if (!seq.ok()) state.SkipWithError(std::string(seq.status().message()).c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) state.counters["events"] = static_cast<double>(g_log->Head()->size);
}
BENCHMARK(BM_AuditAppend)->Threads(1)->Threads(8)->Threads(64)->UseRealTime()->MinTime(2.0);

// Plain SQLite: the same leaf rows, one INSERT per event in its own durable transaction. SQLite
// allows one writer at a time, so threads take turns (as they would on separate connections,
// minus the busy-retry overhead).
std::unique_ptr<store::SqliteDb> g_plain;
std::optional<store::SqliteStatement> g_insert;
std::mutex g_plain_mu;

void OpenPlain() {
  const std::string path = BenchDir() + "/phiguard-bench-plain.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  g_plain = std::move(*store::SqliteDb::Open(path));
  (void)g_plain->Exec(
      "CREATE TABLE leaves(seq INTEGER PRIMARY KEY, time_us INTEGER, leaf BLOB, hash BLOB);"
      "CREATE INDEX leaves_time ON leaves(time_us);");
  g_insert.emplace(*g_plain->Prepare("INSERT INTO leaves(seq, time_us, leaf, hash) VALUES(?,?,?,?)"));
}

// `mac` is prepared once per run, as AuditLog does, so both sides pay the same encoding cost.
void InsertPlain(uint64_t i, const crypto::HmacSha256Key& mac) {
  const std::string leaf = audit::EncodeLeaf(i, audit::EncodeLeafBody(Event(i), mac, 1));
  const audit::Hash h = audit::LeafHash(leaf);
  g_insert->BindInt(1, static_cast<int64_t>(i));
  g_insert->BindInt(2, 1);
  g_insert->BindBlob(3, leaf);
  g_insert->BindBlob(4, std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
  (void)g_insert->Run();
}

void BM_PlainSqliteInsert(benchmark::State& state) {
  if (state.thread_index() == 0) {
    OpenPlain();
    g_next = 0;
  }
  const crypto::HmacSha256Key mac(Key());
  for (auto _ : state) {
    std::lock_guard<std::mutex> lock(g_plain_mu);
    InsertPlain(g_next++, mac);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PlainSqliteInsert)->Threads(1)->Threads(8)->Threads(64)->UseRealTime()->MinTime(2.0);

// The ceiling: plain SQLite inserts, 1000 rows per transaction, one thread.
void BM_PlainSqliteInsertBatched1000(benchmark::State& state) {
  OpenPlain();
  const crypto::HmacSha256Key mac(Key());
  uint64_t i = 0;
  for (auto _ : state) {
    (void)g_plain->Exec("BEGIN");
    for (int k = 0; k < 1000; ++k) InsertPlain(i++, mac);
    (void)g_plain->Exec("COMMIT");
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_PlainSqliteInsertBatched1000)->UseRealTime()->MinTime(2.0);

// The audit log fed in batches of 1000 (as `phiguard audit append` does with a busy stream).
void BM_AuditAppendBatch1000(benchmark::State& state) {
  auto log = FreshLog("phiguard-bench-batch.db");
  uint64_t i = 0;
  for (auto _ : state) {
    std::vector<audit::AuditEvent> batch;
    for (int k = 0; k < 1000; ++k) batch.push_back(Event(i++));
    if (!log->AppendBatch(batch).ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_AuditAppendBatch1000)->UseRealTime()->MinTime(2.0);

// ---- proofs ------------------------------------------------------------------------------------

// A log of `n` events, built once and kept between runs (building 10^7 takes minutes).
audit::AuditLog& ProofLog(uint64_t n) {
  static std::map<uint64_t, std::unique_ptr<audit::AuditLog>> logs;
  auto& slot = logs[n];
  if (slot) return *slot;
  const std::string path = BenchDir() + "/phiguard-bench-proofs-" + std::to_string(n) + ".db";
  slot = std::move(*audit::AuditLog::Open(*audit::OpenSqliteAuditStore(path), Key()));
  for (uint64_t have = slot->Head()->size; have < n;) {
    std::vector<audit::AuditEvent> batch;
    for (uint64_t k = 0; k < 8192 && have + k < n; ++k) batch.push_back(Event(have + k));
    have += batch.size();
    (void)slot->AppendBatch(batch);
  }
  return *slot;
}

void BM_ProveInclusion(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  audit::AuditLog& log = ProofLog(n);
  uint64_t i = 12345;
  for (auto _ : state) {
    i = (i * 6364136223846793005ULL + 1442695040888963407ULL);
    absl::StatusOr<std::vector<audit::Hash>> proof = log.ProveInclusion(i % n, n);
    if (!proof.ok()) state.SkipWithError("proof failed");
    benchmark::DoNotOptimize(proof);
  }
}

void BM_ProveConsistency(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  audit::AuditLog& log = ProofLog(n);
  uint64_t i = 777;
  for (auto _ : state) {
    i = (i * 6364136223846793005ULL + 1442695040888963407ULL);
    absl::StatusOr<std::vector<audit::Hash>> proof = log.ProveConsistency(1 + i % (n - 1), n);
    if (!proof.ok()) state.SkipWithError("proof failed");
    benchmark::DoNotOptimize(proof);
  }
}

void ProofSizes(benchmark::internal::Benchmark* b) {
  b->Arg(1'000'000);
  if (std::getenv("PHIGUARD_BENCH_BIG") != nullptr) b->Arg(10'000'000);
}
BENCHMARK(BM_ProveInclusion)->Apply(ProofSizes);
BENCHMARK(BM_ProveConsistency)->Apply(ProofSizes);

}  // namespace

BENCHMARK_MAIN();
