#include "kubeevents/tools/record/event_broadcaster.h"

#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "kubeevents/tools/record/event_util.h"
#include "kubeevents/tools/record/internal/record_counters.h"
#include "kubeevents/tools/record/internal/sink_writer.h"
#include "kubeevents/watch/broadcaster.h"

namespace kube::record {

using api::core::v1::Event;

namespace internal {

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

struct Consumer {
  std::shared_ptr<watch::Interface> watcher;
  std::jthread thread;
  std::atomic<bool> done{false};
};

struct BroadcasterCore {
  std::shared_ptr<Logger> logger;
  std::shared_ptr<Clock> clock;
  std::chrono::nanoseconds sleep_duration;
  CorrelatorOptions correlator_options;
  std::uint64_t seed;
  std::unique_ptr<watch::Broadcaster> mux;
  RecordCounters counters;
  std::atomic<std::uint64_t> logged_consumer_drops{0};
  std::atomic<std::uint64_t> next_seed{0};

  std::mutex mu;  // guards consumers
  std::vector<std::shared_ptr<Consumer>> consumers;

  std::mutex shutdown_mu;
  bool shut_down = false;
  std::jthread context_thread;  // WithContext watcher

  void LogConsumerDrops() {
    const std::uint64_t now = mux->Stats().dropped_watcher_full;
    std::uint64_t logged = logged_consumer_drops.load(std::memory_order_relaxed);
    if (now > logged && logged_consumer_drops.compare_exchange_strong(logged, now)) {
      logger->Error("Dropped events: a consumer's queue was full",
                    {{"count", std::to_string(now - logged)}, {"total", std::to_string(now)}});
    }
  }
};

/// Emits into a BroadcasterCore; shares it with the broadcaster and other recorders.
class RecorderImpl final : public EventRecorder {
 public:
  RecorderImpl(std::shared_ptr<BroadcasterCore> core, api::core::v1::EventSource source,
               std::shared_ptr<Logger> logger)
      : core_(std::move(core)), source_(std::move(source)), logger_(std::move(logger)) {}

  std::shared_ptr<EventRecorder> WithLogger(std::shared_ptr<Logger> logger) const override {
    return std::make_shared<RecorderImpl>(core_, source_,
                                          logger ? std::move(logger) : core_->logger);
  }

