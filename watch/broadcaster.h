// kube::watch::Broadcaster: apimachinery's watch.Broadcaster (mux.go) — one distribution
// thread fanning every event out to every watcher, in order.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <typeinfo>
#include <utility>
#include <vector>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/watch/chan.h"
#include "kubeevents/watch/watch.h"

namespace kube::watch {

/// What the distribution loop does when a watcher's channel is full (Go FullChannelBehavior).
enum class FullChannelBehavior {
  kWaitIfChannelFull,  ///< wait for room (a watcher that never reads stalls everything)
  kDropIfChannelFull,  ///< that watcher misses the event (counted); the others still get it
};

/// Capacity of the incoming queue of NewBroadcaster (Go incomingQueueLength).
inline constexpr std::size_t kIncomingQueueLength = 25;

/// Counters of a Broadcaster. All are monotonic except `watchers`.
struct BroadcasterStats {
  std::uint64_t accepted = 0;              ///< events queued by Action / ActionOrDrop
  std::uint64_t dropped_incoming = 0;      ///< ActionOrDrop calls that found the queue full
  std::uint64_t dropped_watcher_full = 0;  ///< (event, watcher) pairs skipped: channel full
  std::uint64_t delivered = 0;             ///< (event, watcher) pairs put into a channel
  std::uint64_t watchers = 0;              ///< watchers registered and not yet stopped/closed
};

namespace internal {
struct BroadcasterCounters;
class BroadcasterWatcher;
}  // namespace internal

/// Distributes events to any number of watchers (Go watch.Broadcaster).
///
/// Threads: the constructor starts one distribution thread; Action, ActionOrDrop, Watch and
/// Shutdown may be called from any thread. Watcher registration travels through the same
/// queue as events, so a new watcher sees exactly the events queued after it. Events reach
/// each watcher in the order they were accepted. Watchers own their state and stay valid (and
/// safe to Stop) after the Broadcaster is destroyed.
///
/// Distribution is serialized: one distributor at a time takes queued events and hands them
/// to every watcher. That is normally the loop thread; an `Action` that finds the incoming
/// queue full does the loop's work itself instead of sleeping until the loop makes room
/// (where Go's Action would block). Order, blocking and dropping are the same either way.
class Broadcaster {
 public:
  /// Starts the distribution thread. Each watcher's channel holds `watcher_queue_length`
  /// events (at least 1; Go's unbuffered 0 is raised to 1), the incoming queue
  /// `incoming_queue_length`.
  Broadcaster(std::size_t watcher_queue_length, FullChannelBehavior behavior,
              std::size_t incoming_queue_length = kIncomingQueueLength);
  /// Go NewBroadcaster: incoming queue of kIncomingQueueLength (25).
  static std::unique_ptr<Broadcaster> NewBroadcaster(std::size_t queue_length,
                                                     FullChannelBehavior behavior);
  /// Go NewLongQueueBroadcaster: incoming queue of `queue_length` too.
  static std::unique_ptr<Broadcaster> NewLongQueueBroadcaster(std::size_t queue_length,
                                                              FullChannelBehavior behavior);
  /// Shutdown().
  ~Broadcaster();

  Broadcaster(const Broadcaster&) = delete;
  Broadcaster& operator=(const Broadcaster&) = delete;

  /// A new watcher that receives every event accepted after this call. Blocks until the
  /// distribution thread has registered it (so it waits behind queued events).
  /// Error kFailedPrecondition "broadcaster already stopped" after Shutdown.
  /// As in Go, releasing the returned pointer does not stop the watcher: call Stop() (with
  /// kWaitIfChannelFull an undrained watcher stalls the broadcaster).
  StatusOr<std::shared_ptr<Interface>> Watch();

  /// Like Watch, but the watcher's channel first holds `prefix` (its capacity is
  /// max(queue length, prefix.size() + 1)).
  StatusOr<std::shared_ptr<Interface>> WatchWithPrefix(std::vector<Event> prefix);

  /// Queues an event, blocking while the incoming queue is full (meanwhile it may distribute
  /// queued events itself, see the class comment). Error after Shutdown.
  Status Action(EventType type, std::shared_ptr<const void> object,
                const std::type_info* object_type);
  /// Queues `event`, blocking while the incoming queue is full. Error after Shutdown.
  Status Action(Event event);

  /// Queues `event` without blocking: true if queued, false if the incoming queue was full
  /// (the event is dropped and counted). Error after Shutdown. `event` is moved from only
  /// when the call returns true, so after false or an error the caller still has it (to
  /// describe it in a log line, say) without having kept a copy.
  StatusOr<bool> ActionOrDrop(Event&& event);
  /// The same, queuing a copy of `event`.
  StatusOr<bool> ActionOrDrop(const Event& event);

  /// Stops accepting events, lets the distribution thread deliver everything already queued,
  /// closes every watcher's channel and joins the thread. Idempotent; thread-safe. With
  /// kWaitIfChannelFull it waits for watchers to make room, as Go does.
  void Shutdown();

  /// A snapshot of the counters.
  BroadcasterStats Stats() const;
  /// Just Stats().dropped_watcher_full: cheap enough to read after every batch (it reads one
  /// counter that only changes when an event is dropped, so busy threads share no cache line
  /// through it).
  std::uint64_t DroppedWatcherFull() const;

 private:
  void Loop();
  Status Enqueue(Event event);
  bool DistributeQueued();
  void Distribute(std::span<Event> events, Chan<Event>::Wake wake);
  void RemoveStoppedWatchers();
  void WakeDeferred();
  StatusOr<std::shared_ptr<Interface>> Register(std::shared_ptr<internal::BroadcasterWatcher> w);

  const std::size_t watcher_queue_length_;
  const FullChannelBehavior behavior_;
  std::shared_ptr<internal::BroadcasterCounters> counters_;
  Chan<Event> incoming_;
  // The distributor's lock: whoever takes events out of incoming_ and hands them to the
  // watchers holds it for both steps, so events keep their order. Normally the loop thread;
  // a producer whose Action finds the incoming queue full takes it instead of sleeping.
  // It guards everything below up to shutdown_mu_.
  std::mutex distribute_mu_;
  std::vector<std::shared_ptr<internal::BroadcasterWatcher>> watchers_;
  // Scratch: the events being distributed, and the watchers still owed part of the run.
  std::vector<Event> batch_;
  std::vector<std::pair<internal::BroadcasterWatcher*, std::size_t>> lagging_;
  std::mutex shutdown_mu_;
  std::jthread loop_;
};

}  // namespace kube::watch
