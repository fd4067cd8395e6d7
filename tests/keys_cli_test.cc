// Runs the built `phiguard keys|encrypt|decrypt|rewrap|datakey` commands as an operator would:
// init (dev key file and Shamir ceremony), unseal/seal, roles, rotation and retirement, and that a
// failed decrypt writes no output at all and secrets never reach stderr.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace phiguard {
namespace {

namespace fs = std::filesystem;
using testing_util::Lines;
using testing_util::ReadFile;
using testing_util::WriteFile;

class KeysCliTest : public testing::Test {
 protected:
  // Runs `phiguard <args>` (split on spaces, no shell) with `stdin_text` on stdin and stdout and
  // stderr captured in files; returns the exit code. An identity named with `--as NAME` whose token
  // the test holds (NAME.token, written by UseToken) presents it with --token-file, as its owner
  // would, unless `present_tokens` is false. `env` adds environment variables.
  int Run(const std::string& args, const std::string& stdin_text = "", bool present_tokens = true,
          const std::vector<std::string>& extra_env = {}) {
    out_ = dir_.File("stdout.bin");
    err_ = dir_.File("stderr.txt");
    const std::string in = WriteFile(dir_.File("stdin.txt"), stdin_text);
    std::vector<std::string> argv_s = {PHIGUARD_CLI};
    std::istringstream words(args);
    for (std::string w; words >> w;) {
      const bool as = !argv_s.empty() && argv_s.back() == "--as";
      argv_s.push_back(w);
      if (as && present_tokens && tokens_.count(w) > 0) {
        argv_s.push_back("--token-file");
        argv_s.push_back(tokens_.at(w));
      }
    }
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string home = "PHIGUARD_HOME=" + dir_.File("home");
    const std::string run = "PHIGUARD_RUNTIME_DIR=" + dir_.File("run");
    // Cheap token hashes: the suite runs the CLI ~80 times (the default cost is tested in the
    // keyring and Argon2 tests).
    std::vector<char*> env = {const_cast<char*>(home.c_str()), const_cast<char*>(run.c_str()),
                              const_cast<char*>("PHIGUARD_IDENTITY=nobody"),
                              const_cast<char*>("PHIGUARD_TOKEN_ARGON2_MEMORY_KIB=64")};
    for (const std::string& e : extra_env) env.push_back(const_cast<char*>(e.c_str()));
    env.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fds[3] = {::open(in.c_str(), O_RDONLY), ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600),
                          ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600)};
      for (int i = 0; i < 3; ++i) ::dup2(fds[i], i);
      ::execve(argv[0], argv.data(), env.data());
      ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
  }
  std::string Stdout() const { return ReadFile(out_); }
  std::string Stderr() const { return ReadFile(err_); }
  std::string File(const std::string& name) const { return dir_.File(name); }

  // Presents `identity`'s token from now on (the file NAME.token).
  void UseToken(const std::string& identity) { tokens_[identity] = File(identity + ".token"); }
  // Issues `identity` a token (as alice); its holder replaces that provisional token at once (as
  // the CLI requires before any other use) and keeps the new one in NAME.token.
  void IssueToken(const std::string& identity) {
    ASSERT_EQ(Run("keys token issue " + identity + " --as alice" + dev_), 0) << Stderr();
    WriteFile(File(identity + ".token"), Stdout());
    UseToken(identity);
    ASSERT_EQ(Run("keys token rotate --as " + identity + dev_), 0) << Stderr();
    WriteFile(File(identity + ".token"), Stdout());
  }

  // A dev keyring with alice as custodian and bob as user of "notes", each holding a token.
  void InitDev() {
    ASSERT_EQ(Run("keys init --as alice --token-out " + File("alice.token") + " --dev-key-file " + File("dev.key")), 0)
        << Stderr();
    UseToken("alice");
    dev_ = " --unseal-key-file " + File("dev.key");
    ASSERT_EQ(Run("keys create notes --as alice" + dev_), 0) << Stderr();
    ASSERT_EQ(Run("keys grant bob user --key notes --as alice" + dev_), 0) << Stderr();
    IssueToken("bob");
  }

  testing_util::ScopedTempDir dir_;
  std::string out_, err_, dev_;
  std::map<std::string, std::string> tokens_;  // identity -> its token file
};