  void RecordEvent(StatusOr<api::core::v1::ObjectReference> reference,
                   const Annotations* annotations, std::string_view type, std::string_view reason,
                   std::string message) override {
    if (!reference.ok()) {
      RecordCounters::Inc(core_->counters.dropped_invalid);
      logger_->Error("Could not construct reference, will not report event",
                     {{"err", reference.status().message()},
                      {"eventType", std::string(type)},
                      {"reason", std::string(reason)},
                      {"message", std::move(message)}});
      return;
    }
    if (!ValidateEventType(type)) {
      RecordCounters::Inc(core_->counters.dropped_invalid);
      logger_->Error("Unsupported event type", {{"eventType", std::string(type)}});
      return;
    }
    const Clock::time_point now = core_->clock->Now();
    auto event = std::make_shared<api::core::v1::Event>();
    auto& ref = *reference;
    event->metadata.name = GenerateEventName(
        ref.name,
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
    event->metadata.namespace_ = ref.namespace_.empty() ? "default" : ref.namespace_;
    if (annotations != nullptr) event->metadata.annotations = *annotations;
    event->reason = std::string(reason);
    event->message = std::move(message);
    event->first_timestamp = api::meta::v1::Time(now);
    event->last_timestamp = event->first_timestamp;
    event->count = 1;
    event->type = std::string(type);
    event->source = source_;
    event->reporting_controller = source_.component;
    event->reporting_instance = source_.host;
    event->involved_object = std::move(ref);
    auto item =
        watch::Event::Share<api::core::v1::Event>(watch::EventType::kAdded, std::move(event));
    auto sent = core_->mux->ActionOrDrop(item);
    if (!sent.ok()) {
      RecordCounters::Inc(core_->counters.dropped_shutdown);
      logger_->Error("Unable to record event (will not retry!)",
                     {{"err", sent.status().message()}, {"reason", std::string(reason)}});
    } else if (!*sent) {
      if (logger_->Enabled(LogSeverity::kError, 0)) {
        logger_->Error("Unable to record event: too many queued events, dropped event",
                       {{"event", internal::DescribeEvent(*item.As<api::core::v1::Event>())}});
      }
    }
  }

 private:
  std::shared_ptr<BroadcasterCore> core_;
  api::core::v1::EventSource source_;
  std::shared_ptr<Logger> logger_;
};

namespace {

void ShutdownCore(BroadcasterCore& core) {
  std::lock_guard shutdown_lock(core.shutdown_mu);
  if (core.shut_down) return;
  core.shut_down = true;
  // Deliver everything already queued into the consumers' queues, then close them.
  core.mux->Shutdown();
  std::vector<std::shared_ptr<Consumer>> consumers;
  {
    std::lock_guard lock(core.mu);
    consumers = core.consumers;
  }
  // Cancel: consumers finish the event in hand (retry sleeps abort) and count the rest.
  for (auto& c : consumers) c->thread.request_stop();
  for (auto& c : consumers) {
    if (c->thread.joinable() && c->thread.get_id() != std::this_thread::get_id()) c->thread.join();
  }
  if (core.context_thread.joinable() &&
      core.context_thread.get_id() != std::this_thread::get_id()) {
    core.context_thread.request_stop();
    core.context_thread.join();
  }
}

}  // namespace
}  // namespace internal

// ------------------------------------------------------------------------------ handle

void ConsumerHandle::Stop() {
  if (!consumer_) return;
  consumer_->thread.request_stop();
  consumer_->watcher->Stop();
}

bool ConsumerHandle::Done() const { return !consumer_ || consumer_->done.load(); }

// ------------------------------------------------------------------------------ broadcaster

EventBroadcaster::EventBroadcaster(BroadcasterOptions options)
    : core_(std::make_shared<internal::BroadcasterCore>()) {
  auto& core = *core_;
  core.logger = options.logger ? std::move(options.logger) : MakeDefaultLogger();
  core.clock = options.clock ? std::move(options.clock) : MakeRealClock();
  core.sleep_duration = options.sleep_duration;
  core.correlator_options = std::move(options.correlator_options);
  if (!core.correlator_options.clock) core.correlator_options.clock = core.clock;
  core.seed = options.random_seed ? *options.random_seed : std::random_device{}();
  const std::size_t queue =
      options.max_queued_events == 0 ? kMaxQueuedEvents : options.max_queued_events;
  core.mux = watch::Broadcaster::NewLongQueueBroadcaster(
      queue, watch::FullChannelBehavior::kDropIfChannelFull);
  if (options.stop_token.stop_possible()) {
    // WithContext: shut down when the caller's token fires (on our own thread, so a
    // request_stop from inside a handler cannot join itself).
    core.context_thread = std::jthread([weak = std::weak_ptr<internal::BroadcasterCore>(core_),
                                        user = options.stop_token](std::stop_token own) {
      std::mutex mu;
      std::condition_variable_any cv;
      std::stop_callback wake(user, [&] {
        { std::lock_guard lock(mu); }
        cv.notify_all();
      });
      std::unique_lock lock(mu);
      cv.wait(lock, own, [&] { return user.stop_requested(); });
      if (!user.stop_requested()) return;
      lock.unlock();
      if (auto core = weak.lock()) internal::ShutdownCore(*core);
    });
  }
}

EventBroadcaster::~EventBroadcaster() {
  Shutdown();
  // A Shutdown that ran on the context thread could not join that thread itself.
  if (core_->context_thread.joinable()) {
    core_->context_thread.request_stop();
    core_->context_thread.join();
  }
}

void EventBroadcaster::Shutdown() { internal::ShutdownCore(*core_); }

ConsumerHandle EventBroadcaster::StartConsumer(
    std::function<void(const Event&, std::stop_token)> fn, std::function<void()> on_exit) {
  auto watcher = core_->mux->Watch();
  if (!watcher.ok()) {
    core_->logger->Error("Unable start event watcher (will not retry!)",
                         {{"err", watcher.status().message()}});
    auto consumer = std::make_shared<internal::Consumer>();
    consumer->watcher = watch::NewEmptyWatch();
    consumer->done = true;
    return ConsumerHandle(std::move(consumer));
  }
  auto consumer = std::make_shared<internal::Consumer>();
  consumer->watcher = *std::move(watcher);
  internal::BroadcasterCore* core = core_.get();
  internal::Consumer* self = consumer.get();
  std::lock_guard lock(core_->mu);
  // Reap consumers whose threads already ended.
  std::erase_if(core_->consumers, [](const std::shared_ptr<internal::Consumer>& c) {
    if (!c->done.load()) return false;
    if (c->thread.joinable() && c->thread.get_id() != std::this_thread::get_id()) c->thread.join();
    return !c->thread.joinable();
  });
  consumer->thread = std::jthread(
      [core, self, fn = std::move(fn), on_exit = std::move(on_exit)](std::stop_token stop) {
        auto& channel = self->watcher->ResultChan();
        std::vector<watch::Event> batch;
        batch.reserve(64);
        std::uint64_t abandoned = 0;
        const auto handle = [&](const watch::Event& item, bool deliver) {
          if (const auto* marker = item.As<internal::FlushMarker>()) {
            marker->Done();
          } else if (const auto* event = item.As<Event>()) {
            if (deliver) {
              fn(*event, stop);
            } else {
              ++abandoned;
            }
          }
        };
        while (!stop.stop_requested()) {
          batch.clear();
          if (channel.ReceiveBatch(batch, 64, stop) == 0) break;
          for (const auto& item : batch) handle(item, !stop.stop_requested());
          core->LogConsumerDrops();
        }
        // Stopped or shut down: nothing more arrives; account for what is still queued.
        self->watcher->Stop();
        while (auto item = channel.TryReceive()) handle(*item, false);
        if (abandoned > 0) {
          internal::RecordCounters::Inc(core->counters.abandoned, abandoned);
          core->logger->Error("Dropped queued events: the consumer stopped before writing them",
                              {{"count", std::to_string(abandoned)}});
        }
        if (on_exit) on_exit();
        self->done = true;
      });
  core_->consumers.push_back(consumer);
  return ConsumerHandle(std::move(consumer));
}

ConsumerHandle EventBroadcaster::StartEventWatcher(std::function<void(const Event&)> handler) {
  return StartConsumer([h = std::move(handler)](const Event& e, std::stop_token) { h(e); }, {});
}

ConsumerHandle EventBroadcaster::StartRecordingToSink(std::shared_ptr<EventSink> sink) {
  auto& core = *core_;
  auto writer = std::make_shared<internal::SinkWriter>(
      std::move(sink), core.correlator_options, core.sleep_duration, core.clock, core.logger,
      core.seed + core.next_seed.fetch_add(1), core.counters);
  return StartConsumer(
      [writer](const Event& e, std::stop_token stop) { writer->RecordToSink(e, stop); }, {});
}

std::string GoSyntax(const api::core::v1::ObjectReference& r) {
  return Sprintf(
      "v1.ObjectReference{Kind:%q, Namespace:%q, Name:%q, UID:%q, APIVersion:%q, "
      "ResourceVersion:%q, FieldPath:%q}",
      r.kind, r.namespace_, r.name, r.uid, r.api_version, r.resource_version, r.field_path);
}

ConsumerHandle EventBroadcaster::StartLogging(std::function<void(std::string_view)> logf) {
  return StartEventWatcher([logf = std::move(logf)](const Event& e) {
    logf(Sprintf("Event(%s): type: '%v' reason: '%v' %v", GoSyntax(e.involved_object), e.type,
                 e.reason, e.message));
  });
}

ConsumerHandle EventBroadcaster::StartStructuredLogging(int verbosity) {
  auto logger = core_->logger;
  return StartEventWatcher([logger, verbosity](const Event& e) {
    if (!logger->Enabled(LogSeverity::kInfo, verbosity)) return;
    const auto& o = e.involved_object;
    logger->Info(verbosity, "Event occurred",
                 {{"object", o.namespace_.empty() ? o.name : o.namespace_ + "/" + o.name},
                  {"fieldPath", o.field_path},
                  {"kind", o.kind},
                  {"apiVersion", o.api_version},
                  {"type", e.type},
                  {"reason", e.reason},
                  {"message", e.message}});
  });
}

std::shared_ptr<EventRecorder> EventBroadcaster::NewRecorder(api::core::v1::EventSource source) {
  return std::make_shared<internal::RecorderImpl>(core_, std::move(source), core_->logger);
}

bool EventBroadcaster::Flush(std::chrono::nanoseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Barrier: registering a watcher runs on the distribution loop after every event queued
  // before it, so once Watch() returns those events sit in the consumers' queues.
  auto barrier = core_->mux->Watch();
  if (!barrier.ok()) return true;  // shut down: everything was handled or counted
  (*barrier)->Stop();

  std::vector<std::shared_ptr<internal::Consumer>> consumers;
  {
    std::lock_guard lock(core_->mu);
    for (const auto& c : core_->consumers) {
      if (!c->done.load()) consumers.push_back(c);
    }
  }
  auto state = std::make_shared<internal::FlushMarker::State>();
  for (const auto& c : consumers) {
    const auto marker =
        watch::Event::Make(watch::EventType::kBookmark, internal::FlushMarker{state});
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

RecordStats EventBroadcaster::Stats() const {
  const auto& c = core_->counters;
  const auto mux = core_->mux->Stats();
  const auto get = [](const std::atomic<std::uint64_t>& a) {
    return a.load(std::memory_order_relaxed);
  };
  RecordStats s;
  s.emitted = mux.accepted;
  s.dropped_queue_full = mux.dropped_incoming;
  s.dropped_shutdown = get(c.dropped_shutdown);
  s.dropped_invalid = get(c.dropped_invalid);
  s.dropped_consumer_full = mux.dropped_watcher_full;
  s.abandoned = get(c.abandoned);
  s.skipped_spam = get(c.skipped_spam);
  s.aggregated = get(c.aggregated);
  s.created = get(c.created);
  s.patched = get(c.patched);
  s.retries = get(c.retries);
  s.failed_rejected = get(c.failed_rejected);
  s.failed_quietly = get(c.failed_quietly);
  s.failed_request_building = get(c.failed_request_building);
  s.failed_retry_limit = get(c.failed_retry_limit);
  s.failed_shutdown = get(c.failed_shutdown);
  return s;
}

}  // namespace kube::record
