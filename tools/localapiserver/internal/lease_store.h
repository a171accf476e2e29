// Internal: the store of coordination.k8s.io/v1 Leases behind the local API server, with
// kube-apiserver's registry semantics: resourceVersions from a counter of its own (so an
// update always gets a new one), optimistic concurrency on update, create-on-update (the Lease
// strategy allows it), and the Lease validation of pkg/apis/coordination/validation.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/coordination/v1/lease.h"
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

  StatusOr<api::coordination::v1::Lease> Get(std::string_view ns, std::string_view name) const;

  struct ListResult {
    std::vector<api::coordination::v1::Lease> items;  ///< ordered by namespace/name
    std::uint64_t resource_version = 0;
  };
  /// The leases of `ns` ("" = every namespace).
  ListResult List(std::string_view ns) const;

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

 private:
  StatusOr<api::coordination::v1::Lease> CreateLocked(api::coordination::v1::Lease lease);

  const std::shared_ptr<Clock> clock_;
  mutable std::mutex mu_;
  std::uint64_t rv_ = 1;
  std::map<std::string, api::coordination::v1::Lease, std::less<>> items_;
};

}  // namespace kube::localapiserver::internal
