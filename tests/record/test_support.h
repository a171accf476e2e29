// Shared helpers for the record tests: a logger that keeps what it was told, and a clock
// whose sleeps return at once while recording how long they were asked to wait.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/core/v1/object_reference.h"

namespace kube::record::testing_support {

class CapturingLogger final : public Logger {
 public:
  struct Record {
    LogSeverity severity;
    int verbosity;
    std::string message;
    std::vector<std::pair<std::string, std::string>> fields;
  };
  bool Enabled(LogSeverity, int) const override { return true; }
  void Write(LogSeverity s, int v, std::string_view m, std::span<const LogField> f) override {
    Record r{s, v, std::string(m), {}};
    for (const auto& x : f) r.fields.emplace_back(std::string(x.key), x.value);
    std::lock_guard lock(mu_);
    records_.push_back(std::move(r));
  }
  std::vector<Record> Records() const {
    std::lock_guard lock(mu_);
    return records_;
  }
  int Count(std::string_view message) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count_if(records_.begin(), records_.end(),
                                          [&](const Record& r) { return r.message == message; }));
  }

 private:
  mutable std::mutex mu_;
  std::vector<Record> records_;
};

/// Now() is fixed (advanced by each sleep); SleepUntil returns immediately unless stopped,
/// remembering the requested duration.
class InstantSleepClock final : public Clock {
 public:
  time_point Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  bool SleepUntil(time_point deadline, std::stop_token stop) override {
    if (stop.stop_requested()) return false;
    std::lock_guard lock(mu_);
    sleeps_.push_back(deadline - now_);
    if (deadline > now_) now_ = deadline;
    return true;
  }
  std::vector<duration> Sleeps() const {
    std::lock_guard lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  time_point now_{std::chrono::seconds(1'700'000'000)};
  std::vector<duration> sleeps_;
};

/// Polls `pred` (real time) until true or 10 s pass: for conditions another thread completes.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

/// Number of threads in this process (Linux).
int ThreadCount();

/// The names of this process's threads (for failure messages).
std::string ThreadNames();

/// Starts and joins a thread, so that runtime helper threads started lazily on the first
/// thread creation (ThreadSanitizer's background thread) exist before a baseline is taken.
void SettleRuntimeThreads();

/// Every event a watcher of a broadcaster (record's or events') sees, in order.
template <typename E>
struct SeenEvents {
  template <typename Broadcaster>
  explicit SeenEvents(Broadcaster& b) {
    b.StartEventWatcher([this](const E& e) {
      std::lock_guard lock(mu);
      events.push_back(e);
    });
  }
  std::mutex mu;
  std::vector<E> events;
};

/// A reference with every field set and longer than the short-string buffer, for tests that
/// check a recycled event keeps nothing of an earlier, larger one.
api::core::v1::ObjectReference ALongReference();

}  // namespace kube::record::testing_support