std::string Payload(size_t n) {
  std::string s;
  while (s.size() < n) s += "Mary Walsh, MRN 00551209, seen 2019-03-04. ";
  s.resize(n);
  return s;
}

TEST_F(KeysCliTest, DevKeyInitWarnsLoudlyAndRefusesToOverwrite) {
  ASSERT_EQ(Run("keys init --as alice --token-out " + File("alice.token") + " --dev-key-file " + File("dev.key")), 0)
      << Stderr();
  EXPECT_NE(Stderr().find("NOT FOR PRODUCTION"), std::string::npos) << Stderr();
  EXPECT_EQ(fs::status(File("dev.key")).permissions() & fs::perms::group_all, fs::perms::none);
  const std::string key = ReadFile(File("dev.key"));
  EXPECT_EQ(Stderr().find(key.substr(0, 16)), std::string::npos);
  EXPECT_NE(Run("keys init --as alice --token-out " + File("t2") + " --dev-key-file " + File("dev.key")), 0);
  EXPECT_EQ(ReadFile(File("dev.key")), key);
  EXPECT_NE(Run("keys init --as alice --token-out " + File("t3") + " --dev-key-file " + File("other.key")), 0);
  // A refused init leaves nothing behind.
  EXPECT_FALSE(fs::exists(File("t2")));
  EXPECT_FALSE(fs::exists(File("t3")));
  EXPECT_FALSE(fs::exists(File("other.key")));
  EXPECT_EQ(Run("keys init --as alice --dev-key-file " + File("k4")), 2);  // --token-out is required
  EXPECT_NE(Stderr().find("--token-out"), std::string::npos) << Stderr();
}

TEST_F(KeysCliTest, EncryptDecryptRoundTripsFilesAndPipes) {
  InitDev();
  const std::string plain = Payload(200000);
  WriteFile(File("notes.txt"), plain);
  ASSERT_EQ(Run("encrypt --key notes --as bob -o " + File("notes.pgc") + " " + File("notes.txt") + dev_), 0)
      << Stderr();
  const std::string ct = ReadFile(File("notes.pgc"));
  EXPECT_EQ(ct.substr(0, 3), "PGC");
  EXPECT_EQ(ct.find("Mary Walsh"), std::string::npos);
  ASSERT_EQ(Run("decrypt --as bob -o " + File("back.txt") + " " + File("notes.pgc") + dev_), 0) << Stderr();
  EXPECT_EQ(ReadFile(File("back.txt")), plain);
  // stdin -> stdout both ways.
  ASSERT_EQ(Run("encrypt --key notes --as bob" + dev_, "short note"), 0) << Stderr();
  const std::string piped = Stdout();
  ASSERT_EQ(Run("decrypt --as bob" + dev_, piped), 0) << Stderr();
  EXPECT_EQ(Stdout(), "short note");
  // The audit trail names who did what to which object.
  auto lines = Lines(ReadFile(File("home/crypto-audit.jsonl")));
  bool saw = false;
  for (const std::string& l : lines) {
    auto j = nlohmann::json::parse(l);
    if (j["op"] == "decrypt_stream" && j["object"] == "notes.pgc" && j["actor"] == "bob" && j["outcome"] == "ok") {
      saw = true;
    }
    EXPECT_EQ(l.find("Mary"), std::string::npos);
  }
  EXPECT_TRUE(saw);
}

TEST_F(KeysCliTest, FailedDecryptWritesNoOutputAtAll) {
  InitDev();
  WriteFile(File("notes.txt"), Payload(150000));
  ASSERT_EQ(Run("encrypt --key notes --as bob -o " + File("notes.pgc") + " " + File("notes.txt") + dev_), 0);
  std::string bad = ReadFile(File("notes.pgc"));
  bad[bad.size() - 100] ^= 0x01;  // last chunk: everything before it would authenticate
  WriteFile(File("bad.pgc"), bad);
  EXPECT_EQ(Run("decrypt --as bob -o " + File("out.txt") + " " + File("bad.pgc") + dev_), 1);
  EXPECT_FALSE(fs::exists(File("out.txt")));
  for (const auto& e : dir_.Entries()) EXPECT_EQ(e.find("out.txt"), std::string::npos) << e;
  EXPECT_EQ(Run("decrypt --as bob " + File("bad.pgc") + dev_), 1);
  EXPECT_EQ(Stdout(), "");
  EXPECT_EQ(Run("decrypt --as bob" + dev_, bad), 1);
  EXPECT_EQ(Stdout(), "");
  // Cut short.
  EXPECT_EQ(Run("decrypt --as bob" + dev_, bad.substr(0, bad.size() - 1000)), 1);
  EXPECT_EQ(Stdout(), "");
}

