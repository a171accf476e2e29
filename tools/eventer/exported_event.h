// kube::eventer::ExportedEvent: one change of a core/v1 Event on its way to the receivers.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kubeevents/api/core/v1/event.h"

namespace kube::eventer {

class ProgressTracker;

/// The kind of change the watch reported.
enum class ChangeType { kAdded, kModified, kDeleted };

/// "ADDED" / "MODIFIED" / "DELETED".
const char* ChangeTypeName(ChangeType type);

/// An event change as routed and delivered. Immutable once dispatched and shared by every
/// receiver it is routed to.
struct ExportedEvent {
  ChangeType change = ChangeType::kAdded;
  api::core::v1::Event event;
  /// The event's JSON as the apiserver serves it (api::ToJson of `event`), encoded once on
  /// first use by whichever receiver thread needs it first — off the watch thread, and not
  /// at all when no receiver's template asks for it.
  const std::string& Json() const;
  /// The involved object's labels (filled only when a rule or template needs them).
  std::shared_ptr<const std::map<std::string, std::string>> labels;
  /// Which watch it came from (index into the exporter's sources) and its place in that
  /// watch's order; used for acknowledgement bookkeeping.
  std::size_t source = 0;
  std::uint64_t sequence = 0;
  std::shared_ptr<ProgressTracker> tracker;  ///< settles (source, sequence); may be null

 private:
  // The encoded form; a copy starts without it (and encodes its own event when asked).
  // Double-checked with a mutex rather than std::call_once: glibc's call_once makes a futex
  // wake system call every time it runs an initializer, i.e. once per exported event.
  struct JsonCache {
    JsonCache() = default;
    JsonCache(const JsonCache&) {}
    JsonCache& operator=(const JsonCache&) { return *this; }
    std::atomic<bool> ready{false};  // text is written and final
    std::mutex mu;                   // the first reader encodes under it
    std::string text;
  };
  mutable JsonCache json_;
};

}  // namespace kube::eventer
