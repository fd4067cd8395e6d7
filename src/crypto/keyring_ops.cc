// The keyring's cryptographic operations (crypto-user duties): messages, MACs, signatures, data
// keys and streams. Lifecycle and custodian duties are in keyring.cc.
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "crypto/internal/keyring_impl.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/aead.h"
#include "phiguard/crypto/ciphertext_format.h"
#include "phiguard/crypto/data_key_cipher.h"
#include "phiguard/crypto/ed25519.h"
#include "phiguard/crypto/hmac.h"
#include "phiguard/crypto/keyring.h"
#include "phiguard/crypto/stream.h"

namespace phiguard::crypto {
namespace {

using internal::KeyRecord;

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  return out;
}

// Wipes a string holding plaintext or key bytes when it goes out of scope.
struct Wiped {
  std::string value;
  ~Wiped() { OPENSSL_cleanse(value.data(), value.size()); }
};

// header | nonce | AES-GCM(plaintext, aad = header | aad).
absl::StatusOr<std::string> SealMessage(CiphertextKind kind, std::string_view name, uint32_t version,
                                        const SecretKey& key, std::string_view plaintext,
                                        std::string_view aad) {
  CiphertextHeader h;
  h.kind = kind;
  h.key_name = std::string(name);
  h.key_version = version;
  std::string out = SerializeHeader(h);
  auto nonce = RandomBytes(kGcmNonceBytes);
  if (!nonce.ok()) return nonce.status();
  auto sealed = AesGcmSeal(key.RawBytesForCrypto(), *nonce, plaintext, Cat(out, aad));
  if (!sealed.ok()) return sealed.status();
  out += *nonce;
  out += *sealed;
  return out;
}

absl::Status WrongKind(CiphertextKind got) {
  switch (got) {
    case CiphertextKind::kStream:
      return absl::InvalidArgumentError("this is a stream ciphertext (decrypt it as a file/stream)");
    case CiphertextKind::kWrappedDataKey:
      return absl::InvalidArgumentError("this is a wrapped data key (unwrap it as a data key)");
    case CiphertextKind::kMessage:
      return absl::InvalidArgumentError("this is a message ciphertext, not a stream or data key");
  }
  return absl::InvalidArgumentError("unexpected ciphertext kind");
}

// InvalidArgument for a message that Mac would turn into a DeriveKey result.
absl::Status RefuseReservedMessage(std::string_view message) {
  if (message.substr(0, kDerivedKeyPrefix.size()) == kDerivedKeyPrefix) {
    return absl::InvalidArgumentError(Cat("messages starting with \"", kDerivedKeyPrefix, "\" are reserved for derived keys"));
  }
  return absl::OkStatus();
}

// Checks the seal, that key `name` exists with one of the two purposes, and that the caller is
// its user. Returns the key.
absl::StatusOr<KeyRecord*> UsableKey(Keyring::Op& op, std::string_view name, KeyPurpose a, KeyPurpose b) {
  if (absl::Status s = op.CheckUnsealed(); !s.ok()) return s;
  auto k = op.FindKey(name);
  if (!k.ok()) return k.status();
  if (absl::Status s = op.RequireRole(Role::kUser, name); !s.ok()) return s;
  if (absl::Status s = op.RequirePurpose(**k, a, b); !s.ok()) return s;
  return *k;
}

// Checks that the caller may use the key named in `header` for decryption and returns the key
// record and the version's material.
absl::StatusOr<std::pair<KeyRecord*, const SecretKey*>> KeyForDecryption(Keyring::Op& op,
                                                                         const CiphertextHeader& h) {
  op.event.key = h.key_name;
  op.event.key_version = h.key_version;
  auto key = op.FindKey(h.key_name);
  if (!key.ok()) return key.status();
  if (absl::Status s = op.RequireRole(Role::kUser, h.key_name); !s.ok()) return s;
  const KeyPurpose want = h.kind == CiphertextKind::kMessage ? KeyPurpose::kAead : KeyPurpose::kDataKey;
  if (absl::Status s = op.RequirePurpose(**key, want, KeyPurpose::kAead); !s.ok()) return s;
  auto material = op.DecryptionKey(**key, h.key_version);
  if (!material.ok()) return material.status();
  return std::make_pair(*key, *material);
}

// Opens a kind-1 or kind-3 ciphertext. Returns the header and the plaintext.
absl::StatusOr<std::pair<CiphertextHeader, std::string>> OpenMessage(Keyring::Op& op,
                                                                     std::string_view ciphertext,
                                                                     std::string_view aad,
                                                                     bool allow_message,
                                                                     bool allow_data_key) {
  auto parsed = ParseHeader(ciphertext);
  if (!parsed.ok()) return parsed.status();
  const CiphertextHeader& h = parsed->header;
  if ((h.kind == CiphertextKind::kMessage && !allow_message) ||
      (h.kind == CiphertextKind::kWrappedDataKey && !allow_data_key) || h.kind == CiphertextKind::kStream) {
    return WrongKind(h.kind);
  }
  auto key = KeyForDecryption(op, h);
  if (!key.ok()) return key.status();
  const std::string_view header = ciphertext.substr(0, parsed->header_bytes);
  const std::string_view body = ciphertext.substr(parsed->header_bytes);
  if (body.size() < kGcmNonceBytes + kGcmTagBytes) return absl::DataLossError("ciphertext is truncated");
  auto plain = AesGcmOpen(key->second->RawBytesForCrypto(), body.substr(0, kGcmNonceBytes),
                          body.substr(kGcmNonceBytes), Cat(header, aad));
  if (!plain.ok()) return plain.status();
  return std::make_pair(h, *std::move(plain));
}

// Reads the header of a stream from `in`, and not a byte more, so the body starts where `in` is
// left: the header's own length fields say how far to read (no allocation, no read-ahead copy).
// A short or malformed header gets ParseHeader's error.
absl::StatusOr<ParsedHeader> ReadStreamHeader(std::istream& in) {
  char buf[kMaxHeaderBytes];
  size_t have = 0;
  auto read_to = [&](size_t want) {
    in.read(buf + have, static_cast<std::streamsize>(want - have));
    have += static_cast<size_t>(in.gcount());
    return have == want;
  };
  auto byte = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(buf[i])); };
  const size_t fixed = kCiphertextMagic.size() + 3;  // magic, format, kind, key name length
  if (read_to(fixed) && byte(fixed - 1) <= kMaxKeyNameBytes) {
    const size_t to_wrapped = fixed + byte(fixed - 1) + 4 + 4 + kStreamNoncePrefixBytes + 2;
    if (read_to(to_wrapped)) {
      const size_t wrapped = byte(to_wrapped - 2) << 8 | byte(to_wrapped - 1);
      if (wrapped <= kMaxHeaderBytes - to_wrapped) read_to(to_wrapped + wrapped);
    }
  }
  if (in.bad()) return absl::UnavailableError("cannot read the input");
  auto parsed = ParseHeader(std::string_view(buf, have));
  if (!parsed.ok()) return parsed.status();
  if (parsed->header.kind != CiphertextKind::kStream) return WrongKind(parsed->header.kind);
  return parsed;
}

