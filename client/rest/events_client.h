// Typed clients for Events in both APIs (client-go typed/core/v1 EventInterface and
// typed/events/v1 EventInterface).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/client/rest/rest_client.h"

namespace kube::rest {

/// metav1.ListOptions (the parts used for events). Empty/zero fields are not sent.
struct ListOptions {
  std::string label_selector{};
  std::string field_selector{};  ///< e.g. "involvedObject.name=web-0,type=Warning"
  std::string resource_version{};
  std::int64_t limit = 0;        ///< page size; 0 = no paging
  std::string continue_token{};  ///< from the previous page's metadata.continue
  std::int64_t timeout_seconds = 0;
};

/// Events of the core group (/api/v1), in one namespace or, with namespace "", all of them.
/// Cheap to copy; holds the client.
class CoreV1EventsClient {
 public:
  CoreV1EventsClient(std::shared_ptr<RESTClient> client, std::string namespace_ = "");

  StatusOr<api::core::v1::Event> Get(std::string_view name) const;
  StatusOr<api::core::v1::EventList> List(const ListOptions& options = {}) const;
  /// POST to the client's namespace (or, for an all-namespaces client, the event's).
  StatusOr<api::core::v1::Event> Create(const api::core::v1::Event& event) const;
  StatusOr<api::core::v1::Event> Update(const api::core::v1::Event& event) const;
  /// PATCH .../events/<name> with the given patch type (default strategic merge).
  StatusOr<api::core::v1::Event> Patch(
      std::string_view name, std::string_view patch,
      std::string_view patch_type = "application/strategic-merge-patch+json") const;
  Status Delete(std::string_view name) const;

  const std::string& namespace_() const { return namespace__; }
  const std::shared_ptr<RESTClient>& client() const { return client_; }

 private:
  std::string NamespaceFor(const api::meta::v1::ObjectMeta& meta) const;
  std::shared_ptr<RESTClient> client_;
  std::string namespace__;
};

/// Events of events.k8s.io/v1, in one namespace or ("") all of them.
class EventsV1EventsClient {
 public:
  EventsV1EventsClient(std::shared_ptr<RESTClient> client, std::string namespace_ = "");

  StatusOr<api::events::v1::Event> Get(std::string_view name) const;
  StatusOr<api::events::v1::EventList> List(const ListOptions& options = {}) const;
  StatusOr<api::events::v1::Event> Create(const api::events::v1::Event& event) const;
  StatusOr<api::events::v1::Event> Update(const api::events::v1::Event& event) const;
  StatusOr<api::events::v1::Event> Patch(
      std::string_view name, std::string_view patch,
      std::string_view patch_type = "application/strategic-merge-patch+json") const;
  Status Delete(std::string_view name) const;

  const std::string& namespace_() const { return namespace__; }
  const std::shared_ptr<RESTClient>& client() const { return client_; }

 private:
  std::string NamespaceFor(const api::meta::v1::ObjectMeta& meta) const;
  std::shared_ptr<RESTClient> client_;
  std::string namespace__;
};

}  // namespace kube::rest
