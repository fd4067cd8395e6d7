// Encryption throughput of phiguard next to raw OpenSSL EVP AES-256-GCM, in the same run, for
// 1 KiB, 64 KiB, 1 MiB and 100 MiB objects, plus the per-object overhead of small objects with a
// cached data key. Goals (issue 5): >= 90 % of raw OpenSSL at >= 64 KiB; < 1 us overhead per small
// object.
//
//   Raw/Encrypt            EVP_aes_256_gcm, context and key schedule reused, fresh nonce per object
//   RawStream/Encrypt      the same, but the object is read from a std::istream in 64 KiB pieces
//                          and written to a std::ostream, as the keyring stream path does: the
//                          like-for-like baseline for KeyringStream (one nonce and tag per object)
//   DataKeyCipher/Encrypt  phiguard's cached-data-key path (SealInto: random nonce, caller buffer)
//   DataKeyCipher/EncryptAlloc  the same through Encrypt(), which returns a new string
//   KeyringStream/Encrypt  Keyring::EncryptStream: data key generated and wrapped per object,
//                          audit event, 16 KiB authenticated chunks (the `phiguard encrypt` path)
//   KeyringStream64KiBChunks/Encrypt  the same with 64 KiB chunks (the default until 2026-12-02):
//                          shows why the default is 16 KiB
//   KeyringMessage/Encrypt Keyring::Encrypt: one-shot message under a keyring key, audit event
//   KeyringStreamDurable/Encrypt  the stream path with the CLI's JSONL audit sink (one write and
//                          fdatasync per object, as its durability contract requires) in $TMPDIR
//
// The keyring rows use a sink that accepts every event, so they measure the keyring, not the
// disk under the audit log; the Durable row shows what the disk adds.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>

#include "phiguard/crypto/crypto_audit.h"
#include "phiguard/crypto/data_key_cipher.h"
#include "phiguard/crypto/key_store.h"
#include "phiguard/crypto/keyring.h"

namespace {

using namespace phiguard::crypto;

const std::string& Plain() {
  static std::string* buf = new std::string(size_t{100} << 20, 'x');
  return *buf;
}

SecretKey FixedKey() { return *SecretKey::FromBytes(std::string(32, 'k')); }

// Serves a block of memory as a stream (reading copies out of it, as from a file's page cache).
class MemBuf : public std::streambuf {
 public:
  MemBuf(const char* p, size_t n) { Reset(p, n); }
  void Reset(const char* p, size_t n) { setg(const_cast<char*>(p), const_cast<char*>(p), const_cast<char*>(p + n)); }
};
// Counts and discards what is written.
class NullBuf : public std::streambuf {
 public:
  size_t bytes = 0;

 protected:
  int_type overflow(int_type c) override {
    ++bytes;
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<size_t>(n);
    return n;
  }
};
// Accepts every event (the bench measures crypto, not the disk under the audit log).
class NullSink : public CryptoAuditSink {
 public:
  absl::Status Record(const CryptoEvent&) override { return absl::OkStatus(); }
};

void Fail(benchmark::State& state, const absl::Status& s) { state.SkipWithError(std::string(s.message()).c_str()); }

// ---- raw OpenSSL ----

void BM_Raw_Encrypt(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::string& pt = Plain();
  const SecretKey key = FixedKey();
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.RawBytesForCrypto().data()), nullptr);
  std::string out(n + 12 + 16, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  for (auto _ : state) {
    RAND_bytes(o, 12);
    int len = 0, fin = 0;
    EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, o);
    EVP_EncryptUpdate(ctx, o + 12, &len, reinterpret_cast<const unsigned char*>(pt.data()), static_cast<int>(n));
    EVP_EncryptFinal_ex(ctx, o + 12 + len, &fin);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, o + 12 + n);
    benchmark::DoNotOptimize(o);
  }
  EVP_CIPHER_CTX_free(ctx);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void BM_Raw_Decrypt(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const SecretKey key = FixedKey();
  auto cipher = DataKeyCipher::Create(key);
  auto ct = (*cipher)->Encrypt(std::string_view(Plain()).substr(0, n), "");
  const auto* c = reinterpret_cast<const unsigned char*>(ct->data());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.RawBytesForCrypto().data()), nullptr);
  std::string out(n, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  for (auto _ : state) {
    int len = 0, fin = 0;
    unsigned char tag[16];
    std::copy(c + 12 + n, c + 12 + n + 16, tag);
    EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, c);
    EVP_DecryptUpdate(ctx, o, &len, c + 12, static_cast<int>(n));
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag);
    if (EVP_DecryptFinal_ex(ctx, o + len, &fin) != 1) state.SkipWithError("tag");
    benchmark::DoNotOptimize(o);
  }
  EVP_CIPHER_CTX_free(ctx);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

