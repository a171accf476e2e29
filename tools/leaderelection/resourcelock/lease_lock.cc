#include "kubeevents/tools/leaderelection/resourcelock/lease_lock.h"

#include <algorithm>
#include <utility>

#include "kubeevents/api/json.h"

namespace kube::leaderelection::resourcelock {

namespace coordination = api::coordination::v1;
using api::meta::v1::MicroTime;

namespace {

constexpr std::string_view kGroupVersion = "coordination.k8s.io/v1";

rest::Request& Apply(rest::Request& r, const CallOptions& o) {
  return r.Timeout(std::max(o.timeout, std::chrono::milliseconds(1))).Cancellation(o.stop);
}

}  // namespace

LeaderElectionRecord LeaseSpecToLeaderElectionRecord(const coordination::LeaseSpec& spec) {
  LeaderElectionRecord r;
  r.holder_identity = spec.holder_identity.value_or("");
  r.lease_duration_seconds = spec.lease_duration_seconds.value_or(0);
  r.leader_transitions = spec.lease_transitions.value_or(0);
  if (spec.acquire_time) r.acquire_time = spec.acquire_time->time();
  if (spec.renew_time) r.renew_time = spec.renew_time->time();
  r.strategy = spec.strategy.value_or("");
  r.preferred_holder = spec.preferred_holder.value_or("");
  return r;
}

coordination::LeaseSpec LeaderElectionRecordToLeaseSpec(const LeaderElectionRecord& r) {
  coordination::LeaseSpec spec;
  spec.holder_identity = r.holder_identity;
  spec.lease_duration_seconds = r.lease_duration_seconds;
  spec.acquire_time = MicroTime(r.acquire_time);
  spec.renew_time = MicroTime(r.renew_time);
  spec.lease_transitions = r.leader_transitions;
  if (!r.strategy.empty()) spec.strategy = r.strategy;
  if (!r.preferred_holder.empty()) spec.preferred_holder = r.preferred_holder;
  return spec;
}

LeaseLock::LeaseLock(std::shared_ptr<rest::RESTClient> client, std::string namespace_,
                     std::string name, std::string identity)
    : client_(std::move(client)),
      namespace_(std::move(namespace_)),
      name_(std::move(name)),
      identity_(std::move(identity)) {}

StatusOr<ObservedRecord> LeaseLock::Get(const CallOptions& options) {
  auto req = client_->Get();
  req.GroupVersion(kGroupVersion).Namespace(namespace_).Resource("leases").Name(name_);
  auto lease = Apply(req, options).Do().Into<coordination::Lease>();
  if (!lease) return lease.status();
  ObservedRecord out;
  out.record = LeaseSpecToLeaderElectionRecord(lease->spec);
  out.raw = api::ToJson(lease->spec);
  std::lock_guard lock(mu_);
  lease_ = std::move(*lease);
  return out;
}

Status LeaseLock::Create(const CallOptions& options, const LeaderElectionRecord& record) {
  coordination::Lease lease;
  lease.metadata.name = name_;
  lease.metadata.namespace_ = namespace_;
  lease.spec = LeaderElectionRecordToLeaseSpec(record);
  auto req = client_->Post();
  req.GroupVersion(kGroupVersion).Namespace(namespace_).Resource("leases").Body(lease);
  auto created = Apply(req, options).Do().Into<coordination::Lease>();
  if (!created) return created.status();
  std::lock_guard lock(mu_);
  lease_ = std::move(*created);
  return {};
}

Status LeaseLock::Update(const CallOptions& options, const LeaderElectionRecord& record) {
  coordination::Lease lease;
  {
    std::lock_guard lock(mu_);
    if (!lease_) {
      return FailedPreconditionError("lease " + Describe() +
                                     " not initialized, call Get or Create first");
    }
    lease = *lease_;
  }
  lease.spec = LeaderElectionRecordToLeaseSpec(record);
  auto req = client_->Put();
  req.GroupVersion(kGroupVersion).Namespace(namespace_).Resource("leases").Name(name_).Body(lease);
  auto updated = Apply(req, options).Do().Into<coordination::Lease>();
  if (!updated) return updated.status();
  std::lock_guard lock(mu_);
  lease_ = std::move(*updated);
  return {};
}

}  // namespace kube::leaderelection::resourcelock
