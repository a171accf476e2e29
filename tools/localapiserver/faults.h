// Fault injection for reliability tests of clients of the local API server: fail the next N
// requests with a status (optionally with Retry-After), add latency, reset connections in the
// middle of a request. (Stopping and resuming the listeners is Server::StopAccepting /
// ResumeAccepting.) Faults apply to the event endpoints only, never to discovery, /version or
// the admin endpoint, so kubectl and client discovery keep working while events fail.
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
  int reset_remaining = 0;  ///< requests whose connection is reset (TCP RST), unanswered
  bool accepting = true;    ///< false while the listeners are stopped
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
  /// Disarms every fault.
  void Clear();
  FaultState State() const;

  /// What the server does with one request (consumes one failure/reset when armed).
  struct Decision {
    std::chrono::milliseconds latency{0};
    bool reset = false;
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
