// An administrator with write access to the SQLite file edits the audit log behind phiguard's
// back: verify must find every edit and say where. Also: kill -9 an appender mid-stream; after a
// restart the log verifies and every acknowledged event is there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <thread>

#include "phiguard/audit/audit_log.h"
#include "phiguard/store/sqlite.h"
#include "audit_test_util.h"
#include "test_util.h"

namespace phiguard::audit {
namespace {

using testing_util::KeyOf;

AuditEvent Event(int i) { return testing_util::ReadEvent(i, "u", 5); }

class AuditTamperTest : public testing::Test {
 protected:
  void SetUp() override {
    signer_.emplace(*crypto::Ed25519Signer::FromSeed(KeyOf('s')));
    auto log = Open();
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(log->Append(Event(i)).ok());
    ASSERT_TRUE(log->MakeCheckpoint(*signer_).ok());  // size 100
    for (int i = 100; i < 140; ++i) ASSERT_TRUE(log->Append(Event(i)).ok());
    ASSERT_TRUE(log->MakeCheckpoint(*signer_).ok());  // size 140
    auto clean = log->Verify(signer_->PublicKey());
    ASSERT_TRUE(clean.ok() && clean->ok());
  }
  std::unique_ptr<AuditLog> Open() {
    auto store = OpenSqliteAuditStore(db_);
    EXPECT_TRUE(store.ok()) << store.status();
    return std::move(*AuditLog::Open(std::move(*store), KeyOf('k')));
  }
  // Runs SQL on the database file directly, as an attacker with file access would.
  void Tamper(const std::string& sql) {
    auto db = store::SqliteDb::Open(db_);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec(sql).ok()) << sql;
  }
  VerifyReport VerifyNow() {
    auto report = Open()->Verify(signer_->PublicKey());
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : VerifyReport{};
  }
  static bool Found(const VerifyReport& r, uint64_t position, std::string_view words) {
    for (const VerifyFinding& f : r.findings) {
      if (f.position == position && f.what.find(words) != std::string::npos) return true;
    }
    return false;
  }
  static std::string Dump(const VerifyReport& r) {
    std::string out;
    for (const VerifyFinding& f : r.findings) out += std::to_string(f.position) + ": " + f.what + "\n";
    return out;
  }

