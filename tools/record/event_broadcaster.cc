#include "kubeevents/tools/record/event_broadcaster.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <random>
#include <span>
#include <thread>
#include <vector>

#include "kubeevents/tools/internal/consumer_group.h"
#include "kubeevents/tools/internal/event_pool.h"
#include "kubeevents/tools/internal/pipeline_stats.h"
#include "kubeevents/tools/internal/recycled_fields.h"
#include "kubeevents/tools/record/event_util.h"
#include "kubeevents/tools/record/internal/record_counters.h"
#include "kubeevents/tools/record/internal/sharded_sink_writer.h"
#include "kubeevents/tools/record/internal/sink_writer.h"
#include "kubeevents/watch/broadcaster.h"

namespace kube::record {

using api::core::v1::Event;

namespace internal {

// Idle events kept beyond the queue length (see EventPool).
constexpr std::size_t kEventPoolSlack = 64;

using EventPool = tools::internal::EventPool<api::core::v1::Event>;

struct BroadcasterCore {
  std::shared_ptr<Logger> logger;
  std::shared_ptr<Clock> clock;
  std::chrono::nanoseconds sleep_duration;
  CorrelatorOptions correlator_options;
  std::uint64_t seed;
  std::unique_ptr<watch::Broadcaster> mux;
  EventPool::Handle pool;
  RecordCounters counters;
  std::unique_ptr<tools::internal::ConsumerGroup> consumers;
  std::atomic<std::uint64_t> next_seed{0};
  std::size_t queue_length = kMaxQueuedEvents;
  int writer_threads = 1;
  // The sinks written by several threads (writer_threads > 1): Flush waits for them,
  // Shutdown joins them. Their consumers' handlers only ask them to stop.
  std::mutex sharded_mu;
  std::vector<std::shared_ptr<ShardedSinkWriter>> sharded;

  std::mutex shutdown_mu;
  bool shut_down = false;
  std::jthread context_thread;  // WithContext watcher
};

using tools::internal::AssignIfDifferent;

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
    Emit(*reference, annotations, type, reason,
         [&](std::string& field) { AssignIfDifferent(field, message); });
  }

 protected:
  // Eventf's path: the message is formatted into the recycled event's buffer.
  void RecordFormattedEvent(const api::core::v1::ObjectReference& reference,
                            const Annotations* annotations, std::string_view type,
                            std::string_view reason, std::string_view format,
                            std::span<const FormatArg> args) override {
    Emit(reference, annotations, type, reason, [&](std::string& field) {
      field.clear();
      AppendSprintf(field, format, args);
    });
  }

 private:
  // Builds the event in a recycled one from the pool (`write_message` fills its message) and
  // hands it to the broadcaster.
  template <typename WriteMessage>
  void Emit(const api::core::v1::ObjectReference& ref, const Annotations* annotations,
            std::string_view type, std::string_view reason, WriteMessage&& write_message) {
    if (!ValidateEventType(type)) {
      RecordCounters::Inc(core_->counters.dropped_invalid);
      logger_->Error("Unsupported event type", {{"eventType", std::string(type)}});
      return;
    }
    const Clock::time_point now = core_->clock->Now();
    // A recycled event: every field the recorder sets is assigned (copying into the buffers
    // it already has), the annotations are cleared when not given; it sets no other field.
    std::shared_ptr<api::core::v1::Event> event = core_->pool->Acquire();
    AssignEventName(
        event->metadata.name, ref.name,
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
    // Most fields repeat from the event this one recycles (same recorder, same object):
    // writing only what differs leaves those cache lines shared with the consumer that read
    // them, instead of taking them back from its core.
    AssignIfDifferent(event->metadata.namespace_, ref.namespace_.empty()
                                                      ? std::string_view("default")
                                                      : std::string_view(ref.namespace_));
    tools::internal::AssignAnnotations(event->metadata.annotations, annotations);
    AssignIfDifferent(event->reason, reason);
    write_message(event->message);
    event->first_timestamp = api::meta::v1::Time(now);
    event->last_timestamp = event->first_timestamp;
    if (event->count != 1) event->count = 1;
    AssignIfDifferent(event->type, type);
    AssignIfDifferent(event->source.component, source_.component);
    AssignIfDifferent(event->source.host, source_.host);
    AssignIfDifferent(event->reporting_controller, source_.component);
    AssignIfDifferent(event->reporting_instance, source_.host);
    tools::internal::AssignReference(event->involved_object, ref);
    auto item =
        watch::Event::Share<api::core::v1::Event>(watch::EventType::kAdded, std::move(event));
    // Moved from only if queued: a dropped event is still here to be described.
    auto sent = core_->mux->ActionOrDrop(std::move(item));
    if (!sent.ok()) {
      RecordCounters::Inc(core_->counters.dropped_shutdown);
      logger_->Error("Unable to record event (will not retry!)",
                     {{"err", sent.status().message()}, {"reason", std::string(reason)}});
    } else if (!*sent) {
      if (logger_->Enabled(LogSeverity::kError, 0)) {
        logger_->Error("Unable to record event: too many queued events, dropped event",
                       // NOLINTNEXTLINE(bugprone-use-after-move): not moved when dropped
                       {{"event", internal::DescribeEvent(*item.As<api::core::v1::Event>())}});
      }
    }
  }

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
  // Cancel: consumers finish the event in hand (retry sleeps abort) and count the rest.
  core.consumers->StopAndJoin();
  // The same for the writers of sinks that have several (writer_threads > 1).
  std::vector<std::shared_ptr<ShardedSinkWriter>> sharded;
  {
    std::lock_guard lock(core.sharded_mu);
    sharded = core.sharded;
  }
  for (auto& w : sharded) w->Stop();
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
  if (consumer_) consumer_->Stop();
}

bool ConsumerHandle::Done() const { return !consumer_ || consumer_->done.load(); }

ConsumerHandle MakeConsumerHandle(std::shared_ptr<tools::internal::Consumer> consumer) {
  return ConsumerHandle(std::move(consumer));
}

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
  core.queue_length = queue;
  core.writer_threads = std::max(options.writer_threads, 1);
  core.mux = watch::Broadcaster::NewLongQueueBroadcaster(
      queue, watch::FullChannelBehavior::kDropIfChannelFull);
  // Enough idle events for a full queue to drain into and be refilled from.
  core.pool = internal::EventPool::Make(queue + internal::kEventPoolSlack);
  core.consumers = std::make_unique<tools::internal::ConsumerGroup>(*core.mux, core.logger,
                                                                    core.counters.abandoned);
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
    std::function<void(const Event&, std::stop_token)> fn) {
  auto consumer =
      core_->consumers->Start([fn = std::move(fn)](const watch::Event& item, std::stop_token stop) {
        if (const auto* event = item.As<Event>()) fn(*event, stop);
      });
  return ConsumerHandle(std::move(consumer));
}

