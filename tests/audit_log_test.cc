// The audit log as its users rely on it: events validated and pseudonymised, appends durable and
// ordered under concurrency, proofs that standard RFC 6962 verifiers accept, signed checkpoints,
// the accounting of disclosures and SIEM lines.
#include "phiguard/audit/audit_log.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "phiguard/audit/crypto_audit_sink.h"
#include "phiguard/audit/exports.h"
#include "audit_test_util.h"
#include "test_util.h"

namespace phiguard::audit {
namespace {

using ::absl::StatusCode;

using testing_util::KeyOf;

AuditEvent Read(std::string actor, std::string patient) {
  AuditEvent e;
  e.actor.id = std::move(actor);
  e.action = "read";
  e.resource_type = "Patient";
  e.record_ids = {patient};
  e.patient = std::move(patient);
  e.outcome = "success";
  e.purpose = "treatment";
  return e;
}

class AuditLogTest : public testing::Test {
 protected:
  std::unique_ptr<AuditLog> OpenLog(char key = 'k', AuditLog::Options options = {}) {
    auto store = OpenSqliteAuditStore(db_);
    EXPECT_TRUE(store.ok()) << store.status();
    auto log = AuditLog::Open(std::move(*store), KeyOf(key), options);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(*log) : nullptr;
  }
  std::vector<Hash> LeafHashes(AuditLog& log) {
    std::vector<Hash> out;
    EXPECT_TRUE(log.ScanLeaves(0, UINT64_MAX, [&](const StoredLeaf& l) {
                     out.push_back(LeafHash(l.leaf));
                     return absl::OkStatus();
                   }).ok());
    return out;
  }

  testing_util::ScopedTempDir dir_;
  std::string db_ = dir_.File("phiguard.db");
};

// ---- events ------------------------------------------------------------------------------------

TEST(AuditEventTest, ParsesAndNormalisesTimeToUtcMicros) {
  auto e = ParseEvent(R"({"time":"2026-11-01T10:00:00+01:00","actor":{"id":"u:a"},
                          "action":"read","outcome":"success","phi_types":["NAME"]})");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->time, "2026-11-01T09:00:00.000000Z");
  EXPECT_EQ(e->phi_types, std::vector<std::string>{"NAME"});
}

TEST(AuditEventTest, RejectsUnknownKeysNamingTheKeyNotTheValue) {
  auto e = ParseEvent(R"({"actor":{"id":"u:a"},"action":"read","outcome":"success",
                          "ssn":"123-45-6789"})");
  ASSERT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(e.status().message().find("\"ssn\""), std::string::npos);
  EXPECT_EQ(e.status().message().find("123-45"), std::string::npos);
  auto nested = ParseEvent(R"({"actor":{"id":"u:a","dob":"1950-01-01"},"action":"read","outcome":"success"})");
  EXPECT_NE(nested.status().message().find("actor.dob"), std::string::npos) << nested.status();
}

TEST(AuditEventTest, RejectsMalformedEvents) {
  const char* bad[] = {
      "not json",
      "[1,2]",
      R"({"action":"read","outcome":"success"})",                                 // no actor
      R"({"actor":{"id":"u"},"outcome":"success"})",                              // no action
      R"({"actor":{"id":"u"},"action":"read"})",                                  // no outcome
      R"({"actor":{"id":"u"},"action":"read","outcome":"maybe"})",                // bad outcome
      R"({"actor":{"id":"u"},"action":"read me","outcome":"success"})",           // not a token
      R"({"actor":{"id":"u\nforged"},"action":"read","outcome":"success"})",      // control char
      R"({"actor":{"id":"u"},"action":"read","outcome":"success","time":"yesterday"})",
      R"({"actor":{"id":"u"},"action":"read","outcome":"success","seq":3})",      // log's field
      R"({"actor":{"id":"u"},"action":"read","outcome":"success","fields":"name"})",
      R"({"actor":"u","action":"read","outcome":"success"})",
  };
  for (const char* json : bad) {
    EXPECT_EQ(ParseEvent(json).status().code(), StatusCode::kInvalidArgument) << json;
  }
  std::string huge = R"({"actor":{"id":"u"},"action":"read","outcome":"success","description":")" +
                     std::string(kMaxEventBytes, 'x') + "\"}";
  EXPECT_EQ(ParseEvent(huge).status().code(), StatusCode::kInvalidArgument);
}

