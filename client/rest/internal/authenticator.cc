#include "kubeevents/client/rest/internal/authenticator.h"

#include "kubeevents/client/rest/internal/url.h"

namespace kube::rest::internal {

namespace {

// client-go NewCachedFileTokenSource: re-read the token file once a minute.
constexpr auto kTokenFilePeriod = std::chrono::minutes(1);
// Exec credentials are refreshed this long before they expire.
constexpr auto kExecExpirySkew = std::chrono::seconds(10);

std::string TrimToken(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Authenticator::Authenticator(const Config& config, ExecClusterInfo cluster,
                             std::shared_ptr<Clock> clock, std::shared_ptr<Logger> logger)
    : cluster_(std::move(cluster)), clock_(std::move(clock)), logger_(std::move(logger)) {
  if (config.exec_provider) {
    kind_ = Kind::kExec;
    exec_ = config.exec_provider;
  } else if (!config.bearer_token_file.empty()) {
    kind_ = Kind::kTokenFile;
    token_file_ = config.bearer_token_file;
    static_token_ = config.bearer_token;
  } else if (!config.bearer_token.empty()) {
    kind_ = Kind::kToken;
    static_token_ = config.bearer_token;
  } else if (!config.username.empty() || !config.password.empty()) {
    kind_ = Kind::kBasic;
    basic_ = "Basic " + EncodeBase64(config.username + ":" + config.password);
  }
  current_.generation = 1;
  if (kind_ == Kind::kToken) {
    current_.authorization = "Bearer " + static_token_;
    valid_ = true;
  } else if (kind_ == Kind::kBasic) {
    current_.authorization = basic_;
    valid_ = true;
  } else if (kind_ == Kind::kNone) {
    valid_ = true;
  }
}

int Authenticator::exec_runs() const {
  std::lock_guard lock(mu_);
  return exec_runs_;
}

bool Authenticator::WouldBlock() {
  if (kind_ != Kind::kExec) return false;
  std::lock_guard lock(mu_);
  return !valid_ || (expiry_ && clock_->Now() + kExecExpirySkew >= *expiry_);
}

Status Authenticator::RefreshExecLocked() {
  ++exec_runs_;
  auto result = RunExecPlugin(*exec_, cluster_);
  if (!result.ok()) {
    logger_->Error("exec credential plugin failed",
                   {{"command", exec_->command}, {"err", result.status().message()}});
    return result.status();
  }
  Credentials next;
  next.generation = current_.generation + 1;
  if (!result->token.empty()) next.authorization = "Bearer " + result->token;
  if (!result->client_certificate_pem.empty()) {
    // Keep the old pointer when the certificate did not change, so pooled connections stay.
    if (current_.client_cert &&
        current_.client_cert->certificate == result->client_certificate_pem &&
        current_.client_cert->key == result->client_key_pem) {
      next.client_cert = current_.client_cert;
    } else {
      next.client_cert = std::make_shared<const CertKeyPem>(
          CertKeyPem{result->client_certificate_pem, result->client_key_pem});
    }
  }
  current_ = std::move(next);
  expiry_ = result->expiration;
  valid_ = true;
  logger_->Info(4, "exec credential plugin returned credentials",
                {{"command", exec_->command},
                 {"expires", expiry_ ? api::meta::v1::FormatRFC3339(*expiry_, 0) : "never"}});
  return Status();
}

StatusOr<Credentials> Authenticator::Get() {
  std::lock_guard lock(mu_);
  switch (kind_) {
    case Kind::kNone:
    case Kind::kToken:
    case Kind::kBasic:
      return current_;
    case Kind::kTokenFile: {
      const auto now = clock_->Now();
      if (!valid_ || now - read_at_ >= kTokenFilePeriod) {
        auto token = ReadFile(token_file_);
        if (token.ok() && !TrimToken(*token).empty()) {
          std::string auth = "Bearer " + TrimToken(*token);
          if (auth != current_.authorization) {
            current_.authorization = std::move(auth);
            ++current_.generation;
          }
          valid_ = true;
          read_at_ = now;
        } else if (!current_.authorization.empty() || !static_token_.empty()) {
          // client-go keeps using the cached token when a re-read fails.
          logger_->Error("Unable to rotate token",
                         {{"path", token_file_},
                          {"err", token.ok() ? "empty token file" : token.status().message()}});
          if (current_.authorization.empty()) {
            current_.authorization = "Bearer " + static_token_;
          }
          valid_ = true;
          read_at_ = now;
        } else {
          return Status(StatusCode::kUnauthenticated,
                        "reading bearer token file: " +
                            (token.ok() ? token_file_ + " is empty" : token.status().message()),
                        ErrorOrigin::kLocal);
        }
      }
      return current_;
    }
    case Kind::kExec: {
      const bool expired = expiry_ && clock_->Now() + kExecExpirySkew >= *expiry_;
      if (!valid_ || expired) {
        if (Status s = RefreshExecLocked(); !s.ok()) return s;
      }
      return current_;
    }
  }
  return current_;
}

bool Authenticator::OnUnauthorized(std::uint64_t generation) {
  std::lock_guard lock(mu_);
  if (kind_ != Kind::kExec && kind_ != Kind::kTokenFile) return false;
  if (generation != current_.generation) return true;  // already refreshed by someone else
  if (kind_ == Kind::kTokenFile) {
    // Re-read now; a retry only helps when the file holds a different token.
    auto token = ReadFile(token_file_);
    read_at_ = clock_->Now();
    if (!token.ok() || TrimToken(*token).empty()) return false;
    std::string auth = "Bearer " + TrimToken(*token);
    if (auth == current_.authorization) return false;
    current_.authorization = std::move(auth);
    ++current_.generation;
    return true;
  }
  valid_ = false;  // re-run the plugin on the next Get()
  return true;
}

}  // namespace kube::rest::internal
