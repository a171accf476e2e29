// kube::Clock: the injectable time source behind every time-dependent rule in kubeevents.
//
// Production code uses RealClock; tests use FakeClock and advance it by hand, so no test
// ever sleeps. Timed waits go through the clock too (SleepUntil), which is how retry
// back-off and the periodic events.k8s.io tasks become testable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>

namespace kube {

/// A source of wall-clock time and of interruptible timed waits.
class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  using duration = std::chrono::system_clock::duration;

  virtual ~Clock() = default;
  /// The current time.
  virtual time_point Now() const = 0;
  /// The current time to within a few milliseconds, where that is cheaper than Now(): the
  /// real clock reads the kernel's coarse clock (a few ns instead of ~20 on a VM). For rules
  /// measured in seconds or minutes, read on every event (aggregation window, spam filter).
  /// Defaults to Now(), so fake clocks need not care.
  virtual time_point NowCoarse() const { return Now(); }
  /// Blocks until Now() >= deadline (true) or stop is requested (false).
  virtual bool SleepUntil(time_point deadline, std::stop_token stop) = 0;
  /// SleepUntil(Now() + d, stop).
  bool SleepFor(duration d, std::stop_token stop) { return SleepUntil(Now() + d, std::move(stop)); }
};

/// std::chrono::system_clock, with waits that wake promptly on stop.
class RealClock final : public Clock {
 public:
  time_point Now() const override { return std::chrono::system_clock::now(); }
  time_point NowCoarse() const override;
  bool SleepUntil(time_point deadline, std::stop_token stop) override;
};

/// A shared RealClock (stateless, so sharing it is not global mutable state).
std::shared_ptr<Clock> MakeRealClock();

/// A clock that only moves when told to. Sleepers wake when the time is stepped past their
/// deadline. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(time_point start = time_point(std::chrono::seconds(1'700'000'000)));

  time_point Now() const override;
  bool SleepUntil(time_point deadline, std::stop_token stop) override;

  /// Moves the time forward by d and wakes sleepers whose deadline passed.
  void Step(duration d);
  /// Sets the time (may go backwards) and wakes sleepers.
  void SetTime(time_point t);
  /// Number of threads currently blocked in SleepUntil.
  int Waiters() const;
  /// Blocks (in real time, at most `timeout`) until at least n threads are sleeping on this
  /// clock. Returns whether that happened. Lets a test step time only once a worker waits.
  bool BlockUntilWaiters(int n, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  mutable std::mutex mu_;
  std::condition_variable_any cv_;      // sleepers
  std::condition_variable waiters_cv_;  // BlockUntilWaiters
  time_point now_;
  int waiters_ = 0;
};

}  // namespace kube
