// kube::leaderelection::resourcelock: the lock abstraction leader election runs on (client-go
// tools/leaderelection/resourcelock Interface and LeaderElectionRecord).
#pragma once

#include <chrono>
#include <stop_token>
#include <string>
#include <utility>

#include "kubeevents/api/common/status.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/meta/v1/time.h"

namespace kube::leaderelection::resourcelock {

/// resourcelock.LeaderElectionRecord: what a lock stores about its holder. An empty
/// `holder_identity` means nobody holds the lock (it was released).
struct LeaderElectionRecord {
  std::string holder_identity;
  int lease_duration_seconds = 0;  ///< whole seconds, as the Lease stores them
  api::meta::v1::TimePoint acquire_time{};
  api::meta::v1::TimePoint renew_time{};
  int leader_transitions = 0;
  std::string strategy;  ///< coordinated election only; empty otherwise
  std::string preferred_holder;
  friend bool operator==(const LeaderElectionRecord&, const LeaderElectionRecord&) = default;
};

/// The per-call "context" of a lock operation: cancellation and a deadline.
struct CallOptions {
  std::stop_token stop;                       ///< cancels the request (kCancelled)
  std::chrono::milliseconds timeout{10'000};  ///< bound on the whole request
};

/// The record as read, and its raw serialized form. The elector compares raw forms to notice
/// that the holder wrote (renewed) since the last observation.
struct ObservedRecord {
  LeaderElectionRecord record;
  std::string raw;
};

/// resourcelock.Interface: a lock object on the API server. Implementations are used from
/// one elector thread at a time but must tolerate Identity()/Describe() from any thread.
class Interface {
 public:
  virtual ~Interface() = default;
  /// Reads the record. A missing lock object is an error for which
  /// kube::api::errors::IsNotFound is true.
  virtual StatusOr<ObservedRecord> Get(const CallOptions& options) = 0;
  /// Creates the lock object holding `record` (AlreadyExists when someone was faster).
  virtual Status Create(const CallOptions& options, const LeaderElectionRecord& record) = 0;
  /// Replaces the record, conditional on the object last read or written through this lock
  /// being current (a Conflict otherwise): optimistic concurrency.
  virtual Status Update(const CallOptions& options, const LeaderElectionRecord& record) = 0;
  /// The identity this candidate writes as holder.
  virtual std::string Identity() const = 0;
  /// "namespace/name", for logs.
  virtual std::string Describe() const = 0;
};

}  // namespace kube::leaderelection::resourcelock