TEST(AuditEventTest, LeafHoldsPseudonymsNotIdentifiersAndRoundTrips) {
  AuditEvent e = Read("u:alice", "MRN-0042");
  const std::string leaf = EncodeLeaf(7, EncodeLeafBody(e, KeyOf('k'), 1'000'000));
  EXPECT_EQ(leaf.find("MRN-0042"), std::string::npos) << leaf;
  EXPECT_EQ(leaf.find('\n'), std::string::npos);
  const std::string pseudonym = PseudonymizeId(KeyOf('k'), "MRN-0042");
  EXPECT_EQ(pseudonym.size(), 33u);
  EXPECT_NE(pseudonym, PseudonymizeId(KeyOf('j'), "MRN-0042"));
  auto d = DecodeLeaf(leaf);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->seq, 7u);
  EXPECT_EQ(d->time_us, 1'000'000);
  EXPECT_EQ(d->event.patient, pseudonym);
  EXPECT_EQ(d->event.record_ids, std::vector<std::string>{pseudonym});
  EXPECT_EQ(d->event.actor.id, "u:alice");
  // Same event, same key, same bytes: leaves are canonical.
  EXPECT_EQ(leaf, EncodeLeaf(7, EncodeLeafBody(e, KeyOf('k'), 1'000'000)));
  EXPECT_EQ(DecodeLeaf("{\"v\":2}").status().code(), StatusCode::kDataLoss);
}

// ---- appends and proofs ------------------------------------------------------------------------

TEST_F(AuditLogTest, AppendsInOrderAndRootMatchesTheLeaves) {
  auto log = OpenLog();
  for (int i = 0; i < 37; ++i) {
    auto seq = log->Append(Read("u:a", "MRN-" + std::to_string(i)));
    ASSERT_TRUE(seq.ok()) << seq.status();
    EXPECT_EQ(*seq, static_cast<uint64_t>(i));
  }
  auto head = log->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 37u);
  EXPECT_EQ(head->root, RootFromLeafHashes(LeafHashes(*log)));
}

TEST_F(AuditLogTest, ProofsFromTheStoreMatchInMemoryProofsAndVerify) {
  auto log = OpenLog();
  std::vector<AuditEvent> batch;
  for (int i = 0; i < 300; ++i) batch.push_back(Read("u:a", "MRN-" + std::to_string(i)));
  ASSERT_TRUE(log->AppendBatch(batch).ok());
  const std::vector<Hash> leaves = LeafHashes(*log);
  for (uint64_t size : {1u, 2u, 15u, 16u, 17u, 64u, 100u, 255u, 256u, 257u, 300u}) {
    absl::Span<const Hash> prefix = absl::MakeConstSpan(leaves).first(size);
    auto root = log->RootAt(size);
    ASSERT_TRUE(root.ok()) << root.status();
    ASSERT_EQ(*root, RootFromLeafHashes(prefix)) << size;
    for (uint64_t i = 0; i < size; i += (size > 40 ? 7 : 1)) {
      auto proof = log->ProveInclusion(i, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_EQ(*proof, *InclusionProof(prefix, i)) << i << "/" << size;
      EXPECT_TRUE(VerifyInclusion(leaves[i], i, size, *proof, *root).ok()) << i << "/" << size;
    }
    for (uint64_t size1 = 1; size1 <= size; size1 += (size > 40 ? 13 : 1)) {
      auto proof = log->ProveConsistency(size1, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(VerifyConsistency(size1, size, *proof, *log->RootAt(size1), *root).ok())
          << size1 << "->" << size;
    }
  }
  EXPECT_EQ(log->ProveInclusion(300, 300).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->ProveInclusion(0, 301).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->ProveConsistency(0, 300).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AuditLogTest, ReopensWhereItLeftOffAndRefusesAnotherKey) {
  Hash root;
  {
    auto log = OpenLog();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->Append(Read("u:a", "MRN-1")).ok());
    root = log->Head()->root;
  }
  {
    auto log = OpenLog();
    EXPECT_EQ(log->Head()->size, 20u);
    EXPECT_EQ(log->Head()->root, root);
    EXPECT_EQ(*log->Append(Read("u:a", "MRN-2")), 20u);
    EXPECT_TRUE(log->Verify(std::nullopt)->ok());
  }
  auto store = OpenSqliteAuditStore(db_);
  ASSERT_TRUE(store.ok());
  auto other = AuditLog::Open(std::move(*store), KeyOf('x'));
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition) << other.status();
}

TEST_F(AuditLogTest, RejectsInvalidEventsAndAppendsNothing) {
  auto log = OpenLog();
  AuditEvent bad = Read("u:a", "MRN-1");
  bad.outcome = "";
  std::vector<AuditEvent> batch = {Read("u:a", "MRN-1"), bad};
  auto r = log->AppendBatch(batch);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("event 1"), std::string::npos) << r.status();
  EXPECT_EQ(log->Head()->size, 0u);
}

