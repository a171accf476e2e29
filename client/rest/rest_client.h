// kube::rest::RESTClient: HTTP/1.1 + TLS client for kube-apiserver on Boost.Beast/Asio and
// OpenSSL (client-go rest.RESTClient plus its transport).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/client/rest/config.h"
#include "kubeevents/client/rest/request.h"

namespace kube::rest {

namespace internal {
class ClientCore;
}  // namespace internal

/// Sends requests to one apiserver. Owns a keep-alive connection pool (per host), the TLS
/// context, the credential providers, the rate limiter and `Config::io_threads` I/O threads,
/// all released (threads joined, in-flight requests cancelled) by the destructor.
///
/// Thread-safe: build and run requests from any thread. Get one with Create(); share it with
/// std::shared_ptr (the event sinks do). Destroying it from inside one of its own DoAsync
/// callbacks is allowed: the shutdown then completes on a short-lived helper thread.
///
/// @code
/// auto client = kube::rest::RESTClient::Create(config).value();
/// auto created = client->Post().Namespace("default").Resource("events").Body(event)
///                    .Do().Into<kube::api::core::v1::Event>();
/// @endcode
class RESTClient {
 public:
  /// Validates the config (URL, TLS material, auth combination, credentials over plain http)
  /// and starts the I/O threads. Errors are kInvalidArgument (origin kLocal) naming the
  /// offending setting.
  static StatusOr<std::shared_ptr<RESTClient>> Create(Config config);

  ~RESTClient();
  RESTClient(const RESTClient&) = delete;
  RESTClient& operator=(const RESTClient&) = delete;

  /// Request builders for each verb (client-go's Get(), Post(), ...). Paths default to the
  /// core group (`/api/v1`); call GroupVersion("events.k8s.io/v1") or AbsPath() to change it.
  Request Get() { return Verb("GET"); }
  Request Post() { return Verb("POST"); }
  Request Put() { return Verb("PUT"); }
  Request Patch(std::string_view content_type) {
    Request r = Verb("PATCH");
    r.SetHeader("Content-Type", content_type);
    return r;
  }
  Request Delete() { return Verb("DELETE"); }
  Request Verb(std::string_view verb);

  /// The configuration the client was created with (defaults filled in).
  const Config& config() const;

  /// Internal engine (connection and exec-plugin counters for tests); not a stable API.
  const std::shared_ptr<internal::ClientCore>& internal_core() const { return core_; }

 private:
  explicit RESTClient(std::shared_ptr<internal::ClientCore> core);
  std::shared_ptr<internal::ClientCore> core_;
};

/// Content type of strategic-merge patches, the patch type both event sinks send.
inline constexpr std::string_view kStrategicMergePatchType =
    "application/strategic-merge-patch+json";
/// Content type of JSON merge patches (RFC 7386).
inline constexpr std::string_view kMergePatchType = "application/merge-patch+json";
/// Content type of JSON patches (RFC 6902).
inline constexpr std::string_view kJSONPatchType = "application/json-patch+json";

}  // namespace kube::rest
