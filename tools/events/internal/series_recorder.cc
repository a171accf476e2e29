#include "kubeevents/tools/events/internal/series_recorder.h"

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/tools/record/event_util.h"

namespace kube::events::internal {

using api::events::v1::Event;

namespace {

std::string Describe(const Event& e) {
  return e.metadata.namespace_ + "/" + e.metadata.name + " (" + e.regarding.kind + " " +
         e.regarding.namespace_ + "/" + e.regarding.name + ", reason " + e.reason +
         (e.series ? ", series count " + std::to_string(e.series->count) : std::string()) + ")";
}

}  // namespace

SeriesRecorder::SeriesRecorder(std::shared_ptr<EventSink> sink, const BroadcasterOptions& options,
                               std::shared_ptr<Clock> clock, std::shared_ptr<Logger> logger,
                               EventsCounters& counters)
    : sink_(std::move(sink)),
      clock_(std::move(clock)),
      logger_(std::move(logger)),
      counters_(counters),
      sleep_duration_(options.sleep_duration),
      max_cached_(options.max_cached_events),
      writers_(static_cast<std::size_t>(std::max(options.writer_threads, 1)),
               options.max_pending_writes == 0 ? kMaxQueuedEvents : options.max_pending_writes),
      rng_(options.random_seed ? *options.random_seed : std::random_device{}()) {}

SeriesRecorder::~SeriesRecorder() { Stop(); }

void SeriesRecorder::Start() {
  writers_.Start([this](std::size_t, PendingWrite&& write, std::stop_token stop) {
    AttemptRecording(std::move(write), stop);
  });
  // Both tasks run once at once, then every period after the previous run completed (Go's
  // wait.Until). The first run happens here, before any event can be observed: the cache is
  // empty, so it writes nothing, but running it on the task's thread instead would let it
  // race the first series and patch it a second time, depending on thread start-up.
  FinishSeries();
  RefreshExistingEventSeries();
  threads_.emplace_back([this](std::stop_token stop) {
    while (clock_->SleepFor(std::chrono::duration_cast<Clock::duration>(kFinishTime), stop)) {
      FinishSeries(stop);
    }
  });
  threads_.emplace_back([this](std::stop_token stop) {
    while (clock_->SleepFor(std::chrono::duration_cast<Clock::duration>(kRefreshTime), stop)) {
      RefreshExistingEventSeries(stop);
    }
  });
}

void SeriesRecorder::RequestStop() {
  for (auto& t : threads_) t.request_stop();
  writers_.RequestStop();
}

void SeriesRecorder::Stop() {
  RequestStop();
  for (auto& t : threads_) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
  std::uint64_t unsent = 0, unsent_counts = 0;
  writers_.Stop([&](PendingWrite&& write) {
    ++(write.purpose == Purpose::kOccurrence ? unsent : unsent_counts);
  });
  if (unsent > 0) {
    EventsCounters::Inc(counters_.abandoned, unsent);
    logger_->Error("Dropped queued event writes: the broadcaster shut down",
                   {{"count", std::to_string(unsent)}});
  }
  if (unsent_counts > 0) {
    EventsCounters::Inc(counters_.failed_series_writes, unsent_counts);
    logger_->Error("Dropped queued series count writes: the broadcaster shut down",
                   {{"count", std::to_string(unsent_counts)}});
  }
}

std::size_t SeriesRecorder::CacheSize() const {
  std::lock_guard lock(mu_);
  return index_.size();
}

void SeriesRecorder::Forget(Lru::iterator it) {
  index_.erase(std::string_view(it->key));
  lru_.erase(it);
}

std::optional<std::pair<std::size_t, SeriesRecorder::PendingWrite>>
SeriesRecorder::EvictOldestLocked() {
  if (max_cached_ == 0 || index_.size() <= max_cached_) return std::nullopt;
  const auto oldest = std::prev(lru_.end());
  std::optional<std::pair<std::size_t, PendingWrite>> final_write;
  if (oldest->event.series) {
    // Its count may be ahead of the server (later occurrences are silent): write it, as the
    // finish task would.
    EventsCounters::Inc(counters_.series_evicted);
    final_write.emplace(WriterOf(oldest->key),
                        PendingWrite{std::move(oldest->event), Purpose::kMaintenance});
  } else {
    EventsCounters::Inc(counters_.singletons_evicted);
  }
  Forget(oldest);
  return final_write;
}

std::size_t SeriesRecorder::WriterOf(const std::string& key) const {
  return std::hash<std::string>{}(key) % writers_.size();
}

bool SeriesRecorder::Enqueue(std::size_t writer, PendingWrite write) {
  // TrySend moves from `write` only when it succeeds, so the event is intact for the logs.
  if (writers_.TrySend(writer, std::move(write))) return true;
  const std::string description = Describe(write.event);  // NOLINT(bugprone-use-after-move)
  if (write.purpose == Purpose::kMaintenance) {
    EventsCounters::Inc(counters_.failed_series_writes);
    logger_->Error("Unable to write the count of a forgotten series: too many queued events",
                   {{"event", description}});
    return false;
  }
  if (writers_.stopped()) {
    EventsCounters::Inc(counters_.abandoned);
    return false;
  }
  EventsCounters::Inc(counters_.dropped_pending_full);
  logger_->Error("Unable to record event: too many queued events, dropped event",
                 {{"event", description}});
  return false;
}

void SeriesRecorder::Observe(const Event& incoming) {
  const Clock::time_point now = clock_->Now();
  std::optional<Event> to_send;
  std::size_t writer = 0;
  std::optional<std::pair<std::size_t, PendingWrite>> evicted;
  {
    std::lock_guard lock(mu_);
    // Built into a kept buffer: a repeat (the common case in a storm) allocates nothing.
    AssignIsomorphismKey(key_buf_, incoming);
    writer = WriterOf(key_buf_);
    auto found = index_.find(std::string_view(key_buf_));
    if (found == index_.end()) {
      lru_.push_front(CacheEntry{key_buf_, incoming});
      index_.emplace(std::string_view(lru_.front().key), lru_.begin());
      to_send = incoming;
      evicted = EvictOldestLocked();
    } else {
      auto it = found->second;
      lru_.splice(lru_.begin(), lru_, it);  // most recently observed
      Event& cached = it->event;
      if (cached.series) {
        // Later repeats only update the cache; refresh/finish write the true count.
        ++cached.series->count;
        cached.series->last_observed_time = api::meta::v1::MicroTime(now);
        EventsCounters::Inc(counters_.series_observed);
        return;
      }
      cached.series = api::events::v1::EventSeries{2, api::meta::v1::MicroTime(now)};
      EventsCounters::Inc(counters_.series_started);
      to_send = cached;
    }
  }
  if (evicted) Enqueue(evicted->first, std::move(evicted->second));
  Enqueue(writer, PendingWrite{*std::move(to_send), Purpose::kOccurrence});
}

bool SeriesRecorder::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  return writers_.WaitIdle(deadline);
}

