// phiguard audit: the tamper-evident log of PHI access (init, append, export, root, prove,
// verify, checkpoint, accounting). See docs/audit.md.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/time/clock.h"
#include "audit_support.h"
#include "keyring_support.h"
#include "phiguard/audit/event.h"
#include "phiguard/audit/exports.h"
#include "phiguard/crypto/keyring_signer.h"

namespace phiguard::cli {
namespace {

using Json = nlohmann::ordered_json;

void PrintLine(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

Json HashList(const std::vector<audit::Hash>& hashes) {
  Json out = Json::array();
  for (const audit::Hash& h : hashes) out.push_back(HexOf(h));
  return out;
}

// Where checkpoint signatures come from: the Ed25519 key derived from the audit key file, or
// (--sign-key NAME) a `sign` key in the keyring, used by --as through Keyring::Sign so that each
// checkpoint signature is authorised and itself audited.
struct SignFlags {
  std::string sign_key;
  KeyOptions keyring;
};

void AddSignFlags(CLI::App& cmd, SignFlags& f) {
  cmd.add_option("--sign-key", f.sign_key,
                 "Sign checkpoints with this keyring `sign` key (as --as, who must be a user of\n"
                 "it) instead of the key derived from the audit key file");
  AddKeyOptions(&cmd, f.keyring);
}

class CheckpointSigning {
 public:
  CheckpointSigning(const GlobalOptions& g, const AuditOptions& o, const SignFlags& f) {
    if (f.sign_key.empty()) {
      keys_.emplace(LoadAuditKeys(o.key_file));
      return;
    }
    keyring_ = OpenKeyring(g, f.keyring, /*unseal=*/true);
    keyring_signer_.emplace(*keyring_.keyring, keyring_.identity, f.sign_key);
  }
  const crypto::Signer& signer() const {
    if (keyring_signer_.has_value()) return *keyring_signer_;
    return keys_->signer;
  }
  // Every public key a checkpoint by this source may carry.
  std::vector<std::string> TrustedKeys() const {
    if (!keyring_signer_.has_value()) return {keys_->signer.PublicKey()};
    absl::StatusOr<std::vector<std::string>> keys = keyring_signer_->PublicKeys();
    if (!keys.ok()) Fail(keys.status());
    return *keys;
  }

 private:
  std::optional<AuditKeys> keys_;
  OpenedKeyring keyring_;
  std::optional<crypto::KeyringSigner> keyring_signer_;
};

// ---- init ----------------------------------------------------------------------------------------

void RunInit(const AuditOptions& o) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(o.key_file).parent_path(), ec);
  std::filesystem::create_directories(std::filesystem::path(o.db).parent_path(), ec);
  if (!std::filesystem::exists(o.key_file)) {
    absl::StatusOr<crypto::SecretKey> key = crypto::SecretKey::Generate();
    if (!key.ok()) Fail(key.status());
    std::string hex = HexOf(key->RawBytesForCrypto()) + "\n";
    // O_EXCL: never replace a key, even one created while we were generating.
    int fd = ::open(o.key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) &&
              ::fsync(fd) == 0;
    if (fd >= 0) ok = ::close(fd) == 0 && ok;
    std::fill(hex.begin(), hex.end(), '\0');
    if (!ok) Fail(absl::UnavailableError(o.key_file + ": cannot create the audit key"));
    std::fprintf(stderr, "phiguard: created audit key %s (mode 0600; back it up)\n",
                 o.key_file.c_str());
  }
  AuditKeys keys = LoadAuditKeys(o.key_file);
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o);
  absl::StatusOr<audit::TreeHead> head = log->Head();
  if (!head.ok()) Fail(head.status());
  Json out = {{"db", o.db},
              {"size", head->size},
              {"checkpoint_public_key", HexOf(keys.signer.PublicKey())}};
  PrintLine(out.dump());
  std::fprintf(stderr,
               "phiguard: publish the checkpoint public key somewhere the database admin cannot "
               "change it; `audit verify --public-key` checks against it\n");
}

// ---- append --------------------------------------------------------------------------------------