TEST_F(KeysCliTest, CustodianCannotDecryptAndUserCannotRotate) {
  InitDev();
  ASSERT_EQ(Run("encrypt --key notes --as bob -o " + File("n.pgc") + dev_, "x"), 0);
  EXPECT_EQ(Run("decrypt --as alice " + File("n.pgc") + dev_), 1);
  EXPECT_NE(Stderr().find("not user"), std::string::npos) << Stderr();
  EXPECT_EQ(Stdout(), "");
  EXPECT_EQ(Run("keys rotate notes --as bob" + dev_), 1);
  EXPECT_EQ(Run("keys grant alice user --key notes --as alice" + dev_), 1);
  EXPECT_NE(Stderr().find("separation of duties"), std::string::npos) << Stderr();
}

TEST_F(KeysCliTest, RotateRetireRewrapAndDestroy) {
  InitDev();
  ASSERT_EQ(Run("encrypt --key notes --as bob -o " + File("v1.pgc") + dev_, "old record"), 0);
  ASSERT_EQ(Run("keys rotate notes --as alice" + dev_), 0) << Stderr();
  ASSERT_EQ(Run("rewrap --as bob -o " + File("v2.pgc") + " " + File("v1.pgc") + dev_), 0) << Stderr();
  ASSERT_EQ(Run("keys retire notes --min-version 2 --as alice" + dev_), 0) << Stderr();
  EXPECT_EQ(Run("decrypt --as bob " + File("v1.pgc") + dev_), 1);
  EXPECT_NE(Stderr().find("retired"), std::string::npos) << Stderr();
  ASSERT_EQ(Run("decrypt --as bob " + File("v2.pgc") + dev_), 0) << Stderr();
  EXPECT_EQ(Stdout(), "old record");
  ASSERT_EQ(Run("keys destroy notes --version 1 --as alice" + dev_), 0) << Stderr();
  ASSERT_EQ(Run("keys list --as alice" + dev_), 0) << Stderr();
  EXPECT_NE(Stdout().find("1:destroyed 2:primary"), std::string::npos) << Stdout();
  EXPECT_EQ(Run("keys retire notes --min-version 1 --as alice" + dev_), 1);
}

TEST_F(KeysCliTest, ShamirCeremonyUnsealsWithThresholdSharesOnStdin) {
  ASSERT_EQ(Run("keys init --as alice --shares 5 --threshold 3 --token-out " + File("alice.token")), 0) << Stderr();
  UseToken("alice");
  const std::vector<std::string> shares = Lines(Stdout());
  ASSERT_EQ(shares.size(), 5u);
  for (const std::string& s : shares) EXPECT_EQ(Stderr().find(s), std::string::npos);
  EXPECT_EQ(Run("keys create notes --as alice"), 1);  // sealed
  EXPECT_NE(Stderr().find("sealed"), std::string::npos);
  EXPECT_EQ(Run("keys unseal --as alice", shares[0] + "\n" + shares[3] + "\n"), 1);  // 2 of 3
  std::string bad = shares[2];
  bad[bad.size() - 3] = bad[bad.size() - 3] == 'a' ? 'b' : 'a';
  EXPECT_EQ(Run("keys unseal --as alice", shares[0] + "\n" + shares[3] + "\n" + bad + "\n"), 1);
  EXPECT_NE(Stderr().find("share 3"), std::string::npos) << Stderr();
  ASSERT_EQ(Run("keys unseal --as alice", shares[4] + "\n\n" + shares[1] + "\n" + shares[2] + "\n"), 0) << Stderr();
  ASSERT_EQ(Run("keys create notes --as alice"), 0) << Stderr();
  ASSERT_EQ(Run("keys status --as alice"), 0);
  EXPECT_NE(Stdout().find("unsealed"), std::string::npos) << Stdout();
  ASSERT_EQ(Run("keys seal --as alice"), 0) << Stderr();
  EXPECT_EQ(Run("keys rotate notes --as alice"), 1);
  ASSERT_EQ(Run("keys status --as alice"), 0);
  EXPECT_NE(Stdout().find("state: sealed"), std::string::npos) << Stdout();
}

