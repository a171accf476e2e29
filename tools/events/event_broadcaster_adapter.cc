#include "kubeevents/tools/events/event_broadcaster_adapter.h"

namespace kube::events {

EventBroadcasterAdapter::EventBroadcasterAdapter(AdapterOptions options)
    : core_sink_(std::move(options.core_sink)) {
  std::shared_ptr<Logger> logger =
      options.events_options.logger ? options.events_options.logger : MakeDefaultLogger();
  bool served = false;
  if (options.supports_events_v1) {
    auto found = options.supports_events_v1();
    if (found.ok()) {
      served = *found;
    } else {
      logger->Warning("Discovery of events.k8s.io/v1 failed; using core/v1 events",
                      {{"err", found.status().ToString()}});
    }
  }
  if (served && options.events_sink) {
    events_ = std::make_unique<EventBroadcaster>(std::move(options.events_sink),
                                                 std::move(options.events_options));
  }
  legacy_ = std::make_unique<record::EventBroadcaster>(std::move(options.legacy_options));
}

EventBroadcasterAdapter::~EventBroadcasterAdapter() { Shutdown(); }

void EventBroadcasterAdapter::StartRecordingToSink(std::stop_token stop) {
  if (events_) {
    Status st = events_->StartRecordingToSink(stop);
    (void)st;  // a second start is a no-op, as client-go's adapter only logs it
  }
  if (core_sink_) legacy_->StartRecordingToSink(core_sink_);
}

std::shared_ptr<EventRecorder> EventBroadcasterAdapter::NewRecorder(std::string name) {
  if (events_) return events_->NewRecorder(std::move(name));
  return std::make_shared<EventRecorderAdapter>(DeprecatedNewLegacyRecorder(std::move(name)));
}

std::shared_ptr<record::EventRecorder> EventBroadcasterAdapter::DeprecatedNewLegacyRecorder(
    std::string name) {
  return legacy_->NewRecorder({std::move(name), ""});
}

bool EventBroadcasterAdapter::Flush(std::chrono::nanoseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ok = true;
  if (events_) ok = events_->Flush(timeout);
  const auto left = deadline - std::chrono::steady_clock::now();
  return legacy_->Flush(std::max<std::chrono::nanoseconds>(left, std::chrono::nanoseconds(0))) &&
         ok;
}

void EventBroadcasterAdapter::Shutdown() {
  if (events_) events_->Shutdown();
  legacy_->Shutdown();
}

}  // namespace kube::events
