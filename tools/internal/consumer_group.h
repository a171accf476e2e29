// Internal: the consumer threads of an event broadcaster (shared by tools/record and
// tools/events). Each consumer is a watcher on the mux plus one thread draining it in
// batches; Flush puts a marker behind the events it waits for.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/watch/broadcaster.h"

namespace kube::tools::internal {

/// One consumer: a watcher and the thread that drains it.
struct Consumer {
  std::shared_ptr<watch::Interface> watcher;
  std::jthread thread;
  std::atomic<bool> done{false};

  /// Detaches the consumer (idempotent, any thread).
  void Stop() {
    thread.request_stop();
    if (watcher) watcher->Stop();
  }
};

class ConsumerGroup {
 public:
  /// Handles one event; `stop` is requested when the consumer is stopped or shut down.
  using Handler = std::function<void(const watch::Event&, std::stop_token stop)>;

  /// `abandoned` counts events still queued for a consumer when it stops.
  ConsumerGroup(watch::Broadcaster& mux, std::shared_ptr<Logger> logger,
                std::atomic<std::uint64_t>& abandoned);

  /// Registers a watcher and starts its thread. Once the mux is shut down this logs
  /// "Unable start event watcher (will not retry!)" and returns a consumer that is already
  /// done (client-go returns an empty watch, never nil).
  std::shared_ptr<Consumer> Start(Handler handler);

  /// Waits until every consumer has handled every event accepted by the mux before the
  /// call, or the deadline passes.
  bool Flush(std::chrono::steady_clock::time_point deadline);

  /// Requests every consumer to stop and joins their threads (except the calling one).
  void StopAndJoin();

 private:
  void LogConsumerDrops();

  watch::Broadcaster& mux_;
  std::shared_ptr<Logger> logger_;
  std::atomic<std::uint64_t>& abandoned_;
  std::atomic<std::uint64_t> logged_drops_{0};
  std::mutex mu_;
  std::vector<std::shared_ptr<Consumer>> consumers_;
};

}  // namespace kube::tools::internal
