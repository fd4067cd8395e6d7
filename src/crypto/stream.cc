#include "phiguard/crypto/stream.h"

#include <openssl/crypto.h>

#include "phiguard/core/strings.h"
#include "phiguard/crypto/aead.h"
#include "phiguard/crypto/ciphertext_format.h"

namespace phiguard::crypto {
namespace {

std::string ChunkNonce(std::string_view prefix, uint32_t index, bool last) {
  std::string n(prefix);
  for (int shift = 24; shift >= 0; shift -= 8) n.push_back(static_cast<char>((index >> shift) & 0xff));
  n.push_back(last ? 1 : 0);
  return n;
}

// Appends up to `want - buf.size()` bytes from `in` to `buf`. False on a read error (not EOF).
bool Fill(std::istream& in, std::string& buf, size_t want) {
  while (buf.size() < want && in) {
    const size_t start = buf.size();
    buf.resize(want);
    in.read(buf.data() + start, static_cast<std::streamsize>(want - start));
    buf.resize(start + static_cast<size_t>(in.gcount()));
  }
  return !in.bad();
}

absl::Status CheckSizes(std::string_view nonce_prefix, uint32_t chunk_bytes) {
  if (nonce_prefix.size() != kStreamNoncePrefixBytes) {
    return absl::InvalidArgumentError("stream nonce prefix must be 7 bytes");
  }
  if (chunk_bytes < kMinChunkBytes || chunk_bytes > kMaxChunkBytes) {
    return absl::InvalidArgumentError("stream chunk size must be 1 KiB..16 MiB");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SealStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::istream& in, std::ostream& out) {
  if (absl::Status s = CheckSizes(nonce_prefix, chunk_bytes); !s.ok()) return s;
  std::string buf, sealed;
  buf.reserve(chunk_bytes + 1);
  sealed.reserve(chunk_bytes + kGcmTagBytes);
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{buf};
  uint64_t index = 0;
  for (;;) {
    // Read one byte past the chunk to learn whether this chunk is the last.
    if (!Fill(in, buf, size_t{chunk_bytes} + 1)) return absl::UnavailableError("cannot read the input");
    const bool last = buf.size() <= chunk_bytes;
    if (index > UINT32_MAX) return absl::ResourceExhaustedError("stream longer than 2^32 chunks");
    const size_t n = last ? buf.size() : chunk_bytes;
    sealed.clear();
    absl::Status s = cipher.Seal(ChunkNonce(nonce_prefix, static_cast<uint32_t>(index), last),
                                 std::string_view(buf).substr(0, n), {}, sealed);
    if (!s.ok()) return s;
    if (!out.write(sealed.data(), static_cast<std::streamsize>(sealed.size()))) {
      return absl::UnavailableError("cannot write the output");
    }
    if (last) break;
    OPENSSL_cleanse(buf.data(), n);
    buf.erase(0, n);
    ++index;
  }
  if (!out.flush()) return absl::UnavailableError("cannot write the output");
  return absl::OkStatus();
}

absl::Status OpenStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::string pending, std::istream& in, std::ostream& out) {
  if (absl::Status s = CheckSizes(nonce_prefix, chunk_bytes); !s.ok()) return s;
  const size_t sealed_chunk = size_t{chunk_bytes} + kGcmTagBytes;
  std::string buf = std::move(pending), plain;
  buf.reserve(sealed_chunk + 1);
  plain.reserve(chunk_bytes);
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{plain};
  uint64_t index = 0;
  for (;;) {
    if (!Fill(in, buf, sealed_chunk + 1)) return absl::UnavailableError("cannot read the input");
    const bool last = buf.size() <= sealed_chunk;
    if (last && buf.size() < kGcmTagBytes) {
      return absl::DataLossError(index == 0 ? "ciphertext has no chunks (truncated)"
                                            : "ciphertext is truncated (last chunk missing)");
    }
    if (index > UINT32_MAX) return absl::DataLossError("stream longer than 2^32 chunks");
    const size_t n = last ? buf.size() : sealed_chunk;
    plain.clear();
    absl::Status s = cipher.Open(ChunkNonce(nonce_prefix, static_cast<uint32_t>(index), last),
                                 std::string_view(buf).substr(0, n), {}, plain);
    if (absl::IsDataLoss(s)) {
      // A full chunk at the end that authenticates as a middle chunk: the stream was cut at a
      // chunk boundary. (Its plaintext is wiped and never written.)
      if (last && n == sealed_chunk &&
          cipher.Open(ChunkNonce(nonce_prefix, static_cast<uint32_t>(index), false),
                      std::string_view(buf).substr(0, n), {}, plain).ok()) {
        return absl::DataLossError(Cat("ciphertext is truncated after chunk ", index + 1));
      }
      return absl::DataLossError(Cat("chunk ", index + 1,
                                     " failed authentication (changed, reordered, or cut short)"));
    }
    if (!s.ok()) return s;
    if (!out.write(plain.data(), static_cast<std::streamsize>(plain.size()))) {
      return absl::UnavailableError("cannot write the output");
    }
    OPENSSL_cleanse(plain.data(), plain.size());
    if (last) break;
    buf.erase(0, n);
    ++index;
  }
  if (!out.flush()) return absl::UnavailableError("cannot write the output");
  return absl::OkStatus();
}

}  // namespace phiguard::crypto
