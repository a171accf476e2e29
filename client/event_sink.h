// The REST event sinks: what the two event pipelines write through to a real apiserver
// (client-go typed/core/v1 EventSinkImpl and tools/events EventSinkImpl).
#pragma once

#include <memory>
#include <string>

#include "kubeevents/client/rest/config.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/events/event_sink.h"
#include "kubeevents/tools/record/event_sink.h"

namespace kube::rest {

/// core/v1 sink: Create = POST /api/v1/namespaces/{event ns}/events, Update = PUT .../{name},
/// Patch = PATCH .../{name} as application/strategic-merge-patch+json. Requests are routed by
/// the event's namespace. With a non-empty `namespace_` the sink is bound to it and an event in
/// another namespace fails with the plain (kLocal, so retried) error
/// `can't create an event with namespace 'a' in namespace 'b'` (update/patch alike).
std::shared_ptr<record::EventSink> NewCoreV1EventSink(std::shared_ptr<RESTClient> client,
                                                      std::string namespace_ = "");

/// The same, creating its own RESTClient from `config` (the README's one-liner). If the client
/// cannot be created, the error is logged once and every call returns it with origin
/// kRequestBuilding (the recorder then gives up on each event rather than retrying); create
/// the client with RESTClient::Create first to handle that error yourself.
std::shared_ptr<record::EventSink> NewCoreV1EventSink(const Config& config,
                                                      std::string namespace_ = "");

/// events.k8s.io/v1 sink: POST/PUT/PATCH (strategic merge) on
/// /apis/events.k8s.io/v1/namespaces/{event ns}/events[/{name}]. An event with an empty
/// namespace fails with the kLocal error `can't create an event with empty namespace`
/// (`update` / `patch` for the other calls), as client-go's sink does.
std::shared_ptr<events::EventSink> NewEventsV1EventSink(std::shared_ptr<RESTClient> client);

/// The same, creating its own RESTClient from `config` (errors as for NewCoreV1EventSink).
std::shared_ptr<events::EventSink> NewEventsV1EventSink(const Config& config);

}  // namespace kube::rest
