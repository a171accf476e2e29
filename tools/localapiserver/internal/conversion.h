// Internal: the conversions kube-apiserver applies between the one stored Event and the two
// APIs that serve it (pkg/apis/events/v1/conversion.go): note↔message, regarding↔involvedObject,
// deprecatedSource↔source, deprecated{First,Last}Timestamp↔{first,last}Timestamp,
// deprecatedCount↔count, reportingController↔reportingComponent.
#pragma once

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"

namespace kube::localapiserver::internal {

/// An events.k8s.io/v1 Event as the stored (core) object. TypeMeta becomes v1/Event.
api::core::v1::Event ToStored(const api::events::v1::Event& in);
/// The stored object as events.k8s.io/v1. TypeMeta becomes events.k8s.io/v1/Event.
api::events::v1::Event ToEventsV1(const api::core::v1::Event& in);

}  // namespace kube::localapiserver::internal
