#include "kubeevents/tools/localapiserver/internal/conversion.h"

namespace kube::localapiserver::internal {

api::core::v1::Event ToStored(const api::events::v1::Event& in) {
  api::core::v1::Event out;
  out.type_meta = {"v1", "Event"};
  out.metadata = in.metadata;
  out.involved_object = in.regarding;
  out.reason = in.reason;
  out.message = in.note;
  out.source = in.deprecated_source;
  out.first_timestamp = in.deprecated_first_timestamp;
  out.last_timestamp = in.deprecated_last_timestamp;
  out.count = in.deprecated_count;
  out.type = in.type;
  out.event_time = in.event_time;
  if (in.series) {
    out.series = api::core::v1::EventSeries{in.series->count, in.series->last_observed_time};
  }
  out.action = in.action;
  out.related = in.related;
  out.reporting_controller = in.reporting_controller;
  out.reporting_instance = in.reporting_instance;
  return out;
}

api::events::v1::Event ToEventsV1(const api::core::v1::Event& in) {
  api::events::v1::Event out;
  out.type_meta = {"events.k8s.io/v1", "Event"};
  out.metadata = in.metadata;
  out.event_time = in.event_time;
  if (in.series) {
    out.series = api::events::v1::EventSeries{in.series->count, in.series->last_observed_time};
  }
  out.reporting_controller = in.reporting_controller;
  out.reporting_instance = in.reporting_instance;
  out.action = in.action;
  out.reason = in.reason;
  out.regarding = in.involved_object;
  out.related = in.related;
  out.note = in.message;
  out.type = in.type;
  out.deprecated_source = in.source;
  out.deprecated_first_timestamp = in.first_timestamp;
  out.deprecated_last_timestamp = in.last_timestamp;
  out.deprecated_count = in.count;
  return out;
}

}  // namespace kube::localapiserver::internal
