// kube::eventer::Metrics: the exporter's Prometheus metrics (prometheus-cpp), rendered in the
// text exposition format for /metrics.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kubeevents/tools/eventer/event_source.h"
#include "kubeevents/tools/eventer/receiver_worker.h"

namespace kube::eventer {

/// Every counter the exporter keeps. Thread-safe. Names (all prefixed `kube_eventer_`) are
/// listed in docs/eventer.md#metrics.
class Metrics {
 public:
  explicit Metrics(const std::vector<std::string>& receivers);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// An event change arrived from a watch.
  void Seen();
  /// It was not exported: reason is "route" (no receiver matched), "duplicate", "too_old",
  /// "already_exported" or "deleted".
  void Filtered(const std::string& reason);
  /// One outcome at one receiver.
  void Record(std::size_t receiver, Outcome outcome);
  /// The time from the event's last observation to its acknowledgement, in seconds.
  void ObserveLag(std::size_t receiver, double seconds);
  void SetQueueLength(std::size_t receiver, std::size_t length);
  /// Mirrors a source's counters (summed over sources by the caller).
  void SetSourceStats(const SourceStats& stats);
  void CheckpointWritten(bool ok);
  void SetSynced(bool synced);
  /// 1 leader, 0 standby; -1 leader election off (the gauge then reads 1).
  void SetLeader(int state);

  /// Counter value, for tests and the shutdown summary.
  double Value(const std::string& family,
               const std::vector<std::pair<std::string, std::string>>& labels = {}) const;
  /// The text exposition format.
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kube::eventer
