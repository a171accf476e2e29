#include "kubeevents/client/rest/events_client.h"

namespace kube::rest {

namespace {

constexpr std::string_view kEventsGroupVersion = "events.k8s.io/v1";

void AddListParams(Request& r, const ListOptions& o) {
  if (!o.label_selector.empty()) r.Param("labelSelector", o.label_selector);
  if (!o.field_selector.empty()) r.Param("fieldSelector", o.field_selector);
  if (!o.resource_version.empty()) r.Param("resourceVersion", o.resource_version);
  if (o.limit > 0) r.Param("limit", std::to_string(o.limit));
  if (!o.continue_token.empty()) r.Param("continue", o.continue_token);
  if (o.timeout_seconds > 0) r.Param("timeoutSeconds", std::to_string(o.timeout_seconds));
}

Status StatusOf(const Result& r) { return r.status(); }

}  // namespace

// ---------------------------------------------------------------------------- core/v1

CoreV1EventsClient::CoreV1EventsClient(std::shared_ptr<RESTClient> client, std::string ns)
    : client_(std::move(client)), namespace__(std::move(ns)) {}

std::string CoreV1EventsClient::NamespaceFor(const api::meta::v1::ObjectMeta& meta) const {
  return namespace__.empty() ? meta.namespace_ : namespace__;
}

StatusOr<api::core::v1::Event> CoreV1EventsClient::Get(std::string_view name) const {
  return client_->Get()
      .Namespace(namespace__)
      .Resource("events")
      .Name(name)
      .Do()
      .Into<api::core::v1::Event>();
}

StatusOr<api::core::v1::EventList> CoreV1EventsClient::List(const ListOptions& options) const {
  Request r = client_->Get().Namespace(namespace__).Resource("events");
  AddListParams(r, options);
  return r.Do().Into<api::core::v1::EventList>();
}

StatusOr<api::core::v1::Event> CoreV1EventsClient::Create(const api::core::v1::Event& e) const {
  return client_->Post()
      .Namespace(NamespaceFor(e.metadata))
      .Resource("events")
      .Body(e)
      .Do()
      .Into<api::core::v1::Event>();
}

StatusOr<api::core::v1::Event> CoreV1EventsClient::Update(const api::core::v1::Event& e) const {
  return client_->Put()
      .Namespace(NamespaceFor(e.metadata))
      .Resource("events")
      .Name(e.metadata.name)
      .Body(e)
      .Do()
      .Into<api::core::v1::Event>();
}

StatusOr<api::core::v1::Event> CoreV1EventsClient::Patch(std::string_view name,
                                                         std::string_view patch,
                                                         std::string_view patch_type) const {
  return client_->Patch(patch_type)
      .Namespace(namespace__)
      .Resource("events")
      .Name(name)
      .Body(std::string(patch))
      .Do()
      .Into<api::core::v1::Event>();
}

Status CoreV1EventsClient::Delete(std::string_view name) const {
  return StatusOf(client_->Delete().Namespace(namespace__).Resource("events").Name(name).Do());
}

// ---------------------------------------------------------------------------- events.k8s.io/v1

EventsV1EventsClient::EventsV1EventsClient(std::shared_ptr<RESTClient> client, std::string ns)
    : client_(std::move(client)), namespace__(std::move(ns)) {}

std::string EventsV1EventsClient::NamespaceFor(const api::meta::v1::ObjectMeta& meta) const {
  return namespace__.empty() ? meta.namespace_ : namespace__;
}

StatusOr<api::events::v1::Event> EventsV1EventsClient::Get(std::string_view name) const {
  return client_->Get()
      .GroupVersion(kEventsGroupVersion)
      .Namespace(namespace__)
      .Resource("events")
      .Name(name)
      .Do()
      .Into<api::events::v1::Event>();
}

StatusOr<api::events::v1::EventList> EventsV1EventsClient::List(const ListOptions& options) const {
  Request r =
      client_->Get().GroupVersion(kEventsGroupVersion).Namespace(namespace__).Resource("events");
  AddListParams(r, options);
  return r.Do().Into<api::events::v1::EventList>();
}

StatusOr<api::events::v1::Event> EventsV1EventsClient::Create(
    const api::events::v1::Event& e) const {
  return client_->Post()
      .GroupVersion(kEventsGroupVersion)
      .Namespace(NamespaceFor(e.metadata))
      .Resource("events")
      .Body(e)
      .Do()
      .Into<api::events::v1::Event>();
}

StatusOr<api::events::v1::Event> EventsV1EventsClient::Update(
    const api::events::v1::Event& e) const {
  return client_->Put()
      .GroupVersion(kEventsGroupVersion)
      .Namespace(NamespaceFor(e.metadata))
      .Resource("events")
      .Name(e.metadata.name)
      .Body(e)
      .Do()
      .Into<api::events::v1::Event>();
}

StatusOr<api::events::v1::Event> EventsV1EventsClient::Patch(std::string_view name,
                                                             std::string_view patch,
                                                             std::string_view patch_type) const {
  return client_->Patch(patch_type)
      .GroupVersion(kEventsGroupVersion)
      .Namespace(namespace__)
      .Resource("events")
      .Name(name)
      .Body(std::string(patch))
      .Do()
      .Into<api::events::v1::Event>();
}

Status EventsV1EventsClient::Delete(std::string_view name) const {
  return StatusOf(client_->Delete()
                      .GroupVersion(kEventsGroupVersion)
                      .Namespace(namespace__)
                      .Resource("events")
                      .Name(name)
                      .Do());
}

}  // namespace kube::rest
