#include "kubeevents/tools/record/internal/sink_writer.h"

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/tools/record/event_broadcaster.h"
#include "kubeevents/tools/record/event_util.h"

namespace kube::record::internal {

using api::core::v1::Event;

std::string DescribeEvent(const Event& e) {
  std::string out = e.metadata.namespace_ + "/" + e.metadata.name + " (" + e.involved_object.kind +
                    " " + e.involved_object.namespace_ + "/" + e.involved_object.name +
                    ", reason " + e.reason + ", count " + std::to_string(e.count) + ")";
  return out;
}

SinkWriter::SinkWriter(std::shared_ptr<EventSink> sink, const CorrelatorOptions& options,
                       std::chrono::nanoseconds sleep_duration, std::shared_ptr<Clock> clock,
                       std::shared_ptr<Logger> logger, std::uint64_t seed, RecordCounters& counters)
    : sink_(std::move(sink)),
      correlator_([&] {
        CorrelatorOptions o = options;
        if (!o.clock) o.clock = clock;
        return o;
      }()),
      sleep_duration_(sleep_duration),
      clock_(std::move(clock)),
      logger_(std::move(logger)),
      rng_(seed),
      counters_(counters) {}

void SinkWriter::RecordToSink(const Event& incoming, std::stop_token cancel) {
  EventCorrelateView view = correlator_.Correlate(incoming, std::move(scratch_));
  Deliver(view, cancel);
  scratch_ = std::move(view.modified);  // the next repeat is copied into its buffers
}

void SinkWriter::Deliver(EventCorrelateView& view, std::stop_token cancel) {
  if (view.skip) {
    RecordCounters::Inc(counters_.skipped_spam);
    return;
  }
  if (view.aggregated) RecordCounters::Inc(counters_.aggregated);
  const Event& event = view.event();
  const std::string& patch = view.patch;
  const bool update = event.count > 1;
  for (int tries = 0;;) {
    if (RecordEvent(view, patch, update, cancel) == Attempt::kDone) return;
    ++tries;
    if (tries >= kMaxTriesPerEvent) {
      RecordCounters::Inc(counters_.failed_retry_limit);
      logger_->Error("Unable to write event (retry limit exceeded!)",
                     {{"event", DescribeEvent(event)}});
      return;
    }
    RecordCounters::Inc(counters_.retries);
    auto delay = sleep_duration_;
    if (tries == 1) {
      // Randomize the first sleep so that clients don't all retry in step after an outage.
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      delay = std::chrono::nanoseconds(
          static_cast<std::int64_t>(static_cast<double>(delay.count()) * unit(rng_)));
    }
    if (!clock_->SleepFor(std::chrono::duration_cast<Clock::duration>(delay), cancel)) {
      RecordCounters::Inc(counters_.failed_shutdown);
      logger_->Error("Unable to write event (broadcaster is shut down)",
                     {{"event", DescribeEvent(event)}});
      return;
    }
  }
}

// A create is sent with the resourceVersion cleared (the event is copied only if it has one).
StatusOr<Event> SinkWriter::Create(EventCorrelateView& view, std::stop_token cancel) {
  if (!view.event().metadata.resource_version.empty()) {
    if (!view.modified) view.modified = std::make_unique<Event>(*view.input);
    view.modified->metadata.resource_version.clear();
  }
  return sink_->CreateCancellable(view.event(), cancel);
}

SinkWriter::Attempt SinkWriter::RecordEvent(EventCorrelateView& view, const std::string& patch,
                                            bool update, std::stop_token cancel) {
  // The sink's answer is initialized in place (no move of the Event it holds): a patch, or a
  // create when this is the first occurrence.
  StatusOr<Event> written =
      update ? sink_->PatchCancellable(view.event(), patch, cancel) : Create(view, cancel);
  bool patched = update && written.ok();
  // The patch target may have expired on the server: create it again.
  if (update && IsKeyNotFoundError(written.status())) written = Create(view, cancel);
  const Event& event = view.event();
  if (written.ok()) {
    RecordCounters::Inc(patched ? counters_.patched : counters_.created);
    correlator_.UpdateState(*written);
    return Attempt::kDone;
  }
  const Status& err = written.status();
  switch (err.origin()) {
    case ErrorOrigin::kRequestBuilding:
      RecordCounters::Inc(counters_.failed_request_building);
      logger_->Error("Unable to construct event (will not retry!)",
                     {{"event", DescribeEvent(event)}, {"err", err.ToString()}});
      return Attempt::kDone;
    case ErrorOrigin::kAPIServer:
      if (api::errors::IsAlreadyExists(err) ||
          api::errors::HasStatusCause(err, api::errors::kNamespaceTerminatingCause)) {
        RecordCounters::Inc(counters_.failed_quietly);
        logger_->Info(5, "Server rejected event (will not retry!)",
                      {{"event", DescribeEvent(event)}, {"err", err.ToString()}});
      } else {
        RecordCounters::Inc(counters_.failed_rejected);
        logger_->Error("Server rejected event (will not retry!)",
                       {{"event", DescribeEvent(event)}, {"err", err.ToString()}});
      }
      return Attempt::kDone;
    default:
      // Cancelled by Shutdown: Deliver's sleep sees the stop and counts it as failed_shutdown.
      if (cancel.stop_requested()) return Attempt::kRetry;
      // Transport errors, unexpected responses and plain sink errors: hold on and retry.
      logger_->Error("Unable to write event (may retry after sleeping)",
                     {{"event", DescribeEvent(event)}, {"err", err.ToString()}});
      return Attempt::kRetry;
  }
}

}  // namespace kube::record::internal
