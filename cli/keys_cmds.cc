// phiguard keys init|unseal|seal|status|create|rotate|list|retire|destroy|grant|revoke|
//               allow-dual-role|audit
// phiguard encrypt|decrypt|rewrap|datakey
//
// The keyring lives in <home>/keyring.json and its audit trail in <home>/crypto-audit.jsonl.
// Callers name themselves with --as (or $PHIGUARD_IDENTITY, else $USER) and prove it with their API
// token, read from --token-file PATH, $PHIGUARD_TOKEN_FILE or $PHIGUARD_TOKEN (never from argv,
// where other users could read it in /proc); the keyring checks it against the Argon2id hash it
// stores and enforces what that identity may do. Keyrings made by `keys init` require tokens;
// older ones require them only of identities holding one (`keys token require` turns it on).
//
// How a process gets the root (the keyring is sealed at rest):
//   * development: --unseal-key-file PATH (or $PHIGUARD_UNSEAL_KEY_FILE) on every command;
//   * `phiguard keys unseal` (shares on stdin, one per line, or --unseal-key-file) checks the root
//     and leaves it for --ttl seconds in a 0600 file under a per-user runtime directory that is
//     memory-backed (tmpfs: $PHIGUARD_RUNTIME_DIR, else $XDG_RUNTIME_DIR/phiguard, else
//     /dev/shm/phiguard-<uid>); `phiguard keys seal` wipes it. Nothing is written to persistent disk.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>  // explicit_bzero
#include <sys/stat.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "keyring_support.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/ciphertext_format.h"
#include "audit_support.h"
#include "phiguard/audit/crypto_audit_sink.h"
#include "phiguard/crypto/crypto_audit.h"
#include "phiguard/crypto/hex.h"
#include "phiguard/crypto/key_store.h"
#include "phiguard/crypto/keyring.h"
#include "phiguard/crypto/secret_key.h"
#include "phiguard/crypto/shamir.h"

namespace phiguard::cli {
namespace {

namespace fs = std::filesystem;
using crypto::Keyring;
using crypto::SecretKey;

constexpr long kTmpfsMagic = 0x01021994;

// The caller's API token, or "" if none was given. Fail()s if a named token file is unreadable.
std::string Token(const KeyOptions& o) {
  std::string path = o.token_file;
  if (path.empty()) {
    if (const char* v = std::getenv("PHIGUARD_TOKEN_FILE"); v != nullptr) path = v;
  }
  if (!path.empty()) {
    auto content = ReadFileBounded(path, 4096);
    if (!content.ok()) Fail(absl::Status(content.status().code(), Cat(path, ": cannot read the token file")));
    std::string token(StripAscii(*content));
    OPENSSL_cleanse(content->data(), content->size());
    return token;
  }
  const char* v = std::getenv("PHIGUARD_TOKEN");
  return v != nullptr ? std::string(StripAscii(v)) : "";
}

// Keyring options of the CLI. $PHIGUARD_TOKEN_ARGON2_MEMORY_KIB lowers the Argon2id memory of
// newly issued tokens (default 19 MiB; at least 64 KiB). A token is 256 random bits, so its hash
// needs no stretching to resist guessing; the cost is defence in depth, and constrained hosts
// and test suites that run the CLI hundreds of times may trade it for speed. The cost used is
// stored with each hash.
crypto::KeyringOptions CliKeyringOptions() {
  crypto::KeyringOptions options;
  if (const char* v = std::getenv("PHIGUARD_TOKEN_ARGON2_MEMORY_KIB"); v != nullptr && *v != '\0') {
    long long kib = 0;
    if (!ParseNumber(v, kib) || kib < 64 || kib > (4 << 20)) {
      UsageError("PHIGUARD_TOKEN_ARGON2_MEMORY_KIB must be 64..4194304");
    }
    options.token_hash.memory_kib = static_cast<uint32_t>(kib);
  }
  return options;
}

std::string UnsealKeyFile(const KeyOptions& o) {
  if (!o.unseal_key_file.empty()) return o.unseal_key_file;
  const char* v = std::getenv("PHIGUARD_UNSEAL_KEY_FILE");
  return v != nullptr ? v : "";
}

std::string KeyringPath(const GlobalOptions& g) { return (fs::path(g.home) / "keyring.json").string(); }
std::string AuditPath(const GlobalOptions& g) { return (fs::path(g.home) / "crypto-audit.jsonl").string(); }

// The runtime directory for unseal sessions, created 0700. If `warn`, says so when it is not
// memory-backed.
std::string RuntimeDir(bool warn) {
  std::string dir;
  if (const char* v = std::getenv("PHIGUARD_RUNTIME_DIR"); v != nullptr && *v != '\0') {
    dir = v;
  } else if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x != nullptr && *x != '\0') {
    dir = Cat(x, "/phiguard");
  } else {
    dir = Cat("/dev/shm/phiguard-", ::getuid());
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || ::chmod(dir.c_str(), 0700) != 0) Fail(absl::UnavailableError(Cat(dir, ": cannot create the runtime directory")));
  struct statfs sfs {};
  if (warn && ::statfs(dir.c_str(), &sfs) == 0 && static_cast<long>(sfs.f_type) != kTmpfsMagic) {
    std::fprintf(stderr, "phiguard: WARNING: %s is not memory-backed (tmpfs); the unsealed root may reach disk\n",
                 dir.c_str());
  }
  return dir;
}

// One session file per keyring (named by a hash of its absolute path).
std::string SessionPath(const GlobalOptions& g, bool warn = false) {
  const std::string abs = fs::absolute(KeyringPath(g)).lexically_normal().string();
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(abs.data()), abs.size(), d);
  return Cat(RuntimeDir(warn), "/unsealed-", crypto::HexEncode(std::string_view(reinterpret_cast<char*>(d), 8)));
}