// Reads JSON lines from `fd` and appends them in batches: whatever has arrived when the input
// pauses (or 4096 events) goes into one durable transaction, then each event's position is
// printed as {"seq":N}. A bad line stops the run with its line number; the events before it are
// appended and acknowledged, none after it.
void RunAppend(const GlobalOptions& g, const AuditOptions& o, const std::string& input,
               uint64_t checkpoint_every, const SignFlags& sign) {
  int fd = 0;
  if (input != "-") {
    fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Fail(absl::NotFoundError(input + ": " + std::strerror(errno)));
  }
  const std::string name = input == "-" ? "stdin" : input;
  std::optional<CheckpointSigning> signing;
  audit::AuditLog::Options log_options;
  if (checkpoint_every > 0) {
    signing.emplace(g, o, sign);
    log_options.checkpoint_every = checkpoint_every;
    log_options.checkpoint_signer = &signing->signer();
  } else if (!sign.sign_key.empty()) {
    UsageError("--sign-key needs --checkpoint-every");
  }
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o, log_options);
  std::vector<audit::AuditEvent> events;
  uint64_t appended = 0;
  auto flush = [&] {
    if (events.empty()) return;
    absl::StatusOr<uint64_t> first = log->AppendBatch(events);
    if (!first.ok()) Fail(first.status());
    for (size_t i = 0; i < events.size(); ++i) {
      std::fprintf(stdout, "{\"seq\":%llu}\n", static_cast<unsigned long long>(*first + i));
    }
    std::fflush(stdout);
    appended += events.size();
    events.clear();
  };
  std::string buf;
  size_t line_no = 0;
  bool eof = false;
  char chunk[1 << 16];
  while (true) {
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos || (eof && start < buf.size());
         start = nl + 1) {
      if (nl == std::string::npos) nl = buf.size();
      std::string_view line(buf.data() + start, nl - start);
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      absl::StatusOr<audit::AuditEvent> e = audit::ParseEvent(line);
      if (!e.ok()) {
        flush();
        Fail(absl::InvalidArgumentError(name + ":" + std::to_string(line_no) + ": " +
                                        std::string(e.status().message()) + " (" +
                                        std::to_string(appended) + " events before it appended)"));
      }
      events.push_back(std::move(*e));
      if (events.size() >= 4096) flush();
      if (nl == buf.size()) break;
    }
    buf.erase(0, std::min(start, buf.size()));
    if (eof) break;
    if (buf.size() > audit::kMaxEventBytes) {
      flush();
      Fail(absl::InvalidArgumentError(name + ":" + std::to_string(line_no + 1) +
                                      ": event longer than " +
                                      std::to_string(audit::kMaxEventBytes) + " bytes"));
    }
    if (!events.empty()) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 0) == 0) flush();  // input paused: make what we have durable now
    }
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      flush();
      Fail(absl::UnavailableError(name + ": " + std::strerror(errno)));
    }
    if (n == 0) eof = true;
    buf.append(chunk, static_cast<size_t>(n));
  }
  flush();
  if (fd != 0) ::close(fd);
  std::fprintf(stderr, "phiguard: appended %llu events\n", static_cast<unsigned long long>(appended));
}

// ---- export --------------------------------------------------------------------------------------

struct ExportFlags {
  bool leaves = false;
  std::string format = "jsonl";
  std::string since;
  std::string until;
  uint64_t from = 0;
  uint64_t to = UINT64_MAX;
};

void RunExport(const AuditOptions& o, const ExportFlags& f) {
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o);
  if (f.leaves) {
    absl::Status s = log->ScanLeaves(f.from, f.to, [](const audit::StoredLeaf& l) {
      PrintLine(l.leaf);
      return absl::OkStatus();
    });
    if (!s.ok()) Fail(s);
    return;
  }
  absl::StatusOr<audit::SiemFormat> format = audit::ParseSiemFormat(f.format);
  if (!format.ok()) UsageError(std::string(format.status().message()));
  int64_t from_us = INT64_MIN;
  int64_t to_us = INT64_MAX;
  if (!f.since.empty()) {
    absl::StatusOr<int64_t> t = audit::ParseRfc3339Micros(f.since);
    if (!t.ok()) UsageError("--since: not an RFC 3339 time");
    from_us = *t;
  }
  if (!f.until.empty()) {
    absl::StatusOr<int64_t> t = audit::ParseRfc3339Micros(f.until);
    if (!t.ok()) UsageError("--until: not an RFC 3339 time");
    to_us = *t;
  }
  char host[256] = "-";
  if (::gethostname(host, sizeof host) != 0) std::strcpy(host, "-");
  absl::Status s = log->ScanLeavesByTime(from_us, to_us, [&](const audit::StoredLeaf& l) {
    absl::StatusOr<std::string> line = audit::FormatForSiem(l, *format, host);
    if (!line.ok()) return line.status();
    PrintLine(*line);
    return absl::OkStatus();
  });
  if (!s.ok()) Fail(s);
}

// ---- root, prove, checkpoint, verify -------------------------------------------------------------

