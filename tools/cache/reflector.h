// kube::cache::Reflector<T>: lists a resource, then watches it from the list's
// resourceVersion, delivering every change exactly once per (uid, resourceVersion) to a
// handler — client-go tools/cache Reflector.ListAndWatch semantics (docs/cache.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/tools/cache/list_watch.h"

namespace kube::cache {

/// One change delivered by a Reflector. `from_relist` marks deltas computed by comparing a
/// re-list (after 410 Gone, a garbage stream or an ERROR frame) with what was delivered
/// before; a kDeleted from a re-list carries only the metadata the reflector remembered
/// (namespace, name, uid, resourceVersion): the final state is unknown, as client-go's
/// DeletedFinalStateUnknown.
template <typename T>
struct Delta {
  enum class Type { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  T object;
  bool from_relist = false;
};

/// Tuning, with client-go's reflector defaults.
struct ReflectorOptions {
  /// Resume point (e.g. from a checkpoint): non-empty = watch from it without listing first;
  /// on 410 Gone the re-list delivers only objects newer than it (docs/cache.md). "" = list.
  std::string initial_resource_version;
  /// Exponential backoff between failed lists/watches: initial 800 ms, doubling, at most 30 s,
  /// each wait multiplied by (1 + jitter * U[0,1)); reset after `backoff_reset` without
  /// failures (client-go: 800 ms, 30 s, jitter 1.0, 2 min).
  std::chrono::milliseconds initial_backoff{800};
  std::chrono::milliseconds max_backoff{30000};
  double jitter = 1.0;
  std::chrono::milliseconds backoff_reset{120000};
  /// Each watch asks the server to end it after a random timeoutSeconds in
  /// [min_watch_timeout, 2 * min_watch_timeout) (client-go: 5 min), spreading reconnects.
  std::chrono::seconds min_watch_timeout{300};
  /// Client-side silence limit per read; 0 = timeoutSeconds + 60 s.
  std::chrono::milliseconds watch_idle_timeout{0};
  bool allow_watch_bookmarks = true;
  std::int64_t page_size = 500;  ///< list limit per page (0 = unpaged)
  /// Most uids remembered for deduplication (oldest forgotten first; ~120 bytes each plus
  /// the namespace/name lengths). A forgotten object may be delivered again by a re-list.
  std::size_t max_known_objects = 100000;
  /// Null = the default logger.
  std::shared_ptr<Logger> logger;
};

/// Counters (monotonic since Start). Every frame that was not delivered is in one of them.
struct ReflectorStats {
  std::uint64_t lists = 0;           ///< successful full lists (initial + re-lists)
  std::uint64_t relists = 0;         ///< of which re-lists after a failure
  std::uint64_t list_errors = 0;     ///< failed list attempts
  std::uint64_t watches = 0;         ///< watch streams established
  std::uint64_t watch_restarts = 0;  ///< re-watches from the last resourceVersion
  std::uint64_t watch_errors = 0;    ///< failed watch attempts / broken streams
  std::uint64_t gone_410 = 0;        ///< "too old resource version" (HTTP or ERROR frame)
  std::uint64_t decode_errors = 0;   ///< garbage streams and undecodable objects
  std::uint64_t error_events = 0;    ///< ERROR frames (including 410 ones)
  std::uint64_t bookmarks = 0;       ///< BOOKMARK frames
  std::uint64_t added = 0;           ///< deltas delivered, by type
  std::uint64_t modified = 0;
  std::uint64_t deleted = 0;
  std::uint64_t deduped = 0;  ///< changes not delivered: same uid+resourceVersion already seen
};

/// The Reflector. T is api::core::v1::Event or api::events::v1::Event.
///
/// Delivery: the handler runs on the reflector's own thread, one delta at a time, in the
/// order the server produced the changes; ADDED and MODIFIED alike (a count bump of an
/// aggregated event is a MODIFIED and is delivered). A change is delivered once per
/// (uid, resourceVersion) while the uid is remembered (see max_known_objects).
template <typename T>
class Reflector {
 public:
  using Handler = std::function<void(const Delta<T>&)>;

  Reflector(ListWatch list_watch, Handler handler, ReflectorOptions options = {});
  /// Stops and joins.
  ~Reflector();
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  /// Starts the list/watch thread. Idempotent.
  void Start();
  /// Cancels the current list/watch and backoff wait and joins the thread (the handler is not
  /// called after Stop returns). From inside the handler it only requests the stop.
  void Stop();

  /// The resourceVersion of the last list, watch event or bookmark delivered/processed: what
  /// to checkpoint and later pass as initial_resource_version.
  std::string LastSyncResourceVersion() const;
  /// True after the first successful list (or, when resuming, the first established watch).
  bool HasSynced() const;
  ReflectorStats Stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

using EventReflector = Reflector<api::core::v1::Event>;
using EventsV1Reflector = Reflector<api::events::v1::Event>;

/// A ListWatch for core/v1 Events (`/api/v1/[namespaces/<ns>/]events`).
ListWatch NewEventListWatch(std::shared_ptr<rest::RESTClient> client, std::string namespace_ = "",
                            std::string field_selector = "", std::string label_selector = "");
/// A ListWatch for events.k8s.io/v1 Events.
ListWatch NewEventsV1ListWatch(std::shared_ptr<rest::RESTClient> client,
                               std::string namespace_ = "", std::string field_selector = "",
                               std::string label_selector = "");

}  // namespace kube::cache
