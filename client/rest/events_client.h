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

/// A typed client for the Events of one API (client-go's typed/core/v1 and typed/events/v1
/// EventInterface), in one namespace or, with namespace "", all of them. Cheap to copy; holds
/// the client. Use it through CoreV1EventsClient or EventsV1EventsClient.
template <typename EventT, typename EventListT>
class EventsClient {
 public:
  using Event = EventT;
  using EventList = EventListT;

  EventsClient(std::shared_ptr<RESTClient> client, std::string namespace_ = "");

  StatusOr<Event> Get(std::string_view name) const;
  StatusOr<EventList> List(const ListOptions& options = {}) const;
  /// POST to the client's namespace (or, for an all-namespaces client, the event's).
  StatusOr<Event> Create(const Event& event) const;
  StatusOr<Event> Update(const Event& event) const;
  /// PATCH .../events/<name> with the given patch type (default strategic merge).
  StatusOr<Event> Patch(
      std::string_view name, std::string_view patch,
      std::string_view patch_type = "application/strategic-merge-patch+json") const;
  Status Delete(std::string_view name) const;

  const std::string& namespace_() const { return namespace__; }
  const std::shared_ptr<RESTClient>& client() const { return client_; }

 private:
  // A request for this API's "events" in namespace `ns` (/api/v1/... or
  // /apis/events.k8s.io/v1/...).
  Request Events(Request request, std::string_view ns) const;
  std::string_view NamespaceFor(const api::meta::v1::ObjectMeta& meta) const;
  std::shared_ptr<RESTClient> client_;
  std::string namespace__;
};

/// Events of the core group (/api/v1).
using CoreV1EventsClient = EventsClient<api::core::v1::Event, api::core::v1::EventList>;
/// Events of events.k8s.io/v1 (/apis/events.k8s.io/v1).
using EventsV1EventsClient = EventsClient<api::events::v1::Event, api::events::v1::EventList>;

extern template class EventsClient<api::core::v1::Event, api::core::v1::EventList>;
extern template class EventsClient<api::events::v1::Event, api::events::v1::EventList>;

}  // namespace kube::rest