void RunRoot(const AuditOptions& o, bool json) {
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o);
  absl::StatusOr<audit::TreeHead> head = log->Head();
  if (!head.ok()) Fail(head.status());
  if (json) {
    PrintLine(Json({{"size", head->size}, {"root", HexOf(head->root)}}).dump());
  } else {
    std::printf("size %llu\nroot %s\n", static_cast<unsigned long long>(head->size),
                HexOf(head->root).c_str());
  }
}

struct ProveFlags {
  std::optional<uint64_t> index;
  std::optional<uint64_t> size;
  std::optional<uint64_t> from;
  std::optional<uint64_t> to;
};

void RunProve(const AuditOptions& o, const ProveFlags& f) {
  if (f.index.has_value() == f.from.has_value()) {
    UsageError("audit prove: give --index (inclusion) or --from (consistency)");
  }
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o);
  absl::StatusOr<audit::TreeHead> head = log->Head();
  if (!head.ok()) Fail(head.status());
  if (f.index.has_value()) {
    const uint64_t size = f.size.value_or(head->size);
    absl::StatusOr<std::vector<audit::Hash>> proof = log->ProveInclusion(*f.index, size);
    if (!proof.ok()) Fail(proof.status());
    absl::StatusOr<audit::StoredLeaf> leaf = log->Leaf(*f.index);
    if (!leaf.ok()) Fail(leaf.status());
    absl::StatusOr<audit::Hash> root = log->RootAt(size);
    if (!root.ok()) Fail(root.status());
    PrintLine(Json({{"index", *f.index},
                    {"size", size},
                    {"leaf_hash", HexOf(audit::LeafHash(leaf->leaf))},
                    {"root", HexOf(*root)},
                    {"proof", HashList(*proof)}})
                  .dump());
    return;
  }
  const uint64_t to = f.to.value_or(head->size);
  absl::StatusOr<std::vector<audit::Hash>> proof = log->ProveConsistency(*f.from, to);
  if (!proof.ok()) Fail(proof.status());
  absl::StatusOr<audit::Hash> root1 = log->RootAt(*f.from);
  absl::StatusOr<audit::Hash> root2 = log->RootAt(to);
  if (!root1.ok()) Fail(root1.status());
  if (!root2.ok()) Fail(root2.status());
  PrintLine(Json({{"size1", *f.from},
                  {"size2", to},
                  {"root1", HexOf(*root1)},
                  {"root2", HexOf(*root2)},
                  {"proof", HashList(*proof)}})
                .dump());
}

Json CheckpointJson(const audit::Checkpoint& c) {
  return Json({{"size", c.size},
               {"root", HexOf(c.root)},
               {"time", audit::FormatRfc3339Micros(c.time_us)},
               {"public_key", HexOf(c.public_key)},
               {"signature", HexOf(c.signature)}});
}

void RunCheckpoint(const GlobalOptions& g, const AuditOptions& o, const SignFlags& sign) {
  CheckpointSigning signing(g, o, sign);
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o);
  absl::StatusOr<audit::Checkpoint> c = log->MakeCheckpoint(signing.signer());
  if (!c.ok()) Fail(c.status());
  PrintLine(CheckpointJson(*c).dump());
}

// Exit 0: intact; 1: tampering found (each finding printed with its position).
void RunVerify(const GlobalOptions& g, const AuditOptions& o, const std::string& public_key_hex,
               bool json, const SignFlags& sign) {
  std::vector<std::string> trusted;
  if (!public_key_hex.empty()) {
    std::optional<std::string> key = HexDecode(public_key_hex);
    if (!key.has_value() || key->size() != crypto::kEd25519PublicKeyBytes) {
      UsageError("--public-key: needs 64 hex characters (an Ed25519 public key)");
    }
    trusted.push_back(*std::move(key));
  } else if (!sign.sign_key.empty()) {
    // Public keys are public: any role on the keyring may list them.
    trusted = CheckpointSigning(g, o, sign).TrustedKeys();
  } else if (std::filesystem::exists(o.key_file)) {
    trusted.push_back(LoadAuditKeys(o.key_file).signer.PublicKey());
  }
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o);
  absl::StatusOr<audit::VerifyReport> r = log->Verify(trusted);
  if (!r.ok()) Fail(r.status());
  if (json) {
    Json findings = Json::array();
    for (const audit::VerifyFinding& f : r->findings) {
      findings.push_back({{"position", f.position}, {"problem", f.what}});
    }
    PrintLine(Json({{"ok", r->ok()},
                    {"entries", r->leaves},
                    {"root", HexOf(r->root)},
                    {"checkpoints_verified", r->checkpoints_ok},
                    {"pruned_before", r->pruned_before},
                    {"signatures_checked", r->signatures_checked},
                    {"findings", findings}})
                  .dump());
  } else {
    for (const audit::VerifyFinding& f : r->findings) {
      std::printf("TAMPERED at %llu: %s\n", static_cast<unsigned long long>(f.position),
                  f.what.c_str());
    }
    if (r->pruned_before > 0) {
      std::printf("entries below %llu removed by retention (%llu checkpoints before them)\n",
                  static_cast<unsigned long long>(r->pruned_before),
                  static_cast<unsigned long long>(r->checkpoints_pruned));
    }
    std::printf("%s: %llu entries, %llu checkpoints verified%s, root %s\n",
                r->ok() ? "OK" : "FAILED", static_cast<unsigned long long>(r->leaves),
                static_cast<unsigned long long>(r->checkpoints_ok),
                r->signatures_checked ? "" : " (signatures NOT checked: no public key)",
                HexOf(r->root).c_str());
  }
  if (!r->signatures_checked) {
    std::fprintf(stderr, "phiguard: warning: checkpoint signatures not checked; pass --public-key\n");
  }
  if (!r->ok()) throw CommandError{1, "audit log verification failed"};
}

