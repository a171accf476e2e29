#include "kubeevents/watch/broadcaster.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <latch>
#include <thread>
#include <utility>

namespace kube::watch {
namespace internal {

// How often a consumer waiting on its empty channel yields, re-checking, before it sleeps:
// under a steady stream a producer then rarely has to wake it with a system call.
constexpr int kWatcherYields = 3;

// The counters, shared with the watchers so that a watcher outliving its Broadcaster can still
// update `watchers` when it is stopped. Fields written by different threads live on different
// cache lines.
struct BroadcasterCounters {
  alignas(64) std::atomic<std::uint64_t> accepted{0};
  alignas(64) std::atomic<std::uint64_t> dropped_incoming{0};
  alignas(64) std::atomic<std::uint64_t> dropped_watcher_full{0};
  alignas(64) std::atomic<std::uint64_t> delivered{0};
  alignas(64) std::atomic<std::int64_t> watchers{0};
};

// A watcher: its result channel and stop flag. Owned jointly by the user's handle and the
// distribution loop's list, so neither side can dangle.
class BroadcasterWatcher final : public Interface {
 public:
  BroadcasterWatcher(std::size_t capacity, std::shared_ptr<BroadcasterCounters> counters)
      : chan_(capacity, kWatcherYields), counters_(std::move(counters)) {}

  // Go broadcasterWatcher.Stop: mark stopped (the loop skips and forgets the watcher), then
  // close the channel, which also wakes a distribution waiting for room in it. Never blocks
  // on the loop, so it is safe from inside the consumer loop and after the Broadcaster is gone.
  void Stop() override {
    if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
    Close();
  }

  Chan<Event>& ResultChan() override { return chan_; }

  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

  // Called by the loop when it registers the watcher.
  void Activate() {
    active_.store(true, std::memory_order_release);
    counters_->watchers.fetch_add(1, std::memory_order_relaxed);
  }

  // Closes the channel and uncounts the watcher (once, whoever gets here first).
  void Close() {
    if (active_.exchange(false, std::memory_order_acq_rel)) {
      counters_->watchers.fetch_sub(1, std::memory_order_relaxed);
    }
    chan_.Close();
  }

  Chan<Event> chan_;
  bool wake_pending_ = false;  // loop thread only: items were sent with Wake::kLater

