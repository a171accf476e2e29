// Internal: the one event store behind both APIs. Holds core/v1-shaped events (the
// apiserver's internal form), assigns monotonically increasing resourceVersions, expires
// events after the TTL (measured on the injected Clock, refreshed on every write, as the
// etcd lease of kube-apiserver's --event-ttl is), keeps a bounded change history for
// watches that resume from a resourceVersion, and fans changes out to watchers.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/tools/localapiserver/internal/selector.h"

namespace kube::localapiserver::internal {

using EventPtr = std::shared_ptr<const api::core::v1::Event>;

/// One change seen by a watch.
struct Change {
  /// kBookmark: a BOOKMARK frame at `bookmark_rv` (only to watchers that allow bookmarks).
  /// kRaw: `raw` bytes written verbatim (test fault injection: garbage, ERROR frames).
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kRaw };
  Type type = Type::kAdded;
  EventPtr object;  ///< for kDeleted: the last state, with the deletion's resourceVersion
  std::uint64_t bookmark_rv = 0;
  std::shared_ptr<const std::string> raw;
};

/// The consumer side of a watch. Thread-safe; the store pushes, the HTTP session drains.
class Watcher {
 public:
  Watcher(std::string namespace_, Selector selector, std::size_t max_queue);

  /// Takes every queued change. `closed` tells whether the store ended the watch.
  std::vector<Change> Drain(bool& closed);
  /// Called (without store locks held by the callee's concern) whenever changes arrive or the
  /// watch closes. Set once, before the watcher is registered.
  void SetNotify(std::function<void()> notify);
  /// Ends the watch from the consumer side; the store drops it on its next change.
  void Stop();
  bool stopped() const;
  /// Whether the store cut this watch (EventStore::CutWatchers): the transport then drops the
  /// connection without ending the chunked body, as a network failure would.
  bool cut() const;
  /// Whether the client asked for BOOKMARK frames (allowWatchBookmarks).
  bool allow_bookmarks() const { return allow_bookmarks_; }

 private:
  friend class EventStore;
  friend class LeaseStore;  // pushes ready frames (kRaw) of lease changes
  bool Accepts(const api::core::v1::Event& e) const;
  void Push(Change c);
  void Close(bool cut = false);

  const std::string namespace_;
  bool allow_bookmarks_ = false;  // set before registration
  bool cut_ = false;
  const Selector selector_;
  const std::size_t max_queue_;
  mutable std::mutex mu_;
  std::deque<Change> queue_;
  bool closed_ = false;
  bool stopped_ = false;
  std::function<void()> notify_;
};

/// The store. All methods are thread-safe.
class EventStore {
 public:
  struct Options {
    std::chrono::seconds ttl{3600};
    std::shared_ptr<Clock> clock;
    std::size_t history = 10000;             ///< changes kept for watch resumption
    std::size_t watch_queue_limit = 100000;  ///< a watcher further behind is closed
  };

  explicit EventStore(Options options);
  ~EventStore();

  /// The object, or null when absent (or expired).
  EventPtr Get(std::string_view ns, std::string_view name);

  struct ListResult {
    std::vector<EventPtr> items;
    std::uint64_t resource_version = 0;
    std::string last_key;  ///< non-empty when more matching items follow (for `continue`)
    std::int64_t remaining = 0;
  };
  /// Items of `ns` ("" = all namespaces) matching `selector`, ordered by namespace/name,
  /// starting after `start_after_key`, at most `limit` (0 = all).
  ListResult List(std::string_view ns, const Selector& selector, std::size_t limit,
                  std::string_view start_after_key);

  /// Stores a new object (metadata prepared by the caller); sets its resourceVersion.
  /// kAlreadyExists when the name is taken.
  StatusOr<EventPtr> Create(api::core::v1::Event event);

  /// The update callback: given the current object (null if absent) returns the object to
  /// store, or an error which is returned unchanged. Runs under the store lock.
  using UpdateFn = std::function<StatusOr<api::core::v1::Event>(const api::core::v1::Event*)>;
  /// Guaranteed update (AllowCreateOnUpdate when `allow_create`): kNotFound when absent and
  /// creation is not allowed. `created` tells which happened.
  StatusOr<EventPtr> Update(std::string_view ns, std::string_view name, bool allow_create,
                            const UpdateFn& fn, bool& created);

  /// Deletes; kNotFound when absent. `precondition_uid` / `precondition_rv` (when non-empty)
  /// must match or kFailedPrecondition is returned with the apiserver's message.
  StatusOr<EventPtr> Delete(std::string_view ns, std::string_view name,
                            std::string_view precondition_uid, std::string_view precondition_rv);

  /// Starts a watch. `from_rv` empty or "0": the current matching objects arrive first as
  /// ADDED; otherwise changes after that resourceVersion (kOutOfRange, "too old resource
  /// version", when it is older than the kept history).
  StatusOr<std::shared_ptr<Watcher>> Watch(std::string_view ns, Selector selector,
                                           std::string_view from_rv, std::function<void()> notify,
                                           bool allow_bookmarks = false);

  /// Sends a BOOKMARK at the current resourceVersion to every watcher that allows them.
  void Bookmark();
  /// Drops the whole change history: watches from any resourceVersion older than the current
  /// one then fail with "too old resource version" (410 Gone), as after an etcd compaction.
  void CompactHistory();
  /// Cuts every open watch (see Watcher::cut); new watches are unaffected.
  void CutWatchers();
  /// Queues `bytes` verbatim on every open watch stream (fault injection).
  void InjectRaw(std::string bytes);

  /// The latest resourceVersion.
  std::uint64_t ResourceVersion();
  /// Removes expired events now (also done at the start of every operation).
  void PurgeExpired();
  /// Closes every watch (server shutdown).
  void CloseWatchers();
  /// Number of stored events.
  std::size_t Size();

  /// The map key of an object: "<namespace>/<name>" (etcd order).
  static std::string Key(std::string_view ns, std::string_view name);

 private:
  struct Entry {
    EventPtr object;
    std::multimap<Clock::time_point, std::string>::iterator expiry;
  };

  void PurgeExpiredLocked();
  void RecordLocked(Change::Type type, const EventPtr& obj);
  EventPtr StampLocked(api::core::v1::Event&& event);
  void ArmExpiryLocked(Entry& entry, const std::string& key, bool replace);

  const Options options_;
  std::mutex mu_;
  std::uint64_t rv_ = 1;
  std::map<std::string, Entry, std::less<>> items_;
  std::multimap<Clock::time_point, std::string> expiries_;
  std::deque<std::pair<std::uint64_t, Change>> history_;
  std::uint64_t history_floor_ = 1;  ///< changes with rv > floor are all in history_
  std::vector<std::shared_ptr<Watcher>> watchers_;
};

}  // namespace kube::localapiserver::internal