TEST_F(KeysCliTest, DatakeyPrintsWrappedKeyAndPlaintextOnlyOnRequest) {
  InitDev();
  ASSERT_EQ(Run("keys create blobs --purpose datakey --as alice" + dev_), 0) << Stderr();
  ASSERT_EQ(Run("keys grant bob user --key blobs --as alice" + dev_), 0) << Stderr();
  ASSERT_EQ(Run("datakey --key blobs --as bob" + dev_), 0) << Stderr();
  auto j = nlohmann::json::parse(Stdout());
  EXPECT_EQ(j["version"], 1);
  EXPECT_FALSE(j.contains("plaintext_hex"));
  EXPECT_EQ(j["wrapped_hex"].get<std::string>().substr(0, 6), "504743");  // "PGC"
  ASSERT_EQ(Run("datakey --key blobs --plaintext --as bob" + dev_), 0) << Stderr();
  EXPECT_EQ(nlohmann::json::parse(Stdout())["plaintext_hex"].get<std::string>().size(), 64u);
}

TEST_F(KeysCliTest, IdentitiesMustPresentTheirTokenAndAClaimedIdentityIsRefused) {
  InitDev();
  const std::string bob_token = Lines(ReadFile(File("bob.token"))).at(0);
  EXPECT_EQ(bob_token.substr(0, 5), "pgt1_");
  // No token: refused before anything happens, whoever is claimed.
  EXPECT_EQ(Run("encrypt --key notes --as bob" + dev_, "x", /*present_tokens=*/false), 1);
  EXPECT_NE(Stderr().find("bob must present its API token"), std::string::npos) << Stderr();
  EXPECT_EQ(Stdout(), "");
  EXPECT_EQ(Run("keys create other --as alice" + dev_, "", false), 1);
  // Someone else's token, or a corrupted one: Unauthenticated, and the secret is never echoed.
  EXPECT_EQ(Run("encrypt --key notes --as bob --token-file " + File("alice.token") + dev_, "x", false), 1);
  EXPECT_NE(Stderr().find("authentication of bob failed"), std::string::npos) << Stderr();
  std::string wrong = bob_token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_EQ(Run("encrypt --key notes --as bob" + dev_, "x", false, {"PHIGUARD_TOKEN=" + wrong}), 1);
  EXPECT_EQ(Stderr().find(wrong.substr(5, 16)), std::string::npos) << Stderr();
  EXPECT_EQ(Stdout(), "");
  // The token from the environment, and from a file named in the environment.
  ASSERT_EQ(Run("encrypt --key notes --as bob" + dev_, "x", false, {"PHIGUARD_TOKEN=" + bob_token}), 0) << Stderr();
  ASSERT_EQ(Run("encrypt --key notes --as bob" + dev_, "x", false, {"PHIGUARD_TOKEN_FILE=" + File("bob.token")}), 0)
      << Stderr();
  // Never on the command line.
  EXPECT_EQ(Run("encrypt --key notes --as bob --token " + bob_token + dev_, "x", false), 2);
  // Failed authentications are in the audit trail; tokens and hashes never leave the keyring file.
  const std::string audit = ReadFile(File("home/crypto-audit.jsonl"));
  EXPECT_NE(audit.find(R"("op":"authenticate","key":"","version":0,"object":"","outcome":"UNAUTHENTICATED")"),
            std::string::npos) << audit;
  EXPECT_EQ(audit.find(bob_token.substr(5, 16)), std::string::npos);
  const std::string keyring = ReadFile(File("home/keyring.json"));
  EXPECT_EQ(keyring.find(bob_token.substr(5, 16)), std::string::npos);
  EXPECT_NE(keyring.find("\"argon2id\""), std::string::npos);
}

