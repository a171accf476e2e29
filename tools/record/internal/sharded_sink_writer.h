// Internal: recordToSink over several writer threads (BroadcasterOptions::writer_threads > 1).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <vector>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/internal/keyed_writers.h"
#include "kubeevents/tools/record/event_correlator.h"
#include "kubeevents/tools/record/internal/sink_writer.h"
#include "kubeevents/watch/watch.h"

namespace kube::record::internal {

/// One sink written by several threads. The consumer thread hands each event to one writer,
/// chosen by the event's spam key (source, involved object and type by default: a part of
/// every key the correlator keeps), and each writer owns a SinkWriter (its own correlator and
/// client-go's retries). So an object's events go through one correlator in the order they
/// were emitted, exactly as with one writer, while writes for different objects overlap: with
/// an API server a round trip away, n writers keep n requests in flight.
class ShardedSinkWriter {
 public:
  /// Starts one thread per writer, each with a queue of `queue_capacity` events. `abandoned`
  /// counts the events that were not written because the writers stopped.
  ShardedSinkWriter(std::vector<std::unique_ptr<SinkWriter>> writers, std::size_t queue_capacity,
                    EventSpamKeyFunc spam_key, std::shared_ptr<Logger> logger,
                    std::atomic<std::uint64_t>& abandoned);
  /// Stop().
  ~ShardedSinkWriter();
  ShardedSinkWriter(const ShardedSinkWriter&) = delete;
  ShardedSinkWriter& operator=(const ShardedSinkWriter&) = delete;

  /// Queues `item` (a core/v1 Event) for its writer, waiting while that writer's queue is
  /// full. If the writers stop or `stop` is requested first, the event is counted as
  /// abandoned. Called by one thread (the consumer's).
  void Dispatch(const watch::Event& item, std::stop_token stop);

  /// Waits until no event is queued or being written. False if `deadline` passed first.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline) {
    return writers_.WaitIdle(deadline);
  }

  /// Asks the writers to stop without waiting for them: a write in flight is cancelled (a
  /// retry sleep aborts). For the consumer thread as it ends (it must not wait on a writer: a
  /// sink's method may be waiting for that very thread in Shutdown). Any thread; idempotent.
  void RequestStop() { writers_.RequestStop(); }

  /// RequestStop, joins the writers (all but the calling thread), and counts the events still
  /// queued as abandoned. Idempotent.
  void Stop();

  /// Whether RequestStop (or Stop) was called.
  bool stop_requested() const { return writers_.stopped(); }

 private:
  void CountAbandoned(std::uint64_t n);  // counts and logs
  void LogAbandoned(std::uint64_t n);

  std::vector<std::unique_ptr<SinkWriter>> sinks_;  // one per writer thread, by index
  EventSpamKeyFunc spam_key_;
  std::shared_ptr<Logger> logger_;
  std::atomic<std::uint64_t>& abandoned_;
  tools::internal::KeyedWriters<watch::Event> writers_;
};

}  // namespace kube::record::internal
