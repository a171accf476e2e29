// Internal: the credentials a request carries (client-go transport's bearer/basic/exec round
// trippers): static tokens, token files re-read every minute, basic auth and exec plugins with
// cached, expiring credentials. Not installed.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/client/rest/config.h"
#include "kubeevents/client/rest/internal/exec_plugin.h"

namespace kube::rest::internal {

/// A client certificate and key in PEM (from an exec plugin).
struct CertKeyPem {
  std::string certificate;
  std::string key;
};

/// The credentials for one request.
struct Credentials {
  std::string authorization;                      ///< Authorization header value, or empty
  std::shared_ptr<const CertKeyPem> client_cert;  ///< exec-provided certificate, or null
  std::uint64_t generation = 0;                   ///< changes whenever the credentials change
};

/// Produces and refreshes credentials. Thread-safe.
class Authenticator {
 public:
  using ExecRunner = StatusOr<ExecCredentialStatus> (*)(const ExecConfig&, const ExecClusterInfo&);

  Authenticator(const Config& config, ExecClusterInfo cluster, std::shared_ptr<Clock> clock,
                std::shared_ptr<Logger> logger);

  /// Current credentials; may run the exec plugin (blocking) when its result expired.
  StatusOr<Credentials> Get();
  /// Whether Get() would block now (an exec plugin must run).
  bool WouldBlock();
  /// Called when a request sent with credentials of `generation` got 401. Drops those
  /// credentials (token file re-read, exec plugin re-run) and returns whether the next Get()
  /// will produce different ones (worth one retry).
  bool OnUnauthorized(std::uint64_t generation);
  /// Whether any credential is configured.
  bool HasCredentials() const { return kind_ != Kind::kNone; }
  /// Number of times the exec plugin has run (for tests and metrics).
  int exec_runs() const;

 private:
  enum class Kind { kNone, kToken, kTokenFile, kBasic, kExec };
  Status RefreshExecLocked();
  Kind kind_ = Kind::kNone;
  std::string static_token_;
  std::string token_file_;
  std::string basic_;
  std::optional<ExecConfig> exec_;
  ExecClusterInfo cluster_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Logger> logger_;

  mutable std::mutex mu_;
  Credentials current_;
  bool valid_ = false;
  Clock::time_point read_at_{};              // token file
  std::optional<Clock::time_point> expiry_;  // exec
  int exec_runs_ = 0;
};

}  // namespace kube::rest::internal
