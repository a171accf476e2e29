#include "kubeevents/tools/events/fake_recorder.h"

#include "kubeevents/tools/record/event_util.h"

namespace kube::events {

FakeRecorder::FakeRecorder(std::size_t buffer_size, bool include_object)
    : events_(buffer_size > 0 ? std::make_unique<watch::Chan<std::string>>(buffer_size) : nullptr),
      include_object_(include_object) {}

std::shared_ptr<EventRecorder> FakeRecorder::WithLogger(std::shared_ptr<Logger>) const {
  return std::const_pointer_cast<FakeRecorder>(shared_from_this());
}

void FakeRecorder::RecordEvent(StatusOr<api::core::v1::ObjectReference> regarding,
                               std::optional<StatusOr<api::core::v1::ObjectReference>> related,
                               const Annotations* annotations, std::string_view type,
                               std::string_view reason, std::string_view action, std::string note) {
  if (!events_) return;
  std::string line(type);
  line.append(" ").append(reason).append(" ");
  if (!include_object_) {
    line += note;
    events_->Send(std::move(line));
    return;
  }
  line.append(action).append(" ").append(note);
  const auto object = [&](const StatusOr<api::core::v1::ObjectReference>& ref) {
    if (ref.ok() && (!ref->kind.empty() || !ref->api_version.empty())) {
      line += " {kind=" + ref->kind + ",apiVersion=" + ref->api_version + "}";
    }
  };
  object(regarding);
  if (related) object(*related);
  if (annotations != nullptr && !annotations->empty())
    line += " " + record::GoMapString(*annotations);
  events_->Send(std::move(line));
}

}  // namespace kube::events
