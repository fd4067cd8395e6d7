// Lower-case hexadecimal for key ids, wrapped keys and shares. Callers holding secrets in the
// returned strings wipe them (OPENSSL_cleanse) when done. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace phiguard::crypto {

// "a1b2..." for the bytes of `bytes`.
std::string HexEncode(std::string_view bytes);
// The bytes of `hex` (either case); nullopt for an odd length or a non-hex character.
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace phiguard::crypto
