// kube::record::FakeRecorder: an EventRecorder for your controller's unit tests
// (client-go record.FakeRecorder): every event becomes a string in a channel.
#pragma once

#include <memory>
#include <string>

#include "kubeevents/tools/record/event_recorder.h"
#include "kubeevents/watch/chan.h"

namespace kube::record {

/// Writes "<type> <reason> <message>" (plus " involvedObject{kind=K,apiVersion=V}" when
/// include_object, plus " map[k:v ...]" when annotated) to Events(). Sends block while the
/// buffer is full, as in Go; a buffer of 0 discards everything.
class FakeRecorder final : public EventRecorder, public std::enable_shared_from_this<FakeRecorder> {
 public:
  explicit FakeRecorder(std::size_t buffer_size, bool include_object = false);

  /// The recorded strings, oldest first. Null when created with buffer 0.
  watch::Chan<std::string>* Events() { return events_.get(); }

  /// Returns this recorder (client-go's FakeRecorder ignores loggers).
  std::shared_ptr<EventRecorder> WithLogger(std::shared_ptr<Logger>) const override;
  void RecordEvent(StatusOr<api::core::v1::ObjectReference> reference,
                   const Annotations* annotations, std::string_view type, std::string_view reason,
                   std::string message) override;

 private:
  std::unique_ptr<watch::Chan<std::string>> events_;
  bool include_object_;
};

}  // namespace kube::record
