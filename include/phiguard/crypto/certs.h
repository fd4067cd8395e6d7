// A local certificate authority for development mTLS (`phiguard certs`): an ECDSA P-256 CA and
// server/client certificates it signs, as PEM. Production deployments bring certificates from their
// own PKI; these are for a laptop or a test cluster. Stateless functions; thread-safe.
//
//   auto ca = CreateCertificateAuthority("phiguard dev CA", 365);
//   auto server = IssueCertificate(*ca, {"localhost", CertUsage::kServer, {"localhost"}, {"127.0.0.1"}});
//   absl::Status ok = VerifyCertificate(ca->cert_pem, server->cert_pem, CertUsage::kServer);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "phiguard/crypto/secret_key.h"

namespace phiguard::crypto {

enum class CertUsage { kServer, kClient };

struct CertRequest {
  std::string common_name;
  CertUsage usage = CertUsage::kServer;
  std::vector<std::string> dns_names;  // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries (IPv4 or IPv6 text)
  int days = 90;  // validity, 1..3650
};

struct PemCertificate {
  std::string cert_pem;
  SecretKey key_pem;  // the private key (PKCS#8 PEM): secret, never logged
};

// A self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign) valid for `days`.
// InvalidArgument for an empty name or days outside 1..3650; Internal if OpenSSL fails.
absl::StatusOr<PemCertificate> CreateCertificateAuthority(std::string_view common_name, int days);

// A certificate for `request` signed by `ca` (extendedKeyUsage serverAuth or clientAuth).
// InvalidArgument for a bad request (no name, unparsable IP, bad days) or CA PEM.
absl::StatusOr<PemCertificate> IssueCertificate(const PemCertificate& ca, const CertRequest& request);

// OkStatus if `cert_pem` chains to `ca_pem` and is valid now for `usage`; PermissionDenied naming
// OpenSSL's reason otherwise; InvalidArgument for unparsable PEM.
absl::Status VerifyCertificate(std::string_view ca_pem, std::string_view cert_pem, CertUsage usage);

}  // namespace phiguard::crypto