// Raw EVP over the same stream I/O as Keyring::EncryptStream/DecryptStream: nonce, 64 KiB reads
// from the istream into one buffer, EVP update in place, writes to the ostream, tag. Decrypt
// reads nonce | ciphertext | tag the same way (the tag is checked at the end, as a one-pass raw
// program must).
constexpr size_t kPiece = size_t{64} << 10;

void RawStream(benchmark::State& state, bool encrypt) {
  const size_t n = static_cast<size_t>(state.range(0));
  const SecretKey key = FixedKey();
  const auto* k = reinterpret_cast<const unsigned char*>(key.RawBytesForCrypto().data());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (encrypt) {
    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, k, nullptr);
  } else {
    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, k, nullptr);
  }
  std::string input;  // what the istream serves: plaintext, or nonce | ciphertext | tag
  if (encrypt) {
    input = Plain().substr(0, n);
  } else {
    auto cipher = DataKeyCipher::Create(key);
    input = *(*cipher)->Encrypt(std::string_view(Plain()).substr(0, n), "");
  }
  MemBuf in_buf(input.data(), input.size());
  std::istream in(&in_buf);
  NullBuf out_buf;
  std::ostream out(&out_buf);
  std::string buf(kPiece, '\0');
  auto* b = reinterpret_cast<unsigned char*>(buf.data());
  unsigned char nonce[12], tag[16];
  for (auto _ : state) {
    in_buf.Reset(input.data(), input.size());
    in.clear();
    int len = 0;
    if (encrypt) {
      RAND_bytes(nonce, 12);
      EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce);
      out.write(reinterpret_cast<const char*>(nonce), 12);
    } else {
      in.read(reinterpret_cast<char*>(nonce), 12);
      EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce);
    }
    for (size_t left = n; left > 0;) {
      const size_t piece = std::min(left, kPiece);
      in.read(buf.data(), static_cast<std::streamsize>(piece));
      if (encrypt) {
        EVP_EncryptUpdate(ctx, b, &len, b, static_cast<int>(piece));
      } else {
        EVP_DecryptUpdate(ctx, b, &len, b, static_cast<int>(piece));
      }
      out.write(buf.data(), len);
      left -= piece;
    }
    if (encrypt) {
      EVP_EncryptFinal_ex(ctx, b, &len);
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
      out.write(reinterpret_cast<const char*>(tag), 16);
    } else {
      in.read(reinterpret_cast<char*>(tag), 16);
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag);
      if (EVP_DecryptFinal_ex(ctx, b, &len) != 1) return state.SkipWithError("tag");
    }
    benchmark::DoNotOptimize(out_buf.bytes);
  }
  EVP_CIPHER_CTX_free(ctx);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}
void BM_RawStream_Encrypt(benchmark::State& state) { RawStream(state, /*encrypt=*/true); }
void BM_RawStream_Decrypt(benchmark::State& state) { RawStream(state, /*encrypt=*/false); }

// ---- phiguard, cached data key ----

