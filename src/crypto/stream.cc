#include "phiguard/crypto/stream.h"

#include <openssl/crypto.h>
#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cstring>
#include <memory>

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

// A view of a scratch buffer. A `secret` one (plaintext passes through it) is wiped when the view
// goes away, as far as it was ever filled.
class Buffer {
 public:
  Buffer(char* data, size_t capacity, bool secret) : data_(data), capacity_(capacity), secret_(secret) {}
  ~Buffer() {
    // explicit_bzero, not OPENSSL_cleanse: same guarantee (never optimized away), but glibc's
    // vectorized memset wipes a 64 KiB chunk ~10x faster than OpenSSL's 8-bytes-a-store loop.
    if (secret_) ::explicit_bzero(data_, high_);
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  char* data() { return data_; }
  size_t size() const { return size_; }
  void set_size(size_t n) {
    size_ = n;
    high_ = std::max(high_, n);
  }
  // Reads from `in` until the buffer holds `limit` bytes (at most its capacity) or the input
  // ends. False on a read error.
  bool Fill(std::istream& in, size_t limit) {
    limit = std::min(limit, capacity_);
    while (size_ < limit && in) {
      in.read(data_ + size_, static_cast<std::streamsize>(limit - size_));
      set_size(size_ + static_cast<size_t>(in.gcount()));
    }
    return !in.bad();
  }
  // The bytes it holds were overwritten with non-secret ones (ciphertext): nothing to wipe.
  void Forget() { high_ = 0; }
  // Keeps only the bytes from `from` on, moved to the front.
  void Consume(size_t from) {
    std::memmove(data_, data_ + from, size_ - from);
    size_ -= from;
  }

 private:
  char* data_;
  size_t capacity_;
  bool secret_;
  size_t size_ = 0;
  size_t high_ = 0;
};

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

char* StreamScratch::Get(int which, size_t n) {
  if (capacity_[which] < n) {
    data_[which].reset(new char[n]);
    capacity_[which] = n;
  }
  return data_[which].get();
}

absl::Status SealStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::istream& in, std::ostream& out) {
  StreamScratch scratch;
  return SealStream(cipher, nonce_prefix, chunk_bytes, in, out, scratch);
}

absl::Status OpenStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::istream& in, std::ostream& out) {
  StreamScratch scratch;
  return OpenStream(cipher, nonce_prefix, chunk_bytes, in, out, scratch);
}

absl::Status SealStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::istream& in, std::ostream& out, StreamScratch& scratch) {
  if (absl::Status s = CheckSizes(nonce_prefix, chunk_bytes); !s.ok()) return s;
  // Each chunk is encrypted in place and its tag written right after it, so no second buffer is
  // needed and no plaintext outlives its chunk: on success the buffer holds only ciphertext and
  // needs no wiping (on an error it is wiped). One byte past the chunk (read ahead) tells whether
  // this chunk is the last; it is set aside before the tag overwrites it.
  const size_t capacity = size_t{chunk_bytes} + kGcmTagBytes;
  Buffer buf(scratch.Get(0, capacity), capacity, /*secret=*/true);
  for (uint64_t index = 0;; ++index) {
    if (!buf.Fill(in, size_t{chunk_bytes} + 1)) return absl::UnavailableError("cannot read the input");
    const bool last = buf.size() <= chunk_bytes;
    if (index > UINT32_MAX) return absl::ResourceExhaustedError("stream longer than 2^32 chunks");
    const size_t n = last ? buf.size() : chunk_bytes;
    const char ahead = last ? '\0' : buf.data()[n];
    absl::Status s = cipher.SealInto(ChunkNonce(nonce_prefix, static_cast<uint32_t>(index), last),
                                     std::string_view(buf.data(), n), {}, buf.data());
    if (!s.ok()) return s;
    buf.Forget();
    if (!out.write(buf.data(), static_cast<std::streamsize>(n + kGcmTagBytes))) {
      return absl::UnavailableError("cannot write the output");
    }
    if (last) break;
    buf.data()[0] = ahead;
    buf.set_size(1);
  }
  if (!out.flush()) return absl::UnavailableError("cannot write the output");
  return absl::OkStatus();
}

absl::Status OpenStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::istream& in, std::ostream& out, StreamScratch& scratch) {
  if (absl::Status s = CheckSizes(nonce_prefix, chunk_bytes); !s.ok()) return s;
  const size_t sealed_chunk = size_t{chunk_bytes} + kGcmTagBytes;
  // Not in place: a chunk that fails to open is tried again as a middle chunk (truncation check),
  // and a failed open wipes its output.
  Buffer buf(scratch.Get(0, sealed_chunk + 1), sealed_chunk + 1, /*secret=*/false);
  Buffer plain(scratch.Get(1, chunk_bytes), chunk_bytes, /*secret=*/true);
  for (uint64_t index = 0;; ++index) {
    if (!buf.Fill(in, sealed_chunk + 1)) return absl::UnavailableError("cannot read the input");
    const bool last = buf.size() <= sealed_chunk;
    if (last && buf.size() < kGcmTagBytes) {
      return absl::DataLossError(index == 0 ? "ciphertext has no chunks (truncated)"
                                            : "ciphertext is truncated (last chunk missing)");
    }
    if (index > UINT32_MAX) return absl::DataLossError("stream longer than 2^32 chunks");
    const size_t n = last ? buf.size() : sealed_chunk;
    const std::string_view chunk(buf.data(), n);
    plain.set_size(n - kGcmTagBytes);
    absl::Status s = cipher.OpenInto(ChunkNonce(nonce_prefix, static_cast<uint32_t>(index), last), chunk,
                                     {}, plain.data());
    if (absl::IsDataLoss(s)) {
      // A full chunk at the end that authenticates as a middle chunk: the stream was cut at a
      // chunk boundary. (OpenInto wipes what it decrypted; nothing is written.)
      if (last && n == sealed_chunk &&
          cipher.OpenInto(ChunkNonce(nonce_prefix, static_cast<uint32_t>(index), false), chunk, {},
                          plain.data()).ok()) {
        return absl::DataLossError(Cat("ciphertext is truncated after chunk ", index + 1));
      }
      return absl::DataLossError(Cat("chunk ", index + 1,
                                     " failed authentication (changed, reordered, or cut short)"));
    }
    if (!s.ok()) return s;
    if (!out.write(plain.data(), static_cast<std::streamsize>(n - kGcmTagBytes))) {
      return absl::UnavailableError("cannot write the output");
    }
    if (last) break;
    buf.Consume(n);
  }
  if (!out.flush()) return absl::UnavailableError("cannot write the output");
  return absl::OkStatus();
}

}  // namespace phiguard::crypto
