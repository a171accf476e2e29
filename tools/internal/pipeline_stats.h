// Internal: the counters both pipelines share, copied into their public Stats structs.
#pragma once

#include <atomic>
#include <cstdint>

#include "kubeevents/watch/broadcaster.h"

namespace kube::tools::internal {

inline std::uint64_t Load(const std::atomic<std::uint64_t>& a) {
  return a.load(std::memory_order_relaxed);
}

/// Fills the fields RecordStats and EventsStats have in common: the emit side (from the mux
/// and the recorders' counters) and the sink writes.
template <typename Stats, typename Counters>
void FillCommonStats(Stats& s, const watch::BroadcasterStats& mux, const Counters& c) {
  s.emitted = mux.accepted;
  s.dropped_queue_full = mux.dropped_incoming;
  s.dropped_consumer_full = mux.dropped_watcher_full;
  s.dropped_shutdown = Load(c.dropped_shutdown);
  s.dropped_invalid = Load(c.dropped_invalid);
  s.abandoned = Load(c.abandoned);
  s.created = Load(c.created);
  s.patched = Load(c.patched);
  s.retries = Load(c.retries);
  s.failed_rejected = Load(c.failed_rejected);
  s.failed_quietly = Load(c.failed_quietly);
  s.failed_request_building = Load(c.failed_request_building);
  s.failed_retry_limit = Load(c.failed_retry_limit);
  s.failed_shutdown = Load(c.failed_shutdown);
}

}  // namespace kube::tools::internal
