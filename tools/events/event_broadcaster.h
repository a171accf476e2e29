// kube::events::EventBroadcaster: the events.k8s.io/v1 pipeline with event series
// (client-go tools/events.EventBroadcaster), bounded and non-blocking under event storms.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/tools/events/event_recorder.h"
#include "kubeevents/tools/events/event_sink.h"
#include "kubeevents/tools/record/event_broadcaster.h"

namespace kube::events {

namespace internal {
struct BroadcasterCore;
}  // namespace internal

/// Detaches one consumer (the same type as tools/record's).
using ConsumerHandle = record::ConsumerHandle;

/// client-go constants.
inline constexpr int kMaxTriesPerEvent = 12;
inline constexpr std::chrono::seconds kDefaultSleepDuration{10};
inline constexpr double kSleepJitterFactor = 0.25;
inline constexpr std::chrono::minutes kFinishTime{6};
inline constexpr std::chrono::minutes kRefreshTime{30};
inline constexpr std::size_t kMaxQueuedEvents = 1000;
inline constexpr std::size_t kIncomingQueueLength = 25;
/// Default bound of the series cache: the size of the core/v1 correlator's LRU caches
/// (client-go's maxLruCacheEntries); client-go's events.k8s.io cache has no bound.
inline constexpr std::size_t kMaxCachedEvents = 4096;

/// Options of an EventBroadcaster; defaults equal client-go's where it has one.
struct BroadcasterOptions {
  /// Where the pipeline logs. Default: stderr.
  std::shared_ptr<Logger> logger;
  /// Time source for eventTime, series timestamps, the finish/refresh tasks and retry
  /// sleeps. Default: the real clock.
  std::shared_ptr<Clock> clock;
  /// Base retry delay; each sleep is uniform in [d, 1.25 d). Default 10 s.
  std::chrono::nanoseconds sleep_duration = kDefaultSleepDuration;
  /// Capacity of the recorders' incoming queue (client-go: 25). Raise it to absorb bursts.
  std::size_t incoming_queue_length = kIncomingQueueLength;
  /// Capacity of each consumer's queue. Default 1000.
  std::size_t watcher_queue_length = kMaxQueuedEvents;
  /// Writes waiting for a writer thread; a full queue drops (logged, counted). Default 1000.
  std::size_t max_pending_writes = kMaxQueuedEvents;
  /// Events the series cache remembers (least recently observed forgotten first); 0 = no
  /// bound, as in client-go. Default 4096. A forgotten singleton costs nothing (a repeat
  /// creates a new event, as after the 6-minute expiry); a forgotten series has its true count
  /// written first, like the finish task. Both are counted (singletons_evicted,
  /// series_evicted), so an event storm cannot grow the cache without limit.
  std::size_t max_cached_events = kMaxCachedEvents;
  /// Writer threads calling the sink. Default 4 (client-go's July-2026 design used 8 workers;
  /// the v1.37 code a goroutine per event).
  int writer_threads = 4;
  /// Host name used in reportingInstance (`<controller>-<hostname>`). Default: the OS's.
  std::string hostname;
  /// Seed of the retry jitter. Default: random.
  std::optional<std::uint64_t> random_seed;
};

/// Counters of an events EventBroadcaster.
struct EventsStats {
  // Emit side.
  std::uint64_t emitted = 0;                ///< queued for the consumers
  std::uint64_t dropped_queue_full = 0;     ///< the incoming queue was full
  std::uint64_t dropped_shutdown = 0;       ///< emitted after Shutdown
  std::uint64_t dropped_invalid = 0;        ///< unsupported type or unreferenceable object
  std::uint64_t dropped_consumer_full = 0;  ///< (event, consumer) pairs lost to a full queue
  std::uint64_t abandoned = 0;              ///< left queued when a consumer or writer stopped
  // Series bookkeeping.
  std::uint64_t series_started = 0;        ///< second occurrences (series count 2)
  std::uint64_t series_observed = 0;       ///< later occurrences absorbed into a series
  std::uint64_t dropped_pending_full = 0;  ///< writes dropped: the pending queue was full
  std::uint64_t series_finished = 0;       ///< series written and forgotten by the finish task
  std::uint64_t series_refreshed = 0;      ///< heartbeats written by the refresh task
  std::uint64_t singletons_expired = 0;    ///< singletons forgotten after 6 minutes
  std::uint64_t singletons_evicted = 0;    ///< singletons forgotten: the cache was full
  std::uint64_t series_evicted = 0;        ///< series forgotten: the cache was full (count written)
  /// Finish, refresh and eviction writes that failed or found the pending queue full (each
  /// logged); the server keeps the count last written.
  std::uint64_t failed_series_writes = 0;
  std::uint64_t cached = 0;  ///< events currently in the series cache
  // Sink side: the writes of occurrences (first create, series start). Finish, refresh and
  // eviction writes are counted above, so created + patched + series_observed + failed_* +
  // dropped_* + abandoned equals emitted once the pipeline is idle.
  std::uint64_t created = 0;
  std::uint64_t patched = 0;
  std::uint64_t retries = 0;
  std::uint64_t failed_rejected = 0;
  std::uint64_t failed_quietly = 0;  ///< AlreadyExists on a singleton (logged at V5)
  std::uint64_t failed_request_building = 0;
  std::uint64_t failed_retry_limit = 0;
  std::uint64_t failed_shutdown = 0;
};

/// Distributes events.k8s.io/v1 events from recorders to one sink (with series) and to
/// watchers/loggers. Threads: the distribution thread, one per consumer, and once recording,
/// `writer_threads` writers plus the finish and refresh tasks. Recorders never block.
/// Destroying the broadcaster shuts it down. Thread-safe.
class EventBroadcaster {
 public:
  EventBroadcaster(std::shared_ptr<EventSink> sink, BroadcasterOptions options = {});
  ~EventBroadcaster();
  EventBroadcaster(const EventBroadcaster&) = delete;
  EventBroadcaster& operator=(const EventBroadcaster&) = delete;

