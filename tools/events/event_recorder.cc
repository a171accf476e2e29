#include "kubeevents/tools/events/event_recorder.h"

namespace kube::events {

void EventRecorder::RecordFormattedEvent(
    const api::core::v1::ObjectReference& regarding,
    const std::optional<StatusOr<api::core::v1::ObjectReference>>& related,
    const Annotations* annotations, std::string_view type, std::string_view reason,
    std::string_view action, std::string_view note, std::span<const FormatArg> args) {
  RecordEvent(regarding, related, annotations, type, reason, action, SprintfArgs(note, args));
}

std::shared_ptr<EventRecorder> EventRecorderAdapter::WithLogger(
    std::shared_ptr<Logger> logger) const {
  return std::make_shared<EventRecorderAdapter>(recorder_->WithLogger(std::move(logger)));
}

void EventRecorderAdapter::RecordEvent(
    StatusOr<api::core::v1::ObjectReference> regarding,
    std::optional<StatusOr<api::core::v1::ObjectReference>> /*related*/,
    const Annotations* annotations, std::string_view type, std::string_view reason,
    std::string_view /*action*/, std::string note) {
  recorder_->RecordEvent(std::move(regarding), annotations, type, reason, std::move(note));
}

}  // namespace kube::events