// The data key of a stream header, unwrapped with `kek` (version h.key_version of key h.key_name).
absl::StatusOr<SecretKey> UnwrapStreamKey(Keyring::Op& op, const CiphertextHeader& h, const SecretKey& kek) {
  const std::string& w = h.wrapped_data_key;
  if (w.size() != kGcmNonceBytes + 32 + kGcmTagBytes) return absl::DataLossError("wrapped data key has the wrong size");
  auto cipher = op.KeyCipher(h.key_name, h.key_version, kek);
  if (!cipher.ok()) return cipher.status();
  Wiped raw{std::string(32, '\0')};
  if (absl::Status s = (*cipher)->OpenInto(std::string_view(w).substr(0, kGcmNonceBytes),
                                           std::string_view(w).substr(kGcmNonceBytes), StreamHeaderBinding(h),
                                           raw.value.data());
      !s.ok()) {
    return s;
  }
  return SecretKey::FromBytes(raw.value);
}

// Fills in `h.wrapped_data_key`: `data_key` sealed under `kek` (the material of h.key_version)
// with the 12-byte `nonce`, bound to the rest of the header.
absl::Status WrapStreamKey(Keyring::Op& op, CiphertextHeader& h, const SecretKey& kek, const SecretKey& data_key,
                           std::string_view nonce) {
  auto cipher = op.KeyCipher(h.key_name, h.key_version, kek);
  if (!cipher.ok()) return cipher.status();
  const std::string_view dk = data_key.RawBytesForCrypto();
  std::string wrapped(kGcmNonceBytes + dk.size() + kGcmTagBytes, '\0');
  std::copy(nonce.begin(), nonce.end(), wrapped.begin());
  if (absl::Status s = (*cipher)->SealInto(nonce, dk, StreamHeaderBinding(h), wrapped.data() + kGcmNonceBytes);
      !s.ok()) {
    return s;
  }
  h.wrapped_data_key = std::move(wrapped);
  return absl::OkStatus();
}

