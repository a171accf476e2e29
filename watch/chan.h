// kube::watch::Chan<T>: the bounded queue that plays the role of a Go buffered channel.
//
// It is the one queue primitive of kubeevents: the Broadcaster's incoming queue, every
// watcher's result channel and the record/events pipelines all use it.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "kubeevents/api/common/adaptive_mutex.h"

namespace kube::watch {

/// A bounded multi-producer/multi-consumer FIFO with Go channel semantics:
///
/// * `Send` blocks while the channel is full and fails (returns false, the value is dropped)
///   once the channel is closed; `Receive` blocks while it is empty and returns nullopt once the
///   channel is closed *and* drained. Items buffered before `Close()` stay readable.
/// * Every blocking operation has a `std::stop_token` form that gives up when stop is
///   requested, and `ReceiveFor` gives up after a timeout.
/// * `for (auto& v : chan)` receives until the channel is closed and drained.
///
/// Unlike Go, a capacity of 0 (unbuffered) is not supported: it is raised to 1.
///
/// Cost model: one mutex acquisition per operation (per *batch* for `SendBatch` /
/// `ReceiveBatch`), and a condition-variable notification only when some thread is actually
/// blocked on the other side. No allocation after construction: the ring buffer is sized once,
/// and a slot is written only when an item is put in it.
template <typename T>
class Chan {
 public:
  /// A channel holding at most `capacity` items (at least 1).
  ///
  /// A thread that has to wait first yields its CPU up to `yields_before_sleep` times,
  /// re-checking in between, and only then sleeps on a condition variable. When the other
  /// side is about to make progress (a busy, oversubscribed machine) this saves a futex sleep
  /// here and a futex wake-up there. 0, the default, sleeps at once; use it for channels
  /// with many idle waiters.
  explicit Chan(std::size_t capacity, int yields_before_sleep = 0)
      : capacity_(std::max<std::size_t>(capacity, 1)),
        ring_(std::allocator<T>().allocate(capacity_), RingDeleter{capacity_}),
        yields_before_sleep_(yields_before_sleep) {
    MakeAdaptive(mu_);  // the critical sections are a few pointer moves
  }
  /// Destroys the items still buffered.
  ~Chan() {
    for (std::size_t i = 0, n = count_.load(std::memory_order_relaxed); i < n; ++i) {
      std::destroy_at(Slot((head_ + i) % capacity_));
    }
  }

  Chan(const Chan&) = delete;
  Chan& operator=(const Chan&) = delete;

  /// Appends `value`, blocking while the channel is full. Returns false (and drops the value)
  /// if the channel is or becomes closed before there is room.
  bool Send(T value) { return Send(std::move(value), std::stop_token{}); }

  /// Like Send, but also gives up (returns false) when `stop` is requested.
  bool Send(T value, std::stop_token stop) {
    std::unique_lock lock(mu_);
    while (true) {
      if (closed_) return false;
      if (count_ < capacity_) {
        PushLocked(std::move(value));
        NotifyReceivers(lock, 1);
        return true;
      }
      if (stop.stop_requested()) {
        PassOnSpace();
        return false;
      }
      Wait(lock, send_cv_, send_waiters_, stop, [this] { return HasRoomOrClosed(); });
    }
  }

  /// Appends `value` if there is room right now; never blocks. False if full or closed; then
  /// `value` is left untouched (an rvalue is moved from only when it was appended), so the
  /// caller may try again or hand it elsewhere.
  /// When a send wakes receivers that are blocked waiting for items.
  enum class Wake {
    kNow,            ///< right away, like Send
    kLater,          ///< only once the channel is at least half full; the caller must call
                     ///< WakeReceivers() before it next blocks or goes idle
    kUnlessPolling,  ///< right away, except a polling receiver (PollForItems), which will
                     ///< look again by itself
  };

  bool TrySend(T&& value, Wake wake = Wake::kNow) { return TrySendImpl(std::move(value), wake); }
  /// Appends a copy of `value` if there is room right now; never blocks.
  bool TrySend(const T& value, Wake wake = Wake::kNow) { return TrySendImpl(value, wake); }

  /// Appends copies of `values` in order, blocking whenever the channel is full, under one
  /// lock acquisition per run of free slots. Returns how many were appended: all of them, or
  /// fewer if the channel was closed or `stop` requested first. Blocked receivers are always
  /// woken before this waits for room.
  std::size_t SendBatch(std::span<const T> values, std::stop_token stop = {},
                        Wake wake = Wake::kNow) {
    return SendBatchImpl(values, std::move(stop), wake);
  }

  /// Appends copies of as many of `values` (a prefix) as fit right now; never blocks. Returns
  /// how many were appended (0 when closed).
  std::size_t TrySendBatch(std::span<const T> values, Wake wake = Wake::kNow) {
    return TrySendBatchImpl(values, wake);
  }