void WipeSession(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      std::string zeros(static_cast<size_t>(st.st_size), '\0');
      (void)!::write(fd, zeros.data(), zeros.size());
      ::fsync(fd);
    }
    ::close(fd);
  }
  ::unlink(path.c_str());
}

// The root from an unseal session, if one is live: "expires <unix seconds>\n<64 hex>\n".
std::optional<SecretKey> SessionRoot(const GlobalOptions& g) {
  const std::string path = SessionPath(g);
  auto content = ReadFileBounded(path, 4096);
  if (!content.ok()) return std::nullopt;
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{*content};
  auto lines = Split(*content, '\n');
  long long expires = 0;
  if (lines.size() < 2 || lines[0].substr(0, 8) != "expires " ||
      !ParseNumber(lines[0].substr(8), expires) || expires < static_cast<long long>(std::time(nullptr))) {
    WipeSession(path);
    return std::nullopt;
  }
  std::optional<std::string> bytes = crypto::HexDecode(lines[1]);
  if (!bytes) return std::nullopt;
  auto key = SecretKey::FromBytes(*std::move(bytes));
  if (!key.ok()) return std::nullopt;
  return *std::move(key);
}

// Turns off terminal echo on stdin while it lives (if stdin is a terminal).
class NoEcho {
 public:
  NoEcho() {
    if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~NoEcho() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;
  bool active() const { return active_; }

 private:
  termios saved_{};
  bool active_ = false;
};

// Records each crypto event in the JSONL trail (`keys audit`) and, once `phiguard audit init` has
// created the audit key, in the tamper-evident audit log as well. Fails if either fails, so the
// keyring fails the operation (fail closed).
class CliCryptoSink final : public crypto::CryptoAuditSink {
 public:
  absl::Status Record(const crypto::CryptoEvent& event) override {
    if (absl::Status s = jsonl->Record(event); !s.ok()) return s;
    return merkle != nullptr ? merkle->Record(event) : absl::OkStatus();
  }
  std::unique_ptr<crypto::JsonlCryptoAuditSink> jsonl;
  std::unique_ptr<audit::AuditLog> log;
  std::unique_ptr<audit::AuditLogCryptoSink> merkle;
};


std::unique_ptr<CliCryptoSink> OpenSink(const GlobalOptions& g) {
  std::error_code ec;
  fs::create_directories(g.home, ec);
  auto jsonl = crypto::JsonlCryptoAuditSink::Open(AuditPath(g));
  if (!jsonl.ok()) Fail(jsonl.status());
  auto sink = std::make_unique<CliCryptoSink>();
  sink->jsonl = *std::move(jsonl);
  sink->log = OpenHomeAuditLogIfInitialized(g);
  if (sink->log != nullptr) sink->merkle = std::make_unique<audit::AuditLogCryptoSink>(sink->log.get());
  return sink;
}

}  // namespace

std::string Identity(const KeyOptions& o) {
  if (!o.identity.empty()) return o.identity;
  for (const char* env : {"PHIGUARD_IDENTITY", "USER"}) {
    const char* v = std::getenv(env);
    if (v != nullptr && *v != '\0') return v;
  }
  UsageError("no caller identity: pass --as NAME or set PHIGUARD_IDENTITY");
}

void AddKeyOptions(CLI::App* cmd, KeyOptions& o) {
  cmd->add_option("--as", o.identity, "Caller identity (default: $PHIGUARD_IDENTITY, else $USER)");
  cmd->add_option("--token-file", o.token_file,
                  "File holding the caller's API token (default: $PHIGUARD_TOKEN_FILE, else the token in "
                  "$PHIGUARD_TOKEN)");
  cmd->add_option("--unseal-key-file", o.unseal_key_file,
                  "Development root key file (default: $PHIGUARD_UNSEAL_KEY_FILE)");
}

// Opens the keyring and, if `unseal`, unseals it from the key file or the session.
OpenedKeyring OpenKeyring(const GlobalOptions& g, const KeyOptions& o, bool unseal, bool for_rotation) {
  OpenedKeyring out;
  out.identity = Identity(o);
  out.sink = OpenSink(g);
  auto kr = Keyring::Open(std::make_unique<crypto::FileKeyStore>(KeyringPath(g)), *out.sink, CliKeyringOptions());
  if (!kr.ok()) Fail(kr.status());
  out.keyring = *std::move(kr);
  if (!unseal) return out;
  const std::string key_file = UnsealKeyFile(o);
  std::optional<SecretKey> root;
  if (!key_file.empty()) {
    auto k = SecretKey::ReadFile(key_file);
    if (!k.ok()) Fail(k.status());
    root = *std::move(k);
  } else {
    root = SessionRoot(g);
  }
  if (!root) {
    Fail(absl::FailedPreconditionError(
        "the keyring is sealed: run `phiguard keys unseal` (shares on stdin) or pass --unseal-key-file"));
  }
  if (absl::Status s = out.keyring->Unseal(out.identity, *root); !s.ok()) Fail(s);
  std::string token = Token(o);
  if (!token.empty() || out.keyring->TokenRequired(out.identity)) {
    if (token.empty()) {
      Fail(absl::UnauthenticatedError(Cat(out.identity, " must present its API token: --token-file PATH, "
                                          "$PHIGUARD_TOKEN_FILE or $PHIGUARD_TOKEN")));
    }
    absl::Status s = out.keyring->Authenticate(out.identity, token, for_rotation);
    OPENSSL_cleanse(token.data(), token.size());
    if (!s.ok()) Fail(s);
  } else {
    std::fprintf(stderr,
                 "phiguard: WARNING: identity %s is asserted, not authenticated (this keyring does not require "
                 "tokens: phiguard keys token require)\n",
                 out.identity.c_str());
  }
  return out;
}