// Bumped in a forked child, so a RandomPool never hands out bytes its parent also holds.
std::atomic<uint64_t> fork_generation{1};

void RegisterForkHandler() {
  static const bool registered = [] {
    return ::pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1, std::memory_order_relaxed); }) == 0;
  }();
  (void)registered;
}

}  // namespace

RandomPool::~RandomPool() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

absl::Status RandomPool::Take(char* out, size_t n) {
  RegisterForkHandler();
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (generation != fork_generation_) {
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
    next_ = bytes_.size();
    fork_generation_ = generation;
  }
  if (n > bytes_.size()) return absl::InvalidArgumentError("too many random bytes at once");
  if (bytes_.size() - next_ < n) {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes_.data()), static_cast<int>(bytes_.size())) != 1) {
      return absl::InternalError("RAND_bytes failed");
    }
    next_ = 0;
  }
  std::memcpy(out, bytes_.data() + next_, n);
  OPENSSL_cleanse(bytes_.data() + next_, n);
  next_ += n;
  return absl::OkStatus();
}

absl::StatusOr<DataKeyCipher*> Keyring::Op::KeyCipher(const std::string& name, uint32_t version,
                                                      const SecretKey& material) {
  auto& cache = kr.material_->key_ciphers;
  auto it = cache.find(std::make_pair(name, version));
  if (it != cache.end()) return it->second.get();
  auto cipher = DataKeyCipher::Create(material);
  if (!cipher.ok()) return cipher.status();
  return cache.emplace(std::make_pair(name, version), *std::move(cipher)).first->second.get();
}

absl::StatusOr<std::unique_ptr<StreamWorkspace>> Keyring::Op::TakeWorkspace(const SecretKey& data_key) {
  auto& idle = kr.material_->idle_workspaces;
  if (!idle.empty()) {
    std::unique_ptr<StreamWorkspace> w = std::move(idle.back());
    idle.pop_back();
    if (absl::Status s = w->cipher->Rekey(data_key); !s.ok()) return s;
    return w;
  }
  auto cipher = DataKeyCipher::Create(data_key);
  if (!cipher.ok()) return cipher.status();
  auto w = std::make_unique<StreamWorkspace>();
  w->cipher = *std::move(cipher);
  return w;
}

void Keyring::Op::ReturnWorkspace(std::unique_ptr<StreamWorkspace> workspace) {
  constexpr size_t kMaxIdle = 4;
  if (workspace == nullptr) return;
  // The cipher keeps the object's key schedule until the next object re-keys it or the keyring
  // is sealed (or a key version destroyed): overwriting it here cost a second key schedule per
  // object (~0.2 us) and protected nothing the resident key-encryption keys, which unwrap every
  // data key, do not already expose to whoever can read this process's memory.
  if (kr.material_ != nullptr && kr.material_->idle_workspaces.size() < kMaxIdle) {
    kr.material_->idle_workspaces.push_back(std::move(workspace));
  }
}

absl::StatusOr<std::string> Keyring::Encrypt(std::string_view caller, std::string_view key,
                                             std::string_view plaintext, std::string_view aad,
                                             std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "encrypt", key, object_id);
  auto run = [&]() -> absl::StatusOr<std::string> {
    auto k = UsableKey(op, key, KeyPurpose::kAead, KeyPurpose::kAead);
    if (!k.ok()) return k.status();
    auto material = op.EncryptionKey(**k);
    if (!material.ok()) return material.status();
    return SealMessage(CiphertextKind::kMessage, key, material->first, *material->second, plaintext, aad);
  };
  auto out = run();
  if (absl::Status s = op.Finish(out.status()); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::string> Keyring::Decrypt(std::string_view caller, std::string_view ciphertext,
                                             std::string_view aad, std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "decrypt", "", object_id);
  auto opened = [&]() -> absl::StatusOr<std::pair<CiphertextHeader, std::string>> {
    if (absl::Status s = op.CheckUnsealed(); !s.ok()) return s;
    return OpenMessage(op, ciphertext, aad, true, false);
  }();
  if (absl::Status s = op.Finish(opened.status()); !s.ok()) {
    if (opened.ok()) OPENSSL_cleanse(opened->second.data(), opened->second.size());
    return s;
  }
  return std::move(opened->second);
}