TEST_F(KeysCliTest, TokensAreIssuedByCustodiansRotatedByTheirHoldersAndRevoked) {
  InitDev();
  // A user cannot mint tokens (for others or a first one for an identity without one).
  EXPECT_EQ(Run("keys token issue carol --as bob" + dev_), 1);
  EXPECT_NE(Stderr().find("not custodian"), std::string::npos) << Stderr();
  // A custodian-issued token is provisional: it serves only its holder's rotation, so alice, who
  // saw it, can never act as bob with it.
  ASSERT_EQ(Run("keys token issue bob --as alice" + dev_), 0) << Stderr();
  WriteFile(File("bob.token"), Stdout());
  EXPECT_EQ(Run("encrypt --key notes --as bob" + dev_, "x"), 1);
  EXPECT_NE(Stderr().find("bob must replace it first (phiguard keys token rotate)"), std::string::npos) << Stderr();
  ASSERT_EQ(Run("keys token rotate --as bob" + dev_), 0) << Stderr();
  WriteFile(File("bob.token"), Stdout());
  ASSERT_EQ(Run("encrypt --key notes --as bob" + dev_, "x"), 0) << Stderr();
  // Bob rotates his own token: the old one stops working.
  const std::string old_token = ReadFile(File("bob.token"));
  ASSERT_EQ(Run("keys token rotate --as bob" + dev_), 0) << Stderr();
  const std::string new_token = Stdout();
  EXPECT_NE(new_token, old_token);
  EXPECT_EQ(Stderr().find(new_token.substr(5, 16)), std::string::npos);
  EXPECT_EQ(Run("encrypt --key notes --as bob" + dev_, "x"), 1);  // bob.token still holds the old one
  WriteFile(File("bob.token"), new_token);
  ASSERT_EQ(Run("encrypt --key notes --as bob" + dev_, "x"), 0) << Stderr();
  // keys list shows who holds a token and who issued it (never the token).
  ASSERT_EQ(Run("keys list --as alice" + dev_), 0) << Stderr();
  EXPECT_NE(Stdout().find("tokens required of every identity"), std::string::npos) << Stdout();
  EXPECT_NE(Stdout().find("\nbob                      bob "), std::string::npos) << Stdout();  // rotated by bob
  EXPECT_NE(Stdout().find("\nalice                    alice "), std::string::npos) << Stdout();
  EXPECT_EQ(Stdout().find(new_token.substr(5, 16)), std::string::npos);
  // Revoked: refused.
  ASSERT_EQ(Run("keys token revoke bob --as alice" + dev_), 0) << Stderr();
  EXPECT_EQ(Run("encrypt --key notes --as bob" + dev_, "x"), 1);
  EXPECT_NE(Stderr().find("bob holds no API token"), std::string::npos) << Stderr();
  // The only custodian cannot revoke their own token while tokens are required.
  EXPECT_EQ(Run("keys token revoke alice --as alice" + dev_), 1);
  EXPECT_NE(Stderr().find("nobody able to manage"), std::string::npos) << Stderr();
  // With tokens no longer required, identities without one are asserted (with a warning), while
  // identities holding one must still present it.
  ASSERT_EQ(Run("keys token require --off --as alice" + dev_), 0) << Stderr();
  EXPECT_EQ(Run("encrypt --key notes --as bob" + dev_, "x"), 1);  // a presented token must be valid
  ASSERT_EQ(Run("encrypt --key notes --as bob" + dev_, "x", /*present_tokens=*/false), 0) << Stderr();
  EXPECT_NE(Stderr().find("asserted, not authenticated"), std::string::npos) << Stderr();
  EXPECT_EQ(Run("keys list --as alice" + dev_, "", /*present_tokens=*/false), 1);
}