TEST_F(AuditLogTest, ConcurrentAppendersGetDistinctContiguousPositions) {
  auto log = OpenLog();
  constexpr int kThreads = 8, kEach = 150;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto seq = log->Append(Read("u:" + std::to_string(t), "MRN-" + std::to_string(i)));
        if (seq.ok()) got[t].push_back(*seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[t].size(), static_cast<size_t>(kEach));
    // Each thread's own appends land in the order it made them.
    EXPECT_TRUE(std::is_sorted(got[t].begin(), got[t].end()));
    all.insert(got[t].begin(), got[t].end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kEach - 1));
  auto report = log->Verify(std::nullopt);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->findings[0].what;
  EXPECT_EQ(report->leaves, static_cast<uint64_t>(kThreads * kEach));
}

TEST_F(AuditLogTest, TwoProcessesSharingTheFileExtendOneTree) {
  // Two AuditLog objects on one file stand for two processes: each append re-reads the head
  // inside SQLite's write lock, so neither overwrites the other's positions.
  auto a = OpenLog();
  auto b = OpenLog();
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(*a->Append(Read("u:a", "MRN-1")), static_cast<uint64_t>(2 * i));
    ASSERT_EQ(*b->Append(Read("u:b", "MRN-2")), static_cast<uint64_t>(2 * i + 1));
  }
  EXPECT_EQ(a->Head()->root, b->Head()->root);
  EXPECT_TRUE(a->Verify(std::nullopt)->ok());
}

// ---- checkpoints -------------------------------------------------------------------------------

TEST_F(AuditLogTest, CheckpointsAreSignedAndVerifiedAgainstTheTrustedKey) {
  auto signer = crypto::Ed25519Signer::FromSeed(KeyOf('s'));
  ASSERT_TRUE(signer.ok());
  auto log = OpenLog();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append(Read("u:a", "MRN-1")).ok());
  auto c = log->MakeCheckpoint(*signer);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->size, 10u);
  EXPECT_TRUE(crypto::Ed25519Verify(signer->PublicKey(), c->SignedMessage(), c->signature).ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(Read("u:a", "MRN-1")).ok());

  auto ok = log->Verify(signer->PublicKey());
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok());
  EXPECT_TRUE(ok->signatures_checked);
  EXPECT_EQ(ok->checkpoints_ok, 1u);

  auto other = crypto::Ed25519Signer::FromSeed(KeyOf('o'));
  auto untrusted = log->Verify(other->PublicKey());
  ASSERT_TRUE(untrusted.ok());
  ASSERT_FALSE(untrusted->ok());
  EXPECT_EQ(untrusted->findings[0].position, 10u);
  EXPECT_NE(untrusted->findings[0].what.find("untrusted"), std::string::npos);
}

TEST_F(AuditLogTest, ChecksPointsAutomaticallyAtIntervals) {
  auto signer = crypto::Ed25519Signer::FromSeed(KeyOf('s'));
  AuditLog::Options options;
  options.checkpoint_every = 25;
  options.checkpoint_signer = &*signer;
  auto log = OpenLog('k', options);
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(log->Append(Read("u:a", "MRN-1")).ok());
  auto cps = log->Checkpoints();
  ASSERT_TRUE(cps.ok());
  ASSERT_EQ(cps->size(), 2u);
  EXPECT_EQ((*cps)[0].size, 25u);
  EXPECT_EQ((*cps)[1].size, 50u);
  EXPECT_EQ(log->Verify(signer->PublicKey())->checkpoints_ok, 2u);
}

// ---- exports -----------------------------------------------------------------------------------