absl::StatusOr<std::string> Keyring::Rewrap(std::string_view caller, std::string_view ciphertext,
                                            std::string_view aad, std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "rewrap", "", object_id);
  auto run = [&]() -> absl::StatusOr<std::string> {
    if (absl::Status s = op.CheckUnsealed(); !s.ok()) return s;
    auto opened = OpenMessage(op, ciphertext, aad, true, true);
    if (!opened.ok()) return opened.status();
    Wiped plain{std::move(opened->second)};
    const uint32_t from = opened->first.key_version;
    auto material = op.EncryptionKey(**op.FindKey(opened->first.key_name));
    if (!material.ok()) return material.status();
    op.event.detail = Cat("from version ", from);
    return SealMessage(opened->first.kind, opened->first.key_name, material->first, *material->second,
                       plain.value, aad);
  };
  auto out = run();
  if (absl::Status s = op.Finish(out.status()); !s.ok()) return s;
  return out;
}

absl::StatusOr<KeyedResult> Keyring::Mac(std::string_view caller, std::string_view key,
                                         std::string_view message, std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "mac", key, object_id);
  auto run = [&]() -> absl::StatusOr<KeyedResult> {
    if (absl::Status s = RefuseReservedMessage(message); !s.ok()) return s;
    auto k = UsableKey(op, key, KeyPurpose::kMac, KeyPurpose::kMac);
    if (!k.ok()) return k.status();
    const uint32_t v = (*k)->primary();
    auto material = op.DecryptionKey(**k, v);
    if (!material.ok()) return material.status();
    Sha256Digest d = HmacSha256(**material, message);
    return KeyedResult{v, std::string(reinterpret_cast<const char*>(d.data()), d.size())};
  };
  auto out = run();
  if (absl::Status s = op.Finish(out.status()); !s.ok()) return s;
  return out;
}

absl::Status Keyring::VerifyMac(std::string_view caller, std::string_view key, uint32_t version,
                                std::string_view message, std::string_view tag,
                                std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "verify_mac", key, object_id);
  auto run = [&]() -> absl::Status {
    if (absl::Status s = RefuseReservedMessage(message); !s.ok()) return s;
    auto k = UsableKey(op, key, KeyPurpose::kMac, KeyPurpose::kMac);
    if (!k.ok()) return k.status();
    auto material = op.DecryptionKey(**k, version);
    if (!material.ok()) return material.status();
    Sha256Digest d = HmacSha256(**material, message);
    if (tag.size() != d.size() || CRYPTO_memcmp(tag.data(), d.data(), d.size()) != 0) {
      return absl::DataLossError("MAC does not verify");
    }
    return absl::OkStatus();
  };
  return op.Finish(run());
}

absl::StatusOr<DerivedKey> Keyring::DeriveKey(std::string_view caller, std::string_view key, uint32_t version,
                                              std::string_view label, std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "derive_key", key, object_id);
  op.event.detail = std::string(label.substr(0, 64));
  auto run = [&]() -> absl::StatusOr<DerivedKey> {
    if (label.empty()) return absl::InvalidArgumentError("a derived key needs a label");
    auto k = UsableKey(op, key, KeyPurpose::kMac, KeyPurpose::kMac);
    if (!k.ok()) return k.status();
    const uint32_t v = version == 0 ? (*k)->primary() : version;
    auto material = op.DecryptionKey(**k, v);
    if (!material.ok()) return material.status();
    // SecretKey::Derive MACs "phiguard/" + its label, so this MACs kDerivedKeyPrefix + label.
    return DerivedKey{v, (*material)->Derive(Cat("derive/", label))};
  };
  auto out = run();
  if (absl::Status s = op.Finish(out.status()); !s.ok()) return s;
  return out;
}