SeriesRecorder::WriteResult SeriesRecorder::RecordEvent(Event event, Purpose purpose,
                                                        std::stop_token cancel) {
  const bool occurrence = purpose == Purpose::kOccurrence;
  // Occurrences count into their own outcome; maintenance failures all into one counter.
  auto failed = [&](std::atomic<std::uint64_t>& occurrence_counter) {
    EventsCounters::Inc(occurrence ? occurrence_counter : counters_.failed_series_writes);
  };
  const bool is_series = event.series.has_value();
  // No series yet, or the event to patch is gone (expired): create it.
  auto create = [&] {
    event.metadata.resource_version.clear();
    return sink_->CreateCancellable(event, cancel);
  };
  // The sink's answer is initialized in place (no move of the Event it holds).
  StatusOr<Event> written =
      is_series ? sink_->PatchCancellable(event, MakeSeriesPatch(*event.series), cancel) : create();
  const bool patched = is_series && written.ok();
  if (is_series && record::IsKeyNotFoundError(written.status())) written = create();
  if (written.ok()) {
    if (occurrence) EventsCounters::Inc(patched ? counters_.patched : counters_.created);
    return {*std::move(written), false};
  }
  const Status& err = written.status();
  switch (err.origin()) {
    case ErrorOrigin::kRequestBuilding:
      failed(counters_.failed_request_building);
      logger_->Error("Unable to construct event (will not retry!)",
                     {{"event", Describe(event)}, {"err", err.ToString()}});
      return {std::nullopt, false};
    case ErrorOrigin::kAPIServer:
      if (api::errors::IsAlreadyExists(err)) {
        // A create after a 404 patch raced the original create: safe to retry the series.
        if (is_series) return {std::nullopt, true};
        failed(counters_.failed_quietly);
        logger_->Info(5, "Server rejected event (will not retry!)",
                      {{"event", Describe(event)}, {"err", err.ToString()}});
      } else {
        failed(counters_.failed_rejected);
        logger_->Error("Server rejected event (will not retry!)",
                       {{"event", Describe(event)}, {"err", err.ToString()}});
      }
      return {std::nullopt, false};
    default:
      // Cancelled by Shutdown: the retry sleep sees the stop and counts failed_shutdown.
      if (cancel.stop_requested()) return {std::nullopt, true};
      logger_->Error("Unable to write event (may retry after sleeping)",
                     {{"event", Describe(event)}, {"err", err.ToString()}});
      return {std::nullopt, true};
  }
}

