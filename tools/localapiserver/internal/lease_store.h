// Internal: the store of coordination.k8s.io/v1 Leases behind the local API server, with
// kube-apiserver's registry semantics: resourceVersions from a counter of its own (so an
// update always gets a new one), optimistic concurrency on update, create-on-update (the Lease
// strategy allows it), and the Lease validation of pkg/apis/coordination/validation.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/coordination/v1/lease.h"
#include "kubeevents/tools/localapiserver/internal/selector.h"
#include "kubeevents/tools/localapiserver/internal/store.h"
#include "kubeevents/tools/localapiserver/internal/validation.h"

namespace kube::localapiserver::internal {

/// ValidateLease (create): DNS-subdomain name, namespace, and the spec rules
/// (leaseDurationSeconds > 0, leaseTransitions >= 0, strategy, preferredHolder needs a
/// strategy), then the generic ObjectMeta checks.
FieldErrors ValidateLeaseCreate(const api::coordination::v1::Lease& lease);
/// ValidateLeaseUpdate: the ObjectMeta update rules plus the spec rules.
FieldErrors ValidateLeaseUpdate(const api::coordination::v1::Lease& lease,
                                const api::coordination::v1::Lease& old);

/// The Lease store. Errors are kube::Status values carrying the apiserver's metav1.Status
/// (NotFound 404, AlreadyExists 409, Conflict 409, Invalid 422), ready to be sent. Thread-safe.
class LeaseStore {
 public:
  explicit LeaseStore(std::shared_ptr<Clock> clock);
  /// Closes every watch.
  ~LeaseStore();

  StatusOr<api::coordination::v1::Lease> Get(std::string_view ns, std::string_view name) const;

  struct ListResult {
    std::vector<api::coordination::v1::Lease> items;  ///< ordered by namespace/name
    std::uint64_t resource_version = 0;
  };
  /// The leases of `ns` ("" = every namespace) that `selector` matches.
  ListResult List(std::string_view ns, const Selector& selector = Selector()) const;

  /// POST: sets uid, creationTimestamp and resourceVersion (which must be empty).
  StatusOr<api::coordination::v1::Lease> Create(api::coordination::v1::Lease lease);

  /// PUT: with metadata.resourceVersion set it must equal the stored one (else Conflict:
  /// "the object has been modified; ..."); empty means unconditional. An absent lease is
  /// created (`created` is then true).
  StatusOr<api::coordination::v1::Lease> Update(api::coordination::v1::Lease lease, bool& created);

  /// DELETE, with an optional resourceVersion precondition (Conflict when it does not match).
  StatusOr<api::coordination::v1::Lease> Delete(std::string_view ns, std::string_view name,
                                                std::string_view precondition_rv);

  std::size_t Size() const;

  /// Encodes one watch frame, `{"type":…,"object":…}\n`, for a change ("ADDED", "MODIFIED",
  /// "DELETED") of a lease: as JSON, or as a one-row Table for kubectl. Called under the
  /// store's lock, once per watcher and change.
  using FrameEncoder =
      std::function<std::string(std::string_view type, const api::coordination::v1::Lease&)>;
  /// Starts a watch of the leases of `ns` ("" = every namespace). `from_rv` "" or "0": the
  /// current leases arrive first as ADDED, then every change; otherwise the changes after
  /// that resourceVersion, replayed from the history of the last `kHistory` changes —
  /// kOutOfRange "too old resource version: <rv> (<oldest>)" when it no longer has them (the
  /// handler sends that as a 410 Expired ERROR frame), kInvalidArgument for a non-number.
  /// Every change reaches the watcher as a ready frame (Change::Type::kRaw).
  /// Only leases `selector` matches are sent (a DELETED frame when a matching lease goes).
  StatusOr<std::shared_ptr<Watcher>> Watch(std::string_view ns, Selector selector,
                                           std::string_view from_rv, FrameEncoder encode);
  /// Ends every open watch (server shutdown).
  void CloseWatchers();

  /// Changes kept for watches that resume from a resourceVersion.
  static constexpr std::size_t kHistory = 1000;
  /// A watcher this far behind is closed (its client re-lists).
  static constexpr std::size_t kWatchQueueLimit = 10000;

 private:
  struct HistoryEntry {
    std::uint64_t resource_version = 0;
    const char* type = "";
    api::coordination::v1::Lease lease;
  };
  struct LeaseWatch {
    std::string ns;
    Selector selector;
    FrameEncoder encode;
    std::shared_ptr<Watcher> watcher;
  };
  StatusOr<api::coordination::v1::Lease> CreateLocked(api::coordination::v1::Lease lease);
  // Records a change in the history and sends it to the watchers of its namespace.
  void PublishLocked(const char* type, const api::coordination::v1::Lease& lease);

  const std::shared_ptr<Clock> clock_;
  mutable std::mutex mu_;
  std::uint64_t rv_ = 1;
  std::map<std::string, api::coordination::v1::Lease, std::less<>> items_;
  std::deque<HistoryEntry> history_;  ///< oldest first, at most kHistory
  std::vector<LeaseWatch> watches_;
};

}  // namespace kube::localapiserver::internal
