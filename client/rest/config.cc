#include "kubeevents/client/rest/config.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "kubeevents/client/rest/internal/url.h"
#include "kubeevents/client/rest/kubeconfig.h"

namespace kube::rest {

namespace {

std::string GoArch() {
  struct utsname u {};
  if (uname(&u) != 0) return "unknown";
  const std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i686" || m == "i386") return "386";
  if (m.rfind("arm", 0) == 0) return "arm";
  return m;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string DefaultUserAgent() {
#ifdef KUBEEVENTS_VERSION
  const char* version = KUBEEVENTS_VERSION;
#else
  const char* version = "0.0.0";
#endif
  return std::string("kubeevents/v") + version + " (linux/" + GoArch() + ")";
}

bool InClusterConfigPossible(const InClusterOptions& options) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  return host && *host && port && *port && std::filesystem::exists(options.token_file);
}

StatusOr<Config> InClusterConfig(const InClusterOptions& options) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port) {
    return FailedPreconditionError(
        "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
        "KUBERNETES_SERVICE_PORT must be defined");
  }
  auto token = internal::ReadFile(options.token_file);
  if (!token.ok()) {
    return Status(token.status().code(),
                  "unable to load in-cluster configuration: " + token.status().message());
  }
  Config config;
  const std::string h = host;
  config.host = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
  config.bearer_token = Trim(*token);
  config.bearer_token_file = options.token_file;
  auto ca = internal::ReadFile(options.ca_file);
  if (ca.ok()) {
    config.tls.ca_file = options.ca_file;
  } else {
    MakeDefaultLogger()->Error("Expected to load root CA config, but got err",
                               {{"path", options.ca_file}, {"err", ca.status().message()}});
  }
  if (const char* ns = std::getenv("POD_NAMESPACE"); ns && *ns) {
    config.default_namespace = ns;
  } else if (auto nsfile = internal::ReadFile(options.namespace_file); nsfile.ok()) {
    std::string n = Trim(*nsfile);
    if (!n.empty()) config.default_namespace = n;
  }
  return config;
}

StatusOr<Config> LoadDefaultConfig() {
  auto rules = KubeconfigLoadingRules::FromEnvironment();
  auto config = LoadKubeconfig(rules);
  if (config.ok()) return config;
  // clientcmd's deferred loading: no kubeconfig at all → in-cluster when possible.
  if (config.status().code() == StatusCode::kNotFound && InClusterConfigPossible()) {
    return InClusterConfig();
  }
  return config;
}

}  // namespace kube::rest