// ---- retention ---------------------------------------------------------------------------------

void RunPrune(const AuditOptions& o, const std::string& before) {
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  int64_t before_us = now_us - int64_t{6} * 36525 * 86'400'000'000 / 100;
  if (!before.empty()) {
    absl::StatusOr<int64_t> t = audit::ParseRfc3339Micros(before);
    if (!t.ok()) UsageError("--before: not an RFC 3339 time");
    before_us = *t;
  }
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o);
  absl::StatusOr<uint64_t> boundary = log->Prune(before_us, now_us);
  if (!boundary.ok()) Fail(boundary.status());
  PrintLine(Json({{"pruned_before", *boundary}}).dump());
}

// ---- accounting of disclosures (164.528) ---------------------------------------------------------

// The patient identifier is read from stdin, never argv, where `ps` and shell history would keep it.
void RunAccounting(const AuditOptions& o, int years, bool json) {
  std::string patient;
  char buf[512];
  if (std::fgets(buf, sizeof buf, stdin) != nullptr) patient = buf;
  while (!patient.empty() && (patient.back() == '\n' || patient.back() == '\r')) patient.pop_back();
  if (patient.empty()) UsageError("audit accounting: give the patient identifier on stdin");
  std::unique_ptr<audit::AuditLog> log = OpenAuditLog(o);
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  absl::StatusOr<std::vector<audit::Disclosure>> rows = audit::AccountingOfDisclosures(
      *log, patient, now_us - int64_t{years} * 365 * 24 * 3600 * 1'000'000 - 2 * 86'400'000'000,
      now_us);
  if (!rows.ok()) Fail(rows.status());
  Json out = Json::array();
  for (const audit::Disclosure& d : *rows) {
    out.push_back({{"date", d.date},
                   {"recipient", d.recipient},
                   {"description", d.description},
                   {"purpose", d.purpose},
                   {"seq", d.seq}});
  }
  if (json) {
    PrintLine(out.dump());
    return;
  }
  std::printf("Accounting of disclosures (45 CFR 164.528), last %d years: %zu\n", years, rows->size());
  for (const audit::Disclosure& d : *rows) {
    std::printf("%s  to %s  purpose %s  %s  [entry %llu]\n", d.date.c_str(), d.recipient.c_str(),
                d.purpose.c_str(), d.description.c_str(), static_cast<unsigned long long>(d.seq));
  }
}

}  // namespace

