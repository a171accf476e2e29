// kube::record::EventBroadcaster: fans core/v1 events out from recorders to sinks, loggers and
// watchers (client-go record.EventBroadcaster).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string_view>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/tools/record/event_correlator.h"
#include "kubeevents/tools/record/event_recorder.h"
#include "kubeevents/tools/record/event_sink.h"

namespace kube::record {

namespace internal {
struct BroadcasterCore;
}  // namespace internal
}  // namespace kube::record

namespace kube::tools::internal {
struct Consumer;
}  // namespace kube::tools::internal

namespace kube::record {

/// client-go constants.
inline constexpr int kMaxTriesPerEvent = 12;
inline constexpr std::chrono::seconds kDefaultSleepDuration{10};
inline constexpr std::size_t kMaxQueuedEvents = 1000;

/// Options of an EventBroadcaster; defaults equal client-go's record.NewBroadcaster().
struct BroadcasterOptions {
  /// Retry delay after a failed write (WithSleepDuration). The first delay is uniform in
  /// [0, sleep_duration); later ones are exactly sleep_duration. Default 10 s.
  std::chrono::nanoseconds sleep_duration = kDefaultSleepDuration;
  /// Correlator options for every sink (WithCorrelatorOptions). Default: client-go's.
  CorrelatorOptions correlator_options;
  /// WithContext: when stop is requested on this token the broadcaster shuts itself down
  /// (Shutdown then becomes optional). Default: none.
  std::stop_token stop_token;
  /// Where the pipeline logs (emit errors, sink errors, structured logging). Default: stderr.
  std::shared_ptr<Logger> logger;
  /// Time source for event timestamps, names and retry sleeps. Default: the real clock. The
  /// correlator uses correlator_options.clock, or this clock when that is unset.
  std::shared_ptr<Clock> clock;
  /// Capacity of the incoming queue and of each consumer's queue. Default 1000.
  std::size_t max_queued_events = kMaxQueuedEvents;
  /// Seed of the retry jitter. Default: random.
  std::optional<std::uint64_t> random_seed;
  /// Threads writing to each sink of StartRecordingToSink. Default 1: client-go's one writer,
  /// one request in flight. With n > 1 every event goes to the writer its spam key picks
  /// (source, involved object and type unless correlator_options.spam_key_func says
  /// otherwise), each writer with its own correlator and a queue of max_queued_events: an
  /// object's events are still correlated and written in order, while writes for different
  /// objects overlap (n requests in flight, n connections). The correlator's caches are per
  /// writer (n times the memory), and a custom aggregation key_func that groups events of
  /// different spam keys aggregates within each writer only. kubeevents extension.
  int writer_threads = 1;
};

/// Counters of an EventBroadcaster, summed over its recorders and consumers. Every event a
/// recorder was asked for ends up in exactly one emit-side bucket (emitted or one dropped_*),
/// and every emitted event that reached a sink in one sink-side outcome.
struct RecordStats {
  // Emit side.
  std::uint64_t emitted = 0;             ///< queued for the consumers
  std::uint64_t dropped_queue_full = 0;  ///< the incoming queue was full ("too many queued events")
  std::uint64_t dropped_shutdown = 0;    ///< emitted after Shutdown
  std::uint64_t dropped_invalid = 0;     ///< unsupported type or unreferenceable object
  std::uint64_t dropped_consumer_full =
      0;                        ///< (event, consumer) pairs lost to a full consumer queue
  std::uint64_t abandoned = 0;  ///< (event, consumer) pairs still queued when the consumer stopped
  // Sink side (all sinks).
  std::uint64_t skipped_spam = 0;     ///< the spam filter skipped it
  std::uint64_t aggregated = 0;       ///< folded into a "(combined from similar events)" event
  std::uint64_t created = 0;          ///< written with POST
  std::uint64_t patched = 0;          ///< written with PATCH
  std::uint64_t retries = 0;          ///< failed attempts that were retried
  std::uint64_t failed_rejected = 0;  ///< the apiserver rejected it (logged as an error)
  std::uint64_t failed_quietly = 0;   ///< AlreadyExists / NamespaceTerminating (logged at V5)
  std::uint64_t failed_request_building = 0;  ///< the request could not be built
  std::uint64_t failed_retry_limit = 0;       ///< 12 attempts failed
  std::uint64_t failed_shutdown = 0;          ///< Shutdown aborted the retries
};

/// What Start* returns: Stop() detaches that consumer only (client-go's returned watch).
/// Copyable; dropping it does NOT stop the consumer (as in Go, where the result is often
/// ignored). The broadcaster joins the consumer's thread at Shutdown.
class ConsumerHandle {
 public:
  ConsumerHandle() = default;
  /// Stops delivering to this consumer. Idempotent; safe from any thread, including the
  /// consumer's own handler.
  void Stop();
  /// Whether the consumer has ended (stopped, or its broadcaster shut down).
  bool Done() const;

