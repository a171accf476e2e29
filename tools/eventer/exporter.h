// kube::eventer::Exporter: the pipeline of kube-eventer — sources (watches) → dedupe → route →
// per-receiver queues → receivers, with the acknowledgement bookkeeping that drives the
// checkpoint, and the metrics.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/tools/eventer/checkpoint.h"
#include "kubeevents/tools/eventer/config.h"
#include "kubeevents/tools/eventer/dedupe.h"
#include "kubeevents/tools/eventer/event_source.h"
#include "kubeevents/tools/eventer/label_cache.h"
#include "kubeevents/tools/eventer/metrics.h"
#include "kubeevents/tools/eventer/progress_tracker.h"
#include "kubeevents/tools/eventer/receiver_worker.h"
#include "kubeevents/tools/eventer/route.h"
#include "kubeevents/tools/eventer/template.h"

namespace kube::eventer {

/// Builds the receiver a ReceiverConfig describes (with its template).
StatusOr<std::unique_ptr<Receiver>> MakeReceiver(const ReceiverConfig& config,
                                                 std::shared_ptr<Logger> logger);

/// One watch: the source and the key it is checkpointed under.
struct Watch {
  std::string checkpoint_key;
  std::unique_ptr<EventSource> source;
};

/// The exporter. Life cycle: Create (receivers start, queues empty) → StartWatches (reads the
/// checkpoint, starts the sources from it) → StopWatches (leadership lost, or shutting down;
/// writes the checkpoint) → Shutdown (drains the queues up to a deadline, final checkpoint).
///
/// Guarantee (docs/eventer.md#delivery-guarantees): the checkpoint of a watch only moves past
/// an event once every receiver it was routed to has acknowledged it or accounted for it as
/// dropped (queue full) or failed — both counted in metrics and logged. Events still queued at
/// shutdown are not acknowledged, so they are delivered again after a restart.
class Exporter {
 public:
  /// `receivers` empty: built from config.receivers with MakeReceiver; otherwise one per
  /// config.receivers entry, in order (tests inject their own). `fetch_labels` may be null
  /// (label rules then never match).
  static StatusOr<std::unique_ptr<Exporter>> Create(
      Config config, std::shared_ptr<Logger> logger,
      std::vector<std::unique_ptr<Receiver>> receivers = {},
      LabelCache::Fetch fetch_labels = nullptr);
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  /// Starts the watches, each from its checkpointed resourceVersion (a corrupt checkpoint is
  /// logged as a warning and ignored: the watches list from scratch).
  Status StartWatches(std::vector<Watch> watches);
  /// Stops the watches and writes the checkpoint. Receivers keep draining.
  void StopWatches();
  /// StopWatches, then waits up to `drain` for the queues, stops the receivers and writes the
  /// final checkpoint.
  void Shutdown(std::chrono::milliseconds drain);

  /// Leader-election state for /readyz and the metrics: -1 off, 0 standby, 1 leader.
  void SetLeaderState(int state);
  /// /readyz: every watch synced (or explicitly standby).
  std::pair<bool, std::string> Ready() const;
  /// /metrics text (refreshes the mirrored watch counters and queue lengths first).
  std::string RenderMetrics();
  Metrics& metrics() { return *metrics_; }
  /// Writes the checkpoint now if it changed (also done every checkpoint.interval).
  void FlushCheckpoint();
  /// The checkpointed resourceVersion per watch key, as last written or read.
  CheckpointState checkpoint() const;

  /// Feeds one change as watch `index` would (the seam the sources call; tests use it too).
  void OnChange(std::size_t index, SourceChange&& change);
  void OnProgress(std::size_t index, const std::string& resource_version);

 private:
  Exporter() = default;
  void OnDone(std::size_t receiver, const ExportedEvent& e, Outcome outcome);

  Config config_;
  std::shared_ptr<Logger> logger_;
  std::unique_ptr<Metrics> metrics_;
  Router router_;
  std::vector<Template> templates_;
  bool needs_labels_ = false;
  std::unique_ptr<LabelCache> labels_;
  std::vector<std::unique_ptr<ReceiverWorker>> workers_;

  std::mutex dispatch_mu_;  // one change at a time through dedupe/route/offer
  DedupeCache dedupe_{0};
  std::vector<bool> targets_;

  struct WatchState {
    std::string key;
    std::string resume_version;  // from the checkpoint at start
    std::unique_ptr<EventSource> source;
    std::shared_ptr<ProgressTracker> tracker = std::make_shared<ProgressTracker>();
    bool listed = false;  // a first list was delivered
    std::string polled;   // last DeliveredVersion() added as a marker
  };
  std::vector<WatchState> watches_;
  mutable std::mutex state_mu_;  // watches_ vector, checkpoint_
  CheckpointState checkpoint_;
  std::atomic<int> leader_{-1};
  std::jthread checkpointer_;
  std::mutex checkpoint_write_mu_;
};

}  // namespace kube::eventer
