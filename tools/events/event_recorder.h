// kube::events::EventRecorder: what controllers call to report events.k8s.io/v1 events
// (client-go tools/events.EventRecorder / AnnotatedEventRecorder / EventRecorderLogger).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "kubeevents/api/common/format.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/record/event_recorder.h"

namespace kube::events {

using record::Annotations;
using record::ReferenceableObject;

/// The `related` argument: an object GetReference accepts, or nullptr for none.
template <typename T>
concept RelatedObject = std::is_null_pointer_v<T> || ReferenceableObject<T>;

/// Records events.k8s.io/v1 events. Never blocks and never throws: events that cannot be
/// built or queued are logged and counted (EventBroadcaster::Stats) and dropped.
/// Get one from EventBroadcaster::NewRecorder or EventBroadcasterAdapter::NewRecorder; for your
/// controller's unit tests use events::FakeRecorder. Thread-safe.
class EventRecorder {
 public:
  virtual ~EventRecorder() = default;

  /// Records that `action` taken on (or observed for) `regarding` produced `reason`; the note
  /// is formatted like Go's fmt.Sprintf (type-safe). `related` is a second object or nullptr.
  template <ReferenceableObject R, RelatedObject Rel, typename... Args>
  void Eventf(const R& regarding, const Rel& related, std::string_view type,
              std::string_view reason, std::string_view action, std::string_view note,
              const Args&... args) {
    Formatted(regarding, related, nullptr, type, reason, action, note, args...);
  }

  /// Eventf plus annotations on the written event.
  template <ReferenceableObject R, RelatedObject Rel, typename... Args>
  void AnnotatedEventf(const R& regarding, const Rel& related, const Annotations& annotations,
                       std::string_view type, std::string_view reason, std::string_view action,
                       std::string_view note, const Args&... args) {
    Formatted(regarding, related, &annotations, type, reason, action, note, args...);
  }

  /// A recorder sharing everything with this one but logging emit-side errors to `logger`.
  virtual std::shared_ptr<EventRecorder> WithLogger(std::shared_ptr<Logger> logger) const = 0;

  /// The hook behind Eventf/AnnotatedEventf: implement it for a custom recorder or a mock.
  /// `related` is nullopt when no related object was given.
  virtual void RecordEvent(StatusOr<api::core::v1::ObjectReference> regarding,
                           std::optional<StatusOr<api::core::v1::ObjectReference>> related,
                           const Annotations* annotations, std::string_view type,
                           std::string_view reason, std::string_view action, std::string note) = 0;

 protected:
  /// What Eventf and AnnotatedEventf call once `regarding`'s reference is built: lets a
  /// recorder format the note straight into the event it sends and read the reference
  /// without copying it (the bundled recorder does). The default formats the note and calls
  /// RecordEvent, so a custom recorder or mock needs only RecordEvent.
  virtual void RecordFormattedEvent(
      const api::core::v1::ObjectReference& regarding,
      const std::optional<StatusOr<api::core::v1::ObjectReference>>& related,
      const Annotations* annotations, std::string_view type, std::string_view reason,
      std::string_view action, std::string_view note, std::span<const FormatArg> args);

 private:
  template <typename R, typename Rel, typename... Args>
  void Formatted(const R& regarding, const Rel& related, const Annotations* annotations,
                 std::string_view type, std::string_view reason, std::string_view action,
                 std::string_view note, const Args&... args) {
    WithFormatArgs(
        [&](std::span<const FormatArg> list) {
          FormattedArgs(regarding, related, annotations, type, reason, action, note, list);
        },
        args...);
  }
  // An ObjectReference is used as it is; anything else goes through GetReference, and a
  // reference that cannot be built reaches RecordEvent as its error.
  template <typename R, typename Rel>
  void FormattedArgs(const R& regarding, const Rel& related, const Annotations* annotations,
                     std::string_view type, std::string_view reason, std::string_view action,
                     std::string_view note, std::span<const FormatArg> args) {
    if constexpr (std::is_same_v<R, api::core::v1::ObjectReference>) {
      RecordFormattedEvent(regarding, RelatedReference(related), annotations, type, reason, action,
                           note, args);
    } else {
      auto reference = api::GetReference(regarding);
      if (reference.ok()) {
        RecordFormattedEvent(*reference, RelatedReference(related), annotations, type, reason,
                             action, note, args);
      } else {
        RecordEvent(std::move(reference), RelatedReference(related), annotations, type, reason,
                    action, SprintfArgs(note, args));
      }
    }
  }
  template <typename Rel>
  static std::optional<StatusOr<api::core::v1::ObjectReference>> RelatedReference(
      const Rel& related) {
    if constexpr (std::is_null_pointer_v<Rel>) {
      return std::nullopt;
    } else {
      return api::GetReference(related);
    }
  }
};

/// Makes a core/v1 recorder usable where an events recorder is expected (client-go
/// EventRecorderAdapter). As in client-go, `related` and `action` are silently discarded.
class EventRecorderAdapter final : public EventRecorder {
 public:
  explicit EventRecorderAdapter(std::shared_ptr<record::EventRecorder> recorder)
      : recorder_(std::move(recorder)) {}
  std::shared_ptr<EventRecorder> WithLogger(std::shared_ptr<Logger> logger) const override;
  void RecordEvent(StatusOr<api::core::v1::ObjectReference> regarding,
                   std::optional<StatusOr<api::core::v1::ObjectReference>> related,
                   const Annotations* annotations, std::string_view type, std::string_view reason,
                   std::string_view action, std::string note) override;

 private:
  std::shared_ptr<record::EventRecorder> recorder_;
};

}  // namespace kube::events
