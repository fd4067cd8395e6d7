// Fuzzes the parsers in front of every decryption: the ciphertext header (round-trip property:
// whatever parses re-serializes to the same bytes), keyring Decrypt/Rewrap/UnwrapDataKey and
// DecryptStream on arbitrary bytes (must fail cleanly, never crash or release plaintext of a
// forgery), and Shamir share parsing.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "phiguard/crypto/ciphertext_format.h"
#include "phiguard/crypto/crypto_audit.h"
#include "phiguard/crypto/key_store.h"
#include "phiguard/crypto/keyring.h"
#include "phiguard/crypto/shamir.h"

using namespace phiguard::crypto;

namespace {

class MemoryKeyStore : public KeyStore {
 public:
  absl::StatusOr<std::optional<std::string>> Load() override { return blob_; }
  absl::Status Save(const std::optional<std::string>& expected, std::string_view blob) override {
    if (expected != blob_) return absl::AbortedError("changed");
    blob_ = std::string(blob);
    return absl::OkStatus();
  }
  std::string Describe() const override { return "memory"; }

 private:
  std::optional<std::string> blob_;
};

class NullSink : public CryptoAuditSink {
 public:
  absl::Status Record(const CryptoEvent&) override { return absl::OkStatus(); }
};

Keyring& FuzzKeyring() {
  static NullSink* sink = new NullSink();
  static Keyring* kr = [] {
    auto root = SecretKey::FromBytes(std::string(32, 'r'));
    auto k = Keyring::InitWithRootKey(std::make_unique<MemoryKeyStore>(), *sink, "c", *root);
    if (!k.ok()) std::abort();
    // Names that the seed corpus uses, so mutations reach the authentication step.
    (void)(*k)->CreateKey("c", "notes", KeyPurpose::kAead);
    (void)(*k)->CreateKey("c", "blobs", KeyPurpose::kDataKey);
    (void)(*k)->Grant("c", {"u", Role::kUser, "*"});
    return k->release();
  }();
  return *kr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseHeader(in);
  if (parsed.ok()) {
    if (SerializeHeader(parsed->header) != in.substr(0, parsed->header_bytes)) std::abort();
  }
  Keyring& kr = FuzzKeyring();
  // Only the genuine key can authenticate: a forgery must never decrypt.
  if (kr.Decrypt("u", in, "", "fuzz").ok()) std::abort();
  if (kr.UnwrapDataKey("u", in, "fuzz").ok()) std::abort();
  (void)kr.Rewrap("u", in, "", "fuzz");
  std::istringstream stream{std::string(in)};
  std::ostringstream out;
  if (kr.DecryptStream("u", "fuzz", stream, out).ok()) std::abort();
  (void)ParseShareInfo(in);
  return 0;
}
