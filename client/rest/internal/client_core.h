// Internal: the engine behind RESTClient — I/O threads, connection pool, TLS, credentials,
// throttling and the retry loop. Boost and OpenSSL stay behind this pimpl. Not installed.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/client/rest/config.h"
#include "kubeevents/client/rest/request.h"

namespace kube::rest::internal {

/// A request ready to send.
struct PreparedRequest {
  std::string method;
  std::string target;  ///< path and query (host prefix included)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<std::chrono::milliseconds> timeout;
  std::stop_token cancel;
  int max_retries = 10;
  /// Streaming (watch) when set: a 2xx response's body is not buffered but passed to
  /// `on_body` piece by piece as it arrives, after `on_stream_start(status code)`, both on the
  /// I/O thread; `done` then gets a body-less Result when the stream ends. `timeout` (or
  /// Config::timeout) bounds only connect through the response headers; `idle_timeout`
  /// (0 = none) bounds every read of the body. A started stream is never retried. Non-2xx
  /// responses are buffered and reported through `done` as usual.
  std::function<void(int)> on_stream_start;
  std::function<void(std::string_view)> on_body;
  std::chrono::milliseconds idle_timeout{0};
};

class ClientCore : public std::enable_shared_from_this<ClientCore> {
 public:
  static StatusOr<std::shared_ptr<ClientCore>> Create(Config config);
  ~ClientCore();

  const Config& config() const;
  /// The path prefix of the server URL ("" or "/prefix").
  const std::string& path_prefix() const;

  /// Sends asynchronously; `done` runs once on an I/O thread.
  void Start(PreparedRequest request, std::function<void(Result)> done);
  /// Sends and waits, running the request on the calling thread (a caller worker's
  /// io_context, its connections pooled among callers): no hand-off to an I/O thread.
  Result Run(PreparedRequest request);
  /// Cancels in-flight requests, stops and joins the I/O threads. Idempotent. Must not be
  /// called on one of the client's own I/O threads (see OnOwnThread).
  void Shutdown();
  /// Whether the calling thread is one of this client's I/O threads.
  bool OnOwnThread() const;

  /// Test hooks: connections opened so far, exec plugin runs.
  int connections_opened() const;
  int exec_runs() const;

  struct Impl;

 private:
  explicit ClientCore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Starts `request` as a watch (sets the streaming hooks) and waits for the response headers.
/// Implemented in watch.cc.
StatusOr<WatchStream> StartWatch(const std::shared_ptr<ClientCore>& core, PreparedRequest request,
                                 std::stop_token user_cancel);

}  // namespace kube::rest::internal