absl::StatusOr<KeyedResult> Keyring::Sign(std::string_view caller, std::string_view key,
                                          std::string_view message, std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "sign", key, object_id);
  auto run = [&]() -> absl::StatusOr<KeyedResult> {
    auto k = UsableKey(op, key, KeyPurpose::kSign, KeyPurpose::kSign);
    if (!k.ok()) return k.status();
    const uint32_t v = (*k)->primary();
    auto material = op.DecryptionKey(**k, v);
    if (!material.ok()) return material.status();
    auto signer = Ed25519Signer::FromSeed(**material);
    if (!signer.ok()) return signer.status();
    auto sig = signer->Sign(message);
    if (!sig.ok()) return sig.status();
    return KeyedResult{v, *std::move(sig)};
  };
  auto out = run();
  if (absl::Status s = op.Finish(out.status()); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::string> Keyring::PublicKey(std::string_view caller, std::string_view key,
                                               uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "public_key", key, "");
  op.event.key_version = version;
  auto run = [&]() -> absl::StatusOr<std::string> {
    if (absl::Status s = op.CheckUnsealed(); !s.ok()) return s;
    if (!op.HasAnyRole(caller)) return absl::PermissionDeniedError(Cat(caller, " holds no role"));
    auto k = op.FindKey(key);
    if (!k.ok()) return k.status();
    if (absl::Status s = op.RequirePurpose(**k, KeyPurpose::kSign, KeyPurpose::kSign); !s.ok()) return s;
    internal::VersionRecord* v = (*k)->Find(version);
    if (v == nullptr) return absl::NotFoundError(Cat("key ", key, " has no version ", version));
    return v->public_key;
  };
  auto out = run();
  if (absl::Status s = op.Finish(out.status()); !s.ok()) return s;
  return out;
}

absl::StatusOr<DataKey> Keyring::GenerateDataKey(std::string_view caller, std::string_view key,
                                                 std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "generate_data_key", key, object_id);
  auto run = [&]() -> absl::StatusOr<DataKey> {
    auto k = UsableKey(op, key, KeyPurpose::kDataKey, KeyPurpose::kAead);
    if (!k.ok()) return k.status();
    auto data_key = SecretKey::Generate();
    if (!data_key.ok()) return data_key.status();
    auto material = op.EncryptionKey(**k);
    if (!material.ok()) return material.status();
    auto wrapped = SealMessage(CiphertextKind::kWrappedDataKey, key, material->first, *material->second,
                               data_key->RawBytesForCrypto(), "");
    if (!wrapped.ok()) return wrapped.status();
    return DataKey{*std::move(data_key), *std::move(wrapped), material->first};
  };
  auto out = run();
  if (absl::Status s = op.Finish(out.status()); !s.ok()) return s;
  return out;
}

absl::StatusOr<SecretKey> Keyring::UnwrapDataKey(std::string_view caller, std::string_view wrapped,
                                                 std::string_view object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Op op(*this, caller, "unwrap_data_key", "", object_id);
  auto run = [&]() -> absl::StatusOr<SecretKey> {
    if (absl::Status s = op.CheckUnsealed(); !s.ok()) return s;
    auto opened = OpenMessage(op, wrapped, "", false, true);
    if (!opened.ok()) return opened.status();
    auto key = SecretKey::FromBytes(std::move(opened->second));
    if (!key.ok()) return absl::DataLossError("wrapped data key has the wrong size");
    return key;
  };
  auto out = run();
  if (absl::Status s = op.Finish(out.status()); !s.ok()) return s;
  return out;
}

absl::Status Keyring::EncryptStream(std::string_view caller, std::string_view key,
                                    std::string_view object_id, std::istream& in, std::ostream& out) {
  std::unique_lock<std::mutex> lock(mu_);
  Op op(*this, caller, "encrypt_stream", key, object_id);
  CiphertextHeader h;
  std::unique_ptr<StreamWorkspace> work;
  absl::Status s = [&]() -> absl::Status {
    auto k = UsableKey(op, key, KeyPurpose::kDataKey, KeyPurpose::kAead);
    if (!k.ok()) return k.status();
    // One draw: the data key | the chunks' nonce prefix | the nonce of the data key's wrap.
    Wiped random{std::string(32 + kStreamNoncePrefixBytes + kGcmNonceBytes, '\0')};
    if (absl::Status s = material_->random.Take(random.value.data(), random.value.size()); !s.ok()) return s;
    auto data_key = SecretKey::FromBytes(random.value.substr(0, 32));
    if (!data_key.ok()) return data_key.status();
    auto material = op.EncryptionKey(**k);
    if (!material.ok()) return material.status();
    h.kind = CiphertextKind::kStream;
    h.key_name = std::string(key);
    h.key_version = material->first;
    h.chunk_bytes = options_.stream_chunk_bytes;
    h.nonce_prefix = random.value.substr(32, kStreamNoncePrefixBytes);
    const std::string_view wrap_nonce = std::string_view(random.value).substr(32 + kStreamNoncePrefixBytes);
    if (absl::Status s = WrapStreamKey(op, h, *material->second, *data_key, wrap_nonce); !s.ok()) return s;
    auto w = op.TakeWorkspace(*data_key);
    if (!w.ok()) return w.status();
    work = *std::move(w);
    return absl::OkStatus();
  }();
  if (!s.ok()) return op.Finish(s);
  lock.unlock();  // the chunks need no keyring state
  const std::string header = SerializeHeader(h);
  if (!out.write(header.data(), static_cast<std::streamsize>(header.size()))) {
    s = absl::UnavailableError("cannot write the output");
  } else {
    s = SealStream(*work->cipher, h.nonce_prefix, h.chunk_bytes, in, out, work->scratch);
  }
  lock.lock();
  op.ReturnWorkspace(std::move(work));
  return op.Finish(s);
}

