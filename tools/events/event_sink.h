// kube::events::EventSink: where the events.k8s.io/v1 pipeline writes (client-go events.EventSink).
#pragma once

#include <stop_token>
#include <string_view>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/events/v1/event.h"

namespace kube::events {

/// Writes events.k8s.io/v1 Events. The REST implementation (kube::rest::NewEventsV1EventSink,
/// client/event_sink.h) rejects an empty namespace with a kLocal error, as client-go's
/// EventSinkImpl does ("can't create an event with empty namespace").
class EventSink {
 public:
  virtual ~EventSink() = default;
  /// POST /apis/events.k8s.io/v1/namespaces/{ns}/events.
  virtual StatusOr<api::events::v1::Event> Create(const api::events::v1::Event& event) = 0;
  /// PUT /apis/events.k8s.io/v1/namespaces/{ns}/events/{name}.
  virtual StatusOr<api::events::v1::Event> Update(const api::events::v1::Event& event) = 0;
  /// PATCH .../events/{event.name}, content type application/strategic-merge-patch+json.
  virtual StatusOr<api::events::v1::Event> Patch(const api::events::v1::Event& event,
                                                 std::string_view patch) = 0;

  /// Create and Patch that give up (with any error) once `cancel` is stopped. The pipeline
  /// calls these with its shutdown token, so that a write stuck on an unresponsive apiserver
  /// cannot hold EventBroadcaster::Shutdown. The defaults ignore the token; the REST sink
  /// cancels the request in flight.
  virtual StatusOr<api::events::v1::Event> CreateCancellable(const api::events::v1::Event& event,
                                                             std::stop_token /*cancel*/) {
    return Create(event);
  }
  virtual StatusOr<api::events::v1::Event> PatchCancellable(const api::events::v1::Event& event,
                                                            std::string_view patch,
                                                            std::stop_token /*cancel*/) {
    return Patch(event, patch);
  }
};

}  // namespace kube::events
