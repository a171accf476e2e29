// kube::leaderelection::resourcelock::LeaseLock: a coordination.k8s.io/v1 Lease as the lock
// (client-go resourcelock.LeaseLock, the only lock type client-go still recommends).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kubeevents/api/coordination/v1/lease.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/leaderelection/resourcelock/interface.h"

namespace kube::leaderelection::resourcelock {

/// Converts a Lease's spec to the record (absent fields are zero), and back (every field
/// set, strategy/preferredHolder only when non-empty), as client-go's LeaseLock does.
LeaderElectionRecord LeaseSpecToLeaderElectionRecord(const api::coordination::v1::LeaseSpec& spec);
api::coordination::v1::LeaseSpec LeaderElectionRecordToLeaseSpec(const LeaderElectionRecord& r);

/// The Lease `namespace_/name`, held as `identity`. Talks to the API server through `client`
/// (GET, POST, PUT on /apis/coordination.k8s.io/v1/namespaces/<ns>/leases[/<name>]); updates
/// carry the resourceVersion of the Lease last seen, so a concurrent writer yields a 409
/// Conflict instead of a lost update. Thread-safe.
class LeaseLock final : public Interface {
 public:
  LeaseLock(std::shared_ptr<rest::RESTClient> client, std::string namespace_, std::string name,
            std::string identity);

  StatusOr<ObservedRecord> Get(const CallOptions& options) override;
  Status Create(const CallOptions& options, const LeaderElectionRecord& record) override;
  Status Update(const CallOptions& options, const LeaderElectionRecord& record) override;
  std::string Identity() const override { return identity_; }
  std::string Describe() const override { return namespace_ + "/" + name_; }

  const std::string& lease_namespace() const { return namespace_; }
  const std::string& lease_name() const { return name_; }

 private:
  const std::shared_ptr<rest::RESTClient> client_;
  const std::string namespace_;
  const std::string name_;
  const std::string identity_;
  mutable std::mutex mu_;
  std::optional<api::coordination::v1::Lease> lease_;  ///< last read or written
};

}  // namespace kube::leaderelection::resourcelock
