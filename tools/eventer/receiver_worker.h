// kube::eventer::ReceiverWorker: a receiver's bounded queue, batching, retries and thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/eventer/config.h"
#include "kubeevents/tools/eventer/receiver.h"

namespace kube::eventer {

/// What finally happened to one event at one receiver (exactly one per event offered).
enum class Outcome {
  kExported,        ///< acknowledged by the receiver
  kDroppedFull,     ///< the queue was full (after block_timeout when whenFull=block)
  kFailed,          ///< rejected permanently, or retries exhausted
  kDroppedShutdown  ///< still queued when the exporter stopped
};

/// "exported", "queue_full", "failed", "shutdown".
const char* OutcomeName(Outcome o);

/// Owns one receiver, its queue (QueueConfig), batching (BatchConfig) and retries with
/// exponential backoff and jitter (RetryConfig), on one std::jthread. Every event offered gets
/// exactly one `on_done` call with its Outcome (from the worker thread, or from the offering
/// thread for drops). A receiver that is down only fills its own queue: when whenFull=block
/// and the queue stays full for block_timeout, the worker switches to dropping at once until
/// the queue has drained to half, so a dead receiver never stalls the others for long.
class ReceiverWorker {
 public:
  using DoneCallback =
      std::function<void(const ExportedEvent&, Outcome, const std::string& detail)>;

  ReceiverWorker(std::string name, std::unique_ptr<Receiver> receiver, QueueConfig queue,
                 BatchConfig batch, RetryConfig retry, DoneCallback on_done,
                 std::shared_ptr<Logger> logger);
  ~ReceiverWorker();
  ReceiverWorker(const ReceiverWorker&) = delete;
  ReceiverWorker& operator=(const ReceiverWorker&) = delete;

  /// Queues an event; false when it was dropped (on_done already called with kDroppedFull).
  bool Offer(std::shared_ptr<const ExportedEvent> e);
  /// Waits up to `drain` for the queue to empty, then stops the thread; whatever is still
  /// queued is reported as kDroppedShutdown (one summary log line).
  void Stop(std::chrono::milliseconds drain);

  const std::string& name() const { return name_; }
  std::size_t queue_length() const;

 private:
  void Run(std::stop_token st);
  void DeliverBatch(std::stop_token st, std::vector<std::shared_ptr<const ExportedEvent>>& batch);

  const std::string name_;
  std::unique_ptr<Receiver> receiver_;
  const QueueConfig queue_cfg_;
  const BatchConfig batch_cfg_;
  const RetryConfig retry_cfg_;
  DoneCallback on_done_;
  std::shared_ptr<Logger> logger_;

  mutable std::mutex mu_;
  std::condition_variable_any not_empty_;
  std::condition_variable_any not_full_;
  std::condition_variable_any drained_;
  std::deque<std::shared_ptr<const ExportedEvent>> queue_;
  bool in_flight_ = false;
  // What the worker thread is waiting for, so Offer() wakes it only when that happened
  // (a futex wake per event would cost the watch thread more than the event itself).
  enum class Waiting { kNothing, kAnyEvent, kFullBatch } waiting_ = Waiting::kNothing;
  bool overflowing_ = false;
  std::uint64_t dropped_since_log_ = 0;
  std::chrono::steady_clock::time_point last_drop_log_{};
  std::mt19937_64 rng_{std::random_device{}()};
  std::jthread thread_;
};

}  // namespace kube::eventer
