// The exec credential plugin's output: stdout parsed as an ExecCredential for each supported
// apiVersion, and stderr cleaned of control sequences before it reaches an error message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "kubeevents/client/rest/internal/exec_plugin.h"

namespace internal = kube::rest::internal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view output(reinterpret_cast<const char*>(data), size);
  for (const char* version :
       {"client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"}) {
    auto cred = internal::ParseExecCredential(output, version);
    if (!cred.ok()) {
      KUBEEVENTS_FUZZ_CHECK(!cred.status().message().empty(), "error without a message");
      continue;
    }
    KUBEEVENTS_FUZZ_CHECK(!cred->token.empty() || !cred->client_certificate_pem.empty(),
                          "a credential without a token or certificate");
    KUBEEVENTS_FUZZ_CHECK(cred->client_certificate_pem.empty() == cred->client_key_pem.empty(),
                          "a certificate without its key");
  }
  const std::string cleaned = internal::StripControlSequences(output);
  for (const char c : cleaned) {
    const auto u = static_cast<unsigned char>(c);
    KUBEEVENTS_FUZZ_CHECK(u >= 0x20 ? u != 0x7f : (c == '\n' || c == '\t'), cleaned);
  }
  return 0;
}
