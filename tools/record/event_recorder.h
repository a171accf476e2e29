// kube::record::EventRecorder: what controllers call to report core/v1 events
// (client-go record.EventRecorder / EventRecorderLogger).
#pragma once

#include <cstdarg>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "kubeevents/api/common/format.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/core/v1/object_reference.h"
#include "kubeevents/api/reference/reference.h"

namespace kube::record {

/// Event annotations (metadata.annotations of the written event).
using Annotations = std::map<std::string, std::string>;

/// Anything kube::api::GetReference accepts: an ObjectReference, an API object, a type with
/// kube::api::ObjectTraits, a pointer or shared_ptr to one, or an api::JsonObject.
template <typename T>
concept ReferenceableObject = requires(const T& object) {
  api::GetReference(object);
};

/// Records events about objects. Never blocks and never throws: an event that cannot be built
/// (unsupported type, unreferenceable object) or queued (full queue, shut-down broadcaster) is
/// logged and counted (EventBroadcaster::Stats) and dropped.
///
/// Get one from EventBroadcaster::NewRecorder. For unit tests of your controller use
/// FakeRecorder (fake_recorder.h). Thread-safe.
class EventRecorder {
 public:
  virtual ~EventRecorder() = default;

  /// Records an event with a verbatim message. `type` is "Normal" or "Warning"; `reason` is
  /// a short UpperCamelCase machine-readable word ("Started", "FailedMount").
  template <ReferenceableObject T>
  void Event(const T& object, std::string_view type, std::string_view reason,
             std::string_view message) {
    RecordEvent(api::GetReference(object), nullptr, type, reason, std::string(message));
  }

  /// Records an event whose message is formatted like Go's fmt.Sprintf, type-safely
  /// (kube::Sprintf: a mismatched verb renders as `%!d(string=x)`, never crashes).
  template <ReferenceableObject T, typename... Args>
  void Eventf(const T& object, std::string_view type, std::string_view reason,
              std::string_view format, const Args&... args) {
    Formatted(object, nullptr, type, reason, format, args...);
  }

  /// Eventf plus annotations on the written event.
  template <ReferenceableObject T, typename... Args>
  void AnnotatedEventf(const T& object, const Annotations& annotations, std::string_view type,
                       std::string_view reason, std::string_view format, const Args&... args) {
    Formatted(object, &annotations, type, reason, format, args...);
  }

  /// Records an event formatted with C printf (checked at compile time by the compiler's
  /// format attribute), for code that already has printf-style call sites.
  template <ReferenceableObject T>
  [[gnu::format(printf, 5, 6)]] void EventPrintf(const T& object, std::string_view type,
                                                 std::string_view reason, const char* format, ...) {
    va_list args;
    va_start(args, format);
    std::string message = VFormat(format, args);
    va_end(args);
    RecordEvent(api::GetReference(object), nullptr, type, reason, std::move(message));
  }

  /// A recorder that shares everything with this one but logs emit-side errors to `logger`
  /// (client-go EventRecorderLogger.WithLogger).
  virtual std::shared_ptr<EventRecorder> WithLogger(std::shared_ptr<Logger> logger) const = 0;

  /// The single hook behind every method above: implement it for a custom recorder or a mock.
  /// `reference` holds the involved object's reference or the error building it.
  virtual void RecordEvent(StatusOr<api::core::v1::ObjectReference> reference,
                           const Annotations* annotations, std::string_view type,
                           std::string_view reason, std::string message) = 0;

 protected:
  /// What Eventf and AnnotatedEventf call once the reference is built: lets a recorder format
  /// the message straight into the event it sends and read the reference without copying it
  /// (the bundled recorder does; Eventf then allocates nothing). The default formats the
  /// message and calls RecordEvent, so a custom recorder or mock needs only RecordEvent.
  virtual void RecordFormattedEvent(const api::core::v1::ObjectReference& reference,
                                    const Annotations* annotations, std::string_view type,
                                    std::string_view reason, std::string_view format,
                                    std::span<const FormatArg> args);

 private:
  template <typename T, typename... Args>
  void Formatted(const T& object, const Annotations* annotations, std::string_view type,
                 std::string_view reason, std::string_view format, const Args&... args) {
    WithFormatArgs(
        [&](std::span<const FormatArg> list) {
          FormattedArgs(object, annotations, type, reason, format, list);
        },
        args...);
  }
  // An ObjectReference is used as it is; anything else goes through GetReference, and a
  // reference that cannot be built reaches RecordEvent as its error.
  template <typename T>
  void FormattedArgs(const T& object, const Annotations* annotations, std::string_view type,
                     std::string_view reason, std::string_view format,
                     std::span<const FormatArg> args) {
    if constexpr (std::is_same_v<T, api::core::v1::ObjectReference>) {
      RecordFormattedEvent(object, annotations, type, reason, format, args);
    } else {
      auto reference = api::GetReference(object);
      if (reference.ok()) {
        RecordFormattedEvent(*reference, annotations, type, reason, format, args);
      } else {
        RecordEvent(std::move(reference), annotations, type, reason, SprintfArgs(format, args));
      }
    }
  }

  static std::string VFormat(const char* format, va_list args);
};

}  // namespace kube::record