void RegisterAudit(CLI::App& app, const GlobalOptions& global) {
  CLI::App* audit = app.add_subcommand(
      "audit", "Tamper-evident audit log of PHI access (RFC 6962 Merkle tree, signed checkpoints)");
  audit->require_subcommand(1);
  auto opts = std::make_shared<AuditOptions>();

  CLI::App* init = audit->add_subcommand("init", "Create the audit key (if missing) and store");
  AddAuditOptions(*init, *opts);
  init->callback([&global, opts] { RunInit(ResolveAudit(global, *opts)); });

  auto input = std::make_shared<std::string>("-");
  auto every = std::make_shared<uint64_t>(0);
  CLI::App* append = audit->add_subcommand(
      "append", "Append events (JSON lines) durably; prints {\"seq\":N} per event once durable");
  AddAuditOptions(*append, *opts);
  append->add_option("input", *input, "JSONL file of events (default: stdin)");
  append->add_option("--checkpoint-every", *every,
                     "Sign a checkpoint after each batch that takes the log past a multiple of N entries");
  auto sign = std::make_shared<SignFlags>();
  AddSignFlags(*append, *sign);
  append->callback([&global, opts, input, every, sign] {
    RunAppend(global, ResolveAudit(global, *opts), *input, *every, *sign);
  });

  auto ex = std::make_shared<ExportFlags>();
  CLI::App* exp = audit->add_subcommand(
      "export", "Export entries: --leaves (exact hashed bytes) or for a SIEM (jsonl, syslog)");
  AddAuditOptions(*exp, *opts);
  exp->add_flag("--leaves", ex->leaves, "One line per entry: exactly the bytes hashed as the leaf");
  exp->add_option("--from", ex->from, "With --leaves: first entry");
  exp->add_option("--to", ex->to, "With --leaves: end entry (exclusive)");
  exp->add_option("--format", ex->format, "SIEM format: jsonl or syslog (RFC 5424)")
      ->capture_default_str();
  exp->add_option("--since", ex->since, "Entries at or after this RFC 3339 time");
  exp->add_option("--until", ex->until, "Entries before this RFC 3339 time");
  exp->callback([&global, opts, ex] { RunExport(ResolveAudit(global, *opts), *ex); });

  auto json = std::make_shared<bool>(false);
  CLI::App* root = audit->add_subcommand("root", "Print the tree size and root hash");
  AddAuditOptions(*root, *opts);
  root->add_flag("--json", *json, "Print {\"size\": N, \"root\": \"<hex>\"}");
  root->callback([&global, opts, json] { RunRoot(ResolveAudit(global, *opts), *json); });

  auto pf = std::make_shared<ProveFlags>();
  CLI::App* prove = audit->add_subcommand(
      "prove", "Inclusion proof (--index I [--size N]) or consistency proof (--from N1 [--to N2])");
  AddAuditOptions(*prove, *opts);
  prove->add_option("--index", pf->index, "Entry to prove");
  prove->add_option("--size", pf->size, "Tree size to prove against (default: current)");
  prove->add_option("--from", pf->from, "Older tree size");
  prove->add_option("--to", pf->to, "Newer tree size (default: current)");
  prove->callback([&global, opts, pf] { RunProve(ResolveAudit(global, *opts), *pf); });

  CLI::App* cp = audit->add_subcommand("checkpoint", "Sign the current tree head (Ed25519)");
  AddAuditOptions(*cp, *opts);
  AddSignFlags(*cp, *sign);
  cp->callback([&global, opts, sign] { RunCheckpoint(global, ResolveAudit(global, *opts), *sign); });

  auto pk = std::make_shared<std::string>();
  CLI::App* verify = audit->add_subcommand(
      "verify", "Recompute the tree from storage and check every checkpoint; exit 1 if tampered");
  AddAuditOptions(*verify, *opts);
  verify->add_option("--public-key", *pk, "Trusted checkpoint key (hex; default: from the key file)");
  verify->add_flag("--json", *json, "Machine-readable report");
  AddSignFlags(*verify, *sign);
  verify->callback([&global, opts, pk, json, sign] {
    RunVerify(global, ResolveAudit(global, *opts), *pk, *json, *sign);
  });

  auto before = std::make_shared<std::string>();
  CLI::App* prune = audit->add_subcommand(
      "prune",
      "Retention: delete entries older than --before (default and minimum: six years ago,\n"
      "45 CFR 164.316(b)(2)); proofs and checkpoints of the entries kept stay valid, and the\n"
      "prune is itself logged. Example:\n  phiguard audit prune --before 2019-01-01T00:00:00Z");
  AddAuditOptions(*prune, *opts);
  prune->add_option("--before", *before, "RFC 3339 cut-off (at least six years ago)");
  prune->callback([&global, opts, before] { RunPrune(ResolveAudit(global, *opts), *before); });

  auto years = std::make_shared<int>(6);
  CLI::App* acct = audit->add_subcommand(
      "accounting",
      "Accounting of disclosures for one patient (45 CFR 164.528); the patient identifier is\n"
      "read from stdin (never argv) and pseudonymised before lookup.\n"
      "Example:\n  echo MRN-1 | phiguard audit accounting");
  AddAuditOptions(*acct, *opts);
  acct->add_option("--years", *years, "How far back")->capture_default_str()->check(CLI::Range(1, 50));
  acct->add_flag("--json", *json, "JSON array");
  acct->callback([&global, opts, years, json] {
    RunAccounting(ResolveAudit(global, *opts), *years, *json);
  });
  RegisterAuditWatch(*audit, global);
}

}  // namespace phiguard::cli
