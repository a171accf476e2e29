// coordination.k8s.io/v1 Lease, LeaseSpec and LeaseList: the object leader election locks on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kubeevents/api/meta/v1/list_meta.h"
#include "kubeevents/api/meta/v1/object_meta.h"
#include "kubeevents/api/meta/v1/time.h"
#include "kubeevents/api/meta/v1/type_meta.h"

namespace kube::api::coordination::v1 {

/// coordinationv1.CoordinatedLeaseStrategy: how a coordinated leader election picks a holder.
inline constexpr const char* kOldestEmulationVersion = "OldestEmulationVersion";

/// coordinationv1.LeaseSpec. Every field is a pointer with `omitempty` in Go, so each is an
/// optional here: absent fields are omitted, a present zero value is written (`""`, `0`, and
/// `null` for a zero MicroTime, as Go renders a pointer to a zero time). JSON field order:
/// holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions, strategy,
/// preferredHolder.
struct LeaseSpec {
  std::optional<std::string> holder_identity;
  std::optional<std::int32_t> lease_duration_seconds;
  std::optional<meta::v1::MicroTime> acquire_time;
  std::optional<meta::v1::MicroTime> renew_time;
  std::optional<std::int32_t> lease_transitions;
  std::optional<std::string> strategy;  ///< e.g. kOldestEmulationVersion
  std::optional<std::string> preferred_holder;
  friend bool operator==(const LeaseSpec&, const LeaseSpec&) = default;
};

/// coordinationv1.Lease. `metadata` and `spec` are always present in JSON (Go never omits a
/// struct), e.g. `{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{...},
/// "spec":{}}`.
struct Lease {
  meta::v1::TypeMeta type_meta{"coordination.k8s.io/v1", "Lease"};
  meta::v1::ObjectMeta metadata;
  LeaseSpec spec;
  friend bool operator==(const Lease&, const Lease&) = default;
};

/// coordinationv1.LeaseList, the body of a list request.
struct LeaseList {
  meta::v1::TypeMeta type_meta{"coordination.k8s.io/v1", "LeaseList"};
  meta::v1::ListMeta metadata;
  std::vector<Lease> items;
  friend bool operator==(const LeaseList&, const LeaseList&) = default;
};

}  // namespace kube::api::coordination::v1
