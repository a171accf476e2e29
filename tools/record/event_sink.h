// kube::record::EventSink: where the core/v1 pipeline writes events (client-go record.EventSink).
#pragma once

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
};

}  // namespace kube::record