namespace {

// Writes a stream to a file atomically (AtomicFileWriter). A `plaintext` one wipes its buffer
// after each flush (explicit_bzero: never optimised away, and vectorised); ciphertext needs no wipe.
class WriterBuf : public std::streambuf {
 public:
  WriterBuf(AtomicFileWriter& w, bool plaintext) : w_(w), plaintext_(plaintext) { setp(buf_, buf_ + sizeof(buf_)); }
  const absl::Status& status() const { return status_; }

 protected:
  int_type overflow(int_type c) override {
    if (sync() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    if (pptr() > pbase() && status_.ok()) status_ = w_.Write(std::string_view(pbase(), pptr() - pbase()));
    if (plaintext_) ::explicit_bzero(buf_, static_cast<size_t>(pptr() - pbase()));
    setp(buf_, buf_ + sizeof(buf_));
    return status_.ok() ? 0 : -1;
  }

 private:
  AtomicFileWriter& w_;
  const bool plaintext_;
  char buf_[1 << 16];
  absl::Status status_;
};

// Runs `fn(in, out)` from `input` ("-" = stdin) to `output` ("-" = stdout). File output is
// committed only if fn succeeds; nothing is left behind otherwise. `plaintext`: the output is
// plaintext (decrypt), so buffers that held it are wiped.
template <typename Fn>
void RunStream(const std::string& input, const std::string& output, bool plaintext, Fn fn) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (input != "-") {
    file.open(input, std::ios::binary);
    if (!file) Fail(absl::NotFoundError(Cat(input, ": cannot open")));
    in = &file;
  }
  if (output == "-") {
    absl::Status s = fn(*in, std::cout);
    if (!s.ok()) Fail(s);
    std::cout.flush();
    return;
  }
  const mode_t old = ::umask(077);
  auto writer = AtomicFileWriter::Open(output);
  ::umask(old);
  if (!writer.ok()) Fail(writer.status());
  absl::Status s;
  {
    WriterBuf buf(**writer, plaintext);
    std::ostream out(&buf);
    s = fn(*in, out);
    out.flush();
    if (s.ok()) s = buf.status();
  }
  if (s.ok()) s = (*writer)->Commit();
  if (!s.ok()) Fail(s);  // the writer's destructor removes the temporary file
}

std::string ObjectId(const std::string& flag, const std::string& input) {
  if (!flag.empty()) return flag;
  return input == "-" ? "stdin" : fs::path(input).filename().string();
}

// Discards everything (the verification pass of a decrypt to stdout).
class NullBuf : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// A new file (mode 0600, never overwriting one) for a secret; removed again unless Keep() is
// called, so a command that fails part-way leaves no secret behind.
class SecretFile {
 public:
  SecretFile(std::string path, const char* what) : path_(std::move(path)), what_(what) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0 && errno == EEXIST) UsageError(Cat(path_, ": exists; refusing to overwrite a ", what_));
    if (fd_ < 0) Fail(absl::UnavailableError(Cat(path_, ": ", std::strerror(errno))));
  }
  ~SecretFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!kept_) ::unlink(path_.c_str());
  }
  SecretFile(const SecretFile&) = delete;
  SecretFile& operator=(const SecretFile&) = delete;
  void Write(std::string_view text) {
    const bool ok = ::write(fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd_) == 0;
    if (!ok) Fail(absl::UnavailableError(Cat(path_, ": cannot write the ", what_)));
  }
  void Keep() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) Fail(absl::UnavailableError(Cat(path_, ": cannot write the ", what_)));
    kept_ = true;
  }

 private:
  std::string path_;
  const char* what_;
  int fd_ = -1;
  bool kept_ = false;
};

// Issues the first custodian's token into `file` and makes the keyring require tokens.
void IssueInitiatorToken(Keyring& kr, const std::string& who, SecretFile& file) {
  auto token = kr.IssueToken(who, who);
  if (!token.ok()) Fail(token.status());
  token->push_back('\n');
  file.Write(*token);
  OPENSSL_cleanse(token->data(), token->size());
  if (absl::Status s = kr.SetTokensRequired(who, true); !s.ok()) Fail(s);
}

