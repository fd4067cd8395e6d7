// Opening the keyring from a command: the caller's identity and its API token, how the root is
// unsealed, and the crypto audit sink. Shared by `phiguard keys|encrypt|decrypt|...` (cli/keys_cmds.cc) and by
// `phiguard audit` when checkpoints are signed with a keyring key.
#pragma once

#include <memory>
#include <string>

#include "commands.h"
#include "phiguard/crypto/crypto_audit.h"
#include "phiguard/crypto/keyring.h"

namespace phiguard::cli {

// Options shared by every command that uses the keyring.
struct KeyOptions {
  std::string identity;         // --as
  std::string unseal_key_file;  // --unseal-key-file
  std::string token_file;       // --token-file (else $PHIGUARD_TOKEN_FILE, else $PHIGUARD_TOKEN)
};

// The caller: --as, else $PHIGUARD_IDENTITY, else $USER; a usage error if none.
std::string Identity(const KeyOptions& o);

// Adds --as, --token-file and --unseal-key-file to `cmd`. The token itself is never an argument.
void AddKeyOptions(CLI::App* cmd, KeyOptions& o);

struct OpenedKeyring {
  // Records each crypto event in <home>/crypto-audit.jsonl and, once `phiguard audit init` ran,
  // in the tamper-evident audit log (through its own AuditLog instance).
  std::unique_ptr<crypto::CryptoAuditSink> sink;
  std::unique_ptr<crypto::Keyring> keyring;
  std::string identity;
};

// Opens the keyring under --home and, if `unseal`, unseals it from the key file or the live
// unseal session and authenticates the caller with its token (required when the keyring requires
// tokens or the identity holds one; without a token an identity is only asserted, and a warning
// says so); Fail()s with the reason otherwise.
// `for_rotation`: the command is `keys token rotate`, which a provisional token (issued by
// someone else) may run.
OpenedKeyring OpenKeyring(const GlobalOptions& g, const KeyOptions& o, bool unseal, bool for_rotation = false);

}  // namespace phiguard::cli