void BM_DataKeyCipher_Encrypt(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::string_view pt = std::string_view(Plain()).substr(0, n);
  auto cipher = DataKeyCipher::Create(FixedKey());
  std::string out(12 + n + 16, '\0');
  for (auto _ : state) {
    RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), 12);
    absl::Status s = (*cipher)->SealInto(std::string_view(out).substr(0, 12), pt, "", out.data() + 12);
    if (!s.ok()) return Fail(state, s);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void BM_DataKeyCipher_Decrypt(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto cipher = DataKeyCipher::Create(FixedKey());
  auto ct = (*cipher)->Encrypt(std::string_view(Plain()).substr(0, n), "");
  std::string out(n, '\0');
  const std::string_view c(*ct);
  for (auto _ : state) {
    absl::Status s = (*cipher)->OpenInto(c.substr(0, 12), c.substr(12), "", out.data());
    if (!s.ok()) return Fail(state, s);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

// Encrypt()/Decrypt() return fresh strings (nonce | ct | tag): the convenient API, one allocation.
void BM_DataKeyCipher_EncryptAlloc(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::string_view pt = std::string_view(Plain()).substr(0, n);
  auto cipher = DataKeyCipher::Create(FixedKey());
  for (auto _ : state) {
    auto ct = (*cipher)->Encrypt(pt, "");
    if (!ct.ok()) return Fail(state, ct.status());
    benchmark::DoNotOptimize(ct->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void BM_DataKeyCipher_DecryptAlloc(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto cipher = DataKeyCipher::Create(FixedKey());
  auto ct = (*cipher)->Encrypt(std::string_view(Plain()).substr(0, n), "");
  for (auto _ : state) {
    auto pt = (*cipher)->Decrypt(*ct, "");
    if (!pt.ok()) return Fail(state, pt.status());
    benchmark::DoNotOptimize(pt->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

// ---- phiguard keyring ----

struct BenchKeyring {
  std::unique_ptr<CryptoAuditSink> sink;
  std::string dir;
  std::unique_ptr<Keyring> kr;
  explicit BenchKeyring(bool durable, uint32_t chunk_bytes = KeyringOptions{}.stream_chunk_bytes) {
    char tmpl[] = "/tmp/phiguard-crypto-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    if (durable) {
      auto jsonl = JsonlCryptoAuditSink::Open(dir + "/crypto-audit.jsonl");
      if (!jsonl.ok()) {
        std::fprintf(stderr, "crypto_bench: %s\n", std::string(jsonl.status().message()).c_str());
        std::exit(1);
      }
      sink = *std::move(jsonl);
    } else {
      sink = std::make_unique<NullSink>();
    }
    auto root = SecretKey::Generate();
    KeyringOptions options;
    options.stream_chunk_bytes = chunk_bytes;
    auto k = Keyring::InitWithRootKey(std::make_unique<FileKeyStore>(dir + "/keyring.json"), *sink, "custodian", *root,
                                      options);
    if (!k.ok()) {
      std::fprintf(stderr, "crypto_bench: %s\n", std::string(k.status().message()).c_str());
      std::exit(1);
    }
    kr = *std::move(k);
    (void)kr->CreateKey("custodian", "bench", KeyPurpose::kAead);
    (void)kr->Grant("custodian", {"user", Role::kUser, "bench"});
  }
  ~BenchKeyring() {
    std::remove((dir + "/keyring.json").c_str());
    std::remove((dir + "/crypto-audit.jsonl").c_str());
    std::remove(dir.c_str());
  }
};

BenchKeyring& Kr() {
  static BenchKeyring* k = new BenchKeyring(/*durable=*/false);
  return *k;
}
BenchKeyring& Chunk64KiBKr() {
  static BenchKeyring* k = new BenchKeyring(/*durable=*/false, 64u << 10);
  return *k;
}
BenchKeyring& DurableKr() {
  static BenchKeyring* k = new BenchKeyring(/*durable=*/true);
  return *k;
}

void StreamEncrypt(benchmark::State& state, BenchKeyring& kr) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::string& pt = Plain();
  // One istream/ostream pair for the whole run (constructing a std::istream costs ~0.2 us of
  // locale set-up, which is the caller's, not the keyring's); the memory is re-served each time.
  MemBuf in_buf(pt.data(), n);
  std::istream in(&in_buf);
  NullBuf out_buf;
  std::ostream out(&out_buf);
  for (auto _ : state) {
    in_buf.Reset(pt.data(), n);
    in.clear();
    if (absl::Status s = kr.kr->EncryptStream("user", "bench", "obj", in, out); !s.ok()) return Fail(state, s);
    benchmark::DoNotOptimize(out_buf.bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}
void BM_KeyringStream_Encrypt(benchmark::State& state) { StreamEncrypt(state, Kr()); }
void BM_KeyringStreamDurable_Encrypt(benchmark::State& state) { StreamEncrypt(state, DurableKr()); }
void BM_KeyringStream64KiBChunks_Encrypt(benchmark::State& state) { StreamEncrypt(state, Chunk64KiBKr()); }

void StreamDecrypt(benchmark::State& state, BenchKeyring& kr) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::string ct;
  {
    MemBuf in_buf(Plain().data(), n);
    std::istream in(&in_buf);
    std::ostringstream out;
    if (absl::Status s = kr.kr->EncryptStream("user", "bench", "obj", in, out); !s.ok()) return Fail(state, s);
    ct = out.str();
  }
  MemBuf in_buf(ct.data(), ct.size());
  std::istream in(&in_buf);
  NullBuf out_buf;
  std::ostream out(&out_buf);
  for (auto _ : state) {
    in_buf.Reset(ct.data(), ct.size());
    in.clear();
    if (absl::Status s = kr.kr->DecryptStream("user", "obj", in, out); !s.ok()) return Fail(state, s);
    benchmark::DoNotOptimize(out_buf.bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void BM_KeyringStream_Decrypt(benchmark::State& state) { StreamDecrypt(state, Kr()); }
void BM_KeyringStream64KiBChunks_Decrypt(benchmark::State& state) { StreamDecrypt(state, Chunk64KiBKr()); }

void BM_KeyringMessage_Encrypt(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::string_view pt = std::string_view(Plain()).substr(0, n);
  for (auto _ : state) {
    auto ct = Kr().kr->Encrypt("user", "bench", pt, "", "obj");
    if (!ct.ok()) return Fail(state, ct.status());
    benchmark::DoNotOptimize(ct->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t n : {int64_t{1} << 10, int64_t{64} << 10, int64_t{1} << 20, int64_t{100} << 20}) b->Arg(n);
}
void SmallSizes(benchmark::internal::Benchmark* b) {
  for (int64_t n : {16, 64, 256}) b->Arg(n);
}

BENCHMARK(BM_Raw_Encrypt)->Apply(Sizes)->Apply(SmallSizes);
BENCHMARK(BM_DataKeyCipher_Encrypt)->Apply(Sizes)->Apply(SmallSizes);
BENCHMARK(BM_Raw_Decrypt)->Apply(Sizes)->Apply(SmallSizes);
BENCHMARK(BM_DataKeyCipher_Decrypt)->Apply(Sizes)->Apply(SmallSizes);
BENCHMARK(BM_DataKeyCipher_EncryptAlloc)->Apply(SmallSizes)->Arg(1 << 10);
BENCHMARK(BM_DataKeyCipher_DecryptAlloc)->Apply(SmallSizes)->Arg(1 << 10);
BENCHMARK(BM_RawStream_Encrypt)->Apply(Sizes);
BENCHMARK(BM_KeyringStream_Encrypt)->Apply(Sizes);
BENCHMARK(BM_RawStream_Decrypt)->Apply(Sizes);
BENCHMARK(BM_KeyringStream_Decrypt)->Apply(Sizes);
BENCHMARK(BM_KeyringStream64KiBChunks_Encrypt)->Apply(Sizes);
BENCHMARK(BM_KeyringStream64KiBChunks_Decrypt)->Apply(Sizes);
BENCHMARK(BM_KeyringMessage_Encrypt)->Apply(Sizes)->Apply(SmallSizes);
BENCHMARK(BM_KeyringStreamDurable_Encrypt)->Arg(1 << 10)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
