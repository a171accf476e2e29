// Generating a CA and certificates in memory (OpenSSL EVP APIs): the local API server's TLS
// identity and the client certificates tests authenticate with. Keys never touch the disk
// unless the caller writes them.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/status_or.h"

namespace kube::localapiserver {

/// A PEM certificate and its PEM (PKCS#8) private key.
struct KeyPair {
  std::string certificate_pem;
  std::string private_key_pem;
};

/// What to put in an issued certificate.
struct CertificateOptions {
  std::string common_name{};                 ///< subject CN (the user name for client certs)
  std::vector<std::string> organizations{};  ///< subject O entries (groups for client certs)
  std::vector<std::string> dns_names{};      ///< subjectAltName DNS entries
  std::vector<std::string> ip_addresses{};   ///< subjectAltName IP entries ("127.0.0.1", "::1")
  /// Validity window; zero values mean now − 1 h and now + 365 days. Set both in the past to
  /// make an expired certificate for tests.
  std::chrono::system_clock::time_point not_before{};
  std::chrono::system_clock::time_point not_after{};
  bool server_auth = true;   ///< extendedKeyUsage serverAuth
  bool client_auth = false;  ///< extendedKeyUsage clientAuth
};

/// A self-signed CA (ECDSA P-256, basicConstraints CA:TRUE, keyCertSign) valid for `valid_for`.
StatusOr<KeyPair> GenerateCA(
    std::string_view common_name,
    std::chrono::system_clock::duration valid_for = std::chrono::hours(24 * 365));

/// A leaf certificate (ECDSA P-256) signed by `ca`.
StatusOr<KeyPair> IssueCertificate(const KeyPair& ca, const CertificateOptions& options);

}  // namespace kube::localapiserver