absl::Status Keyring::DecryptStream(std::string_view caller, std::string_view object_id,
                                    std::istream& in, std::ostream& out) {
  std::unique_lock<std::mutex> lock(mu_);
  Op op(*this, caller, "decrypt_stream", "", object_id);
  CiphertextHeader h;
  std::unique_ptr<StreamWorkspace> work;
  absl::Status s = [&]() -> absl::Status {
    if (absl::Status s = op.CheckUnsealed(); !s.ok()) return s;
    auto parsed = ReadStreamHeader(in);
    if (!parsed.ok()) return parsed.status();
    h = std::move(parsed->header);
    auto key = KeyForDecryption(op, h);
    if (!key.ok()) return key.status();
    auto data_key = UnwrapStreamKey(op, h, *key->second);
    if (!data_key.ok()) return data_key.status();
    auto w = op.TakeWorkspace(*data_key);
    if (!w.ok()) return w.status();
    work = *std::move(w);
    return absl::OkStatus();
  }();
  // Recorded before any plaintext is released.
  if (absl::Status r = op.Finish(s); !r.ok()) {
    op.ReturnWorkspace(std::move(work));
    return r;
  }
  lock.unlock();
  s = OpenStream(*work->cipher, h.nonce_prefix, h.chunk_bytes, in, out, work->scratch);
  lock.lock();
  op.ReturnWorkspace(std::move(work));
  if (s.ok()) return s;
  Op failed(*this, caller, "decrypt_stream", h.key_name, object_id);
  failed.event.key_version = h.key_version;
  failed.event.detail = "stream body failed; partial output must be discarded";
  return failed.Finish(s);
}

absl::Status Keyring::RewrapStream(std::string_view caller, std::string_view object_id,
                                   std::istream& in, std::ostream& out) {
  std::unique_lock<std::mutex> lock(mu_);
  Op op(*this, caller, "rewrap_stream", "", object_id);
  std::string header;
  absl::Status s = [&]() -> absl::Status {
    if (absl::Status s = op.CheckUnsealed(); !s.ok()) return s;
    auto parsed = ReadStreamHeader(in);
    if (!parsed.ok()) return parsed.status();
    CiphertextHeader h = std::move(parsed->header);
    auto key = KeyForDecryption(op, h);
    if (!key.ok()) return key.status();
    auto data_key = UnwrapStreamKey(op, h, *key->second);
    if (!data_key.ok()) return data_key.status();
    op.event.detail = Cat("from version ", h.key_version);
    auto material = op.EncryptionKey(*key->first);
    if (!material.ok()) return material.status();
    h.key_version = material->first;
    char nonce[kGcmNonceBytes];
    if (absl::Status s = material_->random.Take(nonce, sizeof(nonce)); !s.ok()) return s;
    if (absl::Status s = WrapStreamKey(op, h, *material->second, *data_key, std::string_view(nonce, sizeof(nonce)));
        !s.ok()) {
      return s;
    }
    header = SerializeHeader(h);
    return absl::OkStatus();
  }();
  if (!s.ok()) return op.Finish(s);
  lock.unlock();
  // The chunks do not depend on the key-encryption key: copy them unchanged.
  bool ok = static_cast<bool>(out.write(header.data(), static_cast<std::streamsize>(header.size())));
  std::string buf(1 << 16, '\0');
  while (ok && in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    ok = !in.bad() && static_cast<bool>(out.write(buf.data(), in.gcount()));
  }
  ok = ok && static_cast<bool>(out.flush());
  lock.lock();
  return op.Finish(ok ? absl::OkStatus() : absl::UnavailableError("cannot copy the stream"));
}

}  // namespace phiguard::crypto