TEST_F(KeysCliTest, CertsWritesCaServerAndClientFilesOnce) {
  ASSERT_EQ(Run("certs --dir " + File("tls") + " --client gateway"), 0) << Stderr();
  for (const char* f : {"ca.crt", "ca.key", "server.crt", "server.key", "client-gateway.crt", "client-gateway.key"}) {
    EXPECT_TRUE(fs::exists(File("tls/") + f)) << f;
  }
  EXPECT_EQ(fs::status(File("tls/server.key")).permissions() & (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  EXPECT_EQ(ReadFile(File("tls/ca.crt")).rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  const std::string ca = ReadFile(File("tls/ca.crt"));
  EXPECT_NE(Run("certs --dir " + File("tls")), 0);  // never overwrites
  EXPECT_EQ(ReadFile(File("tls/ca.crt")), ca);
}

TEST_F(KeysCliTest, CryptoOperationsReachTheTamperEvidentLogOnceItExists) {
  ASSERT_EQ(Run("audit init"), 0) << Stderr();
  InitDev();
  ASSERT_EQ(Run("encrypt --key notes --as bob -o " + File("n.pgc") + dev_, "x"), 0) << Stderr();
  EXPECT_EQ(Run("decrypt --as alice " + File("n.pgc") + dev_), 1);  // custodian: denied
  ASSERT_EQ(Run("audit export --leaves"), 0) << Stderr();
  const std::string leaves = Stdout();
  EXPECT_NE(leaves.find("\"action\":\"crypto.create\""), std::string::npos) << leaves;
  EXPECT_NE(leaves.find("\"action\":\"crypto.encrypt_stream\""), std::string::npos) << leaves;
  EXPECT_NE(leaves.find("\"action\":\"crypto.decrypt_stream\",\"resource\""), std::string::npos) << leaves;
  EXPECT_NE(leaves.find("\"outcome\":\"denied\""), std::string::npos) << leaves;
  ASSERT_EQ(Run("audit verify"), 0) << Stdout() << Stderr();
}

TEST_F(KeysCliTest, AuditCheckpointsSignedWithAKeyringKeyVerifyAgainstItsVersions) {
  ASSERT_EQ(Run("audit init"), 0) << Stderr();
  InitDev();
  ASSERT_EQ(Run("keys create audit-checkpoint --purpose sign --as alice" + dev_), 0) << Stderr();
  ASSERT_EQ(Run("keys grant audit-svc user --key audit-checkpoint --as alice" + dev_), 0) << Stderr();
  IssueToken("audit-svc");
  const std::string event =
      R"({"actor":{"id":"u:nurse"},"action":"read","patient":"MRN-1","outcome":"success"})" "\n";
  ASSERT_EQ(Run("audit append", event + event), 0) << Stderr();
  const std::string sign = " --sign-key audit-checkpoint" + dev_;
  // The custodian may not use the key; the refusal is itself logged.
  EXPECT_EQ(Run("audit checkpoint --as alice" + sign), 1);
  ASSERT_EQ(Run("audit checkpoint --as audit-svc" + sign), 0) << Stderr();
  const auto first = nlohmann::json::parse(Stdout());
  ASSERT_EQ(Run("keys rotate audit-checkpoint --as alice" + dev_), 0) << Stderr();
  ASSERT_EQ(Run("audit append --checkpoint-every 2 --as audit-svc" + sign, event), 0) << Stderr();
  ASSERT_EQ(Run("audit checkpoint --as audit-svc" + sign), 0) << Stderr();
  EXPECT_NE(nlohmann::json::parse(Stdout())["public_key"], first["public_key"]);

  // Both versions are trusted through the keyring; the audit key file's own key is not.
  ASSERT_EQ(Run("audit verify --json --as audit-svc" + sign), 0) << Stdout() << Stderr();
  EXPECT_GE(nlohmann::json::parse(Stdout())["checkpoints_verified"].get<int>(), 2) << Stdout();
  EXPECT_EQ(Run("audit verify"), 1) << Stdout();
  ASSERT_EQ(Run("audit export --leaves"), 0) << Stderr();
  EXPECT_NE(Stdout().find("\"action\":\"crypto.sign\""), std::string::npos) << Stdout();
  EXPECT_NE(Stdout().find("\"outcome\":\"denied\""), std::string::npos) << Stdout();
}

TEST_F(KeysCliTest, DeidKeyDerivedFromAKeyringMacKeyIsStablePinnableAndAudited) {
  InitDev();
  ASSERT_EQ(Run("keys create deid --purpose mac --as alice" + dev_), 0) << Stderr();
  ASSERT_EQ(Run("keys grant bob user --key deid --as alice" + dev_), 0) << Stderr();
  const std::string note = WriteFile(File("note.txt"), "Mary Walsh (MRN 00551209) was seen by Dr. Chen.\n");
  const std::string deid = "deid text --profile pseudonymize --as bob " + note + dev_;
  ASSERT_EQ(Run(deid + " --key deid"), 0) << Stderr();
  const std::string first = Stdout();
  EXPECT_EQ(first.find("Walsh"), std::string::npos) << first;
  EXPECT_NE(Stderr().find("derived from keyring key deid version 1"), std::string::npos) << Stderr();
  // A rotation starts a new pseudonym space unless the version is pinned.
  ASSERT_EQ(Run("keys rotate deid --as alice" + dev_), 0) << Stderr();
  ASSERT_EQ(Run(deid + " --key deid"), 0) << Stderr();
  EXPECT_NE(Stdout(), first);
  ASSERT_EQ(Run(deid + " --key deid --key-version 1"), 0) << Stderr();
  EXPECT_EQ(Stdout(), first);  // same key version: same pseudonyms, run after run
  // The same for structured data: the FHIR command takes the same options.
  ASSERT_EQ(Run("deid fhir --as bob --key deid -o " + File("p.ndjson") + " " + PHIGUARD_SOURCE_DIR +
                "/../shared/data/samples/fhir-synthea-10-patients/Patient.000.ndjson" + dev_), 0) << Stderr();
  // Roles hold: the custodian may not derive; an aead key is not a mac key; no token, no key.
  EXPECT_EQ(Run("deid text --profile pseudonymize --as alice --key deid " + note + dev_), 1);
  EXPECT_NE(Stderr().find("alice is not user of key deid"), std::string::npos) << Stderr();
  EXPECT_EQ(Run(deid + " --key notes"), 1);
  EXPECT_EQ(Run(deid + " --key deid", "", /*present_tokens=*/false), 1);
  // One key source at most; --key-version needs --key.
  EXPECT_EQ(Run(deid + " --key deid --key-file " + File("dev.key")), 2);
  EXPECT_EQ(Run(deid + " --key-version 1"), 2);
  // Every derivation is in the crypto audit trail, with the run and the outcome; no PHI.
  const std::string trail = ReadFile(File("home") + "/crypto-audit.jsonl");
  EXPECT_NE(trail.find(R"("op":"derive_key")"), std::string::npos);
  EXPECT_NE(trail.find(R"("object":"deid text")"), std::string::npos);
  EXPECT_NE(trail.find(R"("object":"deid fhir")"), std::string::npos);
  EXPECT_EQ(trail.find("Walsh"), std::string::npos);
}

TEST_F(KeysCliTest, DeidRunsAreInTheAuditLogBeforeTheirOutputIsReleased) {
  const std::string note = WriteFile(File("note.txt"), "Mary Walsh (MRN 00551209) was seen by Dr. Chen.\n");
  // No audit log under --home: runs are not recorded and need no identity.
  ASSERT_EQ(Run("deid text -q -o " + File("a.txt") + " " + note), 0) << Stderr();
  ASSERT_EQ(Run("audit init"), 0) << Stderr();
  ASSERT_EQ(Run("deid text -q --as etl -o " + File("b.txt") + " " + note), 0) << Stderr();
  ASSERT_EQ(Run("detect -q --as analyst " + note), 0) << Stderr();
  ASSERT_EQ(Run("audit export --leaves"), 0) << Stderr();
  const std::string leaves = Stdout();
  EXPECT_NE(leaves.find(R"("action":"deid.text")"), std::string::npos) << leaves;
  EXPECT_NE(leaves.find(R"("action":"detect")"), std::string::npos) << leaves;
  EXPECT_NE(leaves.find(R"("id":"etl")"), std::string::npos) << leaves;
  EXPECT_EQ(leaves.find("Walsh"), std::string::npos);     // counts only, never values
  EXPECT_EQ(leaves.find("note.txt"), std::string::npos);  // the input path is pseudonymised
  // Fail closed: when the log cannot record the run, no output is released.
  fs::remove_all(File("home") + "/phiguard.db");
  fs::create_directories(File("home") + "/phiguard.db");
  EXPECT_EQ(Run("deid text -q --as etl -o " + File("c.txt") + " " + note), 1);
  EXPECT_FALSE(fs::exists(File("c.txt")));
}

}  // namespace
}  // namespace phiguard
