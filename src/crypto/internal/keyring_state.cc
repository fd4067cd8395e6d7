#include "crypto/internal/keyring_state.h"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "phiguard/core/strings.h"
#include "phiguard/crypto/hmac.h"

namespace phiguard::crypto::internal {
namespace {

using Json = nlohmann::ordered_json;

std::string MacHex(const SecretKey& mac_key, std::string_view body) {
  Sha256Digest d = HmacSha256(mac_key, body);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

Json ToJson(const KeyringState& s) {
  Json j;
  j["format"] = kKeyringFormat;
  j["root"] = {{"kind", s.root.kind},
               {"threshold", s.root.threshold},
               {"shares", s.root.shares},
               {"check", s.root_check_hex}};
  Json bindings = Json::array();
  for (const RoleBinding& b : s.bindings) {
    bindings.push_back({{"identity", b.identity}, {"role", RoleName(b.role)}, {"key", b.key}});
  }
  j["bindings"] = bindings;
  Json exceptions = Json::array();
  for (const DualRoleException& e : s.exceptions) {
    exceptions.push_back({{"identity", e.identity},
                          {"key", e.key},
                          {"reason", e.reason},
                          {"granted_by", e.granted_by},
                          {"time", e.time_unix}});
  }
  j["exceptions"] = exceptions;
  Json keys = Json::array();
  for (const auto& [name, k] : s.keys) {
    Json versions = Json::array();
    for (const VersionRecord& v : k.versions) {
      versions.push_back({{"version", v.version},
                          {"wrapped", HexEncode(v.wrapped)},
                          {"created", v.created_unix},
                          {"destroyed", v.destroyed},
                          {"reserved", v.reserved},
                          {"public_key", HexEncode(v.public_key)}});
    }
    keys.push_back({{"name", name},
                    {"purpose", KeyPurposeName(k.purpose)},
                    {"min_decryption_version", k.min_decryption_version},
                    {"created", k.created_unix},
                    {"versions", versions}});
  }
  j["keys"] = keys;
  // Written only once used, so a keyring that never had tokens keeps its old form.
  if (s.require_tokens || !s.tokens.empty()) {
    j["require_tokens"] = s.require_tokens;
    Json tokens = Json::array();
    for (const auto& [identity, t] : s.tokens) {
      tokens.push_back({{"identity", identity},
                        {"argon2id", {{"m_kib", t.hash.params.memory_kib},
                                      {"t", t.hash.params.iterations},
                                      {"p", t.hash.params.lanes},
                                      {"salt", HexEncode(t.hash.salt)},
                                      {"tag", HexEncode(t.hash.tag)}}},
                        {"created", t.created_unix},
                        {"issued_by", t.issued_by}});
    }
    j["tokens"] = tokens;
  }
  return j;
}

absl::Status Bad(std::string_view what) {
  return absl::DataLossError(Cat("keyring state: ", what));
}

}  // namespace

std::string WrapAad(std::string_view name, uint32_t version, KeyPurpose purpose) {
  return Cat("phiguard-keyring-v1|", name, "|", version, "|", KeyPurposeName(purpose));
}

bool IsValidIdentity(std::string_view identity) {
  if (identity.empty() || identity.size() > 128) return false;
  for (char c : identity) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string SerializeState(const KeyringState& state, const SecretKey& mac_key) {
  Json j = ToJson(state);
  const std::string body = j.dump();
  j["mac"] = MacHex(mac_key, body);
  return j.dump(1) + "\n";
}

absl::StatusOr<KeyringState> ParseState(std::string_view blob) {
  Json j = Json::parse(blob, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Bad("not JSON");
  KeyringState s;
  try {
    if (j.at("format").get<int>() != kKeyringFormat) {
      return Bad(Cat("unsupported format ", j.at("format").dump()));
    }
    s.mac_hex = j.at("mac").get<std::string>();
    j.erase("mac");
    s.body = j.dump();
    const Json& root = j.at("root");
    s.root.kind = root.at("kind").get<std::string>();
    s.root.threshold = root.at("threshold").get<int>();
    s.root.shares = root.at("shares").get<int>();
    s.root_check_hex = root.at("check").get<std::string>();
    for (const Json& b : j.at("bindings")) {
      auto role = ParseRole(b.at("role").get<std::string>());
      if (!role.ok()) return Bad("unknown role");
      s.bindings.push_back({b.at("identity").get<std::string>(), *role, b.at("key").get<std::string>()});
    }
    for (const Json& e : j.at("exceptions")) {
      s.exceptions.push_back({e.at("identity").get<std::string>(), e.at("key").get<std::string>(),
                              e.at("reason").get<std::string>(), e.at("granted_by").get<std::string>(),
                              e.at("time").get<int64_t>()});
    }
    for (const Json& k : j.at("keys")) {
      KeyRecord r;
      r.name = k.at("name").get<std::string>();
      auto purpose = ParseKeyPurpose(k.at("purpose").get<std::string>());
      if (!purpose.ok()) return Bad(Cat("key ", r.name, ": unknown purpose"));
      r.purpose = *purpose;
      r.min_decryption_version = k.at("min_decryption_version").get<uint32_t>();
      r.created_unix = k.at("created").get<int64_t>();
      for (const Json& v : k.at("versions")) {
        VersionRecord vr;
        vr.version = v.at("version").get<uint32_t>();
        auto wrapped = HexDecode(v.at("wrapped").get<std::string>());
        auto pub = HexDecode(v.at("public_key").get<std::string>());
        if (!wrapped || !pub) return Bad(Cat("key ", r.name, ": bad hex"));
        vr.wrapped = *wrapped;
        vr.public_key = *pub;
        vr.created_unix = v.at("created").get<int64_t>();
        vr.destroyed = v.at("destroyed").get<bool>();
        vr.reserved = v.at("reserved").get<uint64_t>();
        vr.encryptions = vr.reserved;
        if (vr.version != r.versions.size() + 1) return Bad(Cat("key ", r.name, ": versions out of order"));
        r.versions.push_back(std::move(vr));
      }
      if (r.versions.empty() || r.min_decryption_version < 1 || r.min_decryption_version > r.primary()) {
        return Bad(Cat("key ", r.name, ": inconsistent versions"));
      }
      std::string name = r.name;
      if (!s.keys.emplace(name, std::move(r)).second) return Bad(Cat("key ", name, " appears twice"));
    }
    if (j.contains("require_tokens")) s.require_tokens = j.at("require_tokens").get<bool>();
    if (j.contains("tokens")) {
      for (const Json& t : j.at("tokens")) {
        TokenRecord r;
        const std::string identity = t.at("identity").get<std::string>();
        const Json& a = t.at("argon2id");
        r.hash.params.memory_kib = a.at("m_kib").get<uint32_t>();
        r.hash.params.iterations = a.at("t").get<uint32_t>();
        r.hash.params.lanes = a.at("p").get<uint32_t>();
        auto salt = HexDecode(a.at("salt").get<std::string>());
        auto tag = HexDecode(a.at("tag").get<std::string>());
        if (!salt || !tag) return Bad(Cat("token of ", identity, ": bad hex"));
        r.hash.salt = *salt;
        r.hash.tag = *tag;
        r.created_unix = t.at("created").get<int64_t>();
        r.issued_by = t.at("issued_by").get<std::string>();
        if (!s.tokens.emplace(identity, std::move(r)).second) return Bad(Cat("token of ", identity, " appears twice"));
      }
    }
  } catch (const nlohmann::json::exception&) {
    return Bad("missing or mistyped field");
  }
  return s;
}

absl::Status VerifyStateMac(const KeyringState& state, const SecretKey& mac_key) {
  const std::string expected = MacHex(mac_key, state.body);
  if (expected.size() != state.mac_hex.size() ||
      CRYPTO_memcmp(expected.data(), state.mac_hex.data(), expected.size()) != 0) {
    return absl::DataLossError("keyring state fails authentication: it was changed outside phiguard");
  }
  return absl::OkStatus();
}

}  // namespace phiguard::crypto::internal
