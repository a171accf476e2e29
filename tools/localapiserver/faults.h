// Fault injection for reliability tests of clients of the local API server: fail the next N
// requests with a status (optionally with Retry-After), add latency, reset connections in the
// middle of a request, stall a request past the client's timeout, answer with a body that is not
// a Status, or cut a chunked response short. (Stopping and resuming the listeners is
// Server::StopAccepting / ResumeAccepting.) Faults apply to the event endpoints only, never to
// discovery, /version or the admin endpoint, so kubectl and client discovery keep working while
// events fail.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

namespace kube::localapiserver {

/// A snapshot of the armed faults.
struct FaultState {
  int fail_remaining = 0;                ///< requests still to fail
  int fail_code = 0;                     ///< HTTP status they fail with
  int retry_after_seconds = 0;           ///< Retry-After sent with them (0 = none)
  std::chrono::milliseconds latency{0};  ///< added before every event request
  int reset_remaining = 0;             ///< requests whose connection is reset (TCP RST), unanswered
  int stall_remaining = 0;             ///< requests held unanswered, then dropped unprocessed
  std::chrono::milliseconds stall{0};  ///< how long each of them is held
  int garbage_remaining = 0;           ///< requests answered with a non-Status error body
  int garbage_code = 0;                ///< HTTP status of those answers
  int truncate_remaining = 0;          ///< requests answered with a chunked body cut short
  bool accepting = true;               ///< false while the listeners are stopped
};

/// Thread-safe fault switchboard consulted by the server for every event request.
class FaultInjector {
 public:
  /// The next `n` event requests fail with `code` and an apiserver-shaped Status body whose
  /// reason matches the code (429 TooManyRequests, 500 InternalError, 503 ServiceUnavailable,
  /// 504 Timeout, ...). `retry_after` > 0 adds `Retry-After` and details.retryAfterSeconds.
  void FailNext(int n, int code, std::chrono::seconds retry_after = std::chrono::seconds(0));
  /// Delays every event request by `latency` (0 disables) before it is processed.
  void SetLatency(std::chrono::milliseconds latency);
  /// The next `n` event requests are read but not processed: the connection is reset.
  void ResetNext(int n);
  /// The next `n` event requests are held for `stall` without an answer, then their connection
  /// is closed and the request is discarded unprocessed: a server slower than the client's
  /// timeout, without the side effect of a late write.
  void StallNext(int n, std::chrono::milliseconds stall);
  /// The next `n` event requests are answered with `code` and a text/html body that is not a
  /// metav1.Status (what a proxy or load balancer in front of the apiserver sends), unprocessed.
  void GarbageNext(int n, int code);
  /// The next `n` event requests get a `201 Created` chunked response whose body stops in the
  /// middle of the JSON, then the connection closes; the request is not processed.
  void TruncateNext(int n);
  /// Disarms every fault.
  void Clear();
  FaultState State() const;

  /// What the server does with one request (consumes one failure/reset when armed).
  struct Decision {
    std::chrono::milliseconds latency{0};
    bool reset = false;
    std::chrono::milliseconds stall{-1};  ///< >= 0: hold this long, then drop unprocessed
    int garbage_code = 0;                 ///< != 0: answer with a non-Status body
    bool truncate = false;                ///< answer with a truncated chunked body
    int fail_code = 0;
    int retry_after_seconds = 0;
  };
  Decision Next();

  /// Internal: maintained by the server for State().
  void SetAccepting(bool accepting);

 private:
  mutable std::mutex mu_;
  FaultState state_;
};

/// The metav1.Status reason kube-apiserver uses for an HTTP status ("" when none fits).
std::string ReasonForCode(int code);

}  // namespace kube::localapiserver
