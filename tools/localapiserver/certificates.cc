#include "kubeevents/tools/localapiserver/certificates.h"

#include <memory>
#include <random>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace kube::localapiserver {
namespace {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

Status OpenSSLError(std::string_view what) {
  std::string msg(what);
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  return InternalError(std::move(msg));
}

StatusOr<PKeyPtr> NewKey() {
  PKeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSSLError("generating an EC P-256 key");
  return key;
}

StatusOr<std::string> ToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    return OpenSSLError("encoding a certificate");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

StatusOr<std::string> ToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return OpenSSLError("encoding a private key");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Status SetSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return OpenSSLError("generating a serial number");
  bytes[0] &= 0x7F;  // positive
  BIGNUM* bn = BN_bin2bn(bytes, sizeof bytes, nullptr);
  if (bn == nullptr) return OpenSSLError("generating a serial number");
  ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  if (serial == nullptr) return OpenSSLError("setting the serial number");
  return {};
}

Status SetValidity(X509* cert, std::chrono::system_clock::time_point from,
                   std::chrono::system_clock::time_point to) {
  const auto as_time_t = [](std::chrono::system_clock::time_point t) {
    return static_cast<time_t>(
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  };
  if (ASN1_TIME_set(X509_getm_notBefore(cert), as_time_t(from)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), as_time_t(to)) == nullptr)
    return OpenSSLError("setting the validity period");
  return {};
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return OpenSSLError("adding certificate extension " + value);
  return {};
}

Status SetName(X509_NAME* name, const std::string& cn, const std::vector<std::string>& orgs) {
  for (const auto& o : orgs) {
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1,
                                   0) != 1)
      return OpenSSLError("setting the organization");
  }
  if (!cn.empty() && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                reinterpret_cast<const unsigned char*>(cn.c_str()),
                                                -1, -1, 0) != 1)
    return OpenSSLError("setting the common name");
  return {};
}

#define KUBE_CERT_TRY(expr)     \
  do {                          \
    ::kube::Status _s = (expr); \
    if (!_s.ok()) return _s;    \
  } while (0)

}  // namespace

StatusOr<KeyPair> GenerateCA(std::string_view common_name,
                             std::chrono::system_clock::duration valid_for) {
  auto key = NewKey();
  if (!key) return key.status();
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return OpenSSLError("creating a certificate");
  KUBE_CERT_TRY(SetSerial(cert.get()));
  const auto now = std::chrono::system_clock::now();
  KUBE_CERT_TRY(SetValidity(cert.get(), now - std::chrono::hours(1), now + valid_for));
  KUBE_CERT_TRY(SetName(X509_get_subject_name(cert.get()), std::string(common_name), {}));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1 ||
      X509_set_pubkey(cert.get(), key->get()) != 1)
    return OpenSSLError("setting the CA subject");
  KUBE_CERT_TRY(AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  KUBE_CERT_TRY(AddExtension(cert.get(), cert.get(), NID_key_usage,
                             "critical,keyCertSign,cRLSign,digitalSignature"));
  KUBE_CERT_TRY(AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key->get(), EVP_sha256()) == 0) return OpenSSLError("signing the CA");
  auto cert_pem = ToPem(cert.get());
  if (!cert_pem) return cert_pem.status();
  auto key_pem = ToPem(key->get());
  if (!key_pem) return key_pem.status();
  return KeyPair{*std::move(cert_pem), *std::move(key_pem)};
}

StatusOr<KeyPair> IssueCertificate(const KeyPair& ca, const CertificateOptions& options) {
  BioPtr cert_bio(
      BIO_new_mem_buf(ca.certificate_pem.data(), static_cast<int>(ca.certificate_pem.size())));
  X509Ptr ca_cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!ca_cert) return OpenSSLError("reading the CA certificate");
  BioPtr key_bio(
      BIO_new_mem_buf(ca.private_key_pem.data(), static_cast<int>(ca.private_key_pem.size())));
  PKeyPtr ca_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!ca_key) return OpenSSLError("reading the CA private key");

  auto key = NewKey();
  if (!key) return key.status();
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return OpenSSLError("creating a certificate");
  KUBE_CERT_TRY(SetSerial(cert.get()));
  const auto now = std::chrono::system_clock::now();
  const auto zero = std::chrono::system_clock::time_point{};
  KUBE_CERT_TRY(SetValidity(
      cert.get(), options.not_before == zero ? now - std::chrono::hours(1) : options.not_before,
      options.not_after == zero ? now + std::chrono::hours(24 * 365) : options.not_after));
  KUBE_CERT_TRY(
      SetName(X509_get_subject_name(cert.get()), options.common_name, options.organizations));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) != 1 ||
      X509_set_pubkey(cert.get(), key->get()) != 1)
    return OpenSSLError("setting the certificate subject");
  KUBE_CERT_TRY(
      AddExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  KUBE_CERT_TRY(AddExtension(cert.get(), ca_cert.get(), NID_key_usage,
                             "critical,digitalSignature,keyEncipherment"));
  std::string eku;
  if (options.server_auth) eku = "serverAuth";
  if (options.client_auth) eku += eku.empty() ? "clientAuth" : ",clientAuth";
  if (!eku.empty()) KUBE_CERT_TRY(AddExtension(cert.get(), ca_cert.get(), NID_ext_key_usage, eku));
  std::string san;
  for (const auto& d : options.dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
  for (const auto& ip : options.ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
  if (!san.empty())
    KUBE_CERT_TRY(AddExtension(cert.get(), ca_cert.get(), NID_subject_alt_name, san));
  KUBE_CERT_TRY(AddExtension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid"));
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0)
    return OpenSSLError("signing the certificate");
  auto cert_pem = ToPem(cert.get());
  if (!cert_pem) return cert_pem.status();
  auto key_pem = ToPem(key->get());
  if (!key_pem) return key_pem.status();
  return KeyPair{*std::move(cert_pem), *std::move(key_pem)};
}

}  // namespace kube::localapiserver
