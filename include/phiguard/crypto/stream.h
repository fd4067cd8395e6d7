// Chunked authenticated encryption of byte streams (the body of a kind-2 ciphertext; see
// ciphertext_format.h). Each chunk is AES-256-GCM under the object's data key with the nonce
//   nonce prefix (7 random bytes per object) | chunk index (4, big-endian) | last-chunk flag (1)
// so a dropped, repeated, reordered or swapped chunk changes a nonce and fails authentication, and a
// stream cut at a chunk boundary lacks its last-flagged chunk and is reported as truncated (the
// construction of Hoang, Reyhanitabar, Rogaway and Vizár's STREAM). Memory is bounded by two chunks.
// An empty input is one empty last chunk.
//
// OpenStream writes a chunk's plaintext only after that chunk authenticated; a caller that must not
// release anything from a stream that later fails writes to a temporary file and renames it on
// success (the CLI does), or verifies first with VerifyStream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "phiguard/crypto/data_key_cipher.h"

namespace phiguard::crypto {

// Chunk buffers that SealStream and OpenStream can reuse from one stream to the next, so a caller
// encrypting many objects (the keyring keeps a few) allocates nothing per object. Between calls
// they hold no plaintext: SealStream encrypts in place and wipes the buffer on error; OpenStream
// wipes its plaintext buffer, as far as it was filled, before it returns.
class StreamScratch {
 public:
  StreamScratch() = default;
  StreamScratch(const StreamScratch&) = delete;
  StreamScratch& operator=(const StreamScratch&) = delete;
  // A buffer of at least `n` bytes: 0 for ciphertext, 1 for plaintext. Reallocated only to grow.
  char* Get(int which, size_t n);

 private:
  std::unique_ptr<char[]> data_[2];
  size_t capacity_[2] = {0, 0};
};

// Encrypts all of `in` to `out` in chunks of `chunk_bytes` plaintext bytes. `nonce_prefix` is 7
// bytes, fresh per data key. Unavailable on read/write errors; InvalidArgument for bad sizes;
// ResourceExhausted past 2^32 chunks.
absl::Status SealStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::istream& in, std::ostream& out);
absl::Status SealStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::istream& in, std::ostream& out, StreamScratch& scratch);

// Decrypts the chunks read from `in` (positioned right after the header) to `out`. DataLoss if a
// chunk fails authentication, the stream is truncated, or data follows the last chunk;
// Unavailable on read/write errors.
absl::Status OpenStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::istream& in, std::ostream& out);
absl::Status OpenStream(DataKeyCipher& cipher, std::string_view nonce_prefix, uint32_t chunk_bytes,
                        std::istream& in, std::ostream& out, StreamScratch& scratch);

}  // namespace phiguard::crypto
