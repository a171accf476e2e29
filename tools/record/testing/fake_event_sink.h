// kube::record::testing::FakeEventSink: an in-memory core/v1 EventSink for unit tests. It
// stores events like an apiserver would (AlreadyExists on duplicate names, NotFound on patches
// of unknown events, resourceVersion bumps), applies dedup patches, records every call, and can
// be scripted to fail (FailNext, SetInterceptor).
#pragma once

#include <string>

#include "kubeevents/tools/record/event_sink.h"
#include "kubeevents/tools/testing/fake_event_sink_base.h"

namespace kube::record::testing {

class FakeEventSink : public kube::testing::FakeEventSinkBase<api::core::v1::Event, EventSink> {
 public:
  /// Status bodies shaped like kube-apiserver's, for scripting.
  static Status AlreadyExists(const std::string& name);
  static Status NotFound(const std::string& name);
  static Status Invalid(const std::string& name, const std::string& field,
                        const std::string& message);
  static Status NamespaceTerminating(const std::string& namespace_);
  static Status TransportError();

 protected:
  /// Applies {"count","lastTimestamp","message"}.
  Status ApplyPatch(api::core::v1::Event& stored, std::string_view patch) const override;
  Status AlreadyExistsError(const std::string& name) const override { return AlreadyExists(name); }
  Status NotFoundError(const std::string& name) const override { return NotFound(name); }
};

}  // namespace kube::record::testing
