#include "phiguard/audit/event.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <utility>

#include "absl/time/time.h"
#include "phiguard/core/json_string.h"
#include "phiguard/core/strings.h"
#include "phiguard/core/utf8.h"
#include "phiguard/crypto/hmac.h"

namespace phiguard::audit {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kMaxValueBytes = 256;
constexpr size_t kMaxDescriptionBytes = 1024;
constexpr size_t kMaxListEntries = 4096;

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':' || c == '-' || c == '/';
}

// A printable value: no control characters (a newline would break the one-line leaf format and
// could forge log lines in a SIEM), bounded length.
absl::Status CheckText(std::string_view key, std::string_view value, size_t max_bytes) {
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(
        Cat("event: \"", key, "\" is ", value.size(), " bytes, at most ", max_bytes));
  }
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(Cat("event: \"", key, "\" contains a control character"));
    }
  }
  if (FindInvalidUtf8(value).has_value()) {
    return absl::InvalidArgumentError(Cat("event: \"", key, "\" is not valid UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status CheckToken(std::string_view key, std::string_view value, bool required) {
  if (value.empty()) {
    if (!required) return absl::OkStatus();
    return absl::InvalidArgumentError(Cat("event: \"", key, "\" is required"));
  }
  if (value.size() > 128) {
    return absl::InvalidArgumentError(Cat("event: \"", key, "\" is longer than 128 bytes"));
  }
  for (char c : value) {
    if (!IsTokenChar(c)) {
      return absl::InvalidArgumentError(
          Cat("event: \"", key, "\" must be a token of letters, digits and _ . : - /"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckList(std::string_view key, const std::vector<std::string>& values, bool tokens) {
  if (values.size() > kMaxListEntries) {
    return absl::InvalidArgumentError(
        Cat("event: \"", key, "\" has ", values.size(), " entries, at most ", kMaxListEntries));
  }
  for (const std::string& v : values) {
    absl::Status s = tokens ? CheckToken(key, v, true) : CheckText(key, v, kMaxValueBytes);
    if (!s.ok()) return s;
    if (v.empty()) return absl::InvalidArgumentError(Cat("event: \"", key, "\" has an empty entry"));
  }
  return absl::OkStatus();
}

// Reads a string member; InvalidArgument naming `path` when it is not a string.
absl::Status ReadString(const Json& obj, const char* key, std::string_view path, std::string& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return absl::InvalidArgumentError(Cat("event: \"", path, "\" must be a string"));
  out = it->get<std::string>();
  return absl::OkStatus();
}

absl::Status ReadList(const Json& obj, const char* key, std::string_view path,
                      std::vector<std::string>& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_array()) {
    return absl::InvalidArgumentError(Cat("event: \"", path, "\" must be an array of strings"));
  }
  for (const Json& v : *it) {
    if (!v.is_string()) {
      return absl::InvalidArgumentError(Cat("event: \"", path, "\" must be an array of strings"));
    }
    out.push_back(v.get<std::string>());
  }
  return absl::OkStatus();
}

absl::Status CheckKeys(const Json& obj, std::string_view path,
                       std::initializer_list<std::string_view> allowed) {
  if (!obj.is_object()) return absl::InvalidArgumentError(Cat("event: \"", path, "\" must be an object"));
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (std::string_view a : allowed) known = known || it.key() == a;
    if (!known) {
      std::string where = path.empty() ? it.key() : Cat(path, ".", it.key());
      return absl::InvalidArgumentError(Cat("event: unknown key \"", where, "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseInto(const Json& j, AuditEvent& e) {
  if (absl::Status s = CheckKeys(j, "", {"time", "actor", "action", "resource", "patient",
                                         "phi_types", "fields", "purpose", "destination",
                                         "outcome", "request_id", "description", "v", "seq"});
      !s.ok()) {
    return s;
  }
  absl::Status s = ReadString(j, "time", "time", e.time);
  if (s.ok()) s = ReadString(j, "action", "action", e.action);
  if (s.ok()) s = ReadString(j, "patient", "patient", e.patient);
  if (s.ok()) s = ReadList(j, "phi_types", "phi_types", e.phi_types);
  if (s.ok()) s = ReadList(j, "fields", "fields", e.fields);
  if (s.ok()) s = ReadString(j, "purpose", "purpose", e.purpose);
  if (s.ok()) s = ReadString(j, "outcome", "outcome", e.outcome);
  if (s.ok()) s = ReadString(j, "request_id", "request_id", e.request_id);
  if (s.ok()) s = ReadString(j, "description", "description", e.description);
  if (!s.ok()) return s;
  if (auto it = j.find("actor"); it != j.end()) {
    if (s = CheckKeys(*it, "actor", {"id", "role", "session", "client"}); !s.ok()) return s;
    s = ReadString(*it, "id", "actor.id", e.actor.id);
    if (s.ok()) s = ReadString(*it, "role", "actor.role", e.actor.role);
    if (s.ok()) s = ReadString(*it, "session", "actor.session", e.actor.session);
    if (s.ok()) s = ReadString(*it, "client", "actor.client", e.actor.client);
    if (!s.ok()) return s;
  }
  if (auto it = j.find("resource"); it != j.end()) {
    if (s = CheckKeys(*it, "resource", {"type", "ids"}); !s.ok()) return s;
    s = ReadString(*it, "type", "resource.type", e.resource_type);
    if (s.ok()) s = ReadList(*it, "ids", "resource.ids", e.record_ids);
    if (!s.ok()) return s;
  }
  if (auto it = j.find("destination"); it != j.end()) {
    if (s = CheckKeys(*it, "destination", {"vendor", "system", "recipient"}); !s.ok()) return s;
    s = ReadString(*it, "vendor", "destination.vendor", e.destination.vendor);
    if (s.ok()) s = ReadString(*it, "system", "destination.system", e.destination.system);
    if (s.ok()) s = ReadString(*it, "recipient", "destination.recipient", e.destination.recipient);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> ParseRfc3339Micros(std::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) {
    return absl::InvalidArgumentError("event: \"time\" is not an RFC 3339 time (e.g. 2026-11-29T10:00:00Z)");
  }
  return absl::ToUnixMicros(t);
}

std::string FormatRfc3339Micros(int64_t micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

absl::Status ValidateEvent(const AuditEvent& e) {
  absl::Status s = CheckText("actor.id", e.actor.id, kMaxValueBytes);
  if (s.ok() && e.actor.id.empty()) s = absl::InvalidArgumentError("event: \"actor.id\" is required");
  if (s.ok()) s = CheckToken("actor.role", e.actor.role, false);
  if (s.ok()) s = CheckText("actor.session", e.actor.session, kMaxValueBytes);
  if (s.ok()) s = CheckText("actor.client", e.actor.client, kMaxValueBytes);
  if (s.ok()) s = CheckToken("action", e.action, true);
  if (s.ok()) s = CheckToken("resource.type", e.resource_type, false);
  if (s.ok()) s = CheckList("resource.ids", e.record_ids, false);
  if (s.ok()) s = CheckText("patient", e.patient, kMaxValueBytes);
  if (s.ok()) s = CheckList("phi_types", e.phi_types, true);
  if (s.ok()) s = CheckList("fields", e.fields, false);
  if (s.ok()) s = CheckToken("purpose", e.purpose, false);
  if (s.ok()) s = CheckText("destination.vendor", e.destination.vendor, kMaxValueBytes);
  if (s.ok()) s = CheckText("destination.system", e.destination.system, kMaxValueBytes);
  if (s.ok()) s = CheckText("destination.recipient", e.destination.recipient, kMaxValueBytes);
  if (s.ok()) s = CheckText("request_id", e.request_id, kMaxValueBytes);
  if (s.ok()) s = CheckText("description", e.description, kMaxDescriptionBytes);
  if (!s.ok()) return s;
  if (e.outcome != "success" && e.outcome != "denied" && e.outcome != "failure") {
    return absl::InvalidArgumentError(
        "event: \"outcome\" is required: one of success, denied, failure");
  }
  if (!e.time.empty()) {
    if (absl::StatusOr<int64_t> t = ParseRfc3339Micros(e.time); !t.ok()) return t.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditEvent> ParseEvent(std::string_view json) {
  if (json.size() > kMaxEventBytes) {
    return absl::InvalidArgumentError(
        Cat("event: ", json.size(), " bytes, at most ", kMaxEventBytes, " per event"));
  }
  Json j = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("event: not valid JSON");
  if (!j.is_object()) return absl::InvalidArgumentError("event: must be a JSON object");
  if (j.contains("v") || j.contains("seq")) {
    return absl::InvalidArgumentError("event: \"v\" and \"seq\" are assigned by the log");
  }
  AuditEvent e;
  if (absl::Status s = ParseInto(j, e); !s.ok()) return s;
  if (absl::Status s = ValidateEvent(e); !s.ok()) return s;
  if (!e.time.empty()) e.time = FormatRfc3339Micros(*ParseRfc3339Micros(e.time));
  return e;
}

std::string PseudonymizeId(const crypto::HmacSha256Key& audit_mac, std::string_view id) {
  const crypto::Sha256Digest mac = audit_mac.Mac(Cat("id:", id));
  return "p" + HexEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), 16));
}

std::string PseudonymizeId(const crypto::SecretKey& audit_key, std::string_view id) {
  return PseudonymizeId(crypto::HmacSha256Key(audit_key), id);
}

namespace {

// Writes the canonical leaf body: a JSON object's members without the braces, keys in one fixed
// order, absent and empty values omitted. Built by hand (not through a JSON object) because it
// runs once per audited event on the append path; the bytes are what nlohmann's dump() gave.
class BodyWriter {
 public:
  explicit BodyWriter(std::string& out) : out_(out) {}
  void Put(std::string_view key, std::string_view v) {
    if (v.empty()) return;
    Key(key);
    AppendJsonString(out_, v);
  }
  void Put(std::string_view key, const std::vector<std::string>& v) {
    if (v.empty()) return;
    Key(key);
    out_.push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out_.push_back(',');
      AppendJsonString(out_, v[i]);
    }
    out_.push_back(']');
  }
  // A nested object; `fill` writes its members with a fresh writer.
  template <typename Fill>
  void Object(std::string_view key, Fill fill) {
    Key(key);
    out_.push_back('{');
    BodyWriter inner(out_);
    fill(inner);
    out_.push_back('}');
  }

 private:
  void Key(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    AppendJsonString(out_, key);
    out_.push_back(':');
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace

std::string EncodeLeafBody(const AuditEvent& e, const crypto::HmacSha256Key& audit_mac,
                           int64_t now_us) {
  // One time format in every leaf (UTC, microseconds), whatever offset the caller used.
  absl::StatusOr<int64_t> t = e.time.empty() ? now_us : ParseRfc3339Micros(e.time);
  std::string out;
  out.reserve(384);
  BodyWriter w(out);
  w.Put("time", FormatRfc3339Micros(t.ok() ? *t : now_us));
  w.Object("actor", [&](BodyWriter& a) {
    a.Put("id", e.actor.id);
    a.Put("role", e.actor.role);
    a.Put("session", e.actor.session);
    a.Put("client", e.actor.client);
  });
  w.Put("action", e.action);
  if (!e.resource_type.empty() || !e.record_ids.empty()) {
    w.Object("resource", [&](BodyWriter& r) {
      r.Put("type", e.resource_type);
      std::vector<std::string> ids;
      ids.reserve(e.record_ids.size());
      for (const std::string& id : e.record_ids) ids.push_back(PseudonymizeId(audit_mac, id));
      r.Put("ids", ids);
    });
  }
  if (!e.patient.empty()) w.Put("patient", PseudonymizeId(audit_mac, e.patient));
  w.Put("phi_types", e.phi_types);
  w.Put("fields", e.fields);
  w.Put("purpose", e.purpose);
  if (!e.destination.vendor.empty() || !e.destination.system.empty() ||
      !e.destination.recipient.empty()) {
    w.Object("destination", [&](BodyWriter& d) {
      d.Put("vendor", e.destination.vendor);
      d.Put("system", e.destination.system);
      d.Put("recipient", e.destination.recipient);
    });
  }
  w.Put("outcome", e.outcome);
  w.Put("request_id", e.request_id);
  w.Put("description", e.description);
  return out;
}

std::string EncodeLeafBody(const AuditEvent& event, const crypto::SecretKey& audit_key,
                           int64_t now_us) {
  return EncodeLeafBody(event, crypto::HmacSha256Key(audit_key), now_us);
}

std::string EncodeLeaf(uint64_t seq, std::string_view body) {
  return Cat("{\"v\":1,\"seq\":", seq, ",", body, "}");
}

absl::StatusOr<StoredEvent> DecodeLeaf(std::string_view leaf) {
  Json j = Json::parse(leaf.begin(), leaf.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError("leaf is not a JSON object");
  auto v = j.find("v");
  auto seq = j.find("seq");
  if (v == j.end() || *v != 1 || seq == j.end() || !seq->is_number_unsigned()) {
    return absl::DataLossError("leaf lacks \"v\":1 or a \"seq\"");
  }
  StoredEvent out;
  out.seq = seq->get<uint64_t>();
  if (absl::Status s = ParseInto(j, out.event); !s.ok()) {
    return absl::DataLossError(Cat("leaf ", out.seq, ": ", s.message()));
  }
  absl::StatusOr<int64_t> t = ParseRfc3339Micros(out.event.time);
  if (!t.ok()) return absl::DataLossError(Cat("leaf ", out.seq, ": bad time"));
  out.time_us = *t;
  return out;
}

}  // namespace phiguard::audit
