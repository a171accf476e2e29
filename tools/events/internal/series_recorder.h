// Internal: the sink side of the events.k8s.io pipeline — the series cache, the bounded
// pending-write queue drained by a fixed pool of writers, and the finish/refresh tasks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/events/event_broadcaster.h"
#include "kubeevents/tools/internal/keyed_writers.h"

namespace kube::events::internal {

struct EventsCounters {
  std::atomic<std::uint64_t> dropped_shutdown{0}, dropped_invalid{0}, abandoned{0},
      series_started{0}, series_observed{0}, dropped_pending_full{0}, series_finished{0},
      series_refreshed{0}, singletons_expired{0}, singletons_evicted{0}, series_evicted{0},
      failed_series_writes{0}, created{0}, patched{0}, retries{0}, failed_rejected{0},
      failed_quietly{0}, failed_request_building{0}, failed_retry_limit{0}, failed_shutdown{0};
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
  // Why a write is made: an occurrence (the first create, the series start) counts into
  // created/patched/failed_*; a maintenance write (finish, refresh, the final count of an
  // evicted series) into the series_* counters and failed_series_writes.
  enum class Purpose { kOccurrence, kMaintenance };
  struct PendingWrite {
    api::events::v1::Event event;
    Purpose purpose = Purpose::kOccurrence;
  };
  struct WriteResult {
    std::optional<api::events::v1::Event> event;  // the server's object on success
    bool retry = false;
  };
  // One remembered event; the list keeps them in order of their last occurrence.
  struct CacheEntry {
    std::string key;
    api::events::v1::Event event;
  };
  using Lru = std::list<CacheEntry>;

  WriteResult RecordEvent(api::events::v1::Event event, Purpose purpose, std::stop_token cancel);
  void AttemptRecording(PendingWrite write, std::stop_token stop);
  // The writer queue of an isomorphism key: one event's writes stay in order.
  std::size_t WriterOf(const std::string& key) const;
  // Queues a write on `writer` without blocking; false (counted, logged) when full.
  bool Enqueue(std::size_t writer, PendingWrite write);
  // Under mu_, after one insertion: past the bound, forgets the least recently observed entry
  // and, for a series, returns its final write (writer and event) to queue after the lock.
  std::optional<std::pair<std::size_t, PendingWrite>> EvictOldestLocked();
  void Forget(Lru::iterator it);  // under mu_
  void FinishSeries(std::stop_token cancel = {});
  void RefreshExistingEventSeries(std::stop_token cancel = {});

  std::shared_ptr<EventSink> sink_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Logger> logger_;
  EventsCounters& counters_;
  std::chrono::nanoseconds sleep_duration_;

  std::size_t max_cached_;  // 0: no bound

  mutable std::mutex mu_;  // the cache: lru_ (front = most recent) and its index
  Lru lru_;
  std::unordered_map<std::string_view, Lru::iterator> index_;  // views of CacheEntry::key
  std::string key_buf_;  // Observe's isomorphism key (under mu_)

  // One bounded queue and thread per writer; an event's isomorphism key picks the queue, so
  // the create and the later series patches of one event are written in order by the same
  // writer.
  tools::internal::KeyedWriters<PendingWrite> writers_;

  std::mutex rng_mu_;
  std::mt19937_64 rng_;

  std::vector<std::jthread> threads_;  // finish + refresh
};

}  // namespace kube::events::internal
