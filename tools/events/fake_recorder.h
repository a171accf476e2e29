// kube::events::FakeRecorder: an events recorder for your controller's unit tests
// (client-go tools/events.FakeRecorder).
#pragma once

#include <memory>
#include <string>

#include "kubeevents/tools/events/event_recorder.h"
#include "kubeevents/watch/chan.h"

namespace kube::events {

/// Writes "<type> <reason> <note>" to Events(); with include_object, "<type> <reason>
/// <action> <note>" followed by " {kind=K,apiVersion=V}" for regarding and related (when they
/// have a kind or version) and " map[k:v]" for annotations. Sends block while the buffer is
/// full; a buffer of 0 discards everything.
class FakeRecorder final : public EventRecorder, public std::enable_shared_from_this<FakeRecorder> {
 public:
  explicit FakeRecorder(std::size_t buffer_size, bool include_object = false);
  watch::Chan<std::string>* Events() { return events_.get(); }
  std::shared_ptr<EventRecorder> WithLogger(std::shared_ptr<Logger>) const override;
  void RecordEvent(StatusOr<api::core::v1::ObjectReference> regarding,
                   std::optional<StatusOr<api::core::v1::ObjectReference>> related,
                   const Annotations* annotations, std::string_view type, std::string_view reason,
                   std::string_view action, std::string note) override;

 private:
  std::unique_ptr<watch::Chan<std::string>> events_;
  bool include_object_;
};

}  // namespace kube::events
