// kube::events::EventSink: where the events.k8s.io/v1 pipeline writes (client-go events.EventSink).
#pragma once

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
};

}  // namespace kube::events
