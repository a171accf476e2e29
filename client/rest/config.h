// kube::rest::Config: everything needed to talk to one kube-apiserver (client-go rest.Config),
// and the loaders that build it from kubeconfig files or from inside a pod.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/client/rest/rate_limiter.h"

namespace kube::rest {

/// TLS settings (client-go rest.TLSClientConfig). PEM data fields win over the file fields.
/// Keys are held in memory only; nothing is ever written to a temporary file.
struct TLSClientConfig {
  /// Skip certificate verification. Dangerous: only for test clusters. May not be combined
  /// with a CA ("specifying a root certificates file with the insecure flag is not allowed").
  bool insecure = false;
  /// Name used for SNI *and* host-name verification instead of the server URL's host
  /// (kubeconfig `tls-server-name`). Empty: the URL host (no SNI for IP literals).
  std::string server_name;
  /// PEM file paths. cert_file/key_file given together are re-read when a new connection is
  /// opened (at most once a second), so rotated client certificates are picked up.
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  /// PEM contents (kubeconfig `*-data` fields after base64 decoding). Win over the files.
  std::string cert_data;
  std::string key_data;
  std::string ca_data;  ///< may hold several certificates
};

/// User impersonation (kubeconfig `as`, `as-uid`, `as-groups`, `as-user-extra`), sent as
/// Impersonate-User / -Uid / -Group / -Extra-<key> headers. uid/groups/extra require user_name.
struct ImpersonationConfig {
  std::string user_name{};
  std::string uid{};
  std::vector<std::string> groups{};
  std::map<std::string, std::vector<std::string>> extra{};
};

/// One environment variable handed to an exec credential plugin.
struct ExecEnvVar {
  std::string name{};
  std::string value{};
};

/// kubeconfig `exec.interactiveMode`. kubeevents never has a terminal on stdin (it is a
/// library inside controllers), so kAlways fails and the others run non-interactively.
enum class ExecInteractiveMode { kNever, kIfAvailable, kAlways };

/// An exec credential plugin (client.authentication.k8s.io/v1 or v1beta1): the program is run
/// with KUBERNETES_EXEC_INFO set, prints an ExecCredential (a token or a client certificate),
/// and the result is cached until its expirationTimestamp (refreshed 10 s before it) or until
/// the apiserver answers 401.
struct ExecConfig {
  std::string command{};  ///< looked up in PATH unless it contains a '/'
  std::vector<std::string> args{};
  std::vector<ExecEnvVar> env{};  ///< added to this process's environment
  std::string api_version = "client.authentication.k8s.io/v1";
  std::string install_hint{};  ///< shown (ANSI escapes stripped) when the command is missing
  bool provide_cluster_info = false;
  ExecInteractiveMode interactive_mode = ExecInteractiveMode::kIfAvailable;
  /// Raw JSON of the cluster's `client.authentication.k8s.io/exec` extension, handed to the
  /// plugin as spec.cluster.config. Empty: none.
  std::string cluster_config_json{};
  /// Longest a plugin may run before it is killed and the request fails. client-go has no
  /// bound; 60 s here so a hung plugin cannot hang the event pipeline forever.
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
};

/// How to reach and authenticate to one apiserver (client-go rest.Config). Every default
/// equals client-go's. Build one by hand, or with LoadDefaultConfig / LoadKubeconfig /
/// InClusterConfig; then create a RESTClient (rest_client.h) or an event sink (event_sink.h).
struct Config {
  /// Server URL: `https://host[:port][/path-prefix]` (IPv6 in brackets). A path prefix is kept
  /// (Rancher-style proxies). No scheme: https when any TLS setting is present, else http.
  std::string host;
  TLSClientConfig tls;

  // ---- authentication: at most one of token/token-file, basic, exec (client certs may be
  // combined with any of them).
  /// Static bearer token.
  std::string bearer_token;
  /// File holding a bearer token, re-read every minute (and after a 401), so rotated
  /// service-account tokens keep working. Wins over bearer_token once readable.
  std::string bearer_token_file;
  /// HTTP basic authentication.
  std::string username;
  std::string password;
  /// Exec credential plugin.
  std::optional<ExecConfig> exec_provider;
  ImpersonationConfig impersonate;

