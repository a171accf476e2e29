// kube::events::testing::FakeEventSink: an in-memory events.k8s.io/v1 sink for unit tests. It
// stores events like an apiserver (AlreadyExists, NotFound on patches of unknown events,
// resourceVersion bumps), applies series patches, rejects an empty namespace as the REST sink
// does, records every call and can be scripted (FailNext, SetInterceptor).
#pragma once

#include <string>

#include "kubeevents/tools/events/event_sink.h"
#include "kubeevents/tools/testing/fake_event_sink_base.h"

namespace kube::events::testing {

class FakeEventSink : public kube::testing::FakeEventSinkBase<api::events::v1::Event, EventSink> {
 public:
  static Status AlreadyExists(const std::string& name);
  static Status Invalid(const std::string& name, const std::string& field,
                        const std::string& message);
  static Status TransportError();

 protected:
  /// Applies {"series":{"count","lastObservedTime"}}.
  Status ApplyPatch(api::events::v1::Event& stored, std::string_view patch) const override;
  Status AlreadyExistsError(const std::string& name) const override { return AlreadyExists(name); }
  Status NotFoundError(const std::string& name) const override;
  Status Precheck(const api::events::v1::Event& event) const override;
};

}  // namespace kube::events::testing
