#include "kubeevents/tools/record/fake_recorder.h"

#include "kubeevents/tools/record/event_util.h"

namespace kube::record {

FakeRecorder::FakeRecorder(std::size_t buffer_size, bool include_object)
    : events_(buffer_size > 0 ? std::make_unique<watch::Chan<std::string>>(buffer_size) : nullptr),
      include_object_(include_object) {}

std::shared_ptr<EventRecorder> FakeRecorder::WithLogger(std::shared_ptr<Logger>) const {
  return std::const_pointer_cast<FakeRecorder>(shared_from_this());
}

void FakeRecorder::RecordEvent(StatusOr<api::core::v1::ObjectReference> reference,
                               const Annotations* annotations, std::string_view type,
                               std::string_view reason, std::string message) {
  if (!events_) return;
  std::string line;
  line.reserve(type.size() + reason.size() + message.size() + 2);
  line.append(type).append(" ").append(reason).append(" ").append(message);
  if (include_object_ && reference.ok()) {
    line +=
        " involvedObject{kind=" + reference->kind + ",apiVersion=" + reference->api_version + "}";
  }
  if (annotations != nullptr && !annotations->empty()) line += " " + GoMapString(*annotations);
  events_->Send(std::move(line));
}

}  // namespace kube::record
