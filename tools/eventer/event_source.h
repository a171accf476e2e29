// kube::eventer::EventSource: where the exporter's events come from — a list+watch of core/v1
// Events (the Reflector), or anything a test feeds directly.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kubeevents/api/common/status.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/tools/eventer/exported_event.h"

namespace kube::eventer {

/// Counters of a source (the Reflector's Stats()).
struct SourceStats {
  std::uint64_t lists = 0;
  std::uint64_t relists = 0;
  std::uint64_t watch_restarts = 0;
  std::uint64_t gone_410 = 0;
  std::uint64_t decode_errors = 0;
  std::uint64_t error_events = 0;
  std::uint64_t bookmarks = 0;

  /// Adds `other`'s counters to these (several sources, or a source's reflectors over time).
  SourceStats& operator+=(const SourceStats& other) {
    lists += other.lists;
    relists += other.relists;
    watch_restarts += other.watch_restarts;
    gone_410 += other.gone_410;
    decode_errors += other.decode_errors;
    error_events += other.error_events;
    bookmarks += other.bookmarks;
    return *this;
  }
};

/// One change reported by a source.
struct SourceChange {
  ChangeType type = ChangeType::kAdded;
  api::core::v1::Event event;
  bool from_relist = false;  ///< an item of a (re-)list, not a watch event
};

/// What a source calls, on its own thread, in order.
struct SourceHandlers {
  /// A change. Watch events arrive in resourceVersion order; list items in any order.
  std::function<void(SourceChange&&)> on_change;
  /// Everything up to `resource_version` has been passed to on_change: after a list (its
  /// version) and on bookmarks. May be called repeatedly with the same version.
  std::function<void(const std::string& resource_version)> on_progress;
};

/// A source of event changes for one watch (namespace + field selector).
class EventSource {
 public:
  virtual ~EventSource() = default;
  /// Starts delivering. `resume_version` non-empty: watch from there (a list when it is too
  /// old); empty: list first.
  virtual Status Start(const std::string& resume_version, SourceHandlers handlers) = 0;
  /// Stops; no handler runs after it returns.
  virtual void Stop() = 0;
  /// A first list has been delivered.
  virtual bool HasSynced() const = 0;
  virtual SourceStats Stats() const = 0;
  /// A resourceVersion up to which every change has already been passed to on_change (the
  /// last list, watch event or bookmark), or "" when the source reports progress only through
  /// on_progress. Polled by the exporter; must never run ahead of delivery.
  virtual std::string DeliveredVersion() const { return {}; }
};

}  // namespace kube::eventer
