#include "kubeevents/client/rest/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace kube::rest {

TokenBucketRateLimiter::TokenBucketRateLimiter(double qps, int burst, std::shared_ptr<Clock> clock)
    : qps_(qps > 0 ? qps : 1),
      burst_(std::max(burst, 1)),
      clock_(clock ? std::move(clock) : MakeRealClock()),
      tokens_(burst_),
      last_(clock_->Now()) {}

void TokenBucketRateLimiter::AdvanceLocked(Clock::time_point now) {
  if (now <= last_) return;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(static_cast<double>(burst_), tokens_ + elapsed * qps_);
  last_ = now;
}

std::chrono::nanoseconds TokenBucketRateLimiter::Reserve() {
  std::lock_guard lock(mu_);
  AdvanceLocked(clock_->Now());
  tokens_ -= 1;
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  const double wait_seconds = -tokens_ / qps_;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(wait_seconds * 1e9)));
}

bool TokenBucketRateLimiter::TryAccept() {
  std::lock_guard lock(mu_);
  AdvanceLocked(clock_->Now());
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace kube::rest
