#include "kubeevents/watch/broadcaster.h"

#include <algorithm>
#include <functional>
#include <latch>
#include <thread>
#include <utility>

namespace kube::watch {
namespace internal {

// The counters, shared with the watchers so that a watcher outliving its Broadcaster can still
// update `watchers` when it is stopped. Fields written by different threads live on different
// cache lines.
struct BroadcasterCounters {
  alignas(64) std::atomic<std::uint64_t> accepted{0};
  alignas(64) std::atomic<std::uint64_t> dropped_incoming{0};
  alignas(64) std::atomic<std::uint64_t> dropped_watcher_full{0};
  std::atomic<std::uint64_t> delivered{0};
  alignas(64) std::atomic<std::int64_t> watchers{0};
};

// A watcher: its result channel and stop flag. Owned jointly by the user's handle and the
// distribution loop's list, so neither side can dangle.
class BroadcasterWatcher final : public Interface {
 public:
  BroadcasterWatcher(std::size_t capacity, std::shared_ptr<BroadcasterCounters> counters)
      : chan_(capacity), counters_(std::move(counters)) {}

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

// How often the loop yields, re-checking its input, before it wakes deferred consumers and
// sleeps; and how often a producer or the loop yields on the incoming queue before sleeping.
// On a busy 2-core machine this halves the futex traffic of a 1-watcher pipeline (see
// docs/watch.md); with the default 0 a 25-slot queue costs a sleep and a wake-up per 25 events.
constexpr int kIdleYields = 3;
constexpr int kIncomingYields = 3;

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
      loop_([this] { Loop(); }) {}

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
  if (!incoming_.Send(Event{EventType::kAdded, marker, &typeid(RunFunction)})) {
    return AlreadyStopped();
  }
  // The loop drains everything queued, even during Shutdown, so this always returns.
  marker->done.wait();
  return std::shared_ptr<Interface>(std::move(w));
}

Status Broadcaster::Action(EventType type, std::shared_ptr<const void> object,
                           const std::type_info* object_type) {
  return Action(Event{type, std::move(object), object_type});
}

Status Broadcaster::Action(Event event) {
  if (!incoming_.Send(std::move(event))) return AlreadyStopped();
  counters_->accepted.fetch_add(1, std::memory_order_relaxed);
  return Status();
}

StatusOr<bool> Broadcaster::ActionOrDrop(Event event) {
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

// Go Broadcaster.loop: take everything queued at once, deliver runs of events between
// registration markers to every watcher (one channel lock per watcher per run), run the
// markers in order. When the queue is closed and drained, close every watcher's channel.
void Broadcaster::Loop() {
  std::vector<Event> batch;
  batch.reserve(incoming_.capacity());
  while (true) {
    if (incoming_.TryReceiveBatch(batch, incoming_.capacity()) == 0) {
      for (int i = 0; i < kIdleYields; ++i) {
        std::this_thread::yield();
        if (incoming_.size() > 0 && incoming_.TryReceiveBatch(batch, incoming_.capacity()) > 0) {
          break;
        }
      }
    }
    if (batch.empty()) {
      // About to wait for input: first wake the consumers that deferred wake-ups are owed to.
      WakeDeferred();
      if (incoming_.ReceiveBatch(batch, incoming_.capacity()) == 0) break;
    }
    std::size_t run_start = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!IsRunFunction(batch[i])) continue;
      Distribute(std::span<const Event>(batch).subspan(run_start, i - run_start));
      static_cast<const RunFunction*>(batch[i].object.get())->Run();
      run_start = i + 1;
    }
    Distribute(std::span<const Event>(batch).subspan(run_start));
    batch.clear();  // release the payloads before waiting again
  }
  for (auto& w : watchers_) w->Close();
  watchers_.clear();
}

// Go's distribute sends event by event to each watcher in turn. Here a run of events goes to
// each watcher under one channel lock. First every watcher gets, without blocking, as much as
// fits (so no watcher waits behind a slow one for events it has room for); then, with
// kWaitIfChannelFull, the loop waits on each watcher that still lacks the rest, in turn —
// Stop() closes the channel, which ends such a wait.
void Broadcaster::Distribute(std::span<const Event> events) {
  if (events.empty()) return;
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;
  bool saw_stopped = false;
  lagging_.clear();
  for (const auto& w : watchers_) {
    if (w->stopped()) {
      saw_stopped = true;
      continue;
    }
    // Consumers are woken when their channel is half full or when the loop is about to wait,
    // not for every run: wake-ups, not copies, are the cost of fan-out.
    const std::size_t n = w->chan_.TrySendBatch(events, Chan<Event>::Wake::kLater);
    w->wake_pending_ = true;
    delivered += n;
    if (n == events.size()) continue;
    if (w->stopped()) {
      saw_stopped = true;
    } else if (behavior_ == FullChannelBehavior::kDropIfChannelFull) {
      dropped += events.size() - n;
    } else {
      lagging_.emplace_back(w.get(), n);
    }
  }
  if (!lagging_.empty()) WakeDeferred();  // never wait on one watcher while others sleep
  for (auto [w, sent] : lagging_) {
    // Returns early only when Stop() closed the channel.
    delivered += w->chan_.SendBatch(events.subspan(sent));
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
