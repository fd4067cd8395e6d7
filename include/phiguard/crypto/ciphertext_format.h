// The versioned header in front of every keyring ciphertext. It names the key and version that
// encrypted the object, so decryption finds the key and rotation/rewrap work without side tables.
// The header is authenticated: it is the AES-GCM associated data of the payload (or of the wrapped
// data key), so changing any header bit makes decryption fail.
//
// Layout (all integers big-endian; do not renumber or reorder):
//   "PGC" | format (1 byte, = 1) | kind (1) | name length n (1, 1..64) | name (n bytes, [A-Za-z0-9._-])
//   | key version (4)
//   kind 1 (message) and 3 (wrapped data key): nothing more; the body is nonce(12) | ct | tag(16).
//   kind 2 (stream): chunk size (4, 1 KiB..16 MiB) | nonce prefix (7) | wrapped data key length (2)
//                    | wrapped data key (nonce(12) | 32-byte key ct | tag(16)); the body is chunks.
// Parsing is pure and bounded (it never allocates more than the header); it is the fuzz target
// fuzz/ciphertext_header_fuzz.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace phiguard::crypto {

enum class CiphertextKind : uint8_t {  // do not renumber
  kMessage = 1,
  kStream = 2,
  kWrappedDataKey = 3,
};

inline constexpr std::string_view kCiphertextMagic = "PGC";
inline constexpr uint8_t kCiphertextFormatV1 = 1;
inline constexpr size_t kMaxKeyNameBytes = 64;
inline constexpr size_t kStreamNoncePrefixBytes = 7;
inline constexpr uint32_t kMinChunkBytes = 1u << 10;
inline constexpr uint32_t kMaxChunkBytes = 16u << 20;
// Longest possible header: enough bytes to read before parsing a stream.
inline constexpr size_t kMaxHeaderBytes = 3 + 1 + 1 + 1 + kMaxKeyNameBytes + 4 + 4 +
                                          kStreamNoncePrefixBytes + 2 + 256;

struct CiphertextHeader {
  CiphertextKind kind = CiphertextKind::kMessage;
  std::string key_name;
  uint32_t key_version = 0;
  // Stream only.
  uint32_t chunk_bytes = 0;
  std::string nonce_prefix;      // kStreamNoncePrefixBytes
  std::string wrapped_data_key;  // 1..256 bytes
};

// True if `name` is a valid key name: 1..64 of [A-Za-z0-9._-].
bool IsValidKeyName(std::string_view name);

// Serializes `h`. REQUIRES: the fields are valid (checked by the keyring before calling).
std::string SerializeHeader(const CiphertextHeader& h);
// The bytes of a stream header that the wrapped data key is bound to (everything but the wrapped
// key and its length).
std::string StreamHeaderBinding(const CiphertextHeader& h);

struct ParsedHeader {
  CiphertextHeader header;
  size_t header_bytes = 0;  // where the body starts
};
// Parses the header at the front of `data`. InvalidArgument naming the field when the data is not a
// phiguard ciphertext, has an unknown format or kind, or a field is out of range or truncated.
absl::StatusOr<ParsedHeader> ParseHeader(std::string_view data);

}  // namespace phiguard::crypto
