// kube::events::EventBroadcasterAdapter: picks events.k8s.io/v1 when the server serves it,
// else falls back to core/v1 (client-go tools/events.EventBroadcasterAdapter).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "kubeevents/tools/events/event_broadcaster.h"
#include "kubeevents/tools/record/event_broadcaster.h"

namespace kube::events {

/// What the adapter is built from. kube::rest::NewEventBroadcasterAdapter (client/) fills it
/// from a REST config; tests can fill it by hand.
struct AdapterOptions {
  /// Discovery of events.k8s.io/v1 (GET /apis/events.k8s.io/v1). An error counts as "not
  /// served" (logged), as in client-go.
  std::function<StatusOr<bool>()> supports_events_v1;
  /// The sink for events.k8s.io/v1, used when the API is served.
  std::shared_ptr<EventSink> events_sink;
  /// The core/v1 sink for all namespaces; the legacy broadcaster always exists.
  std::shared_ptr<record::EventSink> core_sink;
  BroadcasterOptions events_options;
  record::BroadcasterOptions legacy_options;
};

class EventBroadcasterAdapter {
 public:
  explicit EventBroadcasterAdapter(AdapterOptions options);
  ~EventBroadcasterAdapter();

  /// Whether discovery found events.k8s.io/v1 (NewRecorder then writes that API).
  bool UsesEventsV1() const { return events_ != nullptr; }
  /// Starts the events.k8s.io broadcaster (until `stop`) if present, and the legacy one
  /// writing to the core sink (its lifetime is the adapter's).
  void StartRecordingToSink(std::stop_token stop = {});
  /// An events.k8s.io recorder when the API is served, else a core/v1 recorder with
  /// source.component = name behind the events interface (related and action are dropped).
  std::shared_ptr<EventRecorder> NewRecorder(std::string name);
  /// Always a core/v1 recorder.
  std::shared_ptr<record::EventRecorder> DeprecatedNewLegacyRecorder(std::string name);
  /// Flushes both broadcasters.
  bool Flush(std::chrono::nanoseconds timeout);
  /// Shuts both down.
  void Shutdown();

  /// The events.k8s.io broadcaster (null when falling back) and the legacy one.
  EventBroadcaster* events_broadcaster() { return events_.get(); }
  record::EventBroadcaster& legacy_broadcaster() { return *legacy_; }

 private:
  std::shared_ptr<record::EventSink> core_sink_;
  std::unique_ptr<EventBroadcaster> events_;
  std::unique_ptr<record::EventBroadcaster> legacy_;
};

}  // namespace kube::events
