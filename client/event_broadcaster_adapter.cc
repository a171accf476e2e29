#include "kubeevents/client/event_broadcaster_adapter.h"

#include "kubeevents/client/event_sink.h"
#include "kubeevents/client/rest/discovery.h"

namespace kube::rest {

std::unique_ptr<events::EventBroadcasterAdapter> NewEventBroadcasterAdapter(
    std::shared_ptr<RESTClient> client, events::AdapterOptions options) {
  if (!options.supports_events_v1) {
    options.supports_events_v1 = [client] {
      return ServerSupportsGroupVersion(*client, "events.k8s.io/v1");
    };
  }
  if (!options.events_sink) options.events_sink = NewEventsV1EventSink(client);
  if (!options.core_sink) options.core_sink = NewCoreV1EventSink(client);
  return std::make_unique<events::EventBroadcasterAdapter>(std::move(options));
}

}  // namespace kube::rest
