// core/v1 Event, EventSource, EventSeries and EventList (the legacy events API, /api/v1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kubeevents/api/core/v1/object_reference.h"
#include "kubeevents/api/meta/v1/list_meta.h"
#include "kubeevents/api/meta/v1/object_meta.h"
#include "kubeevents/api/meta/v1/time.h"
#include "kubeevents/api/meta/v1/type_meta.h"

namespace kube::api::core::v1 {

/// The component (and host) that reported an event. JSON: always present, fields omitempty.
struct EventSource {
  std::string component;
  std::string host;
  friend bool operator==(const EventSource&, const EventSource&) = default;
};

/// A series of occurrences of the same event (core/v1 form; both fields omitempty).
struct EventSeries {
  std::int32_t count = 0;
  meta::v1::MicroTime last_observed_time;
  friend bool operator==(const EventSeries&, const EventSeries&) = default;
};

/// corev1.Event: a report of something that happened to `involved_object`.
///
/// JSON follows Go exactly: `reportingComponent` (Go field ReportingController) and
/// `reportingInstance` are always present, `firstTimestamp`/`lastTimestamp`/`eventTime` render
/// as `null` when zero, `series` and `related` are omitted when absent.
struct Event {
  meta::v1::TypeMeta type_meta{"v1", "Event"};
  meta::v1::ObjectMeta metadata;
  ObjectReference involved_object;
  std::string reason;
  std::string message;
  EventSource source;
  meta::v1::Time first_timestamp;
  meta::v1::Time last_timestamp;
  std::int32_t count = 0;
  std::string type;
  meta::v1::MicroTime event_time;
  std::optional<EventSeries> series;
  std::string action;
  std::optional<ObjectReference> related;
  std::string reporting_controller;  ///< JSON `reportingComponent`.
  std::string reporting_instance;

  friend bool operator==(const Event&, const Event&) = default;
};

/// corev1.EventList, the body of a list request.
struct EventList {
  meta::v1::TypeMeta type_meta{"v1", "EventList"};
  meta::v1::ListMeta metadata;
  std::vector<Event> items;
  friend bool operator==(const EventList&, const EventList&) = default;
};

/// The two event types the API accepts.
inline constexpr const char* kEventTypeNormal = "Normal";
inline constexpr const char* kEventTypeWarning = "Warning";

}  // namespace kube::api::core::v1
