// kube::leaderelection: leader election on a lock object (client-go tools/leaderelection).
//
// Candidates sharing a lock race to write their identity into it; the holder renews it every
// retry_period, the others take it over only once it has gone unrenewed for lease_duration as
// measured on their own clock. Like client-go's, this is not fencing: a leader that is paused
// (GC, swap, SIGSTOP, a stalled network) can still act on its belief for up to lease_duration
// after its last renewal started. See docs/leaderelection.md.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>
#include <thread>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/tools/leaderelection/resourcelock/interface.h"

namespace kube::leaderelection {

/// leaderelection.JitterFactor: the acquire loop waits retry_period * (1 + [0, 1.2)).
inline constexpr double kJitterFactor = 1.2;

/// leaderelection.LeaderCallbacks.
struct LeaderCallbacks {
  /// Required. Runs on a thread of its own once this candidate leads; must return promptly
  /// once its stop_token is stopped (leadership lost, or Run stopped). Run joins it.
  std::function<void(std::stop_token)> on_started_leading;
  /// Required. Called when Run returns, after on_started_leading has returned (as client-go,
  /// also when this candidate never led).
  std::function<void()> on_stopped_leading;
  /// Optional. Called on the elector's thread with the new holder's identity whenever the
  /// observed holder changes ("" after a release). Keep it short: renewals wait for it.
  std::function<void(const std::string& identity)> on_new_leader;
};

/// leaderelection.LeaderElectionConfig. Defaults are client-go's (15 s / 10 s / 2 s).
struct LeaderElectionConfig {
  /// Required: the lock, e.g. a resourcelock::LeaseLock(client, namespace, name, identity).
  std::shared_ptr<resourcelock::Interface> lock;
  /// How long non-leaders wait after the last observed change before taking over. Stored in
  /// the lock in whole seconds (truncated, like client-go).
  std::chrono::milliseconds lease_duration{15'000};
  /// How long the leader keeps retrying to renew before giving up, counted from the start of
  /// its last successful renewal.
  std::chrono::milliseconds renew_deadline{10'000};
  /// Wait between attempts (jittered by kJitterFactor while acquiring).
  std::chrono::milliseconds retry_period{2'000};
  LeaderCallbacks callbacks;
  /// When Run ends while leading, write an empty holder (leaseDurationSeconds 1) so another
  /// candidate can take over at once instead of after lease_duration.
  bool release_on_cancel = false;
  /// Name for logs (client-go's Name); defaults to the lock's Describe().
  std::string name;
  /// Time source for the lease arithmetic and waits. Null = the real clock.
  std::shared_ptr<Clock> clock;
  /// Null = MakeDefaultLogger().
  std::shared_ptr<Logger> logger;
};

/// Checks a config as client-go's NewLeaderElector does: lease_duration > renew_deadline >
/// kJitterFactor * retry_period, all > 0, both required callbacks set, a lock with a non-empty
/// identity. Beyond client-go: lease_duration truncated to whole seconds (what the lock
/// stores and other candidates wait) must still exceed renew_deadline. The error
/// (kInvalidArgument) names the field.
Status ValidateLeaderElectionConfig(const LeaderElectionConfig& config);

/// leaderelection.LeaderElector. Thread-safe: IsLeader()/GetLeader() from any thread.
///
/// @code
/// auto lock = std::make_shared<resourcelock::LeaseLock>(client, "kube-system", "kube-eventer",
///                                                       hostname);
/// auto elector = LeaderElector::Create({.lock = lock, .callbacks = {
///     .on_started_leading = [&](std::stop_token stop) { ExportUntil(stop); },
///     .on_stopped_leading = [] {}}}).value();
/// elector->Start();   // or elector->Run(stop) on a thread of yours
/// @endcode
class LeaderElector {
 public:
  /// NewLeaderElector: validates the config (ValidateLeaderElectionConfig).
  static StatusOr<std::unique_ptr<LeaderElector>> Create(LeaderElectionConfig config);

  /// Stops and joins the thread of Start(), if any.
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  /// Blocks: tries to acquire the lock until `stop` is stopped; once acquired, runs
  /// on_started_leading and renews until `stop` is stopped or a renewal did not succeed within
  /// renew_deadline; then stops on_started_leading's token and joins it, releases the lock
  /// when release_on_cancel, and calls on_stopped_leading. Like client-go, it does not try to
  /// lead again: call Run again (never concurrently) to stand for election anew.
  void Run(std::stop_token stop);

  /// Runs Run on a thread owned by this elector. kFailedPrecondition when already running.
  Status Start();
  /// Stops the thread of Start() and joins it (no-op when not started).
  void Stop();
  /// Whether Run (from Start() or a caller's thread) is active.
  bool Running() const { return running_.load(); }

  /// True while this candidate leads: it acquired the lock, the last record it observed names
  /// it, and its last successful write started less than renew_deadline ago (so no candidate
  /// with the same settings can have taken over yet).
  bool IsLeader() const;
  /// The holder identity of the last observed record ("" when none).
  std::string GetLeader() const;

  const LeaderElectionConfig& config() const { return config_; }

 private:
  explicit LeaderElector(LeaderElectionConfig config);

  /// Run's body; the caller has set running_ (cleared here before on_stopped_leading).
  void RunBody(std::stop_token stop);
  bool Acquire(std::stop_token stop);
  /// Returns when leadership is lost or `stop` is stopped.
  void Renew(std::stop_token stop);
  bool TryAcquireOrRenew(std::stop_token stop, std::chrono::milliseconds timeout);
  bool Release();
  void MaybeReportTransition();

  // Observed state, under mu_.
  bool ObservedSelfLocked() const;
  bool IsLeaseValidLocked(Clock::time_point now) const;
  void SetObservedRecordLocked(const resourcelock::LeaderElectionRecord& record);

  Clock::duration Jittered(Clock::duration d);

  const LeaderElectionConfig config_;
  const std::string identity_;
  const std::string describe_;

  mutable std::mutex mu_;
  resourcelock::LeaderElectionRecord observed_record_;
  std::string observed_raw_;
  Clock::time_point observed_time_{};
  bool leading_ = false;
  Clock::time_point last_write_start_{};  ///< start of the last successful write
  std::string reported_leader_;           // elector thread only
  std::mt19937_64 rng_;                   // elector thread only

  std::atomic<bool> running_{false};
  std::mutex thread_mu_;
  std::jthread thread_;
};

}  // namespace kube::leaderelection