  /// Proxy URL (kubeconfig `proxy-url`): `http://[user:pass@]host:port` (HTTP CONNECT tunnel
  /// for https servers, absolute-form requests for http servers). Other schemes are rejected
  /// ("unsupported scheme"). Empty: HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the environment;
  /// loopback servers are never proxied.
  std::string proxy_url;

  /// Client-side rate limit: a token bucket of `burst` tokens refilled at `qps` per second
  /// (client-go defaults 5 and 10). qps 0 means 5 and burst 0 means 10; a negative qps turns
  /// limiting off. `rate_limiter`, when set, replaces the bucket (share one between clients to
  /// share a budget).
  float qps = 5;
  int burst = 10;
  std::shared_ptr<RateLimiter> rate_limiter;

  /// Per-request deadline covering throttling, retries, connect, TLS and the response. 0 means
  /// none (client-go's default); requests can also set their own.
  std::chrono::milliseconds timeout{0};
  /// Bounds of the transport (client-go/net defaults): TCP connect 30 s, TLS handshake 10 s,
  /// idle pooled connections closed after 90 s, at most 25 idle connections kept.
  std::chrono::milliseconds dial_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds tls_handshake_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds idle_connection_timeout = std::chrono::seconds(90);
  std::size_t max_idle_connections = 25;
  /// Largest response body accepted (a list of many events can be large). Default 256 MiB.
  std::size_t max_response_bytes = std::size_t{256} << 20;
  /// Retries of 429/5xx responses carrying Retry-After (client-go maxRetries 10).
  int max_retries = 10;

  /// User-Agent header; empty means DefaultUserAgent(): `kubeevents/<version> (<os>/<arch>)`.
  std::string user_agent;
  /// client-go's DisableCompression. kubeevents never asks for gzip, so this is a no-op kept
  /// for parity with kubeconfig's `disable-compression`.
  bool disable_compression = false;
  /// Refuse (false, default) to send a token, password or exec credential over plain http to a
  /// host that is not a loopback address. Set true only for trusted networks.
  bool allow_insecure_credentials_over_http = false;

  /// The namespace of the kubeconfig context (or the pod's namespace in-cluster); "default"
  /// when unset. Informational: clients and sinks take their namespace explicitly.
  std::string default_namespace = "default";

  /// Number of internal I/O threads the RESTClient owns (joined when it is destroyed). They
  /// run DoAsync requests and watches; Do() runs its request on the calling thread instead.
  int io_threads = 1;
  /// Where requests, warnings (`Warning:` response headers) and credential problems are
  /// logged; null means MakeDefaultLogger(). Tokens, passwords and keys are never logged.
  std::shared_ptr<Logger> logger;
  /// Time source for token-file re-reads, exec-credential expiry and the rate limiter; null
  /// means the real clock.
  std::shared_ptr<Clock> clock;
};

/// `kubeevents/<version> (<os>/<arch>)`, client-go's default User-Agent shape.
std::string DefaultUserAgent();

/// Where the service account's files live inside a pod (overridable for tests).
struct InClusterOptions {
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

/// client-go rest.InClusterConfig: host from KUBERNETES_SERVICE_HOST/PORT (IPv6 bracketed),
/// the service-account token as bearer_token_file (re-read every minute, so projected tokens
/// rotate), ca.crt as CA (a missing CA is logged, not fatal), namespace from POD_NAMESPACE,
/// else the namespace file, else "default". Fails with kFailedPrecondition when not in a pod.
StatusOr<Config> InClusterConfig(const InClusterOptions& options = {});

/// Whether InClusterConfig can work: the two environment variables are set and the token
/// file exists (client-go's inClusterClientConfig.Possible).
bool InClusterConfigPossible(const InClusterOptions& options = {});

/// The default loading chain (clientcmd's deferred loading): the files named by KUBECONFIG
/// (merged), or ~/.kube/config when KUBECONFIG is unset; when none of them exists and the
/// process runs in a pod, InClusterConfig(). Errors name the file and field at fault.
StatusOr<Config> LoadDefaultConfig();

}  // namespace kube::rest
