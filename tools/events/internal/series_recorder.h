// Internal: the sink side of the events.k8s.io pipeline — the series cache, the bounded
// pending-write queue drained by a fixed pool of writers, and the finish/refresh tasks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/events/event_broadcaster.h"
#include "kubeevents/watch/chan.h"

namespace kube::events::internal {

struct EventsCounters {
  std::atomic<std::uint64_t> dropped_shutdown{0}, dropped_invalid{0}, abandoned{0},
      series_started{0}, series_observed{0}, dropped_pending_full{0}, series_finished{0},
      series_refreshed{0}, singletons_expired{0}, created{0}, patched{0}, retries{0},
      failed_rejected{0}, failed_quietly{0}, failed_request_building{0}, failed_retry_limit{0},
      failed_shutdown{0};
  static void Inc(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
    c.fetch_add(n, std::memory_order_relaxed);
  }
};

class SeriesRecorder {
 public:
  SeriesRecorder(std::shared_ptr<EventSink> sink, const BroadcasterOptions& options,
                 std::shared_ptr<Clock> clock, std::shared_ptr<Logger> logger,
                 EventsCounters& counters);
  ~SeriesRecorder();

  /// Starts the writers and the periodic tasks.
  void Start();
  /// recordToSink: updates the series cache and queues the write it calls for. Never blocks.
  void Observe(const api::events::v1::Event& event);
  /// Cancels writers, periodic tasks and retry sleeps without waiting (any thread).
  void RequestStop();
  /// RequestStop, then joins the threads and counts unsent writes.
  void Stop();
  /// Waits until no write is queued or in flight.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);
  std::size_t CacheSize() const;

 private:
  struct WriteResult {
    std::optional<api::events::v1::Event> event;  // the server's object on success
    bool retry = false;
  };
  WriteResult RecordEvent(api::events::v1::Event event, std::stop_token cancel);
  void AttemptRecording(api::events::v1::Event event, std::stop_token stop);
  void FinishSeries(std::stop_token cancel = {});
  void RefreshExistingEventSeries(std::stop_token cancel = {});
  void WriteDone();

  std::shared_ptr<EventSink> sink_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Logger> logger_;
  EventsCounters& counters_;
  std::chrono::nanoseconds sleep_duration_;
  int writer_count_;

  mutable std::mutex mu_;  // the cache
  std::unordered_map<std::string, api::events::v1::Event> cache_;

  // One bounded queue per writer; an event's isomorphism key picks the queue, so the create
  // and the later series patches of one event are written in order by the same writer.
  std::vector<std::unique_ptr<watch::Chan<api::events::v1::Event>>> pending_;
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;
  std::size_t outstanding_ = 0;  // queued + in flight (under idle_mu_)

  std::mutex rng_mu_;
  std::mt19937_64 rng_;

  std::vector<std::jthread> threads_;  // writers + finish + refresh
};

}  // namespace kube::events::internal