ConsumerHandle EventBroadcaster::StartEventWatcher(std::function<void(const Event&)> handler) {
  return StartConsumer([h = std::move(handler)](const Event& e, std::stop_token) { h(e); });
}

ConsumerHandle EventBroadcaster::StartRecordingToSink(std::shared_ptr<EventSink> sink) {
  auto& core = *core_;
  auto make_writer = [&] {
    return std::make_unique<internal::SinkWriter>(
        sink, core.correlator_options, core.sleep_duration, core.clock, core.logger,
        core.seed + core.next_seed.fetch_add(1), core.counters);
  };
  if (core.writer_threads == 1) {
    return StartConsumer(
        [writer = std::shared_ptr<internal::SinkWriter>(make_writer())](
            const Event& e, std::stop_token stop) { writer->RecordToSink(e, stop); });
  }
  std::vector<std::unique_ptr<internal::SinkWriter>> writers;
  for (int i = 0; i < core.writer_threads; ++i) writers.push_back(make_writer());
  auto sharded = std::make_shared<internal::ShardedSinkWriter>(
      std::move(writers), core.queue_length, core.correlator_options.spam_key_func, core.logger,
      core.counters.abandoned);
  std::vector<std::shared_ptr<internal::ShardedSinkWriter>> ended;
  {
    std::lock_guard lock(core.sharded_mu);
    // Forget the writers of consumers that were stopped (joined below, outside the lock).
    for (auto& w : core.sharded) {
      if (w->stop_requested()) ended.push_back(std::move(w));
    }
    std::erase(core.sharded, nullptr);
    core.sharded.push_back(sharded);
  }
  for (auto& w : ended) w->Stop();
  // When the consumer ends (Stop, Shutdown) its writers are asked to stop too. It does not
  // wait for them: a sink's method that calls Shutdown would be waiting for it in turn.
  auto stop_at_end = std::shared_ptr<internal::ShardedSinkWriter>(
      sharded.get(), [keep = sharded](internal::ShardedSinkWriter* w) { w->RequestStop(); });
  return ConsumerHandle(
      core.consumers->Start([stop_at_end](const watch::Event& item, std::stop_token stop) {
        stop_at_end->Dispatch(item, stop);
      }));
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
  if (!core_->consumers->Flush(deadline)) return false;
  // The consumers have dispatched everything emitted before the call; a sink with several
  // writers has written it once each writer has caught up.
  std::vector<std::shared_ptr<internal::ShardedSinkWriter>> sharded;
  {
    std::lock_guard lock(core_->sharded_mu);
    sharded = core_->sharded;
  }
  for (const auto& w : sharded) {
    if (!w->WaitIdle(deadline)) return false;
  }
  return true;
}

RecordStats EventBroadcaster::Stats() const {
  const auto& c = core_->counters;
  const auto mux = core_->mux->Stats();
  RecordStats s;
  tools::internal::FillCommonStats(s, mux, c);
  s.skipped_spam = tools::internal::Load(c.skipped_spam);
  s.aggregated = tools::internal::Load(c.aggregated);
  return s;
}

}  // namespace kube::record