TEST_F(AuditLogTest, AccountingListsNonExemptDisclosuresOfOnePatient) {
  auto log = OpenLog();
  AuditEvent disclosed = Read("svc:gateway", "MRN-7");
  disclosed.action = "disclose";
  disclosed.purpose = "research";
  disclosed.destination.recipient = "Acme Research";
  disclosed.description = "discharge summaries";
  disclosed.time = "2025-03-01T12:00:00Z";
  AuditEvent treatment = disclosed;
  treatment.purpose = "treatment";  // exempt (164.528(a)(1)(i))
  AuditEvent denied = disclosed;
  denied.outcome = "denied";
  AuditEvent other_patient = disclosed;
  other_patient.patient = "MRN-8";
  other_patient.record_ids = {"MRN-8"};
  AuditEvent old = disclosed;
  old.time = "2015-01-01T00:00:00Z";
  for (const AuditEvent& e : {disclosed, treatment, denied, other_patient, old, Read("u", "MRN-7")}) {
    ASSERT_TRUE(log->Append(e).ok());
  }
  auto rows = AccountingOfDisclosures(*log, "MRN-7", *ParseRfc3339Micros("2020-01-01T00:00:00Z"),
                                      *ParseRfc3339Micros("2026-12-01T00:00:00Z"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].recipient, "Acme Research");
  EXPECT_EQ((*rows)[0].purpose, "research");
  EXPECT_EQ((*rows)[0].description, "discharge summaries");
  EXPECT_EQ((*rows)[0].date, "2025-03-01T12:00:00.000000Z");
  EXPECT_TRUE(ExemptFromAccounting("payment"));
  EXPECT_FALSE(ExemptFromAccounting("research"));
}

TEST_F(AuditLogTest, SyslogLinesFollowRfc5424) {
  auto log = OpenLog();
  AuditEvent e = Read("u:\"quoted]", "MRN-1");
  e.outcome = "denied";
  e.time = "2026-01-02T03:04:05Z";
  ASSERT_TRUE(log->Append(e).ok());
  auto leaf = log->Leaf(0);
  ASSERT_TRUE(leaf.ok());
  auto line = FormatForSiem(*leaf, SiemFormat::kSyslog, "host a");
  ASSERT_TRUE(line.ok()) << line.status();
  // <13*8+5>1 TIMESTAMP HOSTNAME APP PROCID MSGID [SD] MSG
  EXPECT_EQ(line->rfind("<109>1 2026-01-02T03:04:05.000000Z hosta phiguard - audit [phiguard@32473 seq=\"0\"", 0), 0u)
      << *line;
  EXPECT_NE(line->find("actor=\"u:\\\"quoted\\]\""), std::string::npos) << *line;
  auto json = FormatForSiem(*leaf, SiemFormat::kJsonLines, "h");
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find("\"entry\":{\"v\":1,\"seq\":0"), std::string::npos);
  EXPECT_EQ(ParseSiemFormat("cef").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace phiguard::audit

namespace phiguard::audit {
namespace {

TEST_F(AuditLogTest, CryptoEventsBecomeLogEntries) {
  auto log = OpenLog();
  AuditLogCryptoSink sink(log.get());
  crypto::CryptoEvent c;
  c.time_unix_micros = 1'700'000'000'000'000;
  c.actor = "u:carol";
  c.operation = "decrypt";
  c.key = "notes";
  c.key_version = 3;
  c.object_id = "export-2026.bin";
  c.outcome = "PERMISSION_DENIED";
  c.detail = "role crypto-user missing";
  ASSERT_TRUE(sink.Record(c).ok());
  auto d = DecodeLeaf(log->Leaf(0)->leaf);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->event.action, "crypto.decrypt");
  EXPECT_EQ(d->event.outcome, "denied");
  EXPECT_EQ(d->event.actor.id, "u:carol");
  EXPECT_EQ(d->event.description, "key notes v3; role crypto-user missing");
  EXPECT_EQ(d->event.record_ids, std::vector<std::string>{PseudonymizeId(log->audit_key(), "export-2026.bin")});
  EXPECT_EQ(d->time_us, c.time_unix_micros);
  // Hostile names cannot break the schema: the event is still recorded.
  c.operation = "rotate now\n";
  c.key = "k\"1";
  c.outcome = "ok";
  ASSERT_TRUE(sink.Record(c).ok());
  EXPECT_EQ(DecodeLeaf(log->Leaf(1)->leaf)->event.action, "crypto.rotate_now_");
}

}  // namespace
}  // namespace phiguard::audit