  /// Like TrySendBatch, but moves the items that fit out of `values` (the prefix it returns
  /// the length of); the rest are left untouched. Saves a copy (for shared_ptr payloads, two
  /// atomic reference-count operations) when the caller no longer needs them.
  std::size_t TryMoveBatch(std::span<T> values, Wake wake = Wake::kNow) {
    return TrySendBatchImpl(values, wake);
  }

  /// Like SendBatch (blocks whenever full; fewer only if closed or stopped), but moves the
  /// items it appends out of `values`.
  std::size_t MoveBatch(std::span<T> values, std::stop_token stop = {}, Wake wake = Wake::kNow) {
    return SendBatchImpl(values, std::move(stop), wake);
  }

  /// Blocks until the channel holds an item or is closed, without taking anything. True if an
  /// item is there; false once the channel is closed and drained, or `stop` was requested.
  /// For a consumer that must take items under a lock of its own (the Broadcaster's loop).
  bool WaitForItems(std::stop_token stop = {}) {
    std::unique_lock lock(mu_);
    while (true) {
      if (count_ > 0) return true;
      if (closed_ || stop.stop_requested()) return false;
      Wait(lock, recv_cv_, recv_waiters_, stop, [this] { return HasItemsOrClosed(); });
    }
  }

  /// Waits at most `timeout` for items as a *polling* receiver: one that will look again by
  /// itself, so a Wake::kUnlessPolling (or kLater) send does not wake it; kNow sends and
  /// Close() do. True if the channel holds an item on return. For a consumer that is busy in
  /// bursts: while it polls, such a producer's send costs no wake-up system call.
  template <class Rep, class Period>
  bool PollForItems(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::ceil<std::chrono::steady_clock::duration>(timeout);
    std::unique_lock lock(mu_);
    if (count_ > 0) return true;
    if (closed_) return false;
    ++polling_receivers_;
    recv_cv_.wait_until(lock, deadline, [this] { return HasItemsOrClosed(); });
    --polling_receivers_;
    return count_ > 0;
  }

  /// Wakes receivers blocked on this channel if it holds items (the follow-up of a
  /// Wake::kLater send).
  void WakeReceivers() {
    std::unique_lock lock(mu_);
    if (count_ == 0 || recv_waiters_ + polling_receivers_ == 0) return;
    lock.unlock();
    recv_cv_.notify_all();
  }

  /// Removes the oldest item, blocking while the channel is empty. nullopt once the channel is
  /// closed and drained.
  std::optional<T> Receive() { return Receive(std::stop_token{}); }

  /// Like Receive, but also returns nullopt when `stop` is requested while waiting.
  std::optional<T> Receive(std::stop_token stop) {
    std::unique_lock lock(mu_);
    while (true) {
      if (count_ > 0) {
        T value = PopLocked();
        NotifySenders(lock, 1);
        return value;
      }
      if (closed_) return std::nullopt;
      if (stop.stop_requested()) return std::nullopt;
      Wait(lock, recv_cv_, recv_waiters_, stop, [this] { return HasItemsOrClosed(); });
    }
  }

  /// Like Receive, but returns nullopt after waiting `timeout` for an item.
  template <class Rep, class Period>
  std::optional<T> ReceiveFor(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::ceil<std::chrono::steady_clock::duration>(timeout);
    std::unique_lock lock(mu_);
    while (true) {
      if (count_ > 0) {
        T value = PopLocked();
        NotifySenders(lock, 1);
        return value;
      }
      if (closed_) return std::nullopt;
      ++recv_waiters_;
      const bool ready = recv_cv_.wait_until(lock, deadline, [this] { return HasItemsOrClosed(); });
      --recv_waiters_;
      if (!ready) return std::nullopt;
    }
  }

  /// Removes the oldest item if there is one; never blocks.
  std::optional<T> TryReceive() {
    std::unique_lock lock(mu_);
    if (count_ == 0) return std::nullopt;
    T value = PopLocked();
    NotifySenders(lock, 1);
    return value;
  }

  /// Blocks until at least one item is available, then moves up to `max` items (oldest first)
  /// onto the end of `out` under a single lock acquisition. Returns how many were appended:
  /// 0 only when the channel is closed and drained, `stop` was requested, or `max` is 0.
  std::size_t ReceiveBatch(std::vector<T>& out, std::size_t max, std::stop_token stop = {}) {
    if (max == 0) return 0;
    std::unique_lock lock(mu_);
    while (true) {
      if (count_ > 0) {
        const std::size_t n = std::min<std::size_t>(max, count_);
        for (std::size_t i = 0; i < n; ++i) out.push_back(PopLocked());
        NotifySenders(lock, n);
        return n;
      }
      if (closed_) return 0;
      if (stop.stop_requested()) return 0;
      Wait(lock, recv_cv_, recv_waiters_, stop, [this] { return HasItemsOrClosed(); });
    }
  }

