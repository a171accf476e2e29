#include "kubeevents/client/rest/internal/tls_warmup.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace kube::rest::internal {

void WarmCertificateCaches(SSL_CTX* ctx) {
  if (ctx == nullptr) return;
  // X509_check_purpose with purpose -1 only fills the cache (ossl_x509v3_cache_extensions).
  if (X509_STORE* store = SSL_CTX_get_cert_store(ctx)) {
    STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
    for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
      if (X509* cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i))) {
        X509_check_purpose(cert, -1, 0);
      }
    }
  }
  if (X509* own = SSL_CTX_get0_certificate(ctx)) X509_check_purpose(own, -1, 0);
  STACK_OF(X509)* chain = nullptr;
  if (SSL_CTX_get0_chain_certs(ctx, &chain) == 1 && chain != nullptr) {
    for (int i = 0; i < sk_X509_num(chain); ++i) X509_check_purpose(sk_X509_value(chain, i), -1, 0);
  }
}

}  // namespace kube::rest::internal
