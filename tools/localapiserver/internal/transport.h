// Internal: the HTTP/1.1 (+TLS) transport of the local API server on Boost.Beast/Asio with
// C++20 coroutines: listeners on 127.0.0.1, keep-alive sessions, the 3 MiB body limit, watch
// streaming (chunked), fault injection (reset, latency, failures, stalls, non-Status bodies,
// truncated bodies) and stop/resume accepting.
// Owns its io_context and worker threads (joined in Stop / the destructor).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/tools/localapiserver/faults.h"
#include "kubeevents/tools/localapiserver/internal/handler.h"

namespace boost::asio::ssl {
class context;
}

namespace kube::localapiserver::internal {

/// The HTTP/1.1 header limit of a session (a larger request header is a parse error).
inline constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

/// What ParseRequests read from a byte string.
struct ParsedRequests {
  std::vector<Request> requests;  ///< every complete request, in order
  std::size_t consumed = 0;       ///< bytes of those requests
  bool too_large = false;         ///< the next request's body is over the limit (a 413)
  std::string error;              ///< why parsing stopped before the end; empty: it did not
};

/// Parses the pipelined requests in `bytes` exactly as a session does (the same parser, limits
/// and Request fields), without a socket: for tests and fuzzing of the request parser.
/// Stops at the first malformed, incomplete or oversized request.
ParsedRequests ParseRequests(std::string_view bytes, std::size_t max_body_bytes);

/// Produces the response for one request (runs on a transport thread).
using RequestHandler = std::function<Response(const Request&)>;

/// `r` as the bytes of an HTTP/1.1 response: status line, Content-Type and Cache-Control
/// (unless the handler set them), the handler's fields (the last of a name wins),
/// `Connection: close` when `keep_alive` is false, Content-Length and the body (none for 1xx,
/// 204 and 304). One buffer, written at once.
std::string SerializeResponse(const Response& r, bool keep_alive);

class Transport {
 public:
  struct Options {
    int threads = 2;
    std::size_t max_body_bytes = 3 * 1024 * 1024;
    std::shared_ptr<FaultInjector> faults;
    std::shared_ptr<Logger> logger;
  };

  explicit Transport(Options options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Opens a listener on `address`:`port` (0 = pick one) and returns the bound port. `tls`
  /// null = plain HTTP. `faulty` listeners are subject to fault injection (for requests where
  /// `is_faultable(target)`) and to StopAccepting. Call before Start.
  StatusOr<std::uint16_t> Listen(const std::string& address, std::uint16_t port,
                                 std::shared_ptr<boost::asio::ssl::context> tls, bool faulty,
                                 RequestHandler handler,
                                 std::function<bool(std::string_view)> is_faultable);
  /// Starts the worker threads.
  void Start();
  /// Closes listeners and connections, stops and joins the threads. Idempotent.
  void Stop();
  /// Closes the faulty listeners and drops their open connections: new connections are
  /// refused until ResumeAccepting re-opens the same ports.
  void StopAccepting();
  Status ResumeAccepting();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kube::localapiserver::internal
