// Shamir secret sharing over GF(2^8) (the AES field, x^8 + x^4 + x^3 + x + 1): a secret is split
// into N shares of which any M reconstruct it and any M-1 reveal nothing about it. Used to seal the
// keyring root (`phiguard keys init --shares 5 --threshold 3`).
//
// A share is printable text, "phiguard-share-1-" + hex of:
//   format (1 byte, = 1; do not renumber) | set id (8 bytes, random per split) | threshold M (1) |
//   share count N (1) | index x (1, 1..N) | secret length L (1) | y (L bytes) | checksum (8 bytes)
// The checksum is the first 8 bytes of SHA-256 over everything before it, so a mistyped or
// corrupted share is detected and named before combining. (It does not stop a malicious
// custodian: the keyring verifies the combined root against a stored check value.)
// Stateless functions; thread-safe. Field arithmetic is branch-free and table-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::crypto {

inline constexpr std::string_view kShamirSharePrefix = "phiguard-share-1-";

// Splits `secret` (32..255 bytes) into `shares` shares, any `threshold` of which recover it.
// REQUIRES 2 <= threshold <= shares <= 255; InvalidArgument otherwise. Internal if the RNG fails.
// The returned strings are secret material: show them once, to their custodian, and wipe them.
absl::StatusOr<std::vector<std::string>> ShamirSplit(const SecretKey& secret, int threshold,
                                                     int shares);

// What a share says about itself, without its secret part (safe to print).
struct ShareInfoNoSecret {
  std::string set_id_hex;  // identifies the split the share belongs to
  int threshold = 0;
  int shares = 0;
  int index = 0;
};
// Parses one share. InvalidArgument for bad text or layout; DataLoss if the checksum fails.
absl::StatusOr<ShareInfoNoSecret> ParseShareInfo(std::string_view share);

// Recovers the secret from shares of one split (surrounding whitespace is ignored; extra shares
// beyond the threshold are allowed and checked for consistency). Errors name the share by its
// position in `shares` (1-based), never its contents:
//   InvalidArgument: malformed share, shares from different splits, a repeated index;
//   DataLoss: a share's checksum fails, or the shares beyond the threshold disagree;
//   FailedPrecondition: fewer distinct shares than the threshold.
absl::StatusOr<SecretKey> ShamirCombine(const std::vector<std::string>& shares);

}  // namespace phiguard::crypto