void RegisterKeysSubcommands(CLI::App& keys, const GlobalOptions& g) {
  // init
  {
    struct Opts {
      KeyOptions k;
      int shares = 0, threshold = 0;
      std::string dev_key_file, token_out;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = keys.add_subcommand(
        "init", "Create the keyring; the root is split into Shamir shares printed on stdout (one per\n"
                "line: give each to its custodian), or kept in a --dev-key-file (development only).\n"
                "The first custodian's API token goes to --token-out (keyrings made here require tokens).\n"
                "Example:\n  phiguard keys init --shares 5 --threshold 3 --as alice --token-out alice.token > shares.txt");
    cmd->add_option("--as", o->k.identity, "Identity of the first custodian");
    cmd->add_option("--shares", o->shares, "Number of Shamir shares (2..255)");
    cmd->add_option("--threshold", o->threshold, "Shares needed to unseal (2..shares)");
    cmd->add_option("--dev-key-file", o->dev_key_file, "Write the root to this file instead (NOT for production)");
    cmd->add_option("--token-out", o->token_out,
                    "Write the first custodian's API token to this new file (mode 0600; required)");
    cmd->callback([o, &g] {
      const bool dev = !o->dev_key_file.empty();
      if (dev == (o->shares > 0)) UsageError("pass either --shares N --threshold M or --dev-key-file PATH");
      if (o->token_out.empty()) {
        UsageError("pass --token-out PATH: the first custodian's API token is written there (mode 0600), once");
      }
      if (!dev && (o->threshold < 2 || o->threshold > o->shares)) UsageError("need 2 <= --threshold <= --shares");
      const std::string who = Identity(o->k);
      if (fs::exists(KeyringPath(g))) Fail(absl::FailedPreconditionError(Cat(KeyringPath(g), ": a keyring exists")));
      SecretFile token_file(o->token_out, "token");
      // Nothing is left behind if init fails part-way: no keyring, no key file, no token file.
      struct RemoveUnlessKept {
        std::string path;
        bool created = false, keep = false;
        ~RemoveUnlessKept() {
          if (created && !keep) ::unlink(path.c_str());
        }
      } keyring_file{KeyringPath(g)};
      auto sink = OpenSink(g);
      auto store = std::make_unique<crypto::FileKeyStore>(KeyringPath(g));
      const std::string token_note =
          Cat("phiguard: ", who, "'s API token is in ", o->token_out,
              " (shown nowhere else): present it with --token-file or $PHIGUARD_TOKEN.\n");
      if (!dev) {
        auto r = Keyring::InitWithShares(std::move(store), *sink, who, o->shares, o->threshold, CliKeyringOptions());
        if (!r.ok()) Fail(r.status());
        keyring_file.created = true;
        IssueInitiatorToken(*r->keyring, who, token_file);
        token_file.Keep();
        keyring_file.keep = true;
        std::fprintf(stderr,
                     "phiguard: keyring created in %s; %s is custodian of every key.\n"
                     "phiguard: %d shares follow on stdout; any %d unseal the keyring. Give each share to a\n"
                     "phiguard: different custodian and do not keep them together. They are shown only once.\n",
                     KeyringPath(g).c_str(), who.c_str(), o->shares, o->threshold);
        std::fputs(token_note.c_str(), stderr);
        for (std::string& s : r->shares) {
          std::printf("%s\n", s.c_str());
          OPENSSL_cleanse(s.data(), s.size());
        }
        return;
      }
      auto root = SecretKey::Generate();
      if (!root.ok()) Fail(root.status());
      SecretFile key_file(o->dev_key_file, "key");
      std::string hex = crypto::HexEncode(root->RawBytesForCrypto()) + "\n";
      key_file.Write(hex);
      OPENSSL_cleanse(hex.data(), hex.size());
      auto kr = Keyring::InitWithRootKey(std::move(store), *sink, who, *root, CliKeyringOptions());
      if (!kr.ok()) Fail(kr.status());
      keyring_file.created = true;
      IssueInitiatorToken(**kr, who, token_file);
      key_file.Keep();
      token_file.Keep();
      keyring_file.keep = true;
      std::fprintf(stderr,
                   "phiguard: *** DEVELOPMENT KEYRING: NOT FOR PRODUCTION OR REAL PHI ***\n"
                   "phiguard: its root key is in %s; anyone who reads that file can decrypt everything.\n"
                   "phiguard: for production use `phiguard keys init --shares N --threshold M`.\n"
                   "phiguard: keyring created in %s; %s is custodian of every key.\n",
                   o->dev_key_file.c_str(), KeyringPath(g).c_str(), who.c_str());
      std::fputs(token_note.c_str(), stderr);
    });
  }
  // token issue / rotate / revoke / require
  {
    CLI::App* token = keys.add_subcommand(
        "token", "API tokens that authenticate identities (stored only as Argon2id hashes).\n"
                 "Example:\n  phiguard keys token issue bob --as alice --token-file alice.token > bob.token");
    token->require_subcommand(1);
    struct Opts {
      KeyOptions k;
      std::string identity;
      bool off = false;
    };
    // Prints a new token on stdout, once.
    auto print_token = [](std::string& t, const std::string& identity) {
      std::printf("%s\n", t.c_str());
      std::fflush(stdout);
      OPENSSL_cleanse(t.data(), t.size());
      std::fprintf(stderr, "phiguard: new API token for %s printed on stdout; it is shown only once and any "
                           "previous token of %s no longer works\n", identity.c_str(), identity.c_str());
    };
    auto i = std::make_shared<Opts>();
    CLI::App* issue = token->add_subcommand(
        "issue", "Issue (or re-issue) IDENTITY's token (custodian of every key); printed once on stdout.\n"
                 "It is provisional: it works only for IDENTITY's `keys token rotate`, whose new token\n"
                 "only IDENTITY knows.");
    AddKeyOptions(issue, i->k);
    issue->add_option("identity", i->identity, "Whose token")->required();
    issue->callback([i, &g, print_token] {
      OpenedKeyring kr = OpenKeyring(g, i->k, true);
      auto t = kr.keyring->IssueToken(kr.identity, i->identity);
      if (!t.ok()) Fail(t.status());
      print_token(*t, i->identity);
    });
    auto r = std::make_shared<Opts>();
    CLI::App* rotate = token->add_subcommand(
        "rotate", "Replace your own token (authenticated with the current one); printed once on stdout.");
    AddKeyOptions(rotate, r->k);
    rotate->callback([r, &g, print_token] {
      OpenedKeyring kr = OpenKeyring(g, r->k, true, /*for_rotation=*/true);
      auto t = kr.keyring->IssueToken(kr.identity, kr.identity);
      if (!t.ok()) Fail(t.status());
      print_token(*t, kr.identity);
    });
    auto v = std::make_shared<Opts>();
    CLI::App* revoke = token->add_subcommand(
        "revoke", "Revoke IDENTITY's token (custodian of every key, or the identity itself).");
    AddKeyOptions(revoke, v->k);
    revoke->add_option("identity", v->identity, "Whose token")->required();
    revoke->callback([v, &g] {
      OpenedKeyring kr = OpenKeyring(g, v->k, true);
      if (absl::Status s = kr.keyring->RevokeToken(kr.identity, v->identity); !s.ok()) Fail(s);
      std::fprintf(stderr, "phiguard: token of %s revoked\n", v->identity.c_str());
    });
    auto q = std::make_shared<Opts>();
    CLI::App* require = token->add_subcommand(
        "require", "Require every identity to present a token (custodian of every key); --off to stop.");
    AddKeyOptions(require, q->k);
    require->add_flag("--off", q->off, "Stop requiring tokens (identities without one are then only asserted)");
    require->callback([q, &g] {
      OpenedKeyring kr = OpenKeyring(g, q->k, true);
      if (absl::Status s = kr.keyring->SetTokensRequired(kr.identity, !q->off); !s.ok()) Fail(s);
      std::fprintf(stderr, "phiguard: tokens are %s\n", q->off ? "no longer required" : "required");
    });
  }
  // unseal / seal / status
  {
    struct Opts {
      KeyOptions k;
      long long ttl = 3600;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = keys.add_subcommand(
        "unseal", "Unseal the keyring for --ttl seconds: reads shares from stdin (one per line), or\n"
                  "--unseal-key-file. The root stays in a 0600 file on tmpfs until `keys seal` or expiry.\n"
                  "Example:\n  cat share-1 share-4 share-5 | phiguard keys unseal");
    AddKeyOptions(cmd, o->k);
    cmd->add_option("--ttl", o->ttl, "Seconds the keyring stays unsealed (60..86400)")->capture_default_str();
    cmd->callback([o, &g] {
      if (o->ttl < 60 || o->ttl > 86400) UsageError("--ttl must be 60..86400 seconds");
      OpenedKeyring kr = OpenKeyring(g, o->k, /*unseal=*/false);
      std::optional<SecretKey> root;
      if (!UnsealKeyFile(o->k).empty()) {
        auto k = SecretKey::ReadFile(UnsealKeyFile(o->k));
        if (!k.ok()) Fail(k.status());
        root = *std::move(k);
        if (absl::Status s = kr.keyring->Unseal(kr.identity, *root); !s.ok()) Fail(s);
      } else {
        const auto info = kr.keyring->root_info();
        if (info.kind != "shamir") UsageError("this keyring is unsealed with --unseal-key-file, not shares");
        NoEcho no_echo;  // shares typed at a terminal are not shown
        if (no_echo.active()) {
          std::fprintf(stderr, "phiguard: enter %d shares, one per line (not shown)\n", info.threshold);
        }
        // Reads until the threshold is reached (or end of input), so custodians can type in turn.
        std::vector<std::string> shares;
        std::string line;
        while (static_cast<int>(shares.size()) < info.threshold && std::getline(std::cin, line)) {
          if (!StripAscii(line).empty()) shares.push_back(std::string(StripAscii(line)));
          OPENSSL_cleanse(line.data(), line.size());
        }
        auto combined = crypto::ShamirCombine(shares);
        for (std::string& s : shares) OPENSSL_cleanse(s.data(), s.size());
        if (!combined.ok()) Fail(combined.status());
        root = *std::move(combined);
        if (absl::Status s = kr.keyring->Unseal(kr.identity, *root); !s.ok()) Fail(s);
      }
      const std::string path = SessionPath(g, /*warn=*/true);
      const std::string tmp = path + ".tmp";
      ::unlink(tmp.c_str());
      int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) Fail(absl::UnavailableError(Cat(tmp, ": ", std::strerror(errno))));
      std::string body = Cat("expires ", static_cast<long long>(std::time(nullptr)) + o->ttl, "\n",
                             crypto::HexEncode(root->RawBytesForCrypto()), "\n");
      bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
      ok = ::close(fd) == 0 && ok && ::rename(tmp.c_str(), path.c_str()) == 0;
      OPENSSL_cleanse(body.data(), body.size());
      if (!ok) {
        WipeSession(tmp);
        Fail(absl::UnavailableError(Cat(path, ": cannot write the unseal session")));
      }
      std::fprintf(stderr, "phiguard: keyring unsealed for %lld seconds (phiguard keys seal to end it)\n", o->ttl);
    });

    auto so = std::make_shared<KeyOptions>();
    CLI::App* seal = keys.add_subcommand("seal", "Seal the keyring: wipe the unseal session.");
    AddKeyOptions(seal, *so);
    seal->callback([so, &g] {
      const std::string path = SessionPath(g);
      const bool had = ::access(path.c_str(), F_OK) == 0;
      WipeSession(path);
      OpenedKeyring kr = OpenKeyring(g, *so, false);
      kr.keyring->Seal(kr.identity);
      std::fprintf(stderr, "phiguard: keyring sealed%s\n", had ? "" : " (it was not unsealed)");
    });

    auto st = std::make_shared<KeyOptions>();
    CLI::App* status = keys.add_subcommand("status", "Say whether the keyring exists and is unsealed.");
    AddKeyOptions(status, *st);
    status->callback([st, &g] {
      OpenedKeyring kr = OpenKeyring(g, *st, false);
      const auto info = kr.keyring->root_info();
      const bool live = SessionRoot(g).has_value();
      std::printf("keyring: %s\nroot: %s", KeyringPath(g).c_str(), info.kind.c_str());
      if (info.kind == "shamir") std::printf(" (%d of %d shares)", info.threshold, info.shares);
      std::printf("\nstate: %s\n", live ? "unsealed (session)" : "sealed");
    });
  }
  // create / rotate / retire / destroy
  {
    struct Opts {
      KeyOptions k;
      std::string name, purpose = "aead";
      uint32_t version = 0;
    };
    auto c = std::make_shared<Opts>();
    CLI::App* create = keys.add_subcommand("create", "Create a key (custodian).\nExample:\n  phiguard keys create notes --purpose aead");
    AddKeyOptions(create, c->k);
    create->add_option("name", c->name, "Key name ([A-Za-z0-9._-], up to 64)")->required();
    create->add_option("--purpose", c->purpose, "aead | mac | sign | datakey")->capture_default_str();
    create->callback([c, &g] {
      auto purpose = crypto::ParseKeyPurpose(c->purpose);
      if (!purpose.ok()) UsageError(std::string(purpose.status().message()));
      OpenedKeyring kr = OpenKeyring(g, c->k, true);
      if (absl::Status s = kr.keyring->CreateKey(kr.identity, c->name, *purpose); !s.ok()) Fail(s);
      std::fprintf(stderr, "phiguard: created key %s (%s), version 1\n", c->name.c_str(), c->purpose.c_str());
    });

    auto r = std::make_shared<Opts>();
    CLI::App* rotate = keys.add_subcommand("rotate", "Add a new primary version to a key (custodian).");
    AddKeyOptions(rotate, r->k);
    rotate->add_option("name", r->name, "Key name")->required();
    rotate->callback([r, &g] {
      OpenedKeyring kr = OpenKeyring(g, r->k, true);
      auto v = kr.keyring->Rotate(kr.identity, r->name);
      if (!v.ok()) Fail(v.status());
      std::fprintf(stderr, "phiguard: key %s rotated; primary version is now %u\n", r->name.c_str(), *v);
    });

    auto t = std::make_shared<Opts>();
    CLI::App* retire = keys.add_subcommand(
        "retire", "Set the oldest version that may decrypt (custodian). Lower it again in an emergency.\n"
                  "Example:\n  phiguard keys retire notes --min-version 3");
    AddKeyOptions(retire, t->k);
    retire->add_option("name", t->name, "Key name")->required();
    retire->add_option("--min-version", t->version, "New min_decryption_version")->required();
    retire->callback([t, &g] {
      OpenedKeyring kr = OpenKeyring(g, t->k, true);
      if (absl::Status s = kr.keyring->SetMinDecryptionVersion(kr.identity, t->name, t->version); !s.ok()) Fail(s);
      std::fprintf(stderr, "phiguard: key %s decrypts from version %u on\n", t->name.c_str(), t->version);
    });

    auto d = std::make_shared<Opts>();
    CLI::App* destroy = keys.add_subcommand("destroy", "Erase a retired key version for good (custodian).");
    AddKeyOptions(destroy, d->k);
    destroy->add_option("name", d->name, "Key name")->required();
    destroy->add_option("--version", d->version, "Version to destroy (must be retired)")->required();
    destroy->callback([d, &g] {
      OpenedKeyring kr = OpenKeyring(g, d->k, true);
      if (absl::Status s = kr.keyring->DestroyVersion(kr.identity, d->name, d->version); !s.ok()) Fail(s);
      std::fprintf(stderr, "phiguard: key %s version %u destroyed\n", d->name.c_str(), d->version);
    });
  }
  // list
  {
    auto o = std::make_shared<KeyOptions>();
    CLI::App* list = keys.add_subcommand("list", "List keys, versions and role bindings (no key material).");
    AddKeyOptions(list, *o);
    list->callback([o, &g] {
      OpenedKeyring kr = OpenKeyring(g, *o, true);
      auto keys = kr.keyring->ListKeys(kr.identity);
      if (!keys.ok()) Fail(keys.status());
      std::printf("%-24s %-8s %-8s %-8s %s\n", "KEY", "PURPOSE", "PRIMARY", "MIN_DEC", "VERSIONS");
      for (const auto& k : *keys) {
        std::string versions;
        for (const auto& v : k.versions) versions += Cat(versions.empty() ? "" : " ", v.version, ":", v.state);
        std::printf("%-24s %-8s %-8u %-8u %s\n", k.name.c_str(), std::string(crypto::KeyPurposeName(k.purpose)).c_str(),
                    k.primary_version, k.min_decryption_version, versions.c_str());
      }
      auto bindings = kr.keyring->ListBindings(kr.identity);
      if (!bindings.ok()) Fail(bindings.status());
      std::printf("\n%-24s %-10s %s\n", "IDENTITY", "ROLE", "KEY");
      for (const auto& b : *bindings) {
        std::printf("%-24s %-10s %s\n", b.identity.c_str(), std::string(crypto::RoleName(b.role)).c_str(), b.key.c_str());
      }
      auto tokens = kr.keyring->ListTokens(kr.identity);
      if (!tokens.ok()) Fail(tokens.status());
      std::printf("\n%-24s %-24s %s   (tokens %s)\n", "TOKEN HOLDER", "ISSUED BY", "ISSUED (UTC)",
                  tokens->second ? "required of every identity" : "not required");
      for (const auto& t : tokens->first) {
        char when[32] = "?";
        const std::time_t secs = static_cast<std::time_t>(t.created_unix);
        std::tm utc{};
        if (::gmtime_r(&secs, &utc) != nullptr) std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &utc);
        std::printf("%-24s %-24s %s\n", t.identity.c_str(), t.issued_by.c_str(), when);
      }
    });
  }
  // grant / revoke / allow-dual-role
  {
    struct Opts {
      KeyOptions k;
      std::string identity, role, key = "*", reason;
    };
    for (const char* verb : {"grant", "revoke"}) {
      auto o = std::make_shared<Opts>();
      const bool grant = std::string_view(verb) == "grant";
      CLI::App* cmd = keys.add_subcommand(
          verb, grant ? "Grant a role (custodian | user | auditor) on a key (custodian).\n"
                        "Example:\n  phiguard keys grant bob user --key notes --as alice"
                      : "Revoke a role binding (custodian).");
      AddKeyOptions(cmd, o->k);
      cmd->add_option("identity", o->identity, "Who")->required();
      cmd->add_option("role", o->role, "custodian | user | auditor")->required();
      cmd->add_option("--key", o->key, "Key name, or * for every key")->capture_default_str();
      cmd->callback([o, grant, &g] {
        auto role = crypto::ParseRole(o->role);
        if (!role.ok()) UsageError(std::string(role.status().message()));
        OpenedKeyring kr = OpenKeyring(g, o->k, true);
        crypto::RoleBinding b{o->identity, *role, o->key};
        absl::Status s = grant ? kr.keyring->Grant(kr.identity, b) : kr.keyring->Revoke(kr.identity, b);
        if (!s.ok()) Fail(s);
      });
    }
    auto x = std::make_shared<Opts>();
    CLI::App* allow = keys.add_subcommand(
        "allow-dual-role", "Record a policy exception letting IDENTITY be custodian and user of a key\n"
                           "(granted by another custodian, with a reason; audited).");
    AddKeyOptions(allow, x->k);
    allow->add_option("identity", x->identity, "Who")->required();
    allow->add_option("--key", x->key, "Key name, or *")->capture_default_str();
    allow->add_option("--reason", x->reason, "Why (recorded in the audit trail)")->required();
    allow->callback([x, &g] {
      OpenedKeyring kr = OpenKeyring(g, x->k, true);
      if (absl::Status s = kr.keyring->AllowDualRole(kr.identity, x->identity, x->key, x->reason); !s.ok()) Fail(s);
    });
  }
  // audit
  {
    auto o = std::make_shared<KeyOptions>();
    CLI::App* audit = keys.add_subcommand("audit", "Print the crypto audit trail (auditor).");
    AddKeyOptions(audit, *o);
    audit->callback([o, &g] {
      OpenedKeyring kr = OpenKeyring(g, *o, true);
      if (absl::Status s = kr.keyring->AuthorizeAuditRead(kr.identity); !s.ok()) Fail(s);
      std::ifstream in(AuditPath(g), std::ios::binary);
      std::cout << in.rdbuf();
    });
  }
}

