// GetFieldSelector: the field selector that lists the events about one object
// (client-go tools/events.GetFieldSelector).
#pragma once

#include <string>
#include <string_view>

#include "kubeevents/api/common/status_or.h"

namespace kube::events {

/// Group, version and kind of the object the events are about ("apps", "v1", "Deployment").
struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
};

/// A selector such as "regarding.apiVersion=apps/v1,regarding.kind=Deployment,
/// regarding.name=web,regarding.uid=..." for the events API `events_group_version`
/// ("events.k8s.io/v1", "events.k8s.io/v1beta1" → `regarding.*`; "v1" → `involvedObject.*`).
/// Empty values are left out; terms are sorted and values escaped (`\`, `,`, `=`). Any other
/// group/version is an error "unknown version <gv>".
StatusOr<std::string> GetFieldSelector(std::string_view events_group_version,
                                       const GroupVersionKind& regarding, std::string_view name,
                                       std::string_view uid);

}  // namespace kube::events
