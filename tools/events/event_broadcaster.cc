#include "kubeevents/tools/events/event_broadcaster.h"

#include <unistd.h>

#include <limits.h>

#include <mutex>
#include <span>

#include "kubeevents/tools/events/internal/series_recorder.h"
#include "kubeevents/tools/internal/consumer_group.h"
#include "kubeevents/tools/internal/event_pool.h"
#include "kubeevents/tools/internal/pipeline_stats.h"
#include "kubeevents/tools/internal/recycled_fields.h"
#include "kubeevents/tools/record/event_util.h"
#include "kubeevents/watch/broadcaster.h"

namespace kube::events {

using api::events::v1::Event;

namespace {

void AppendField(std::string& key, std::string_view field) {
  // Length-prefixed: distinct field tuples can never produce the same key.
  const auto n = static_cast<std::uint32_t>(field.size());
  key.append(reinterpret_cast<const char*>(&n), sizeof n);
  key.append(field);
}

void AppendReference(std::string& key, const api::core::v1::ObjectReference& r) {
  for (std::string_view f :
       {std::string_view(r.kind), std::string_view(r.namespace_), std::string_view(r.name),
        std::string_view(r.uid), std::string_view(r.api_version),
        std::string_view(r.resource_version), std::string_view(r.field_path)}) {
    AppendField(key, f);
  }
}

std::string Hostname() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace

std::string GetIsomorphismKey(const Event& e) {
  std::string key;
  key.reserve(256);
  AssignIsomorphismKey(key, e);
  return key;
}

void AssignIsomorphismKey(std::string& key, const Event& e) {
  key.clear();
  for (std::string_view f :
       {std::string_view(e.type), std::string_view(e.action), std::string_view(e.reason),
        std::string_view(e.reporting_controller), std::string_view(e.reporting_instance)}) {
    AppendField(key, f);
  }
  AppendReference(key, e.regarding);
  key.push_back(e.related ? '\1' : '\0');
  if (e.related) AppendReference(key, *e.related);
}

std::string MakeSeriesPatch(const api::events::v1::EventSeries& series) {
  std::string out = "{\"series\":{\"count\":";
  out += std::to_string(series.count);
  out += ",\"lastObservedTime\":";
  if (series.last_observed_time.IsZero()) {
    out += "null";
  } else {
    out += '"';
    api::meta::v1::AppendRFC3339(out, series.last_observed_time.time(), 6);
    out += '"';
  }
  out += "}}";
  return out;
}

namespace internal {

// Idle events kept beyond the queues' length (see EventPool).
constexpr std::size_t kEventPoolSlack = 64;

using tools::internal::AssignIfDifferent;
using tools::internal::AssignReference;

struct BroadcasterCore {
  std::shared_ptr<EventSink> sink;
  BroadcasterOptions options;
  std::shared_ptr<Logger> logger;
  std::shared_ptr<Clock> clock;
  std::string hostname;
  std::unique_ptr<watch::Broadcaster> mux;
  tools::internal::EventPool<Event>::Handle pool;
  EventsCounters counters;
  std::unique_ptr<tools::internal::ConsumerGroup> consumers;

  std::mutex shutdown_mu;  // serializes Shutdown (held while joining)
  std::mutex mu;           // recording state (short holds only)
  bool recording = false;
  bool shut_down = false;
  std::unique_ptr<SeriesRecorder> series;
  ConsumerHandle series_consumer;
  std::unique_ptr<std::stop_callback<std::function<void()>>> stop_callback;
};

class RecorderImpl final : public EventRecorder {
 public:
  RecorderImpl(std::shared_ptr<BroadcasterCore> core, std::string controller,
               std::shared_ptr<Logger> logger)
      : core_(std::move(core)),
        controller_(std::move(controller)),
        instance_(controller_ + "-" + core_->hostname),
        logger_(std::move(logger)) {}

  std::shared_ptr<EventRecorder> WithLogger(std::shared_ptr<Logger> logger) const override {
    return std::make_shared<RecorderImpl>(core_, controller_,
                                          logger ? std::move(logger) : core_->logger);
  }

  void RecordEvent(StatusOr<api::core::v1::ObjectReference> regarding,
                   std::optional<StatusOr<api::core::v1::ObjectReference>> related,
                   const Annotations* annotations, std::string_view type, std::string_view reason,
                   std::string_view action, std::string note) override {
    if (!regarding.ok()) {
      EventsCounters::Inc(core_->counters.dropped_invalid);
      logger_->Error("Could not construct reference, will not report event",
                     {{"err", regarding.status().message()},
                      {"eventType", std::string(type)},
                      {"reason", std::string(reason)},
                      {"message", std::move(note)}});
      return;
    }
    Emit(*regarding, related, annotations, type, reason, action,
         [&](std::string& field) { AssignIfDifferent(field, note); });
  }

