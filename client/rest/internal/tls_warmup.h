// Internal: makes an OpenSSL context safe to share between threads that handshake at once.
// Not installed.
#pragma once

#include <openssl/ssl.h>

namespace kube::rest::internal {

/// OpenSSL decodes a certificate's extensions (key identifiers, constraints, purposes) into
/// the X509 object the first time a verification or chain building looks at them. A context's
/// trusted CAs and own certificate are shared by every connection made with it, and with
/// handshakes on several threads at once that first decoding races with readers on another
/// thread. Call this once the context is fully configured and before any handshake uses it:
/// it does the decoding up front, so that handshakes only read.
void WarmCertificateCaches(SSL_CTX* ctx);

}  // namespace kube::rest::internal
