#include "kubeevents/client/rest/events_client.h"

namespace kube::rest {

namespace {

void AddListParams(Request& r, const ListOptions& o) {
  if (!o.label_selector.empty()) r.Param("labelSelector", o.label_selector);
  if (!o.field_selector.empty()) r.Param("fieldSelector", o.field_selector);
  if (!o.resource_version.empty()) r.Param("resourceVersion", o.resource_version);
  if (o.limit > 0) r.Param("limit", std::to_string(o.limit));
  if (!o.continue_token.empty()) r.Param("continue", o.continue_token);
  if (o.timeout_seconds > 0) r.Param("timeoutSeconds", std::to_string(o.timeout_seconds));
}

// The group/version of each API's events.
template <typename Event>
constexpr std::string_view kGroupVersion = "v1";
template <>
constexpr std::string_view kGroupVersion<api::events::v1::Event> = "events.k8s.io/v1";

}  // namespace

template <typename Event, typename EventList>
EventsClient<Event, EventList>::EventsClient(std::shared_ptr<RESTClient> client, std::string ns)
    : client_(std::move(client)), namespace__(std::move(ns)) {}

template <typename Event, typename EventList>
Request EventsClient<Event, EventList>::Events(Request request, std::string_view ns) const {
  request.GroupVersion(kGroupVersion<Event>).Namespace(ns).Resource("events");
  return request;
}

template <typename Event, typename EventList>
std::string_view EventsClient<Event, EventList>::NamespaceFor(
    const api::meta::v1::ObjectMeta& meta) const {
  return namespace__.empty() ? meta.namespace_ : namespace__;
}

template <typename Event, typename EventList>
StatusOr<Event> EventsClient<Event, EventList>::Get(std::string_view name) const {
  return Events(client_->Get(), namespace__).Name(name).Do().template Into<Event>();
}

template <typename Event, typename EventList>
StatusOr<EventList> EventsClient<Event, EventList>::List(const ListOptions& options) const {
  Request r = Events(client_->Get(), namespace__);
  AddListParams(r, options);
  return r.Do().template Into<EventList>();
}

template <typename Event, typename EventList>
StatusOr<Event> EventsClient<Event, EventList>::Create(const Event& e) const {
  return Events(client_->Post(), NamespaceFor(e.metadata)).Body(e).Do().template Into<Event>();
}

template <typename Event, typename EventList>
StatusOr<Event> EventsClient<Event, EventList>::Update(const Event& e) const {
  return Events(client_->Put(), NamespaceFor(e.metadata))
      .Name(e.metadata.name)
      .Body(e)
      .Do()
      .template Into<Event>();
}

template <typename Event, typename EventList>
StatusOr<Event> EventsClient<Event, EventList>::Patch(std::string_view name, std::string_view patch,
                                                      std::string_view patch_type) const {
  return Events(client_->Patch(patch_type), namespace__)
      .Name(name)
      .Body(std::string(patch))
      .Do()
      .template Into<Event>();
}

template <typename Event, typename EventList>
Status EventsClient<Event, EventList>::Delete(std::string_view name) const {
  return Events(client_->Delete(), namespace__).Name(name).Do().status();
}

template class EventsClient<api::core::v1::Event, api::core::v1::EventList>;
template class EventsClient<api::events::v1::Event, api::events::v1::EventList>;

}  // namespace kube::rest
