// Internal: running an exec credential plugin (client-go plugin/pkg/client/auth/exec). Not
// installed.
#pragma once

#include <optional>
#include <string>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/meta/v1/time.h"
#include "kubeevents/client/rest/config.h"

namespace kube::rest::internal {

/// What the plugin learns about the cluster when provideClusterInfo is set.
struct ExecClusterInfo {
  std::string server;
  std::string tls_server_name;
  bool insecure_skip_tls_verify = false;
  std::string ca_data;  ///< PEM (sent base64-encoded)
  std::string proxy_url;
  bool disable_compression = false;
};

/// The status of an ExecCredential.
struct ExecCredentialStatus {
  std::string token;
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::optional<api::meta::v1::TimePoint> expiration;
};

/// The KUBERNETES_EXEC_INFO document handed to the plugin.
std::string BuildExecInfo(const ExecConfig& exec, const ExecClusterInfo& cluster);

/// Parses and checks the plugin's output against the requested apiVersion.
StatusOr<ExecCredentialStatus> ParseExecCredential(std::string_view json,
                                                   const std::string& api_version);

/// Runs the plugin (stdin /dev/null, stdout and stderr captured, killed after exec.timeout)
/// and parses its output. Errors (kUnauthenticated, origin kLocal) name the command, include
/// the install hint when the binary is missing and the plugin's stderr when it fails.
StatusOr<ExecCredentialStatus> RunExecPlugin(const ExecConfig& exec,
                                             const ExecClusterInfo& cluster);

/// Removes ANSI escape sequences and other control characters (except newlines and tabs).
std::string StripControlSequences(std::string_view text);

}  // namespace kube::rest::internal
