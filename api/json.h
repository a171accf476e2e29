// Kubernetes JSON for every API type: exact field names, Go's omitempty rules and escaping.
#pragma once

#include <string>
#include <string_view>

#include "kubeevents/api/common/status_or.h"

namespace kube::api {

/// Encodes an API object as the JSON client-go would send (Go field order, omitempty, `null`
/// for zero times). Supported types: meta::v1::{ObjectMeta, ListMeta, Status, WatchEvent},
/// core::v1::{Event, EventList, EventSource, ObjectReference}, events::v1::{Event, EventList},
/// coordination::v1::{Lease, LeaseSpec, LeaseList}.
template <typename T>
std::string ToJson(const T& object);

/// Decodes JSON into T. Unknown fields and `null` are tolerated; a wrong type is an
/// kInvalidArgument error naming the JSON path, e.g. "involvedObject.uid: expected string".
/// Times accept any RFC 3339 offset and precision and are normalized to UTC.
template <typename T>
StatusOr<T> FromJson(std::string_view json);

}  // namespace kube::api
