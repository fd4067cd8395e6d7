#include "phiguard/crypto/ciphertext_format.h"

#include "phiguard/core/strings.h"

namespace phiguard::crypto {
namespace {

void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// A bounds-checked cursor over the input.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool Bytes(size_t n, std::string_view& out) {
    if (data_.size() - pos_ < n) return false;
    out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool U8(uint32_t& v) { return Int(1, v); }
  bool U16(uint32_t& v) { return Int(2, v); }
  bool U32(uint32_t& v) { return Int(4, v); }
  size_t pos() const { return pos_; }

 private:
  bool Int(size_t n, uint32_t& v) {
    std::string_view b;
    if (!Bytes(n, b)) return false;
    v = 0;
    for (unsigned char c : b) v = (v << 8) | c;
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
};

absl::Status Truncated(std::string_view field) {
  return absl::InvalidArgumentError(Cat("ciphertext header truncated in ", field));
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || name.size() > kMaxKeyNameBytes) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string StreamHeaderBinding(const CiphertextHeader& h) {
  std::string out;
  out.reserve(kCiphertextMagic.size() + 16 + h.key_name.size() + h.nonce_prefix.size() +
              h.wrapped_data_key.size());  // room for SerializeHeader's additions too
  out += kCiphertextMagic;
  out.push_back(static_cast<char>(kCiphertextFormatV1));
  out.push_back(static_cast<char>(h.kind));
  out.push_back(static_cast<char>(h.key_name.size()));
  out += h.key_name;
  PutU32(out, h.key_version);
  if (h.kind == CiphertextKind::kStream) {
    PutU32(out, h.chunk_bytes);
    out += h.nonce_prefix;
  }
  return out;
}

std::string SerializeHeader(const CiphertextHeader& h) {
  std::string out = StreamHeaderBinding(h);
  if (h.kind == CiphertextKind::kStream) {
    out.push_back(static_cast<char>((h.wrapped_data_key.size() >> 8) & 0xff));
    out.push_back(static_cast<char>(h.wrapped_data_key.size() & 0xff));
    out += h.wrapped_data_key;
  }
  return out;
}

absl::StatusOr<ParsedHeader> ParseHeader(std::string_view data) {
  Reader r(data);
  std::string_view magic;
  if (!r.Bytes(kCiphertextMagic.size(), magic) || magic != kCiphertextMagic) {
    return absl::InvalidArgumentError("not a phiguard ciphertext (bad magic)");
  }
  uint32_t format = 0, kind = 0, name_len = 0;
  if (!r.U8(format)) return Truncated("format");
  if (format != kCiphertextFormatV1) {
    return absl::InvalidArgumentError(Cat("unsupported ciphertext format ", format));
  }
  if (!r.U8(kind)) return Truncated("kind");
  if (kind < 1 || kind > 3) return absl::InvalidArgumentError(Cat("unknown ciphertext kind ", kind));
  ParsedHeader p;
  p.header.kind = static_cast<CiphertextKind>(kind);
  if (!r.U8(name_len)) return Truncated("key name length");
  std::string_view name;
  if (!r.Bytes(name_len, name)) return Truncated("key name");
  if (!IsValidKeyName(name)) return absl::InvalidArgumentError("ciphertext header has an invalid key name");
  p.header.key_name = std::string(name);
  if (!r.U32(p.header.key_version)) return Truncated("key version");
  if (p.header.key_version == 0) return absl::InvalidArgumentError("ciphertext header has key version 0");
  if (p.header.kind == CiphertextKind::kStream) {
    if (!r.U32(p.header.chunk_bytes)) return Truncated("chunk size");
    if (p.header.chunk_bytes < kMinChunkBytes || p.header.chunk_bytes > kMaxChunkBytes) {
      return absl::InvalidArgumentError(Cat("ciphertext chunk size ", p.header.chunk_bytes, " out of range"));
    }
    std::string_view prefix, wrapped;
    if (!r.Bytes(kStreamNoncePrefixBytes, prefix)) return Truncated("nonce prefix");
    p.header.nonce_prefix = std::string(prefix);
    uint32_t wrapped_len = 0;
    if (!r.U16(wrapped_len)) return Truncated("wrapped data key length");
    if (wrapped_len == 0 || wrapped_len > 256) {
      return absl::InvalidArgumentError(Cat("wrapped data key length ", wrapped_len, " out of range"));
    }
    if (!r.Bytes(wrapped_len, wrapped)) return Truncated("wrapped data key");
    p.header.wrapped_data_key = std::string(wrapped);
  }
  p.header_bytes = r.pos();
  return p;
}

}  // namespace phiguard::crypto
