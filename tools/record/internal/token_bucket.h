// Internal: golang.org/x/time/rate's token bucket as flowcontrol's passive rate limiter uses it:
// starts full, refills continuously at `qps` tokens/s up to `burst`, TryAccept never blocks.
#pragma once

#include <algorithm>
#include <chrono>

namespace kube::record::internal {

class TokenBucket {
 public:
  using time_point = std::chrono::system_clock::time_point;

  TokenBucket() = default;
  TokenBucket(double qps, int burst, time_point now)
      : qps_(qps), burst_(burst), tokens_(burst), last_(now) {}

  /// Takes one token if available at `now`.
  bool TryAccept(time_point now) {
    if (now > last_) {
      const double elapsed = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(static_cast<double>(burst_), tokens_ + elapsed * qps_);
      last_ = now;
    }
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    return false;
  }

  double tokens() const { return tokens_; }

 private:
  double qps_ = 0;
  int burst_ = 0;
  double tokens_ = 0;
  time_point last_{};
};

}  // namespace kube::record::internal
