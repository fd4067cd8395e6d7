#include "phiguard/deid/transformer.h"

#include <algorithm>
#include <cctype>

#include "absl/container/flat_hash_set.h"
#include "deid/internal/date_format.h"
#include "deid/internal/surrogates.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phiguard/crypto/hmac.h"

namespace phiguard::deid {

using phi::PhiType;

struct Transformer::Impl {
  Impl(Profile p, const crypto::SecretKey& pseudonym, crypto::SecretKey surrogate,
       const crypto::SecretKey& date, internal::SurrogateLists l)
      : profile(std::move(p)),
        pseudonym_mac(pseudonym),
        surrogate_key(std::move(surrogate)),
        date_mac(date),
        lists(std::move(l)) {}

  Profile profile;
  // The pseudonym and date keys with their HMAC pads absorbed once: a structured export MACs
  // every new id and patient (one-shot HMAC() builds a MAC context per call, several times the
  // cost of hashing a short message). Same MACs as HmacSha256 under the derived keys.
  crypto::HmacSha256Key pseudonym_mac;
  crypto::SecretKey surrogate_key;
  crypto::HmacSha256Key date_mac;
  internal::SurrogateLists lists;
  absl::flat_hash_set<std::string> restricted_zip3;
};

namespace {

uint64_t FirstU64(const crypto::Sha256Digest& d) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[i];
  return v;
}

}  // namespace

Transformer::Transformer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transformer::~Transformer() = default;
const Profile& Transformer::profile() const { return impl_->profile; }

absl::StatusOr<std::unique_ptr<Transformer>> Transformer::Create(
    const Profile& profile, std::optional<crypto::SecretKey> key,
    const TransformerOptions& options) {
  if (!key) {
    auto k = crypto::SecretKey::Generate();
    if (!k.ok()) return k.status();
    key.emplace(std::move(*k));
  }
  std::string dir = options.data_dir.empty() ? phi::DefaultDataDir() : options.data_dir;
  auto lists = internal::LoadSurrogateLists(dir + "/lexicons");
  if (!lists.ok()) return lists.status();
  auto zips = ReadFileBounded(dir + "/zip3_restricted.txt", 1 << 16);
  if (!zips.ok()) return zips.status();
  auto impl = std::make_unique<Impl>(profile, key->Derive("pseudonym/v1"),
                                     key->Derive("surrogate/v1"), key->Derive("date/v1"),
                                     std::move(*lists));
  size_t line_no = 0;
  for (std::string_view line : Split(*zips, '\n')) {
    ++line_no;
    line = StripAscii(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.size() != 3 || !std::all_of(line.begin(), line.end(), ::isdigit)) {
      return absl::InvalidArgumentError(
          Cat(dir, "/zip3_restricted.txt:", line_no, ": expected a 3-digit ZIP prefix"));
    }
    impl->restricted_zip3.insert(std::string(line));
  }
  return std::unique_ptr<Transformer>(new Transformer(std::move(impl)));
}

int Transformer::DateShiftDays(std::string_view patient_id) const {
  // Whole weeks keep weekdays (clinic days, weekend effects) and every interval intact.
  int max_weeks = std::max(1, impl_->profile.date_shift_max_days / 7);
  uint64_t h = FirstU64(impl_->date_mac.Mac(Cat("patient|", patient_id)));
  int weeks = static_cast<int>(h % static_cast<uint64_t>(2 * max_weeks)) - max_weeks;
  if (weeks >= 0) ++weeks;  // never 0: -max..-1, 1..max
  return weeks * 7;
}

namespace {

std::string Redacted(PhiType type) { return Cat("[**", phi::PhiTypeName(type), "**]"); }

std::string Masked(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (std::isalnum(static_cast<unsigned char>(c))) c = '*';
  }
  return out;
}

