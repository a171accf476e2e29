// Loading kubeconfig files (client-go tools/clientcmd): finding and merging files, choosing a
// context, applying overrides, and turning the result into a kube::rest::Config.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/client/rest/config.h"

namespace kube::rest {

/// Which files to read (clientcmd.ClientConfigLoadingRules).
struct KubeconfigLoadingRules {
  /// A file that must exist and is loaded alone (the `--kubeconfig` flag). Empty: use
  /// `precedence`.
  std::string explicit_path;
  /// Files merged in order; the first file to define a cluster/user/context name wins (the
  /// whole entry), and the first to set current-context wins. Missing files are skipped.
  std::vector<std::string> precedence;

  /// The client-go defaults: KUBECONFIG split on ':' (deduplicated, empty entries skipped),
  /// or `$HOME/.kube/config` when KUBECONFIG is unset or empty.
  static KubeconfigLoadingRules FromEnvironment();
};

/// clientcmd.ConfigOverrides: what a command line usually overrides.
struct KubeconfigOverrides {
  std::string context{};     ///< use this context instead of current-context
  std::string namespace_{};  ///< the namespace (Config::default_namespace)
  std::string server{};      ///< the cluster's server URL
};

/// Loads and merges the files the rules name, selects the context and builds a Config.
/// Relative paths (certificate-authority, client-certificate, client-key, tokenFile, and
/// exec.command when it contains '/') resolve against the directory of the file that defined
/// them. Errors (kInvalidArgument / kNotFound / kFailedPrecondition) name the file and the
/// field: `/home/me/.kube/config: users[0].user.client-certificate-data: illegal base64`.
/// When no file exists the error is kNotFound ("no configuration has been provided").
/// Warnings (data overriding a file) go to `logger` (null: default); insecure-skip-tls-verify
/// is warned about by the RESTClient created from the config, once per client.
StatusOr<Config> LoadKubeconfig(const KubeconfigLoadingRules& rules,
                                const KubeconfigOverrides& overrides = {},
                                std::shared_ptr<Logger> logger = nullptr);

/// Loads one kubeconfig file (an explicit path).
StatusOr<Config> LoadKubeconfigFile(const std::string& path,
                                    const KubeconfigOverrides& overrides = {},
                                    std::shared_ptr<Logger> logger = nullptr);

/// Parses kubeconfig text (YAML or JSON). `origin` names it in errors and its directory is
/// the base of relative paths (empty: the current directory).
StatusOr<Config> ParseKubeconfig(std::string_view text, const std::string& origin = "",
                                 const KubeconfigOverrides& overrides = {},
                                 std::shared_ptr<Logger> logger = nullptr);

}  // namespace kube::rest
