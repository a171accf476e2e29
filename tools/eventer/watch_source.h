// kube::eventer::MakeWatchSource: the EventSource of a real cluster — a kube::cache::Reflector
// list+watch of core/v1 Events in one namespace (or all) with a field selector.
#pragma once

#include <memory>
#include <string>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/eventer/event_source.h"

namespace kube::eventer {

/// A source listing and watching /api/v1[/namespaces/<ns>]/events?fieldSelector=...; it
/// resumes from the version Start() gets, re-lists on 410 Gone, ERROR objects and undecodable
/// frames (all counted in Stats()), and reports list versions and bookmarks as progress.
std::unique_ptr<EventSource> MakeWatchSource(std::shared_ptr<rest::RESTClient> client,
                                             std::string namespace_, std::string field_selector,
                                             std::shared_ptr<Logger> logger);

}  // namespace kube::eventer