// What identifies a value regardless of spelling: "123-45-6789" == "123456789",
// "Dr. SMITH" == "smith".
std::string Normalized(PhiType type, std::string_view value) {
  std::string out;
  bool letters = type == PhiType::kName || type == PhiType::kClinicianName ||
                 type == PhiType::kLocation || type == PhiType::kFacility;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c >= 0x80) out.push_back(static_cast<char>(std::tolower(c)));
    else if (letters && c == ' ' && !out.empty() && out.back() != ' ') out.push_back(' ');
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string Base32(const crypto::Sha256Digest& d, size_t chars) {
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // no I, O, 0, 1
  std::string out;
  uint64_t acc = 0;
  int bits = 0;
  for (uint8_t b : d) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.size() < chars) {
      out.push_back(kAlphabet[(acc >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  return out;
}

std::string GeneralizeZip(std::string_view value,
                          const absl::flat_hash_set<std::string>& restricted) {
  std::string digits;
  for (char c : value) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  if (digits.size() < 5) return Redacted(PhiType::kZip);
  std::string zip3 = digits.substr(0, 3);
  // 164.514(b)(2)(i)(B): 3-digit areas of 20,000 people or fewer become 000.
  return restricted.contains(zip3) ? "000" : zip3;
}

}  // namespace

std::string Transformer::PseudonymPreservingFormat(std::string_view value) const {
  auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '-'; };
  bool hex = !value.empty() && std::all_of(value.begin(), value.end(), is_hex) &&
             std::any_of(value.begin(), value.end(),
                         [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  std::string out(value);
  crypto::Sha256Digest block{};
  for (size_t i = 0; i < out.size(); ++i) {
    if (i % block.size() == 0) {
      block = impl_->pseudonym_mac.Mac(Cat("format|", i / block.size(), "|", value));
    }
    unsigned b = block[i % block.size()];
    char& c = out[i];
    if (hex && c != '-') {
      static constexpr char kHexLower[] = "0123456789abcdef";
      char h = kHexLower[b & 15];
      c = std::isupper(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(h)) : h;
    } else if (c >= '0' && c <= '9') {
      c = static_cast<char>('0' + b % 10);
    } else if (c >= 'a' && c <= 'z') {
      c = static_cast<char>('a' + b % 26);
    } else if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>('A' + b % 26);
    }
  }
  return out;
}

std::string Transformer::KeyId() const {
  crypto::Sha256Digest d = impl_->pseudonym_mac.Mac("phiguard key id");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 8; ++i) {
    out.push_back(kHex[d[i] >> 4]);
    out.push_back(kHex[d[i] & 15]);
  }
  return out;
}

std::string Transformer::Replace(PhiType type, std::string_view value,
                                 const DocumentContext& ctx) const {
  return ReplaceWith(impl_->profile.For(type), type, value, ctx);
}

uint64_t Transformer::KeyedBucket(std::string_view value, uint64_t buckets) const {
  return FirstU64(impl_->pseudonym_mac.Mac(Cat("bucket|", value))) % buckets;
}

std::string Transformer::ReplaceWith(Transform transform, PhiType type, std::string_view value,
                                     const DocumentContext& ctx) const {
  switch (transform) {
    case Transform::kKeep:
      return std::string(value);
    case Transform::kRedact:
      return Redacted(type);
    case Transform::kMask:
      return Masked(value);
    case Transform::kPseudonym: {
      crypto::Sha256Digest d =
          impl_->pseudonym_mac.Mac(Cat(phi::PhiTypeName(type), "|", Normalized(type, value)));
      return Cat(phi::PhiTypeName(type), "-", Base32(d, 10));
    }
    case Transform::kDateShift:
      if (type == PhiType::kDate) {
        if (auto parsed = internal::ParseDate(value)) {
          return internal::ShiftDate(*parsed, DateShiftDays(ctx.patient_id), 2001);
        }
      }
      return Redacted(type);
    case Transform::kGeneralize:
      if (type == PhiType::kAge) return "90+";
      if (type == PhiType::kZip) return GeneralizeZip(value, impl_->restricted_zip3);
      if (type == PhiType::kDate) {
        auto parsed = internal::ParseDate(value);
        if (parsed && parsed->year != 0) return std::to_string(parsed->year);
      }
      return Redacted(type);
    case Transform::kSurrogate: {
      if (type == PhiType::kDate) {
        if (auto parsed = internal::ParseDate(value)) {
          return internal::ShiftDate(*parsed, DateShiftDays(ctx.patient_id), 2001);
        }
        return Redacted(type);
      }
      if (type == PhiType::kAge) return "90+";
      return internal::MakeSurrogate(type, value, Normalized(type, value), impl_->surrogate_key,
                                     impl_->lists);
    }
  }
  return Redacted(type);
}

void Transformer::ApplyInPieces(std::string_view text, const std::vector<phi::Span>& spans,
                                const DocumentContext& ctx,
                                absl::FunctionRef<void(std::string_view)> piece) const {
  size_t pos = 0;
  for (const phi::Span& s : spans) {
    if (s.byte_start < pos || s.byte_end > text.size()) continue;  // defensive: overlapping input
    if (s.byte_start > pos) piece(text.substr(pos, s.byte_start - pos));
    piece(Replace(s.type, text.substr(s.byte_start, s.byte_end - s.byte_start), ctx));
    pos = s.byte_end;
  }
  if (pos < text.size()) piece(text.substr(pos));
}

std::string Transformer::Apply(std::string_view text, const std::vector<phi::Span>& spans,
                               const DocumentContext& ctx) const {
  std::string out;
  out.reserve(text.size() + spans.size() * 8);
  ApplyInPieces(text, spans, ctx, [&out](std::string_view piece) { out.append(piece); });
  return out;
}

}  // namespace phiguard::deid