 private:
  friend class EventBroadcaster;
  friend ConsumerHandle MakeConsumerHandle(std::shared_ptr<tools::internal::Consumer>);
  explicit ConsumerHandle(std::shared_ptr<tools::internal::Consumer> c) : consumer_(std::move(c)) {}
  std::shared_ptr<tools::internal::Consumer> consumer_;
};

/// Receives events from recorders and distributes them to consumers: sinks (each with its own
/// correlator and writer thread), loggers and event watchers.
///
/// Threads: one distribution thread (the watch::Broadcaster), plus one thread per consumer.
/// Recorders never block. Destroying the broadcaster shuts it down. Thread-safe.
class EventBroadcaster {
 public:
  explicit EventBroadcaster(BroadcasterOptions options = {});
  ~EventBroadcaster();
  EventBroadcaster(const EventBroadcaster&) = delete;
  EventBroadcaster& operator=(const EventBroadcaster&) = delete;

  /// Calls `handler` for every event, serially on a consumer thread. After Shutdown this logs
  /// "Unable start event watcher (will not retry!)" and returns a handle that is already done.
  ConsumerHandle StartEventWatcher(std::function<void(const api::core::v1::Event&)> handler);
  /// Writes every event to `sink` through a new EventCorrelator (recordToSink).
  ConsumerHandle StartRecordingToSink(std::shared_ptr<EventSink> sink);
  /// Passes one line per event in client-go's format
  /// `Event(v1.ObjectReference{...}): type: 'Normal' reason: 'Started' message`.
  ConsumerHandle StartLogging(std::function<void(std::string_view line)> logf);
  /// Logs "Event occurred" at info verbosity `verbosity` with object/fieldPath/kind/apiVersion/
  /// type/reason/message fields through the broadcaster's logger.
  ConsumerHandle StartStructuredLogging(int verbosity);

  /// A recorder that reports as `source` (reportingComponent/Instance = component/host).
  std::shared_ptr<EventRecorder> NewRecorder(api::core::v1::EventSource source);

  /// Waits until every event emitted before the call has been written, skipped or given up
  /// by every consumer, or the timeout passes. Returns whether everything was handled.
  /// (kubeevents extension, for short-lived programs and tests.)
  bool Flush(std::chrono::nanoseconds timeout);

  /// Stops accepting events, hands what is queued to the consumers, cancels retries, and
  /// joins every thread. Events still queued for a consumer are counted as `abandoned` (call
  /// Flush first to deliver them).
  /// Idempotent.
  void Shutdown();

  /// A snapshot of the counters.
  RecordStats Stats() const;

 private:
  ConsumerHandle StartConsumer(
      std::function<void(const api::core::v1::Event&, std::stop_token)> fn);
  std::shared_ptr<internal::BroadcasterCore> core_;
};

/// Wraps an internal consumer in a handle (used by tools/events, which shares the type).
ConsumerHandle MakeConsumerHandle(std::shared_ptr<tools::internal::Consumer> consumer);

/// The `v1.ObjectReference{Kind:"Pod", ...}` rendering of Go's %#v, used by StartLogging.
std::string GoSyntax(const api::core::v1::ObjectReference& ref);

}  // namespace kube::record
