// kube::watch::Event, EventType and Interface: the watch vocabulary of apimachinery's
// pkg/watch (watch.go), shared by the Broadcaster and everything that drains it.
#pragma once

#include <memory>
#include <string_view>
#include <typeinfo>
#include <utility>

#include "kubeevents/watch/chan.h"

namespace kube::watch {

/// The kind of change a watch Event reports (Go watch.EventType). Event recorders always
/// use kAdded.
enum class EventType { kAdded, kModified, kDeleted, kBookmark, kError };

/// The Go spelling: "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR".
std::string_view ToString(EventType type);

/// One watch event: a type and a shared, immutable payload (Go watch.Event{Type, Object}).
/// Copying an Event copies a shared_ptr, so one event fans out to many watchers without
/// copying the object. The payload's dynamic type is recorded so consumers can ask for it.
struct Event {
  EventType type = EventType::kAdded;
  std::shared_ptr<const void> object;           ///< the payload (may be null)
  const std::type_info* object_type = nullptr;  ///< typeid of *object, null when no payload

  /// An Event owning a copy of `value` (one allocation: make_shared).
  template <class T>
  static Event Make(EventType type, T value) {
    return Event{type, std::make_shared<const T>(std::move(value)), &typeid(T)};
  }

  /// An Event sharing an existing immutable object.
  template <class T>
  static Event Share(EventType type, std::shared_ptr<const T> value) {
    const std::type_info* info = value ? &typeid(T) : nullptr;
    return Event{type, std::move(value), info};
  }

  /// The payload as a T, or nullptr when there is none or it is not a T.
  template <class T>
  const T* As() const {
    if (object_type == nullptr || !object) return nullptr;
    if (object_type != &typeid(T) && *object_type != typeid(T)) return nullptr;
    return static_cast<const T*>(object.get());
  }
};

/// A watcher (Go watch.Interface): a result channel of Events and a way to stop.
class Interface {
 public:
  virtual ~Interface() = default;
  /// Stops watching: the result channel is closed (events already buffered stay readable)
  /// and no more events are added. Idempotent; safe from any thread, including from inside
  /// the loop that drains ResultChan().
  virtual void Stop() = 0;
  /// The channel events arrive on; it is closed when the watch ends (Stop or Shutdown).
  virtual Chan<Event>& ResultChan() = 0;
};

/// A watch whose channel is already closed; Stop is a no-op (Go watch.NewEmptyWatch).
std::shared_ptr<Interface> NewEmptyWatch();

}  // namespace kube::watch
