// Standard base64 (RFC 4648 section 4, with padding) for FHIR attachments and HL7 ED data.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace phiguard::deid::internal {

// nullopt if `in` is not padded standard base64 (whitespace is not allowed).
std::optional<std::string> Base64Decode(std::string_view in);
std::string Base64Encode(std::string_view in);
// Base64Encode(in) appended to `out`.
void AppendBase64(std::string& out, std::string_view in);

}  // namespace phiguard::deid::internal
