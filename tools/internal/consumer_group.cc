#include "kubeevents/tools/internal/consumer_group.h"

#include <condition_variable>
#include <string>

namespace kube::tools::internal {
namespace {

/// A Flush request travelling through a consumer's queue behind the events it waits for.
struct FlushMarker {
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    int pending = 0;
  };
  std::shared_ptr<State> state;
  void Done() const {
    {
      std::lock_guard lock(state->mu);
      --state->pending;
    }
    state->cv.notify_all();
  }
};

constexpr std::size_t kBatch = 64;

// How long a consumer that ran out of events waits for more as a *polling* receiver before it
// blocks. A producer that distributes an event itself (ActionOrDrop's direct path) does not
// wake a polling consumer, which looks again by itself when the interval ends; so under a
// steady stream the caller of Eventf makes no wake-up system call, and an event waits at most
// this long for a consumer that is idle.
constexpr std::chrono::microseconds kConsumerPoll{100};

}  // namespace

ConsumerGroup::ConsumerGroup(watch::Broadcaster& mux, std::shared_ptr<Logger> logger,
                             std::atomic<std::uint64_t>& abandoned)
    : mux_(mux), logger_(std::move(logger)), abandoned_(abandoned) {}

void ConsumerGroup::LogConsumerDrops() {
  const std::uint64_t now = mux_.DroppedWatcherFull();
  std::uint64_t logged = logged_drops_.load(std::memory_order_relaxed);
  if (now > logged && logged_drops_.compare_exchange_strong(logged, now)) {
    logger_->Error("Dropped events: a consumer's queue was full",
                   {{"count", std::to_string(now - logged)}, {"total", std::to_string(now)}});
  }
}

std::shared_ptr<Consumer> ConsumerGroup::Start(Handler handler) {
  auto watcher = mux_.Watch();
  auto consumer = std::make_shared<Consumer>();
  if (!watcher.ok()) {
    logger_->Error("Unable start event watcher (will not retry!)",
                   {{"err", watcher.status().message()}});
    consumer->watcher = watch::NewEmptyWatch();
    consumer->done = true;
    return consumer;
  }
  consumer->watcher = *std::move(watcher);
  Consumer* self = consumer.get();
  std::lock_guard lock(mu_);
  // Reap consumers whose threads already ended.
  std::erase_if(consumers_, [](const std::shared_ptr<Consumer>& c) {
    if (!c->done.load()) return false;
    if (c->thread.joinable() && c->thread.get_id() != std::this_thread::get_id()) c->thread.join();
    return !c->thread.joinable();
  });
  consumer->thread = std::jthread([this, self, handler = std::move(handler)](std::stop_token stop) {
    auto& channel = self->watcher->ResultChan();
    std::vector<watch::Event> batch;
    batch.reserve(kBatch);
    std::uint64_t abandoned = 0;
    const auto handle = [&](const watch::Event& item, bool deliver) {
      if (const auto* marker = item.As<FlushMarker>()) {
        marker->Done();
      } else if (deliver) {
        handler(item, stop);
      } else if (item.object) {
        ++abandoned;
      }
    };
    while (!stop.stop_requested()) {
      batch.clear();
      // Out of events: first wait as a polling receiver (see kConsumerPoll), then block.
      if (channel.size() == 0) channel.PollForItems(kConsumerPoll);
      if (channel.ReceiveBatch(batch, kBatch, stop) == 0) break;
      for (const auto& item : batch) handle(item, !stop.stop_requested());
      LogConsumerDrops();
    }
    // Stopped or shut down: nothing more arrives; account for what is still queued.
    self->watcher->Stop();
    while (auto item = channel.TryReceive()) handle(*item, false);
    if (abandoned > 0) {
      abandoned_.fetch_add(abandoned, std::memory_order_relaxed);
      logger_->Error("Dropped queued events: the consumer stopped before handling them",
                     {{"count", std::to_string(abandoned)}});
    }
    self->done = true;
  });
  consumers_.push_back(consumer);
  return consumer;
}

bool ConsumerGroup::Flush(std::chrono::steady_clock::time_point deadline) {
  // Barrier: registering a watcher runs on the distribution loop after every event queued
  // before it, so once Watch() returns those events sit in the consumers' queues.
  auto barrier = mux_.Watch();
  if (!barrier.ok()) return true;  // shut down: everything was handled or counted
  (*barrier)->Stop();

  std::vector<std::shared_ptr<Consumer>> consumers;
  {
    std::lock_guard lock(mu_);
    for (const auto& c : consumers_) {
      if (!c->done.load()) consumers.push_back(c);
    }
  }
  auto state = std::make_shared<FlushMarker::State>();
  for (const auto& c : consumers) {
    const auto marker = watch::Event::Make(watch::EventType::kBookmark, FlushMarker{state});
    {
      std::lock_guard lock(state->mu);
      ++state->pending;
    }
    // The queue may be full: wait for room, but only until the deadline.
    auto wait = std::chrono::microseconds(50);
    while (!c->watcher->ResultChan().TrySend(marker)) {
      if (c->done.load() || c->watcher->ResultChan().closed()) {
        std::lock_guard lock(state->mu);
        --state->pending;
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::microseconds(5000));
    }
  }
  std::unique_lock lock(state->mu);
  return state->cv.wait_until(lock, deadline, [&] { return state->pending <= 0; });
}

void ConsumerGroup::StopAndJoin() {
  std::vector<std::shared_ptr<Consumer>> consumers;
  {
    std::lock_guard lock(mu_);
    consumers = consumers_;
  }
  for (auto& c : consumers) c->thread.request_stop();
  for (auto& c : consumers) {
    if (c->thread.joinable() && c->thread.get_id() != std::this_thread::get_id()) c->thread.join();
  }
}

}  // namespace kube::tools::internal