  testing_util::ScopedTempDir dir_;
  std::string db_ = dir_.File("phiguard.db");
  std::optional<crypto::Ed25519Signer> signer_;
};

TEST_F(AuditTamperTest, UpdatedRowIsFoundAtItsPosition) {
  Tamper("UPDATE audit_leaves SET leaf = replace(leaf, '\"read\"', '\"list\"') WHERE seq = 42");
  VerifyReport r = VerifyNow();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(Found(r, 42, "changed")) << Dump(r);
  EXPECT_TRUE(Found(r, 100, "checkpoint at size 100 does not match")) << Dump(r);
}

TEST_F(AuditTamperTest, UpdatedRowWithRecomputedHashIsStillFound) {
  // A careful attacker also fixes the stored leaf hash: the stored subtree hashes and the
  // signed checkpoints still give it away.
  auto log = Open();
  std::string leaf = log->Leaf(42)->leaf;
  leaf.replace(leaf.find("\"read\""), 6, "\"list\"");
  const Hash h = LeafHash(leaf);
  log.reset();
  auto db = store::SqliteDb::Open(db_);
  auto st = (*db)->Prepare("UPDATE audit_leaves SET leaf = ?, hash = ? WHERE seq = 42");
  st->BindBlob(1, leaf);
  st->BindBlob(2, std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
  ASSERT_TRUE(st->Run().ok());
  db->reset();
  VerifyReport r = VerifyNow();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(Found(r, 32, "stored subtree hash for entries 32..47 is wrong")) << Dump(r);
  EXPECT_TRUE(Found(r, 100, "checkpoint at size 100")) << Dump(r);
}

TEST_F(AuditTamperTest, DeletedRowIsFound) {
  Tamper("DELETE FROM audit_leaves WHERE seq = 17");
  VerifyReport r = VerifyNow();
  EXPECT_TRUE(Found(r, 17, "entry 17 is missing (deleted)")) << Dump(r);
}

TEST_F(AuditTamperTest, SwappedRowsAreFound) {
  Tamper(
      "UPDATE audit_leaves SET seq = -1 WHERE seq = 5;"
      "UPDATE audit_leaves SET seq = 5 WHERE seq = 9;"
      "UPDATE audit_leaves SET seq = 9 WHERE seq = -1;");
  VerifyReport r = VerifyNow();
  EXPECT_TRUE(Found(r, 5, "holds entry #9")) << Dump(r);
  EXPECT_TRUE(Found(r, 9, "holds entry #5")) << Dump(r);
}

TEST_F(AuditTamperTest, TruncationIsFoundEvenWithTheHeadRewound) {
  Tamper("DELETE FROM audit_leaves WHERE seq >= 120;"
         "DELETE FROM audit_head;");  // the attacker removes the head that would betray them
  VerifyReport r = VerifyNow();
  EXPECT_TRUE(Found(r, 140, "truncated")) << Dump(r);
}

TEST_F(AuditTamperTest, InsertedRowIsFound) {
  Tamper("INSERT INTO audit_leaves(seq, time_us, leaf, hash) SELECT 140, time_us, leaf, hash "
         "FROM audit_leaves WHERE seq = 3");
  VerifyReport r = VerifyNow();
  EXPECT_TRUE(Found(r, 140, "holds entry #3")) << Dump(r);
  EXPECT_TRUE(Found(r, 140, "added behind phiguard's back")) << Dump(r);
}

TEST_F(AuditTamperTest, ForgedCheckpointIsFound) {
  Tamper("UPDATE audit_checkpoints SET signature = zeroblob(64) WHERE size = 100");
  VerifyReport r = VerifyNow();
  EXPECT_TRUE(Found(r, 100, "invalid signature")) << Dump(r);
}

TEST_F(AuditTamperTest, RewrittenHistoryWithFreshCheckpointStillFailsTheOldOne) {
  // Even rebuilding leaves, hashes, subtrees and head cannot forge the signed checkpoint at 100.
  Tamper("DELETE FROM audit_leaves WHERE seq = 0");
  auto log = Open();
  VerifyReport r = *log->Verify(signer_->PublicKey());
  EXPECT_TRUE(Found(r, 100, "checkpoint at size 100 does not match")) << Dump(r);
}

// ---- crash -------------------------------------------------------------------------------------

TEST(AuditCrashTest, KillNineLosesNoAcknowledgedEvent) {
  testing_util::ScopedTempDir dir;
  const std::string home = dir.File("home");
  std::filesystem::create_directories(home);
  ASSERT_EQ(std::system(("'" + std::string(PHIGUARD_CLI) + "' --home '" + home +
                         "' audit init >/dev/null 2>&1").c_str()), 0);
  int to_child[2], from_child[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(from_child), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    close(to_child[1]);
    close(from_child[0]);
    execl(PHIGUARD_CLI, "phiguard", "--home", home.c_str(), "audit", "append",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  signal(SIGPIPE, SIG_IGN);
  // Feed events in small bursts from a thread until the child dies.
  std::thread feeder([fd = to_child[1]] {
    for (int i = 0;; ++i) {
      std::string line = R"({"actor":{"id":"u:load"},"action":"read","outcome":"success","patient":"MRN-)" +
                         std::to_string(i) + "\"}\n";
      if (write(fd, line.data(), line.size()) < 0) break;
      if (i % 50 == 0) usleep(1000);
    }
    close(fd);
  });
  std::set<uint64_t> acked;
  FILE* acks = fdopen(from_child[0], "r");
  char buf[128];
  while (acked.size() < 2000 && fgets(buf, sizeof buf, acks) != nullptr) {
    unsigned long long seq = 0;
    if (std::sscanf(buf, "{\"seq\":%llu}", &seq) == 1) acked.insert(seq);
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  fclose(acks);
  feeder.join();
  ASSERT_GE(acked.size(), 2000u);

  auto store = OpenSqliteAuditStore(home + "/phiguard.db");
  ASSERT_TRUE(store.ok()) << store.status();
  auto root = crypto::SecretKey::ReadFile(home + "/audit.key");
  ASSERT_TRUE(root.ok());
  auto log = AuditLog::Open(std::move(*store), root->Derive("audit/hmac"));
  ASSERT_TRUE(log.ok()) << log.status();
  auto report = (*log)->Verify(std::nullopt);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->findings[0].what;
  EXPECT_GT((*log)->Head()->size, *acked.rbegin());  // every acknowledged event survived
  // And the log keeps going after the crash.
  AuditEvent e = Event(1);
  EXPECT_TRUE((*log)->Append(e).ok());
  EXPECT_TRUE((*log)->Verify(std::nullopt)->ok());
}

}  // namespace
}  // namespace phiguard::audit

namespace phiguard::audit {
namespace {

// Retention: entries older than six years may go; proofs and checkpoints after them stay valid.
TEST(AuditRetention, PruneKeepsProofsValidAndIsItselfLogged) {
  testing_util::ScopedTempDir dir;
  auto open = [&] {
    return std::move(*AuditLog::Open(*OpenSqliteAuditStore(dir.File("p.db")), KeyOf('k')));
  };
  auto signer = crypto::Ed25519Signer::FromSeed(KeyOf('s'));
  auto log = open();
  for (int i = 0; i < 50; ++i) {
    AuditEvent e = Event(i);
    e.time = i < 40 ? "2015-06-01T00:00:00Z" : "2025-06-01T00:00:00Z";
    ASSERT_TRUE(log->Append(e).ok());
    if (i == 19 || i == 44) {
      ASSERT_TRUE(log->MakeCheckpoint(*signer).ok());
    }
  }
  const int64_t now = *ParseRfc3339Micros("2026-11-29T00:00:00Z");
  EXPECT_EQ(log->Prune(*ParseRfc3339Micros("2024-01-01T00:00:00Z"), now).status().code(),
            absl::StatusCode::kFailedPrecondition);  // not six years back
  auto boundary = log->Prune(*ParseRfc3339Micros("2019-01-01T00:00:00Z"), now);
  ASSERT_TRUE(boundary.ok()) << boundary.status();
  EXPECT_EQ(*boundary, 32u);  // 40 old entries, rounded down to a block of 16
  EXPECT_EQ(*log->PrunedBefore(), 32u);
  EXPECT_FALSE(log->Leaf(31).ok());
  auto last = DecodeLeaf(log->Leaf(50)->leaf);
  EXPECT_EQ(last->event.action, "audit.prune");

  auto report = log->Verify(signer->PublicKey());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->findings[0].what;
  EXPECT_EQ(report->pruned_before, 32u);
  EXPECT_EQ(report->checkpoints_pruned, 1u);  // the one at 20
  EXPECT_EQ(report->checkpoints_ok, 1u);      // the one at 45
  const TreeHead head = *log->Head();
  for (uint64_t i = 32; i < head.size; ++i) {
    auto proof = log->ProveInclusion(i, head.size);
    ASSERT_TRUE(proof.ok()) << i << proof.status();
    EXPECT_TRUE(VerifyInclusion(LeafHash(log->Leaf(i)->leaf), i, head.size, *proof, head.root).ok());
  }
  auto consistency = log->ProveConsistency(45, head.size);
  ASSERT_TRUE(consistency.ok()) << consistency.status();
  EXPECT_TRUE(VerifyConsistency(45, head.size, *consistency, *log->RootAt(45), head.root).ok());
  // Nothing more to prune with the same cut-off.
  EXPECT_EQ(*log->Prune(*ParseRfc3339Micros("2019-01-01T00:00:00Z"), now), 32u);
}

TEST(AuditRetention, DeletionDressedUpAsPruningIsFound) {
  testing_util::ScopedTempDir dir;
  const std::string db = dir.File("p.db");
  {
    auto log = std::move(*AuditLog::Open(*OpenSqliteAuditStore(db), KeyOf('k')));
    for (int i = 0; i < 64; ++i) ASSERT_TRUE(log->Append(Event(i)).ok());
  }
  {
    auto raw = store::SqliteDb::Open(db);
    ASSERT_TRUE((*raw)->Exec("DELETE FROM audit_leaves WHERE seq < 32;"
                             "INSERT INTO meta(key, value) VALUES('pruned_before', '32');").ok());
  }
  auto log = std::move(*AuditLog::Open(*OpenSqliteAuditStore(db), KeyOf('k')));
  auto report = log->Verify(std::nullopt);
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->ok());
  EXPECT_NE(report->findings[0].what.find("no audit.prune entry"), std::string::npos)
      << report->findings[0].what;
}

}  // namespace
}  // namespace phiguard::audit

namespace phiguard::audit {
namespace {

TEST(AuditCli, AppendSignsCheckpointsAtIntervals) {
  testing_util::ScopedTempDir dir;
  const std::string cli = "'" + std::string(PHIGUARD_CLI) + "' --home '" + dir.File("home") + "' ";
  std::string events;
  for (int i = 0; i < 45; ++i) events += R"({"actor":{"id":"u"},"action":"read","outcome":"success"})" "\n";
  testing_util::WriteFile(dir.File("e.jsonl"), events);
  ASSERT_EQ(std::system((cli + "audit init >/dev/null 2>&1").c_str()), 0);
  ASSERT_EQ(std::system((cli + "audit append --checkpoint-every 20 '" + dir.File("e.jsonl") +
                         "' >/dev/null 2>&1").c_str()), 0);
  ASSERT_EQ(std::system((cli + "audit verify --json > '" + dir.File("v.json") + "' 2>/dev/null").c_str()), 0);
  const std::string report = testing_util::ReadFile(dir.File("v.json"));
  EXPECT_NE(report.find("\"checkpoints_verified\":1"), std::string::npos) << report;
  EXPECT_NE(report.find("\"ok\":true"), std::string::npos) << report;
}

}  // namespace
}  // namespace phiguard::audit
