// Internal: the writer threads of a sink written by several threads at once (shared by
// tools/record, writer_threads > 1, and tools/events' series recorder). Each writer drains
// its own bounded queue in order; a key picks the queue, so the writes of one key stay in
// order while different keys' writes overlap.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>
#include <vector>

#include "kubeevents/watch/chan.h"

namespace kube::tools::internal {

/// `writers` queues of `T`, each drained by its own thread once Start()ed, with a count of the
/// items queued or being handled (WaitIdle). Thread-safe.
template <typename T>
class KeyedWriters {
 public:
  /// Handles one item on the thread of writer `writer` (the index of its queue); `stop` is
  /// that writer's own token.
  using Handler = std::function<void(std::size_t writer, T&& item, std::stop_token stop)>;

  /// `total_capacity` items in all, shared out evenly over the queues (at least 1 each).
  KeyedWriters(std::size_t writers, std::size_t total_capacity) {
    writers = std::max<std::size_t>(writers, 1);
    for (std::size_t i = 0; i < writers; ++i) {
      queues_.push_back(std::make_unique<watch::Chan<T>>(std::max<std::size_t>(
          1, total_capacity / writers + (i < total_capacity % writers ? 1 : 0))));
    }
  }
  /// Stops and joins the writers; items still queued are dropped uncounted (call Stop first).
  ~KeyedWriters() {
    Stop([](T&&) {});
  }
  KeyedWriters(const KeyedWriters&) = delete;
  KeyedWriters& operator=(const KeyedWriters&) = delete;

  /// Starts one thread per queue calling `handler` for each item, in queue order. Once.
  void Start(Handler handler) {
    handler_ = std::move(handler);
    for (std::size_t i = 0; i < queues_.size(); ++i) {
      threads_.emplace_back([this, i](std::stop_token stop) {
        while (auto item = queues_[i]->Receive(stop)) {
          handler_(i, *std::move(item), stop);
          Done(1);
        }
      });
    }
  }

  /// The number of queues.
  std::size_t size() const { return queues_.size(); }

  /// Queues `item` on `writer` if there is room right now; never blocks. False if full or
  /// stopped, and then `item` is left untouched.
  bool TrySend(std::size_t writer, T&& item) {
    outstanding_.fetch_add(1, std::memory_order_relaxed);
    if (queues_[writer]->TrySend(std::move(item))) return true;
    Done(1);
    return false;
  }

  /// Queues `item` on `writer`, waiting while it is full. False (the item dropped) if the
  /// writers stop or `stop` is requested first.
  bool Send(std::size_t writer, T item, std::stop_token stop) {
    outstanding_.fetch_add(1, std::memory_order_relaxed);
    if (queues_[writer]->Send(std::move(item), std::move(stop))) return true;
    Done(1);
    return false;
  }

  /// Whether the writers were asked to stop (the queues take nothing more).
  bool stopped() const { return queues_.front()->closed(); }

  /// Waits until no item is queued or being handled. False if `deadline` passed first.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(idle_mu_);
    return idle_cv_.wait_until(lock, deadline,
                               [&] { return outstanding_.load(std::memory_order_acquire) == 0; });
  }

  /// Closes the queues and cancels the writers (a handler sees its token stopped) without
  /// waiting for them. Any thread; idempotent.
  void RequestStop() {
    for (auto& queue : queues_) queue->Close();
    for (auto& thread : threads_) thread.request_stop();
  }

  /// RequestStop, joins the writers (all but the calling thread: a handler may call this),
  /// then passes every item still queued to `leftover`. Idempotent.
  template <typename Leftover>
  void Stop(Leftover leftover) {
    RequestStop();
    std::lock_guard lock(stop_mu_);
    for (auto& thread : threads_) {
      if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
    }
    std::size_t left = 0;
    for (auto& queue : queues_) {
      while (auto item = queue->TryReceive()) {
        leftover(*std::move(item));
        ++left;
      }
    }
    Done(left);
  }

 private:
  // `n` items left the count. Only the one that brings it to zero takes idle_mu_ and wakes
  // WaitIdle, so a Flush during a burst is not woken per item; the lock orders that last
  // decrement with a WaitIdle that checked the count before it and is about to sleep.
  void Done(std::size_t n) {
    if (n == 0 || outstanding_.fetch_sub(n, std::memory_order_acq_rel) != n) return;
    { std::lock_guard lock(idle_mu_); }
    idle_cv_.notify_all();
  }

  std::vector<std::unique_ptr<watch::Chan<T>>> queues_;
  Handler handler_;
  std::vector<std::jthread> threads_;
  std::atomic<std::size_t> outstanding_{0};
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;
  std::mutex stop_mu_;
};

}  // namespace kube::tools::internal