  /// Starts writing to the sink: the series consumer, the writers and the periodic finish
  /// (6 min) and refresh (30 min) tasks, until `stop` is requested or Shutdown. A second call
  /// is an error ("broadcaster is already recording to a sink").
  Status StartRecordingToSink(std::stop_token stop = {});
  /// Calls `handler` for every event on a consumer thread.
  ConsumerHandle StartEventWatcher(std::function<void(const api::events::v1::Event&)> handler);
  /// Logs "Event occurred" (object, kind, apiVersion, type, reason, action, note) at info
  /// verbosity `verbosity` through the broadcaster's logger.
  ConsumerHandle StartStructuredLogging(int verbosity);
  /// Like StartStructuredLogging(0) but through `logger`.
  ConsumerHandle StartLogging(std::shared_ptr<Logger> logger);

  /// A recorder with reportingController = `reporting_controller` and reportingInstance
  /// `<reporting_controller>-<hostname>`.
  std::shared_ptr<EventRecorder> NewRecorder(std::string reporting_controller);

  /// Waits until every event emitted before the call went through the series cache and
  /// every write it caused was done or given up, or the timeout passed. Counts accumulated in
  /// a series are written later by the refresh/finish tasks, as in client-go.
  bool Flush(std::chrono::nanoseconds timeout);
  /// Stops everything and joins every thread; unsent writes are counted as abandoned.
  void Shutdown();
  EventsStats Stats() const;

 private:
  ConsumerHandle StartConsumer(std::function<void(const api::events::v1::Event&)> fn);
  std::shared_ptr<internal::BroadcasterCore> core_;
};

/// The patch that advances a series: {"series":{"count":N,"lastObservedTime":"<RFC3339 µs>"}}.
std::string MakeSeriesPatch(const api::events::v1::EventSeries& series);

/// The isomorphism key: type, action, reason, reportingController, reportingInstance and the
/// whole regarding and related references (note excluded), encoded unambiguously.
std::string GetIsomorphismKey(const api::events::v1::Event& event);
/// GetIsomorphismKey into `key`, reusing its buffer (no allocation once it has grown).
void AssignIsomorphismKey(std::string& key, const api::events::v1::Event& event);

}  // namespace kube::events