void SeriesRecorder::AttemptRecording(PendingWrite write, std::stop_token stop) {
  const bool occurrence = write.purpose == Purpose::kOccurrence;
  for (int tries = 0;;) {
    WriteResult r = RecordEvent(write.event, write.purpose, stop);
    if (!r.retry) return;
    if (++tries >= kMaxTriesPerEvent) {
      EventsCounters::Inc(occurrence ? counters_.failed_retry_limit
                                     : counters_.failed_series_writes);
      logger_->Error("Unable to write event (retry limit exceeded!)",
                     {{"event", Describe(write.event)}});
      return;
    }
    EventsCounters::Inc(counters_.retries);
    double jitter;
    {
      std::lock_guard lock(rng_mu_);
      jitter = std::uniform_real_distribution<double>(0.0, kSleepJitterFactor)(rng_);
    }
    const auto delay = std::chrono::nanoseconds(
        static_cast<std::int64_t>(static_cast<double>(sleep_duration_.count()) * (1.0 + jitter)));
    if (!clock_->SleepFor(std::chrono::duration_cast<Clock::duration>(delay), stop)) {
      EventsCounters::Inc(occurrence ? counters_.failed_shutdown : counters_.failed_series_writes);
      return;
    }
  }
}

void SeriesRecorder::FinishSeries(std::stop_token cancel) {
  const Clock::time_point horizon = clock_->Now() - kFinishTime;
  std::vector<std::pair<std::string, Event>> to_finish;
  {
    std::lock_guard lock(mu_);
    for (auto it = lru_.begin(); it != lru_.end();) {
      const Event& e = it->event;
      if (e.series) {
        if (e.series->last_observed_time.time() < horizon) to_finish.emplace_back(it->key, e);
        ++it;
      } else if (e.event_time.time() < horizon) {
        EventsCounters::Inc(counters_.singletons_expired);
        Forget(it++);
      } else {
        ++it;
      }
    }
  }
  // Write the final counts without holding the lock (emitters keep going meanwhile).
  for (auto& [key, snapshot] : to_finish) {
    WriteResult r = RecordEvent(snapshot, Purpose::kMaintenance, cancel);
    if (r.retry) continue;  // keep it: the next run tries again
    std::lock_guard lock(mu_);
    auto found = index_.find(std::string_view(key));
    // A concurrent occurrence keeps the series alive.
    if (found != index_.end() && found->second->event == snapshot) {
      Forget(found->second);
      EventsCounters::Inc(counters_.series_finished);
    }
  }
}

void SeriesRecorder::RefreshExistingEventSeries(std::stop_token cancel) {
  std::vector<std::pair<std::string, Event>> series;
  {
    std::lock_guard lock(mu_);
    for (const auto& entry : lru_) {
      if (entry.event.series) series.emplace_back(entry.key, entry.event);
    }
  }
  for (auto& [key, snapshot] : series) {
    WriteResult r = RecordEvent(snapshot, Purpose::kMaintenance, cancel);
    if (r.retry || !r.event) continue;
    EventsCounters::Inc(counters_.series_refreshed);
    std::lock_guard lock(mu_);
    auto found = index_.find(std::string_view(key));
    if (found != index_.end() && found->second->event == snapshot) {
      found->second->event = *std::move(r.event);
    }
  }
}

}  // namespace kube::events::internal
