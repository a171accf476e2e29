// kube::rest::NewEventBroadcasterAdapter: the events adapter wired to a REST client
// (client-go events.NewEventBroadcasterAdapter(clientset)).
#pragma once

#include <memory>

#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/events/event_broadcaster_adapter.h"

namespace kube::rest {

/// An EventBroadcasterAdapter that asks `client` whether the server serves events.k8s.io/v1
/// (discovery) and writes through `client`: events.k8s.io/v1 when served, else core/v1 for all
/// namespaces. Fields already set in `options` (sinks, discovery, broadcaster options) are kept.
std::unique_ptr<events::EventBroadcasterAdapter> NewEventBroadcasterAdapter(
    std::shared_ptr<RESTClient> client, events::AdapterOptions options = {});

}  // namespace kube::rest
