#include "kubeevents/client/event_sink.h"

#include "kubeevents/api/common/format.h"

namespace kube::rest {

namespace {

constexpr std::string_view kEventsGroupVersion = "events.k8s.io/v1";

// client-go typed/core/v1 EventSinkImpl over Events(ns): routes by the event's namespace;
// a namespace-bound sink refuses events of another namespace.
class CoreV1EventSink final : public record::EventSink {
 public:
  CoreV1EventSink(std::shared_ptr<RESTClient> client, std::string ns)
      : client_(std::move(client)), ns_(std::move(ns)) {}

  StatusOr<api::core::v1::Event> Create(const api::core::v1::Event& event) override {
    return CreateCancellable(event, {});
  }
  StatusOr<api::core::v1::Event> CreateCancellable(const api::core::v1::Event& event,
                                                   std::stop_token cancel) override {
    if (Status s = Check("create", event); !s.ok()) return s;
    return client_->Post()
        .Namespace(event.metadata.namespace_)
        .Resource("events")
        .Body(event)
        .Cancellation(std::move(cancel))
        .Do()
        .Into<api::core::v1::Event>();
  }
  StatusOr<api::core::v1::Event> Update(const api::core::v1::Event& event) override {
    if (Status s = Check("update", event); !s.ok()) return s;
    return client_->Put()
        .Namespace(event.metadata.namespace_)
        .Resource("events")
        .Name(event.metadata.name)
        .Body(event)
        .Do()
        .Into<api::core::v1::Event>();
  }
  StatusOr<api::core::v1::Event> Patch(const api::core::v1::Event& event,
                                       std::string_view patch) override {
    return PatchCancellable(event, patch, {});
  }
  StatusOr<api::core::v1::Event> PatchCancellable(const api::core::v1::Event& event,
                                                  std::string_view patch,
                                                  std::stop_token cancel) override {
    if (Status s = Check("patch", event); !s.ok()) return s;
    return client_->Patch(kStrategicMergePatchType)
        .Namespace(event.metadata.namespace_)
        .Resource("events")
        .Name(event.metadata.name)
        .Body(std::string(patch))
        .Cancellation(std::move(cancel))
        .Do()
        .Into<api::core::v1::Event>();
  }

 private:
  Status Check(const char* verb, const api::core::v1::Event& event) const {
    if (!ns_.empty() && event.metadata.namespace_ != ns_) {
      return Status(StatusCode::kInvalidArgument,
                    Sprintf("can't %s an event with namespace '%s' in namespace '%s'", verb,
                            event.metadata.namespace_, ns_),
                    ErrorOrigin::kLocal);
    }
    return Status();
  }
  std::shared_ptr<RESTClient> client_;
  std::string ns_;
};

// client-go tools/events EventSinkImpl.
class EventsV1EventSink final : public events::EventSink {
 public:
  explicit EventsV1EventSink(std::shared_ptr<RESTClient> client) : client_(std::move(client)) {}

  StatusOr<api::events::v1::Event> Create(const api::events::v1::Event& event) override {
    return CreateCancellable(event, {});
  }
  StatusOr<api::events::v1::Event> CreateCancellable(const api::events::v1::Event& event,
                                                     std::stop_token cancel) override {
    if (Status s = Check("create", event); !s.ok()) return s;
    return client_->Post()
        .GroupVersion(kEventsGroupVersion)
        .Namespace(event.metadata.namespace_)
        .Resource("events")
        .Body(event)
        .Cancellation(std::move(cancel))
        .Do()
        .Into<api::events::v1::Event>();
  }
  StatusOr<api::events::v1::Event> Update(const api::events::v1::Event& event) override {
    if (Status s = Check("update", event); !s.ok()) return s;
    return client_->Put()
        .GroupVersion(kEventsGroupVersion)
        .Namespace(event.metadata.namespace_)
        .Resource("events")
        .Name(event.metadata.name)
        .Body(event)
        .Do()
        .Into<api::events::v1::Event>();
  }
  StatusOr<api::events::v1::Event> Patch(const api::events::v1::Event& event,
                                         std::string_view patch) override {
    return PatchCancellable(event, patch, {});
  }
  StatusOr<api::events::v1::Event> PatchCancellable(const api::events::v1::Event& event,
                                                    std::string_view patch,
                                                    std::stop_token cancel) override {
    if (Status s = Check("patch", event); !s.ok()) return s;
    return client_->Patch(kStrategicMergePatchType)
        .GroupVersion(kEventsGroupVersion)
        .Namespace(event.metadata.namespace_)
        .Resource("events")
        .Name(event.metadata.name)
        .Body(std::string(patch))
        .Cancellation(std::move(cancel))
        .Do()
        .Into<api::events::v1::Event>();
  }

 private:
  static Status Check(const char* verb, const api::events::v1::Event& event) {
    if (event.metadata.namespace_.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    std::string("can't ") + verb + " an event with empty namespace",
                    ErrorOrigin::kLocal);
    }
    return Status();
  }
  std::shared_ptr<RESTClient> client_;
};

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
  return std::make_shared<CoreV1EventSink>(std::move(client), std::move(namespace_));
}

std::shared_ptr<record::EventSink> NewCoreV1EventSink(const Config& config,
                                                      std::string namespace_) {
  return FromConfig<record::EventSink, api::core::v1::Event>(
      config, [&](std::shared_ptr<RESTClient> c) {
        return NewCoreV1EventSink(std::move(c), std::move(namespace_));
      });
}

std::shared_ptr<events::EventSink> NewEventsV1EventSink(std::shared_ptr<RESTClient> client) {
  return std::make_shared<EventsV1EventSink>(std::move(client));
}

std::shared_ptr<events::EventSink> NewEventsV1EventSink(const Config& config) {
  return FromConfig<events::EventSink, api::events::v1::Event>(
      config, [](std::shared_ptr<RESTClient> c) { return NewEventsV1EventSink(std::move(c)); });
}

}  // namespace kube::rest
