// kube::record::EventSink: where the core/v1 pipeline writes events (client-go record.EventSink).
#pragma once

#include <stop_token>
#include <string_view>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/core/v1/event.h"

namespace kube::record {

/// Writes core/v1 Events to an apiserver (or anywhere). Implementations must honour the
/// event's namespace and be safe to call from the pipeline's threads. Errors follow
/// docs/errors.md: the recorder retries kTransport/kLocal/kDecode failures and gives up on
/// apiserver rejections (origin kAPIServer) and request-building errors.
///
/// The REST implementation is kube::rest::NewCoreV1EventSink (client/event_sink.h); for unit
/// tests see kube::record::testing::FakeEventSink and MockEventSink.
class EventSink {
 public:
  virtual ~EventSink() = default;
  /// POST /api/v1/namespaces/{event.namespace}/events; returns the server's object.
  virtual StatusOr<api::core::v1::Event> Create(const api::core::v1::Event& event) = 0;
  /// PUT /api/v1/namespaces/{ns}/events/{name}. Never called by the recorder.
  virtual StatusOr<api::core::v1::Event> Update(const api::core::v1::Event& event) = 0;
  /// PATCH /api/v1/namespaces/{ns}/events/{event.name} with content type
  /// application/strategic-merge-patch+json and the given body.
  virtual StatusOr<api::core::v1::Event> Patch(const api::core::v1::Event& event,
                                               std::string_view patch) = 0;

  /// Create and Patch that give up (with any error) once `cancel` is stopped. The recorder
  /// calls these with its shutdown token, so that a write stuck on an unresponsive apiserver
  /// cannot hold EventBroadcaster::Shutdown. The defaults ignore the token; the REST sink
  /// cancels the request in flight.
  virtual StatusOr<api::core::v1::Event> CreateCancellable(const api::core::v1::Event& event,
                                                           std::stop_token /*cancel*/) {
    return Create(event);
  }
  virtual StatusOr<api::core::v1::Event> PatchCancellable(const api::core::v1::Event& event,
                                                          std::string_view patch,
                                                          std::stop_token /*cancel*/) {
    return Patch(event, patch);
  }
};

}  // namespace kube::record
