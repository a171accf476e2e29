// Discovery of an API group/version (client-go discovery.ServerResourcesForGroupVersion).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/client/rest/rest_client.h"

namespace kube::rest {

/// metav1.APIResource: one resource served by a group/version.
struct APIResource {
  std::string name;  ///< plural, e.g. "events"
  std::string singular_name;
  bool namespaced = false;
  std::string kind;  ///< e.g. "Event"
  std::vector<std::string> verbs;
  friend bool operator==(const APIResource&, const APIResource&) = default;
};

/// metav1.APIResourceList: what GET /api/v1 or /apis/<group>/<version> returns.
struct APIResourceList {
  std::string group_version;
  std::vector<APIResource> resources;
  friend bool operator==(const APIResourceList&, const APIResourceList&) = default;
};

/// GET /api/<v> (core group, e.g. "v1") or /apis/<group>/<version>. Server errors keep their
/// metav1.Status (a 404 is IsNotFound), a body that is not an APIResourceList is kDecode.
StatusOr<APIResourceList> ServerResourcesForGroupVersion(RESTClient& client,
                                                         std::string_view group_version);

/// Whether the server serves `group_version` (e.g. "events.k8s.io/v1"): true when discovery
/// answers with a list for it, false on 404, the error otherwise (transport, 403, ...). This is
/// what the events adapter (client-go NewEventBroadcasterAdapter) asks.
StatusOr<bool> ServerSupportsGroupVersion(RESTClient& client, std::string_view group_version);

/// The same, for a shared client (how sinks and adapters hold it).
inline StatusOr<bool> ServerSupportsGroupVersion(const std::shared_ptr<RESTClient>& client,
                                                 std::string_view group_version) {
  return ServerSupportsGroupVersion(*client, group_version);
}

}  // namespace kube::rest
