// Lower-case hexadecimal for key ids, wrapped keys and shares: the one implementation in
// phiguard/core/strings.h, named in this namespace for the crypto code. Callers holding secrets in
// the returned strings wipe them (OPENSSL_cleanse) when done. Stateless; thread-safe.
#pragma once

#include "phiguard/core/strings.h"

namespace phiguard::crypto {

// "a1b2..." for the bytes of `bytes`.
using ::phiguard::HexEncode;
// The bytes of `hex` (either case); nullopt for an odd length or a non-hex character.
using ::phiguard::HexDecode;

}  // namespace phiguard::crypto
