// The audit log on a real PostgreSQL server started by the test (scripts/pg-test-server.sh):
// proofs, verification, tamper detection, and two phiguard instances sharing one log. Skips
// loudly when the PostgreSQL server binaries are not installed.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/wait.h>

#include <cstdio>
#include <set>
#include <thread>

#include "phiguard/audit/audit_log.h"
#include "audit_test_util.h"
#include "test_util.h"

namespace phiguard::audit {
namespace {

using testing_util::KeyOf;

AuditEvent Event(int i) { return testing_util::ReadEvent(i, "svc", 3); }

class AuditPostgresTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing_util::ScopedTempDir();
    const std::string cmd = "scripts/pg-test-server.sh start '" + dir_->File("pg") + "'";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[512] = {0};
    std::string out;
    while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) out += buf;
    const int rc = p != nullptr ? pclose(p) : -1;
    status_ = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    server_ = out;
  }
  static void TearDownTestSuite() {
    (void)std::system(("scripts/pg-test-server.sh stop '" + dir_->File("pg") + "'").c_str());
    delete dir_;
  }
  void SetUp() override {
    if (status_ == 3) {
      GTEST_SKIP() << "\n*** PostgreSQL server not installed: PostgreSQL audit store NOT tested ***";
    }
    ASSERT_EQ(status_, 0) << "could not start PostgreSQL";
    // A fresh database per test.
    static int n = 0;
    db_name_ = "audit_" + std::to_string(++n);
    PGconn* c = PQconnectdb(server_.c_str());
    ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    PGresult* r = PQexec(c, ("CREATE DATABASE " + db_name_).c_str());
    ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    conninfo_ = server_ + " dbname=" + db_name_;
    conninfo_.replace(conninfo_.find("dbname=postgres"), 15, "");
  }
  std::unique_ptr<AuditLog> Open() {
    auto store = OpenAuditStore("pg:" + conninfo_);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return nullptr;
    auto log = AuditLog::Open(std::move(*store), KeyOf('k'));
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(*log) : nullptr;
  }
  void Sql(const std::string& sql) {
    PGconn* c = PQconnectdb(conninfo_.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }

  static testing_util::ScopedTempDir* dir_;
  static std::string server_;
  static int status_;
  std::string db_name_, conninfo_;
};
testing_util::ScopedTempDir* AuditPostgresTest::dir_ = nullptr;
std::string AuditPostgresTest::server_;
int AuditPostgresTest::status_ = -1;

TEST_F(AuditPostgresTest, ProofsAndVerifyMatchTheSqliteStore) {
  auto log = Open();
  ASSERT_NE(log, nullptr);
  std::vector<AuditEvent> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(Event(i));
  ASSERT_TRUE(log->AppendBatch(batch).ok());
  ASSERT_TRUE(log->Append(Event(100)).ok());
  auto signer = crypto::Ed25519Signer::FromSeed(KeyOf('s'));
  ASSERT_TRUE(log->MakeCheckpoint(*signer).ok());

  std::vector<Hash> leaves;
  ASSERT_TRUE(log->ScanLeaves(0, UINT64_MAX, [&](const StoredLeaf& l) {
                   leaves.push_back(LeafHash(l.leaf));
                   return absl::OkStatus();
                 }).ok());
  ASSERT_EQ(leaves.size(), 101u);
  const Hash root = log->Head()->root;
  EXPECT_EQ(root, RootFromLeafHashes(leaves));
  for (uint64_t i : {0u, 15u, 16u, 63u, 99u, 100u}) {
    auto proof = log->ProveInclusion(i, 101);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_TRUE(VerifyInclusion(leaves[i], i, 101, *proof, root).ok()) << i;
  }
  auto consistency = log->ProveConsistency(37, 101);
  ASSERT_TRUE(consistency.ok());
  EXPECT_TRUE(VerifyConsistency(37, 101, *consistency, *log->RootAt(37), root).ok());
  auto report = log->Verify(signer->PublicKey());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->checkpoints_ok, 1u);
}

TEST_F(AuditPostgresTest, TwoInstancesShareOneTree) {
  auto a = Open();
  auto b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::set<uint64_t> seqs;
  std::mutex mu;
  auto run = [&](AuditLog* log, int base) {
    for (int i = 0; i < 60; ++i) {
      auto seq = log->Append(Event(base + i));
      ASSERT_TRUE(seq.ok()) << seq.status();
      std::lock_guard<std::mutex> lock(mu);
      seqs.insert(*seq);
    }
  };
  std::thread ta(run, a.get(), 0), tb(run, b.get(), 1000);
  ta.join();
  tb.join();
  EXPECT_EQ(seqs.size(), 120u);
  EXPECT_EQ(*seqs.rbegin(), 119u);
  EXPECT_EQ(a->Head()->root, b->Head()->root);
  auto report = a->Verify(std::nullopt);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->findings[0].what;
}

TEST_F(AuditPostgresTest, EditsMadeInTheDatabaseAreFound) {
  auto log = Open();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(log->Append(Event(i)).ok());
  Sql("UPDATE audit_leaves SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), "
      "'\"read\"', '\"list\"'), 'UTF8') WHERE seq = 21");
  Sql("DELETE FROM audit_leaves WHERE seq = 30");
  auto report = Open()->Verify(std::nullopt);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_FALSE(report->ok());
  bool changed = false, deleted = false;
  for (const VerifyFinding& f : report->findings) {
    changed |= f.position == 21 && f.what.find("changed") != std::string::npos;
    deleted |= f.position == 30 && f.what.find("missing") != std::string::npos;
  }
  EXPECT_TRUE(changed);
  EXPECT_TRUE(deleted);
}

TEST_F(AuditPostgresTest, BadConnectionFailsClosedWithoutEchoingThePassword) {
  auto store = OpenPostgresAuditStore("host=/nonexistent port=1 user=x password=s3cret-canary");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store.status().message().find("s3cret-canary"), std::string::npos) << store.status();
}

}  // namespace
}  // namespace phiguard::audit