 protected:
  // Eventf's path: the note is formatted into the recycled event's buffer.
  void RecordFormattedEvent(const api::core::v1::ObjectReference& regarding,
                            const std::optional<StatusOr<api::core::v1::ObjectReference>>& related,
                            const Annotations* annotations, std::string_view type,
                            std::string_view reason, std::string_view action, std::string_view note,
                            std::span<const FormatArg> args) override {
    Emit(regarding, related, annotations, type, reason, action, [&](std::string& field) {
      field.clear();
      AppendSprintf(field, note, args);
    });
  }

 private:
  // Builds the event in a recycled one from the pool (`write_note` fills its note) and hands
  // it to the broadcaster. Every field the recorder sets is assigned (into the buffers the
  // event already has, only where it differs); the optional ones it may have set before
  // (annotations, related) are cleared when not given; it sets no other field.
  template <typename WriteNote>
  void Emit(const api::core::v1::ObjectReference& ref,
            const std::optional<StatusOr<api::core::v1::ObjectReference>>& related,
            const Annotations* annotations, std::string_view type, std::string_view reason,
            std::string_view action, WriteNote&& write_note) {
    const Clock::time_point now = core_->clock->Now();
    const bool has_related = related.has_value() && related->ok();
    if (related && !related->ok()) {
      // Sent without `related`, as client-go does.
      logger_->Info(9, "Could not construct reference", {{"err", related->status().message()}});
    }
    if (!record::ValidateEventType(type)) {
      EventsCounters::Inc(core_->counters.dropped_invalid);
      logger_->Error("Unsupported event type", {{"eventType", std::string(type)}});
      return;
    }
    std::shared_ptr<Event> event = core_->pool->Acquire();
    record::AssignEventName(
        event->metadata.name, ref.name,
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
    AssignIfDifferent(event->metadata.namespace_, ref.namespace_.empty()
                                                      ? std::string_view("default")
                                                      : std::string_view(ref.namespace_));
    tools::internal::AssignAnnotations(event->metadata.annotations, annotations);
    event->event_time = api::meta::v1::MicroTime(now);
    AssignIfDifferent(event->reporting_controller, controller_);
    AssignIfDifferent(event->reporting_instance, instance_);
    AssignIfDifferent(event->action, action);
    AssignIfDifferent(event->reason, reason);
    AssignReference(event->regarding, ref);
    if (has_related) {
      if (!event->related) event->related.emplace();
      AssignReference(*event->related, **related);
    } else if (event->related) {
      event->related.reset();
    }
    write_note(event->note);
    AssignIfDifferent(event->type, type);

    auto item = watch::Event::Share<Event>(watch::EventType::kAdded, std::move(event));
    // Moved from only if queued: a dropped event is still here to be described.
    auto sent = core_->mux->ActionOrDrop(std::move(item));
    if (!sent.ok()) {
      EventsCounters::Inc(core_->counters.dropped_shutdown);
      logger_->Error("Unable to record event (will not retry!)",
                     {{"err", sent.status().message()}, {"reason", std::string(reason)}});
    } else if (!*sent && logger_->Enabled(LogSeverity::kError, 0)) {
      const Event& e =
          *item.As<Event>();  // NOLINT(bugprone-use-after-move): not moved when dropped
      logger_->Error(
          "Unable to record event: too many queued events, dropped event",
          {{"event", e.metadata.namespace_ + "/" + e.metadata.name}, {"reason", e.reason}});
    }
  }

  std::shared_ptr<BroadcasterCore> core_;
  std::string controller_;
  std::string instance_;
  std::shared_ptr<Logger> logger_;
};

}  // namespace internal

EventBroadcaster::EventBroadcaster(std::shared_ptr<EventSink> sink, BroadcasterOptions options)
    : core_(std::make_shared<internal::BroadcasterCore>()) {
  auto& core = *core_;
  core.sink = std::move(sink);
  core.logger = options.logger ? options.logger : MakeDefaultLogger();
  core.clock = options.clock ? options.clock : MakeRealClock();
  core.hostname = options.hostname.empty() ? Hostname() : options.hostname;
  const std::size_t watcher_queue =
      options.watcher_queue_length == 0 ? kMaxQueuedEvents : options.watcher_queue_length;
  const std::size_t incoming_queue =
      options.incoming_queue_length == 0 ? kIncomingQueueLength : options.incoming_queue_length;
  core.mux = std::make_unique<watch::Broadcaster>(
      watcher_queue, watch::FullChannelBehavior::kDropIfChannelFull, incoming_queue);
  // Enough idle events for full queues to drain into and be refilled from.
  core.pool = tools::internal::EventPool<Event>::Make(watcher_queue + incoming_queue +
                                                      internal::kEventPoolSlack);
  core.consumers = std::make_unique<tools::internal::ConsumerGroup>(*core.mux, core.logger,
                                                                    core.counters.abandoned);
  core.options = std::move(options);
}

EventBroadcaster::~EventBroadcaster() { Shutdown(); }

Status EventBroadcaster::StartRecordingToSink(std::stop_token stop) {
  std::lock_guard lock(core_->mu);
  if (core_->shut_down) return FailedPreconditionError("broadcaster already stopped");
  if (core_->recording)
    return FailedPreconditionError("broadcaster is already recording to a sink");
  core_->series = std::make_unique<internal::SeriesRecorder>(
      core_->sink, core_->options, core_->clock, core_->logger, core_->counters);
  internal::SeriesRecorder* series = core_->series.get();
  ConsumerHandle handle = StartConsumer([series](const Event& e) { series->Observe(e); });
  if (handle.Done()) {
    core_->series.reset();
    return FailedPreconditionError("broadcaster already stopped");
  }
  series->Start();
  core_->recording = true;
  core_->series_consumer = handle;
  if (stop.stop_possible()) {
    // The caller's token ends the recording (not the broadcaster): detach the consumer and
    // cancel the writers; Shutdown joins them.
    core_->stop_callback = std::make_unique<std::stop_callback<std::function<void()>>>(
        stop, std::function<void()>([handle, series]() mutable {
          handle.Stop();
          series->RequestStop();
        }));
  }
  return {};
}

ConsumerHandle EventBroadcaster::StartConsumer(std::function<void(const Event&)> fn) {
  auto consumer =
      core_->consumers->Start([fn = std::move(fn)](const watch::Event& item, std::stop_token) {
        if (const auto* event = item.As<Event>()) fn(*event);
      });
  return record::MakeConsumerHandle(std::move(consumer));
}

ConsumerHandle EventBroadcaster::StartEventWatcher(std::function<void(const Event&)> handler) {
  return StartConsumer(std::move(handler));
}

namespace {

void LogEvent(Logger& logger, int verbosity, const Event& e) {
  if (!logger.Enabled(LogSeverity::kInfo, verbosity)) return;
  const auto& r = e.regarding;
  logger.Info(verbosity, "Event occurred",
              {{"object", r.namespace_.empty() ? r.name : r.namespace_ + "/" + r.name},
               {"kind", r.kind},
               {"apiVersion", r.api_version},
               {"type", e.type},
               {"reason", e.reason},
               {"action", e.action},
               {"note", e.note}});
}

}  // namespace

ConsumerHandle EventBroadcaster::StartStructuredLogging(int verbosity) {
  auto logger = core_->logger;
  return StartConsumer([logger, verbosity](const Event& e) { LogEvent(*logger, verbosity, e); });
}

ConsumerHandle EventBroadcaster::StartLogging(std::shared_ptr<Logger> logger) {
  if (!logger) logger = core_->logger;
  return StartConsumer([logger](const Event& e) { LogEvent(*logger, 0, e); });
}

std::shared_ptr<EventRecorder> EventBroadcaster::NewRecorder(std::string reporting_controller) {
  return std::make_shared<internal::RecorderImpl>(core_, std::move(reporting_controller),
                                                  core_->logger);
}

bool EventBroadcaster::Flush(std::chrono::nanoseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!core_->consumers->Flush(deadline)) return false;
  internal::SeriesRecorder* series = nullptr;
  {
    std::lock_guard lock(core_->mu);
    series = core_->series.get();
  }
  return series == nullptr || series->WaitIdle(deadline);
}

void EventBroadcaster::Shutdown() {
  std::lock_guard shutdown_lock(core_->shutdown_mu);
  std::unique_ptr<std::stop_callback<std::function<void()>>> callback;
  internal::SeriesRecorder* series = nullptr;
  {
    std::lock_guard lock(core_->mu);
    if (core_->shut_down) return;
    core_->shut_down = true;
    callback = std::move(core_->stop_callback);
    series = core_->series.get();
  }
  callback.reset();  // waits for a running callback; no new ones
  core_->mux->Shutdown();
  core_->consumers->StopAndJoin();
  if (series != nullptr) series->Stop();
}

EventsStats EventBroadcaster::Stats() const {
  const auto& c = core_->counters;
  const auto mux = core_->mux->Stats();
  EventsStats s;
  tools::internal::FillCommonStats(s, mux, c);
  s.series_started = tools::internal::Load(c.series_started);
  s.series_observed = tools::internal::Load(c.series_observed);
  s.dropped_pending_full = tools::internal::Load(c.dropped_pending_full);
  s.series_finished = tools::internal::Load(c.series_finished);
  s.series_refreshed = tools::internal::Load(c.series_refreshed);
  s.singletons_expired = tools::internal::Load(c.singletons_expired);
  s.singletons_evicted = tools::internal::Load(c.singletons_evicted);
  s.series_evicted = tools::internal::Load(c.series_evicted);
  s.failed_series_writes = tools::internal::Load(c.failed_series_writes);
  {
    std::lock_guard lock(core_->mu);
    s.cached = core_->series ? core_->series->CacheSize() : 0;
  }
  return s;
}

}  // namespace kube::events
