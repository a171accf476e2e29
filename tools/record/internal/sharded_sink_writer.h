// Internal: recordToSink over several writer threads (BroadcasterOptions::sink_writers > 1).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/record/event_correlator.h"
#include "kubeevents/tools/record/internal/sink_writer.h"
#include "kubeevents/watch/chan.h"
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
  /// counts the events still queued when the writers stop.
  ShardedSinkWriter(std::vector<std::unique_ptr<SinkWriter>> writers, std::size_t queue_capacity,
                    EventSpamKeyFunc spam_key, std::shared_ptr<Logger> logger,
                    std::atomic<std::uint64_t>& abandoned);
  /// Stop(); then the writers' threads are joined, the calling one included.
  ~ShardedSinkWriter();
  ShardedSinkWriter(const ShardedSinkWriter&) = delete;
  ShardedSinkWriter& operator=(const ShardedSinkWriter&) = delete;

  /// Queues `item` (a core/v1 Event) for its writer, waiting while that writer's queue is
  /// full. If `stop` is requested first, the event is counted as abandoned. Called by one
  /// thread (the consumer's).
  void Dispatch(const watch::Event& item, std::stop_token stop);

  /// Waits until every writer has handled every event dispatched to it before the call.
  /// False if `deadline` passed first.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);

  /// Asks the writers to stop without waiting for them: a write in flight is cancelled (a
  /// retry sleep aborts) and each writer counts what is left in its queue as abandoned. For
  /// the consumer thread as it ends (it must not wait on a writer: a sink's method may be
  /// waiting for that very thread in Shutdown). Idempotent.
  void RequestStop();

  /// RequestStop, then joins the writers (all but the calling thread). Idempotent.
  void Stop();

  /// Whether RequestStop (or Stop) was called.
  bool stop_requested() const { return stop_requested_.load(std::memory_order_acquire); }

 private:
  struct Shard {
    explicit Shard(std::size_t capacity) : queue(capacity) {}
    watch::Chan<watch::Event> queue;
    std::unique_ptr<SinkWriter> writer;
    std::atomic<std::uint64_t> dispatched{0};
    std::atomic<std::uint64_t> finished{0};
    std::jthread thread;
  };

  void Run(Shard& shard, std::stop_token stop);
  // `n` more of the shard's events handled (written, failed or abandoned): wakes WaitIdle.
  void Finished(Shard& shard, std::uint64_t n);
  void CountAbandoned(std::uint64_t n);

  std::vector<std::unique_ptr<Shard>> shards_;
  EventSpamKeyFunc spam_key_;
  std::shared_ptr<Logger> logger_;
  std::atomic<std::uint64_t>& abandoned_;
  std::mutex join_mu_;  // Stop from two threads at once
  std::atomic<bool> stop_requested_{false};
  // WaitIdle's wake-ups: a writer notifies only while someone waits.
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;
  std::atomic<int> idle_waiters_{0};
};

}  // namespace kube::record::internal