struct Opts {
  KeyOptions k;
  std::string key, input = "-", output = "-", object_id;
  bool plaintext = false;
};

// The options of encrypt, decrypt and rewrap.
void AddStreamOptions(CLI::App* cmd, Opts& o) {
  AddKeyOptions(cmd, o.k);
  cmd->add_option("-o,--out", o.output, "Output file (default: stdout)");
  cmd->add_option("--object-id", o.object_id, "Label for the audit trail (default: file name)");
  cmd->add_option("input", o.input, "Input file (default: stdin)");
}

}  // namespace

void RegisterKeys(CLI::App& app, const GlobalOptions& global) {
  CLI::App* keys = app.add_subcommand(
      "keys", "Manage the keyring: init, unseal, seal, create, rotate, retire, destroy, grant, list.\n"
              "Example:\n  phiguard keys init --dev-key-file dev.key --token-out me.token && \\\n"
              "  phiguard keys create notes --unseal-key-file dev.key --token-file me.token");
  keys->require_subcommand(1);
  RegisterKeysSubcommands(*keys, global);
}

void RegisterCrypto(CLI::App& app, const GlobalOptions& g) {
  {
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = app.add_subcommand(
        "encrypt", "Encrypt a file or stdin (any size, streamed in authenticated chunks) under a key.\n"
                   "Example:\n  phiguard encrypt --key notes -o notes.pgc notes.jsonl");
    AddStreamOptions(cmd, *o);
    cmd->add_option("--key", o->key, "Key name (purpose aead or datakey)")->required();
    cmd->callback([o, &g] {
      OpenedKeyring kr = OpenKeyring(g, o->k, true);
      RunStream(o->input, o->output, /*plaintext=*/false, [&](std::istream& in, std::ostream& out) {
        return kr.keyring->EncryptStream(kr.identity, o->key, ObjectId(o->object_id, o->input), in, out);
      });
    });
  }
  {
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = app.add_subcommand(
        "decrypt", "Decrypt what `phiguard encrypt` made. Writes nothing at all unless every chunk\n"
                   "authenticates (file output is renamed into place at the end; stdout output is\n"
                   "verified in a first pass over a private copy of the input).\n"
                   "Example:\n  phiguard decrypt -o notes.jsonl notes.pgc");
    AddStreamOptions(cmd, *o);
    cmd->callback([o, &g] {
      OpenedKeyring kr = OpenKeyring(g, o->k, true);
      const std::string id = ObjectId(o->object_id, o->input);
      if (o->output != "-") {
        RunStream(o->input, o->output, /*plaintext=*/true, [&](std::istream& in, std::ostream& out) {
          return kr.keyring->DecryptStream(kr.identity, id, in, out);
        });
        return;
      }
      // stdout cannot be taken back: copy the ciphertext to an unlinked temporary file (it is
      // ciphertext, safe on disk), verify it completely, then decrypt it again to stdout.
      std::FILE* spool = std::tmpfile();
      if (spool == nullptr) Fail(absl::UnavailableError("cannot create a temporary file"));
      std::ifstream file;
      std::istream* in = &std::cin;
      if (o->input != "-") {
        file.open(o->input, std::ios::binary);
        if (!file) Fail(absl::NotFoundError(Cat(o->input, ": cannot open")));
        in = &file;
      }
      std::string buf(1 << 16, '\0');
      while (*in) {
        in->read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const size_t n = static_cast<size_t>(in->gcount());
        if (n > 0 && std::fwrite(buf.data(), 1, n, spool) != n) Fail(absl::UnavailableError("cannot spool the input"));
      }
      if (in->bad() || std::fflush(spool) != 0) Fail(absl::UnavailableError(Cat(o->input, ": read error")));
      const std::string spool_path = Cat("/proc/self/fd/", ::fileno(spool));
      {
        std::ifstream pass1(spool_path, std::ios::binary);
        NullBuf null;
        std::ostream sink(&null);
        if (absl::Status s = kr.keyring->DecryptStream(kr.identity, id, pass1, sink); !s.ok()) Fail(s);
      }
      std::ifstream pass2(spool_path, std::ios::binary);
      if (absl::Status s = kr.keyring->DecryptStream(kr.identity, id, pass2, std::cout); !s.ok()) Fail(s);
      std::cout.flush();
      std::fclose(spool);
    });
  }
  {
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = app.add_subcommand(
        "rewrap", "Re-wrap an encrypted file's data key under the key's newest version, without\n"
                  "decrypting the data (the chunks are copied as they are).\n"
                  "Example:\n  phiguard rewrap -o notes.v2.pgc notes.pgc");
    AddStreamOptions(cmd, *o);
    cmd->callback([o, &g] {
      OpenedKeyring kr = OpenKeyring(g, o->k, true);
      RunStream(o->input, o->output, /*plaintext=*/false, [&](std::istream& in, std::ostream& out) {
        return kr.keyring->RewrapStream(kr.identity, ObjectId(o->object_id, o->input), in, out);
      });
    });
  }
  {
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = app.add_subcommand(
        "datakey", "Print a fresh data key wrapped by a datakey (or aead) key, as JSON; with\n"
                   "--plaintext also the key itself (hex), for envelope encryption elsewhere.\n"
                   "Example:\n  phiguard datakey --key blobs --plaintext");
    AddKeyOptions(cmd, o->k);
    cmd->add_option("--key", o->key, "Key-encryption key name")->required();
    cmd->add_option("--object-id", o->object_id, "Label for the audit trail");
    cmd->add_flag("--plaintext", o->plaintext, "Also print the unwrapped data key");
    cmd->callback([o, &g] {
      OpenedKeyring kr = OpenKeyring(g, o->k, true);
      auto dk = kr.keyring->GenerateDataKey(kr.identity, o->key, o->object_id);
      if (!dk.ok()) Fail(dk.status());
      nlohmann::ordered_json j;
      j["key"] = o->key;
      j["version"] = dk->key_version;
      j["wrapped_hex"] = crypto::HexEncode(dk->wrapped);
      std::string line;
      if (o->plaintext) {
        std::string hex = crypto::HexEncode(dk->plaintext.RawBytesForCrypto());
        j["plaintext_hex"] = hex;
        OPENSSL_cleanse(hex.data(), hex.size());
      }
      line = j.dump();
      std::printf("%s\n", line.c_str());
      OPENSSL_cleanse(line.data(), line.size());
    });
  }
}

}  // namespace phiguard::cli
