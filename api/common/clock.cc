#include "kubeevents/api/common/clock.h"

#include <time.h>

namespace kube {

Clock::time_point RealClock::NowCoarse() const {
#if defined(CLOCK_REALTIME_COARSE)
  timespec ts{};
  if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) == 0) {
    return time_point(std::chrono::duration_cast<duration>(std::chrono::seconds(ts.tv_sec) +
                                                           std::chrono::nanoseconds(ts.tv_nsec)));
  }
#endif
  return Now();
}

bool RealClock::SleepUntil(time_point deadline, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  // Returns true if the predicate (stop requested) became true.
  const bool stopped = cv.wait_until(lock, stop, deadline, [] { return false; });
  return !stopped && !stop.stop_requested();
}

std::shared_ptr<Clock> MakeRealClock() {
  static const auto clock = std::make_shared<RealClock>();
  return clock;
}

FakeClock::FakeClock(time_point start) : now_(start) {}

Clock::time_point FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

bool FakeClock::SleepUntil(time_point deadline, std::stop_token stop) {
  std::unique_lock lock(mu_);
  if (now_ >= deadline) return true;
  ++waiters_;
  waiters_cv_.notify_all();
  const bool reached = cv_.wait(lock, stop, [&] { return now_ >= deadline; });
  --waiters_;
  return reached;
}

void FakeClock::Step(duration d) {
  {
    std::lock_guard lock(mu_);
    now_ += d;
  }
  cv_.notify_all();
}

void FakeClock::SetTime(time_point t) {
  {
    std::lock_guard lock(mu_);
    now_ = t;
  }
  cv_.notify_all();
}

int FakeClock::Waiters() const {
  std::lock_guard lock(mu_);
  return waiters_;
}

bool FakeClock::BlockUntilWaiters(int n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return waiters_cv_.wait_for(lock, timeout, [&] { return waiters_ >= n; });
}

}  // namespace kube
