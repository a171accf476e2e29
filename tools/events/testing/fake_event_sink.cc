#include "kubeevents/tools/events/testing/fake_event_sink.h"

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/internal/json_codec.h"

namespace kube::events::testing {

Status FakeEventSink::AlreadyExists(const std::string& name) {
  return Status::FromAPIStatus(api::errors::NewAlreadyExists("events.k8s.io", "events", name), 409);
}
Status FakeEventSink::Invalid(const std::string& name, const std::string& field,
                              const std::string& message) {
  return Status::FromAPIStatus(api::errors::NewInvalid("events.k8s.io", "Event", name,
                                                       {{"FieldValueInvalid", message, field}}),
                               422);
}
Status FakeEventSink::TransportError() {
  return UnavailableError("dial tcp 127.0.0.1:6443: connect: connection refused");
}
Status FakeEventSink::NotFoundError(const std::string& name) const {
  return Status::FromAPIStatus(api::errors::NewNotFound("events.k8s.io", "events", name), 404);
}
Status FakeEventSink::Precheck(const api::events::v1::Event& event) const {
  if (event.metadata.namespace_.empty()) {
    return Status(StatusCode::kFailedPrecondition, "can't create an event with empty namespace");
  }
  return {};
}

Status FakeEventSink::ApplyPatch(api::events::v1::Event& stored, std::string_view patch) const {
  auto doc = api::internal::ParseDocument(patch);
  if (!doc.ok() || !doc->IsObject() || !doc->HasMember("series") || !(*doc)["series"].IsObject()) {
    return Status::FromAPIStatus(api::errors::NewBadRequest("invalid patch"), 400);
  }
  const auto& s = (*doc)["series"];
  api::events::v1::EventSeries series;
  if (s.HasMember("count") && s["count"].IsInt()) series.count = s["count"].GetInt();
  if (s.HasMember("lastObservedTime") && s["lastObservedTime"].IsString()) {
    auto t = api::meta::v1::MicroTime::Parse(s["lastObservedTime"].GetString());
    if (t.ok()) series.last_observed_time = *t;
  }
  stored.series = series;
  return {};
}

}  // namespace kube::events::testing
