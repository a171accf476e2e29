// events.k8s.io/v1 Event, EventSeries and EventList (the newer events API).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/core/v1/object_reference.h"
#include "kubeevents/api/meta/v1/list_meta.h"
#include "kubeevents/api/meta/v1/object_meta.h"
#include "kubeevents/api/meta/v1/time.h"
#include "kubeevents/api/meta/v1/type_meta.h"

namespace kube::api::events::v1 {

/// events.k8s.io/v1 EventSeries: `count` and `lastObservedTime` are both always present.
struct EventSeries {
  std::int32_t count = 0;
  meta::v1::MicroTime last_observed_time;
  friend bool operator==(const EventSeries&, const EventSeries&) = default;
};

/// eventsv1.Event. `eventTime` is required and always rendered; the `deprecated*` fields
/// mirror core/v1's source/firstTimestamp/lastTimestamp/count and must stay unset on create.
struct Event {
  meta::v1::TypeMeta type_meta{"events.k8s.io/v1", "Event"};
  meta::v1::ObjectMeta metadata;
  meta::v1::MicroTime event_time;
  std::optional<EventSeries> series;
  std::string reporting_controller;
  std::string reporting_instance;
  std::string action;
  std::string reason;
  core::v1::ObjectReference regarding;
  std::optional<core::v1::ObjectReference> related;
  std::string note;
  std::string type;
  core::v1::EventSource deprecated_source;
  meta::v1::Time deprecated_first_timestamp;
  meta::v1::Time deprecated_last_timestamp;
  std::int32_t deprecated_count = 0;

  friend bool operator==(const Event&, const Event&) = default;
};

/// eventsv1.EventList.
struct EventList {
  meta::v1::TypeMeta type_meta{"events.k8s.io/v1", "EventList"};
  meta::v1::ListMeta metadata;
  std::vector<Event> items;
  friend bool operator==(const EventList&, const EventList&) = default;
};

}  // namespace kube::api::events::v1
