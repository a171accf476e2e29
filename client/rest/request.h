// kube::rest::Request and Result: the fluent request builder of client-go's rest package.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kubeevents/api/common/status.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/json.h"
#include "kubeevents/client/rest/watch.h"

namespace kube::rest {

namespace internal {
class ClientCore;
}  // namespace internal

/// The outcome of one request: the HTTP response, or the Status explaining why there is no
/// successful one. Errors carry their origin (docs/errors.md):
/// * kAPIServer — a non-2xx response; api_status() holds the apiserver's metav1.Status (or one
///   synthesized from the HTTP code when the body is not a Status);
/// * kTransport — connect/TLS/write/read failure, timeout (kDeadlineExceeded) or cancellation
///   (kCancelled): the server may or may not have seen the request;
/// * kRequestBuilding — the request could not be built (bad name, unusable credentials).
class Result {
 public:
  Result() = default;
  explicit Result(Status error) : status_(std::move(error)) {}
  Result(int status_code, std::string body, std::string content_type,
         std::vector<std::string> warnings)
      : status_code_(status_code),
        body_(std::move(body)),
        content_type_(std::move(content_type)),
        warnings_(std::move(warnings)) {}

  /// OK for a 2xx response, else the error.
  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }
  /// The HTTP status code (0 when no response was received).
  int status_code() const { return status_code_; }
  /// The raw response body (also kept for error responses).
  const std::string& body() const { return body_; }
  const std::string& content_type() const { return content_type_; }
  /// Texts of the response's `Warning:` headers (also logged through the client's logger).
  const std::vector<std::string>& warnings() const { return warnings_; }

  /// Decodes the body into T (any type api/json.h supports). Returns status() on error; a
  /// body that does not decode is a kDecode error.
  template <typename T>
  StatusOr<T> Into() const {
    if (!status_.ok()) return status_;
    auto decoded = api::FromJson<T>(body_);
    if (!decoded.ok()) return DecodeError(decoded.status());
    return decoded;
  }

  /// Internal: sets the error of a result built from a response.
  void set_status(Status s) { status_ = std::move(s); }

 private:
  static Status DecodeError(const Status& s);
  Status status_;
  int status_code_ = 0;
  std::string body_;
  std::string content_type_;
  std::vector<std::string> warnings_;
};

/// A request under construction. Obtained from RESTClient::Get()/Post()/...; the path is
/// `<host path prefix>/<api path>/namespaces/<ns>/<resource>/<name>/<subresource>`. Errors
/// found while building (an invalid name, a bad group/version) are reported by Do() with origin
/// kRequestBuilding, as client-go does. The client must outlive its requests.
class Request {
 public:
  Request(std::shared_ptr<internal::ClientCore> core, std::string verb);

  /// API group/version, e.g. "v1" (default; path /api/v1) or "events.k8s.io/v1"
  /// (/apis/events.k8s.io/v1).
  Request& GroupVersion(std::string_view group_version);
  /// An absolute path below the host's prefix, replacing group/version/namespace/resource
  /// (e.g. "/apis/events.k8s.io/v1" for discovery).
  Request& AbsPath(std::string_view path);
  /// Namespace scope; empty means cluster-wide / all namespaces.
  Request& Namespace(std::string_view ns);
  /// Resource, e.g. "events".
  Request& Resource(std::string_view resource);
  /// Object name.
  Request& Name(std::string_view name);
  /// Subresource, e.g. "status".
  Request& SubResource(std::string_view subresource);
  /// Adds a query parameter (repeated keys allowed).
  Request& Param(std::string_view key, std::string_view value);
  /// Sets a header (a caller-set Authorization wins over the configured credentials).
  Request& SetHeader(std::string_view name, std::string_view value);
  /// A JSON body (Content-Type application/json unless already set, e.g. by Patch()).
  Request& Body(std::string json);
  /// Encodes an API object (api/json.h) as the body.
  template <typename T>
  Request& Body(const T& object) {
    return Body(api::ToJson(object));
  }
  /// Deadline for this request (throttling, retries, connect, TLS and response). Overrides
  /// Config::timeout; zero means none.
  Request& Timeout(std::chrono::milliseconds timeout);
  /// Cancels the request when `token` is stopped (the result is kCancelled, origin
  /// kTransport).
  Request& Cancellation(std::stop_token token);
  /// Retries of 429/5xx responses with Retry-After for this request (default
  /// Config::max_retries, 10).
  Request& MaxRetries(int retries);

  /// For Watch(): the longest silence tolerated between two reads of the stream (0 = none,
  /// the default; the server's timeoutSeconds ends a healthy watch). kDeadlineExceeded.
  Request& IdleTimeout(std::chrono::milliseconds timeout);

  /// The URL path and query this request will use (without the host).
  std::string URLPath() const;

  /// Sends the request and blocks until the result is known.
  Result Do();
  /// Sends the request and calls `done` exactly once, on one of the client's I/O threads
  /// (keep it short; post to your own executor for real work) — or immediately on the calling
  /// thread when the request cannot be built or the client is shut down. Never blocks on the
  /// network.
  void DoAsync(std::function<void(Result)> done);
  /// Starts a watch (adds `watch=true` unless a `watch` parameter is set; pass
  /// resourceVersion, allowWatchBookmarks, timeoutSeconds, selectors with Param()) and blocks
  /// until the response headers arrived. A non-2xx answer is returned as the error Do() would
  /// give (e.g. 401, 404); a 410 for a too-old resourceVersion normally arrives instead as an
  /// ERROR frame on a 200 stream. See WatchStream for threading, timeouts and cancellation.
  StatusOr<WatchStream> Watch();

 private:
  friend class internal::ClientCore;
  std::shared_ptr<internal::ClientCore> core_;
  std::string verb_;
  std::string group_version_ = "v1";
  std::optional<std::string> abs_path_;
  std::string namespace_;
  bool namespace_set_ = false;
  std::string resource_;
  std::string name_;
  std::string subresource_;
  std::vector<std::pair<std::string, std::string>> params_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
  std::optional<std::chrono::milliseconds> timeout_;
  std::stop_token cancel_;
  std::optional<int> max_retries_;
  std::chrono::milliseconds idle_timeout_{0};
  Status error_;  // first building error
};

}  // namespace kube::rest