  /// Moves up to `max` items (oldest first) onto the end of `out` if there are any; never
  /// blocks. Returns how many were appended.
  std::size_t TryReceiveBatch(std::vector<T>& out, std::size_t max) {
    std::unique_lock lock(mu_);
    const std::size_t n = std::min<std::size_t>(max, count_);
    for (std::size_t i = 0; i < n; ++i) out.push_back(PopLocked());
    NotifySenders(lock, n);
    return n;
  }

  /// Closes the channel: later sends fail, blocked senders give up, blocked receivers wake.
  /// Items already buffered stay readable. Idempotent.
  void Close() {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_.store(true, std::memory_order_release);
    recv_cv_.notify_all();
    send_cv_.notify_all();
  }

  /// Whether Close() has been called (buffered items may still be readable).
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  /// Number of buffered items.
  std::size_t size() const { return count_.load(std::memory_order_relaxed); }
  /// Maximum number of buffered items.
  std::size_t capacity() const { return capacity_; }

  /// Threads currently blocked waiting for an item (for tests and diagnostics: lets a test
  /// wait until a consumer is parked instead of sleeping).
  std::size_t receivers_waiting() const {
    std::lock_guard lock(mu_);
    return recv_waiters_;
  }
  /// Threads currently in PollForItems (for tests and diagnostics).
  std::size_t receivers_polling() const {
    std::lock_guard lock(mu_);
    return polling_receivers_;
  }
  /// Threads currently blocked waiting for room (e.g. a Broadcaster waiting on a full
  /// watcher).
  std::size_t senders_waiting() const {
    std::lock_guard lock(mu_);
    return send_waiters_;
  }

  /// Input iterator for range-for: each increment is a blocking Receive(); the range ends when
  /// the channel is closed and drained.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;

    Iterator() = default;
    explicit Iterator(Chan* chan) : chan_(chan) { ++*this; }
    T& operator*() { return *current_; }
    T* operator->() { return &*current_; }
    Iterator& operator++() {
      current_ = chan_->Receive();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const Iterator& it, std::default_sentinel_t) {
      return !it.current_.has_value();
    }

   private:
    Chan* chan_ = nullptr;
    std::optional<T> current_;
  };

