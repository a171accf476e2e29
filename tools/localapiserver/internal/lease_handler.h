// Internal: the coordination.k8s.io/v1 API of the local API server: discovery documents for
// the group, and get/list/watch/create/update/patch/delete of Leases over a LeaseStore, with
// kube-apiserver's status codes and bodies (409 Conflict on a stale resourceVersion, 409
// AlreadyExists, 422 Invalid, 404 NotFound, 410 Expired on a watch from a compacted
// resourceVersion), fieldValidation against the published OpenAPI schema, and kubectl's
// Table (NAME, HOLDER, AGE), also per watch frame for `kubectl get leases -w`.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/tools/localapiserver/internal/handler.h"
#include "kubeevents/tools/localapiserver/internal/lease_store.h"
#include "kubeevents/tools/localapiserver/internal/openapi.h"

namespace kube::localapiserver::internal {

/// Serves every path under /apis/coordination.k8s.io. Thread-safe.
class LeaseHandler {
 public:
  /// "coordination.k8s.io".
  static constexpr std::string_view kGroup = "coordination.k8s.io";

  LeaseHandler(std::shared_ptr<LeaseStore> store, std::shared_ptr<Clock> clock);

  /// What the dispatcher already worked out about a request (authentication is done).
  struct Context {
    std::span<const std::string> segments;  ///< decoded path segments after "apis/<group>"
    const std::map<std::string, std::string, std::less<>>* query = nullptr;
    bool accepts_json = true;  ///< the Accept header allows plain JSON
    bool wants_table = false;  ///< kubectl asked for a meta.k8s.io/v1 Table
    /// The server's OpenAPI documents, for fieldValidation=Strict|Warn; null = no checks.
    const OpenAPI* openapi = nullptr;
  };
  Response Handle(const Request& request, const Context& context);

  /// The group's entry in the /apis APIGroupList (a JSON object).
  static std::string APIGroupJson();

  const std::shared_ptr<LeaseStore>& store() const { return store_; }

 private:
  struct Route;
  Response Get(const Route& route, const Context& context);
  Response List(const Route& route, const Context& context);
  Response Watch(const Route& route, const Context& context);
  Response Create(const Request& request, const Route& route, const Context& context);
  Response Put(const Request& request, const Route& route, const Context& context);
  Response Patch(const Request& request, const Route& route, const Context& context);
  Response Delete(const Request& request, const Route& route);
  Response Table(const std::vector<api::coordination::v1::Lease>& items,
                 const std::string& resource_version) const;
  // The Table JSON of `items`; without the column definitions when `no_headers` (watch
  // frames after the first).
  std::string TableJson(const std::vector<api::coordination::v1::Lease>& items,
                        const std::string& resource_version, bool no_headers) const;

  const std::shared_ptr<LeaseStore> store_;
  const std::shared_ptr<Clock> clock_;
};

}  // namespace kube::localapiserver::internal
