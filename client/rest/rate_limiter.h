// kube::rest::RateLimiter: client-side throttling of requests (client-go flowcontrol).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "kubeevents/api/common/clock.h"

namespace kube::rest {

/// Decides when the next request may be sent. Thread-safe.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  /// Takes one token and returns how long the caller must wait before using it (zero when a
  /// token was available). The token is consumed either way, as golang.org/x/time/rate's
  /// Reserve does, so callers queue fairly.
  virtual std::chrono::nanoseconds Reserve() = 0;
  /// Takes a token only if one is available now (flowcontrol TryAccept).
  virtual bool TryAccept() = 0;
};

/// A token bucket matching golang.org/x/time/rate as client-go configures it: starts full
/// with `burst` tokens and refills continuously at `qps` tokens per second up to `burst`.
class TokenBucketRateLimiter final : public RateLimiter {
 public:
  /// `clock` null means the real clock. qps must be > 0 and burst >= 1.
  TokenBucketRateLimiter(double qps, int burst, std::shared_ptr<Clock> clock = nullptr);
  std::chrono::nanoseconds Reserve() override;
  bool TryAccept() override;
  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  void AdvanceLocked(Clock::time_point now);
  std::mutex mu_;
  double qps_;
  int burst_;
  std::shared_ptr<Clock> clock_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace kube::rest