  /// Starts receiving (blocks for the first item).
  Iterator begin() { return Iterator(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  // Copies the items of a span of const T, moves those of a span of T.
  template <class U>
  static decltype(auto) Take(U& item) {
    if constexpr (std::is_const_v<U>) {
      return static_cast<const T&>(item);
    } else {
      return static_cast<T&&>(item);
    }
  }

  template <class U>
  std::size_t SendBatchImpl(std::span<U> values, std::stop_token stop, Wake wake) {
    std::size_t sent = 0;
    std::unique_lock lock(mu_);
    while (true) {
      if (closed_) return sent;
      const std::size_t n = std::min<std::size_t>(values.size() - sent, capacity_ - count_);
      for (std::size_t i = 0; i < n; ++i) PushLocked(Take(values[sent + i]));
      sent += n;
      if (sent == values.size()) {
        NotifyReceivers(lock, n, wake);
        return sent;
      }
      // Full: wake receivers before waiting for them to make room.
      if (recv_waiters_ + polling_receivers_ > 0) recv_cv_.notify_all();
      if (stop.stop_requested()) return sent;
      Wait(lock, send_cv_, send_waiters_, stop, [this] { return HasRoomOrClosed(); });
    }
  }

  template <class U>
  std::size_t TrySendBatchImpl(std::span<U> values, Wake wake) {
    std::unique_lock lock(mu_);
    if (closed_) return 0;
    const std::size_t n = std::min<std::size_t>(values.size(), capacity_ - count_);
    for (std::size_t i = 0; i < n; ++i) PushLocked(Take(values[i]));
    NotifyReceivers(lock, n, wake);
    return n;
  }

  template <class U>
  bool TrySendImpl(U&& value, Wake wake) {
    std::unique_lock lock(mu_);
    if (closed_ || count_ == capacity_) return false;
    PushLocked(std::forward<U>(value));
    NotifyReceivers(lock, 1, wake);
    return true;
  }

  T* Slot(std::size_t i) { return ring_.get() + i; }

  template <class U>
  void PushLocked(U&& value) {
    std::size_t tail = head_ + count_;
    if (tail >= capacity_) tail -= capacity_;
    std::construct_at(Slot(tail), std::forward<U>(value));  // counted only once built
    count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  T PopLocked() {
    T value = std::move(*Slot(head_));
    std::destroy_at(Slot(head_));  // release the payload now, not when the slot is reused
    if (++head_ == capacity_) head_ = 0;
    count_.store(count_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    return value;
  }

  // Wakes blocked receivers after `n` items were added; unlocks first so the woken thread
  // does not immediately block on the mutex.
  void NotifyReceivers(std::unique_lock<std::mutex>& lock, std::size_t n, Wake wake = Wake::kNow) {
    if (n == 0) return;
    const bool half_full = 2 * count_ >= capacity_;
    const bool wake_blocked = recv_waiters_ > 0 && (wake != Wake::kLater || half_full);
    const bool wake_polling = polling_receivers_ > 0 && wake == Wake::kNow;
    if (!wake_blocked && !wake_polling) return;
    // Polling and blocked receivers share the condition variable: notify_one might pick
    // the wrong kind.
    const bool all = polling_receivers_ > 0 || (n > 1 && recv_waiters_ > 1);
    lock.unlock();
    if (all) {
      recv_cv_.notify_all();
    } else {
      recv_cv_.notify_one();
    }
  }

  // Wakes blocked senders after `n` slots were freed.
  void NotifySenders(std::unique_lock<std::mutex>& lock, std::size_t n) {
    if (n == 0 || send_waiters_ == 0) return;
    const bool all = n > 1 && send_waiters_ > 1;
    lock.unlock();
    if (all) {
      send_cv_.notify_all();
    } else {
      send_cv_.notify_one();
    }
  }

  // A sender that was woken for a free slot but gives up (stop) passes the wake-up on, so
  // that another blocked sender does not sleep next to a free slot.
  void PassOnSpace() {
    if (count_ < capacity_ && send_waiters_ > 0) send_cv_.notify_one();
  }
  void PassOnItems() {
    if (count_ > 0 && recv_waiters_ > 0) recv_cv_.notify_one();
  }

  // Blocks on `cv` until `ready()` or `stop` is requested; `lock` is held on entry and exit
  // (the caller re-checks its state). A stop callback wakes the wait; it is registered
  // without holding the mutex because it may run inline and takes the mutex itself.
  template <class Ready>
  void Wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, std::size_t& waiters,
            const std::stop_token& stop, Ready ready) {
    if (yields_before_sleep_ > 0) {
      // `ready` reads only atomics, so it may be polled without the lock.
      lock.unlock();
      for (int i = 0; i < yields_before_sleep_ && !ready() && !stop.stop_requested(); ++i) {
        std::this_thread::yield();
      }
      lock.lock();
      if (ready() || stop.stop_requested()) return;
    }
    if (!stop.stop_possible()) {
      ++waiters;
      cv.wait(lock, ready);
      --waiters;
      return;
    }
    lock.unlock();
    {
      std::stop_callback wake(stop, [this] {
        std::lock_guard guard(mu_);
        recv_cv_.notify_all();
        send_cv_.notify_all();
      });
      lock.lock();
      ++waiters;
      cv.wait(lock, [&] { return ready() || stop.stop_requested(); });
      --waiters;
      if (!ready()) {
        // Woken by stop (possibly having consumed a notify_one meant for someone else).
        PassOnItems();
        PassOnSpace();
      }
      lock.unlock();  // the callback's destructor may wait for a running callback
    }
    lock.lock();
  }

  bool HasItemsOrClosed() const {
    return closed_.load(std::memory_order_relaxed) || count_.load(std::memory_order_relaxed) > 0;
  }
  bool HasRoomOrClosed() const {
    return closed_.load(std::memory_order_relaxed) ||
           count_.load(std::memory_order_relaxed) < capacity_;
  }

  mutable std::mutex mu_;
  std::condition_variable recv_cv_;
  std::condition_variable send_cv_;
  // The ring's storage: slots [head_, head_ + count_) (modulo capacity_) hold items, the
  // others are raw memory. Nothing is written to a slot before its first item, so a long
  // channel (or one of large items) costs resident memory only for as many items as it has
  // held at once, not for its capacity.
  struct RingDeleter {
    std::size_t n;
    void operator()(T* p) const { std::allocator<T>().deallocate(p, n); }
  };
  const std::size_t capacity_;
  std::unique_ptr<T, RingDeleter> ring_;
  std::size_t head_ = 0;
  // Written only under mu_; atomic so that closed(), size() and a yielding waiter can read
  // them without it.
  std::atomic<std::size_t> count_{0};
  std::atomic<bool> closed_{false};
  const int yields_before_sleep_;
  std::size_t recv_waiters_ = 0;
  std::size_t polling_receivers_ = 0;
  std::size_t send_waiters_ = 0;
};

}  // namespace kube::watch