 private:
  std::shared_ptr<BroadcasterCounters> counters_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> active_{false};
};

}  // namespace internal

namespace {

// Go's internalRunFunctionMarker: a function the loop runs in queue order (watcher
// registration). The caller waits on `done`. The type is private to this file, so no user
// event can be mistaken for it.
struct RunFunction {
  explicit RunFunction(std::function<void()> f) : fn(std::move(f)) {}
  void Run() const {
    fn();
    done.count_down();
  }
  std::function<void()> fn;
  mutable std::latch done{1};
};

// How often a producer blocked on the full incoming queue yields, re-checking, before it
// sleeps (see Chan).
constexpr int kIncomingYields = 3;

// How long the loop, having run out of input, keeps polling the incoming queue before it
// sleeps until woken. While it polls, Action does not wake it (a producer that fills the
// queue distributes itself), so a busy producer makes no wake-up system calls; an event that
// arrives then waits at most this long.
constexpr std::chrono::microseconds kPollInterval{100};

bool IsRunFunction(const Event& e) { return e.object_type == &typeid(RunFunction); }

Status AlreadyStopped() {
  return Status(StatusCode::kFailedPrecondition, "broadcaster already stopped");
}

}  // namespace

Broadcaster::Broadcaster(std::size_t watcher_queue_length, FullChannelBehavior behavior,
                         std::size_t incoming_queue_length)
    : watcher_queue_length_(std::max<std::size_t>(watcher_queue_length, 1)),
      behavior_(behavior),
      counters_(std::make_shared<internal::BroadcasterCounters>()),
      incoming_(incoming_queue_length, kIncomingYields),
      loop_() {
  batch_.reserve(incoming_.capacity());
  loop_ = std::jthread([this] { Loop(); });
}

std::unique_ptr<Broadcaster> Broadcaster::NewBroadcaster(std::size_t queue_length,
                                                         FullChannelBehavior behavior) {
  return std::make_unique<Broadcaster>(queue_length, behavior, kIncomingQueueLength);
}

std::unique_ptr<Broadcaster> Broadcaster::NewLongQueueBroadcaster(std::size_t queue_length,
                                                                  FullChannelBehavior behavior) {
  return std::make_unique<Broadcaster>(queue_length, behavior, queue_length);
}

Broadcaster::~Broadcaster() { Shutdown(); }

StatusOr<std::shared_ptr<Interface>> Broadcaster::Watch() {
  return Register(std::make_shared<internal::BroadcasterWatcher>(watcher_queue_length_, counters_));
}

StatusOr<std::shared_ptr<Interface>> Broadcaster::WatchWithPrefix(std::vector<Event> prefix) {
  auto w = std::make_shared<internal::BroadcasterWatcher>(
      std::max(watcher_queue_length_, prefix.size() + 1), counters_);
  // The channel is private until the loop registers it, so filling it here is the same as
  // Go filling it inside the registration function: the prefix comes before any live event.
  for (Event& e : prefix) w->chan_.TrySend(std::move(e));
  return Register(std::move(w));
}

StatusOr<std::shared_ptr<Interface>> Broadcaster::Register(
    std::shared_ptr<internal::BroadcasterWatcher> w) {
  auto marker = std::make_shared<const RunFunction>([this, w] {
    RemoveStoppedWatchers();
    w->Activate();
    watchers_.push_back(w);
  });
  Status queued = Enqueue(Event{EventType::kAdded, marker, &typeid(RunFunction)});
  if (!queued.ok()) return queued;
  // Everything queued is distributed, even during Shutdown, so this always returns.
  marker->done.wait();
  return std::shared_ptr<Interface>(std::move(w));
}

Status Broadcaster::Action(EventType type, std::shared_ptr<const void> object,
                           const std::type_info* object_type) {
  return Action(Event{type, std::move(object), object_type});
}

Status Broadcaster::Action(Event event) {
  Status queued = Enqueue(std::move(event));
  if (queued.ok()) counters_->accepted.fetch_add(1, std::memory_order_relaxed);
  return queued;
}

// Go's Action blocks while the incoming queue is full, until the loop has made room. Here a
// producer that finds it full first tries to become the distributor itself: it takes what is
// queued and hands it to the watchers, as the loop would, then queues its own event. Order is
// kept because taking and handing over happen under one lock; the caller still waits exactly
// as long as distribution takes (with kWaitIfChannelFull, for a full watcher), but no thread
// has to sleep and be woken for every 25 events. Only when another thread is distributing at
// that moment does the producer wait for room, as in Go.
Status Broadcaster::Enqueue(Event event) {
  // Moves only when it succeeds. A polling loop is not woken: it looks again by itself.
  while (!incoming_.TrySend(std::move(event), Chan<Event>::Wake::kUnlessPolling)) {
    if (incoming_.closed()) return AlreadyStopped();
    std::unique_lock lock(distribute_mu_, std::try_to_lock);
    if (lock.owns_lock()) {
      DistributeQueued();
      continue;
    }
    if (!incoming_.Send(std::move(event))) return AlreadyStopped();
    break;
  }
  // The incoming queue now holds at least this event, so the loop will run again and wake any
  // consumer whose wake-up a producer-side distribution deferred (see Loop).
  return Status();
}

StatusOr<bool> Broadcaster::ActionOrDrop(const Event& event) {
  Event copy = event;
  return ActionOrDrop(std::move(copy));
}

StatusOr<bool> Broadcaster::ActionOrDrop(Event&& event) {
  // With kDropIfChannelFull distribution never blocks, so when nothing is queued ahead of this
  // event and nobody is distributing, hand it to the watchers directly: no hop through the
  // loop thread, and no wake-up of it. Nothing queued means every event accepted before this
  // one (by this thread in particular) has been distributed, so order is kept.
  if (behavior_ == FullChannelBehavior::kDropIfChannelFull && incoming_.size() == 0) {
    std::unique_lock lock(distribute_mu_, std::try_to_lock);
    if (lock.owns_lock() && incoming_.size() == 0) {
      if (incoming_.closed()) return AlreadyStopped();
      counters_->accepted.fetch_add(1, std::memory_order_relaxed);
      Distribute(std::span<Event>(&event, 1), Chan<Event>::Wake::kUnlessPolling);
      return true;
    }
  }
  if (incoming_.TrySend(std::move(event))) {
    counters_->accepted.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (incoming_.closed()) return AlreadyStopped();
  counters_->dropped_incoming.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void Broadcaster::Shutdown() {
  std::lock_guard lock(shutdown_mu_);
  incoming_.Close();
  if (loop_.joinable()) loop_.join();
}

std::uint64_t Broadcaster::DroppedWatcherFull() const {
  return counters_->dropped_watcher_full.load(std::memory_order_relaxed);
}

BroadcasterStats Broadcaster::Stats() const {
  BroadcasterStats s;
  s.accepted = counters_->accepted.load(std::memory_order_relaxed);
  s.dropped_incoming = counters_->dropped_incoming.load(std::memory_order_relaxed);
  s.dropped_watcher_full = counters_->dropped_watcher_full.load(std::memory_order_relaxed);
  s.delivered = counters_->delivered.load(std::memory_order_relaxed);
  s.watchers = static_cast<std::uint64_t>(
      std::max<std::int64_t>(0, counters_->watchers.load(std::memory_order_relaxed)));
  return s;
}

// Go Broadcaster.loop: take everything queued, distribute it, repeat. When the queue is
// empty, wake the consumers whose wake-ups were deferred, poll for kPollInterval, then sleep
// until woken. When the queue is closed and drained, close every watcher's channel.
//
// Deferred wake-ups are never lost: a producer that distributes (Enqueue) queues its own event
// right after, so the queue is non-empty and this loop runs once more before it sleeps.
void Broadcaster::Loop() {
  while (true) {
    {
      std::lock_guard lock(distribute_mu_);
      if (DistributeQueued()) continue;
      WakeDeferred();
    }
    if (incoming_.PollForItems(kPollInterval)) continue;
    if (!incoming_.WaitForItems()) break;  // closed and drained
  }
  // Closed and empty: any distribution still running holds the lock, so wait for it.
  std::lock_guard lock(distribute_mu_);
  for (auto& w : watchers_) w->Close();
  watchers_.clear();
}

// Takes everything queued and delivers runs of events between registration markers to every
// watcher (one channel lock per watcher per run), running the markers in order. Caller holds
// distribute_mu_. False if nothing was queued.
bool Broadcaster::DistributeQueued() {
  if (incoming_.TryReceiveBatch(batch_, incoming_.capacity()) == 0) return false;
  const std::span<Event> events(batch_);
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!IsRunFunction(events[i])) continue;
    Distribute(events.subspan(run_start, i - run_start), Chan<Event>::Wake::kLater);
    static_cast<const RunFunction*>(events[i].object.get())->Run();
    run_start = i + 1;
  }
  Distribute(events.subspan(run_start), Chan<Event>::Wake::kLater);
  batch_.clear();  // release the payloads (and the markers) now
  return true;
}

// Go's distribute sends event by event to each watcher in turn. Here a run of events goes to
// each watcher under one channel lock. First every watcher gets, without blocking, as much as
// fits (so no watcher waits behind a slow one for events it has room for); then, with
// kWaitIfChannelFull, the distributor waits on each watcher that still lacks the rest, in
// turn — Stop() closes the channel, which ends such a wait. The last watcher to be served
// takes the events themselves rather than copies (the run is not needed afterwards). With
// Wake::kLater, blocked consumers are woken later (WakeDeferred); with kNow, at once.
void Broadcaster::Distribute(std::span<Event> events, Chan<Event>::Wake wake) {
  if (events.empty()) return;
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;
  bool saw_stopped = false;
  lagging_.clear();
  const std::size_t count = watchers_.size();
  for (std::size_t i = 0; i < count; ++i) {
    internal::BroadcasterWatcher* w = watchers_[i].get();
    if (w->stopped()) {
      saw_stopped = true;
      continue;
    }
    // Consumers are woken when their channel is half full or when the loop is about to wait,
    // not for every run: wake-ups, not copies, are the cost of fan-out.
    const bool last = i + 1 == count && lagging_.empty();
    const std::size_t n =
        last ? w->chan_.TryMoveBatch(events, wake) : w->chan_.TrySendBatch(events, wake);
    if (wake == Chan<Event>::Wake::kLater) w->wake_pending_ = true;
    delivered += n;
    if (n == events.size()) continue;
    if (w->stopped()) {
      saw_stopped = true;
    } else if (behavior_ == FullChannelBehavior::kDropIfChannelFull) {
      dropped += events.size() - n;
    } else {
      lagging_.emplace_back(w, n);
    }
  }
  if (!lagging_.empty()) WakeDeferred();  // never wait on one watcher while others sleep
  for (std::size_t k = 0; k < lagging_.size(); ++k) {
    const auto [w, sent] = lagging_[k];
    // Returns early only when Stop() closed the channel. The last one may move: every other
    // watcher is served by now.
    const auto rest = events.subspan(sent);
    delivered += k + 1 == lagging_.size() ? w->chan_.MoveBatch(rest) : w->chan_.SendBatch(rest);
    if (w->stopped()) saw_stopped = true;
  }
  lagging_.clear();
  counters_->delivered.fetch_add(delivered, std::memory_order_relaxed);
  if (dropped > 0) counters_->dropped_watcher_full.fetch_add(dropped, std::memory_order_relaxed);
  if (saw_stopped) RemoveStoppedWatchers();
}

void Broadcaster::WakeDeferred() {
  for (const auto& w : watchers_) {
    if (!w->wake_pending_) continue;
    w->wake_pending_ = false;
    w->chan_.WakeReceivers();
  }
}

void Broadcaster::RemoveStoppedWatchers() {
  std::erase_if(watchers_, [](const auto& w) { return w->stopped(); });
}

}  // namespace kube::watch
