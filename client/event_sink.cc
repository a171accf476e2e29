#include "kubeevents/client/event_sink.h"

#include "kubeevents/api/common/format.h"

namespace kube::rest {

namespace {

constexpr std::string_view kEventsGroupVersion = "events.k8s.io/v1";

// The REST calls of an event sink (client-go's EventSinkImpl): POST, PUT and PATCH of the
// "events" resource of `group_version`, in the event's namespace. `check(verb, event)` runs
// first and may refuse the event with a local error.
template <typename Sink, typename Event, typename Check>
class RestEventSink final : public Sink {
 public:
  RestEventSink(std::shared_ptr<RESTClient> client, std::string_view group_version, Check check)
      : client_(std::move(client)), group_version_(group_version), check_(std::move(check)) {}

  StatusOr<Event> Create(const Event& event) override { return CreateCancellable(event, {}); }
  StatusOr<Event> CreateCancellable(const Event& event, std::stop_token cancel) override {
    if (Status s = check_("create", event); !s.ok()) return s;
    return Events(client_->Post(), event)
        .Body(event)
        .Cancellation(std::move(cancel))
        .Do()
        .template Into<Event>();
  }
  StatusOr<Event> Update(const Event& event) override {
    if (Status s = check_("update", event); !s.ok()) return s;
    return Events(client_->Put(), event)
        .Name(event.metadata.name)
        .Body(event)
        .Do()
        .template Into<Event>();
  }
  StatusOr<Event> Patch(const Event& event, std::string_view patch) override {
    return PatchCancellable(event, patch, {});
  }
  StatusOr<Event> PatchCancellable(const Event& event, std::string_view patch,
                                   std::stop_token cancel) override {
    if (Status s = check_("patch", event); !s.ok()) return s;
    return Events(client_->Patch(kStrategicMergePatchType), event)
        .Name(event.metadata.name)
        .Body(std::string(patch))
        .Cancellation(std::move(cancel))
        .Do()
        .template Into<Event>();
  }

 private:
  // `request` addressed to the events of the event's namespace: /api/v1 or
  // /apis/<group>/<version>, then namespaces/<ns>/events.
  Request Events(Request request, const Event& event) const {
    request.GroupVersion(group_version_).Namespace(event.metadata.namespace_).Resource("events");
    return request;
  }

  std::shared_ptr<RESTClient> client_;
  std::string_view group_version_;  // a literal
  Check check_;
};

template <typename Sink, typename Event, typename Check>
std::shared_ptr<Sink> MakeRestEventSink(std::shared_ptr<RESTClient> client,
                                        std::string_view group_version, Check check) {
  return std::make_shared<RestEventSink<Sink, Event, Check>>(std::move(client), group_version,
                                                             std::move(check));
}

// Returned when the client cannot be created: every call fails with the creation error.
template <typename Sink, typename Event>
class FailedSink final : public Sink {
 public:
  explicit FailedSink(Status error)
      : error_(error.code(), "creating the REST client: " + error.message(),
               ErrorOrigin::kRequestBuilding) {}
  StatusOr<Event> Create(const Event&) override { return error_; }
  StatusOr<Event> Update(const Event&) override { return error_; }
  StatusOr<Event> Patch(const Event&, std::string_view) override { return error_; }

 private:
  Status error_;
};

template <typename Sink, typename Event, typename Make>
std::shared_ptr<Sink> FromConfig(const Config& config, Make make) {
  auto client = RESTClient::Create(config);
  if (!client.ok()) {
    auto logger = config.logger ? config.logger : MakeDefaultLogger();
    logger->Error(
        "Unable to create the REST client for the event sink; events will not be "
        "written",
        {{"err", client.status().message()}});
    return std::make_shared<FailedSink<Sink, Event>>(client.status());
  }
  return make(*std::move(client));
}

}  // namespace

std::shared_ptr<record::EventSink> NewCoreV1EventSink(std::shared_ptr<RESTClient> client,
                                                      std::string namespace_) {
  // client-go typed/core/v1 EventSinkImpl over Events(ns): routes by the event's namespace;
  // a namespace-bound sink refuses events of another namespace.
  auto check = [ns = std::move(namespace_)](const char* verb, const api::core::v1::Event& event) {
    if (!ns.empty() && event.metadata.namespace_ != ns) {
      return Status(StatusCode::kInvalidArgument,
                    Sprintf("can't %s an event with namespace '%s' in namespace '%s'", verb,
                            event.metadata.namespace_, ns),
                    ErrorOrigin::kLocal);
    }
    return Status();
  };
  return MakeRestEventSink<record::EventSink, api::core::v1::Event>(std::move(client), "v1",
                                                                    std::move(check));
}

std::shared_ptr<record::EventSink> NewCoreV1EventSink(const Config& config,
                                                      std::string namespace_) {
  return FromConfig<record::EventSink, api::core::v1::Event>(
      config, [&](std::shared_ptr<RESTClient> c) {
        return NewCoreV1EventSink(std::move(c), std::move(namespace_));
      });
}

std::shared_ptr<events::EventSink> NewEventsV1EventSink(std::shared_ptr<RESTClient> client) {
  // client-go tools/events EventSinkImpl: every event names its namespace.
  auto check = [](const char* verb, const api::events::v1::Event& event) {
    if (event.metadata.namespace_.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    std::string("can't ") + verb + " an event with empty namespace",
                    ErrorOrigin::kLocal);
    }
    return Status();
  };
  return MakeRestEventSink<events::EventSink, api::events::v1::Event>(std::move(client),
                                                                      kEventsGroupVersion, check);
}

std::shared_ptr<events::EventSink> NewEventsV1EventSink(const Config& config) {
  return FromConfig<events::EventSink, api::events::v1::Event>(
      config, [](std::shared_ptr<RESTClient> c) { return NewEventsV1EventSink(std::move(c)); });
}

}  // namespace kube::rest
