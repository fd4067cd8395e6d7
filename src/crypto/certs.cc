#include "phiguard/crypto/certs.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "phiguard/core/strings.h"

namespace phiguard::crypto {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using Asn1String = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;

absl::Status Openssl(std::string_view what) { return absl::InternalError(Cat("OpenSSL failed to ", what)); }

std::string BioString(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

Bio ReadBio(std::string_view pem) { return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))); }

bool ValidDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '*';
    if (!ok) return false;
  }
  return true;
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return Openssl(Cat("build extension ", OBJ_nid2sn(nid)));
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? absl::OkStatus() : Openssl("add an extension");
}

// A certificate for `subject_key` named `cn`, not yet signed; `issuer` null = self-issued.
absl::StatusOr<Cert> NewCert(std::string_view cn, int days, EVP_PKEY* subject_key, X509* issuer) {
  if (cn.empty() || cn.size() > 64) return absl::InvalidArgumentError("common name must be 1..64 bytes");
  if (days < 1 || days > 3650) return absl::InvalidArgumentError("validity must be 1..3650 days");
  Cert cert(X509_new());
  std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(BN_new());
  if (cert == nullptr || serial == nullptr || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      X509_set_version(cert.get(), 2) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400) == nullptr ||
      X509_set_pubkey(cert.get(), subject_key) != 1) {
    return Openssl("create a certificate");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("phiguard dev"),
                                 -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name) != 1) {
    return Openssl("set certificate names");
  }
  return cert;
}

absl::StatusOr<PemCertificate> ToPem(X509* cert, EVP_PKEY* key) {
  Bio cert_bio(BIO_new(BIO_s_mem())), key_bio(BIO_new(BIO_s_mem()));
  if (cert_bio == nullptr || key_bio == nullptr || PEM_write_bio_X509(cert_bio.get(), cert) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Openssl("write PEM");
  }
  std::string key_pem = BioString(key_bio.get());
  auto secret = SecretKey::FromBytes(std::move(key_pem));
  if (!secret.ok()) return Openssl("write the private key");
  return PemCertificate{BioString(cert_bio.get()), *std::move(secret)};
}

Pkey NewKey() { return Pkey(EVP_EC_gen("P-256")); }

}  // namespace

absl::StatusOr<PemCertificate> CreateCertificateAuthority(std::string_view common_name, int days) {
  Pkey key = NewKey();
  if (key == nullptr) return Openssl("generate a P-256 key");
  auto cert = NewCert(common_name, days, key.get(), nullptr);
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"}}) {
    if (absl::Status s = AddExtension(c, c, nid, value); !s.ok()) return s;
  }
  if (X509_sign(c, key.get(), EVP_sha256()) == 0) return Openssl("sign the CA certificate");
  return ToPem(c, key.get());
}

absl::StatusOr<PemCertificate> IssueCertificate(const PemCertificate& ca, const CertRequest& request) {
  Bio ca_bio = ReadBio(ca.cert_pem);
  Cert ca_cert(PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr));
  Bio key_bio = ReadBio(ca.key_pem.RawBytesForCrypto());
  Pkey ca_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (ca_cert == nullptr || ca_key == nullptr) return absl::InvalidArgumentError("CA certificate or key is not valid PEM");
  std::string san;
  for (const std::string& dns : request.dns_names) {
    if (!ValidDnsName(dns)) return absl::InvalidArgumentError(Cat("not a DNS name: ", dns));
    san += Cat(san.empty() ? "" : ",", "DNS:", dns);
  }
  for (const std::string& ip : request.ip_addresses) {
    Asn1String parsed(a2i_IPADDRESS(ip.c_str()));
    if (parsed == nullptr) return absl::InvalidArgumentError(Cat("not an IP address: ", ip));
    san += Cat(san.empty() ? "" : ",", "IP:", ip);
  }
  Pkey key = NewKey();
  if (key == nullptr) return Openssl("generate a P-256 key");
  auto cert = NewCert(request.common_name, request.days, key.get(), ca_cert.get());
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  const bool server = request.usage == CertUsage::kServer;
  std::vector<std::pair<int, std::string>> exts = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, server ? "serverAuth" : "clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"}};
  if (!san.empty()) exts.emplace_back(NID_subject_alt_name, san);
  for (const auto& [nid, value] : exts) {
    if (absl::Status s = AddExtension(c, ca_cert.get(), nid, value); !s.ok()) return s;
  }
  if (X509_sign(c, ca_key.get(), EVP_sha256()) == 0) return Openssl("sign the certificate");
  return ToPem(c, key.get());
}

absl::Status VerifyCertificate(std::string_view ca_pem, std::string_view cert_pem, CertUsage usage) {
  Bio ca_bio = ReadBio(ca_pem), cert_bio = ReadBio(cert_pem);
  Cert ca(PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr));
  Cert cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (ca == nullptr || cert == nullptr) return absl::InvalidArgumentError("certificate is not valid PEM");
  Store store(X509_STORE_new());
  StoreCtx ctx(X509_STORE_CTX_new());
  if (store == nullptr || ctx == nullptr || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1 ||
      X509_STORE_CTX_set_purpose(ctx.get(), usage == CertUsage::kServer ? X509_PURPOSE_SSL_SERVER
                                                                         : X509_PURPOSE_SSL_CLIENT) != 1) {
    return Openssl("set up certificate verification");
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    return absl::PermissionDeniedError(
        Cat("certificate does not verify: ", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))));
  }
  return absl::OkStatus();
}

}  // namespace phiguard::crypto
