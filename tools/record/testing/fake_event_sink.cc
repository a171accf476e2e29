#include "kubeevents/tools/record/testing/fake_event_sink.h"

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/internal/json_codec.h"

namespace kube::record::testing {

Status FakeEventSink::AlreadyExists(const std::string& name) {
  return Status::FromAPIStatus(api::errors::NewAlreadyExists("", "events", name), 409);
}
Status FakeEventSink::NotFound(const std::string& name) {
  return Status::FromAPIStatus(api::errors::NewNotFound("", "events", name), 404);
}
Status FakeEventSink::Invalid(const std::string& name, const std::string& field,
                              const std::string& message) {
  return Status::FromAPIStatus(
      api::errors::NewInvalid("", "Event", name, {{"FieldValueInvalid", message, field}}), 422);
}
Status FakeEventSink::NamespaceTerminating(const std::string& ns) {
  auto body = api::errors::NewForbidden(
      "", "events", "",
      "unable to create new content in namespace " + ns + " because it is being terminated");
  body.details.causes.push_back({std::string(api::errors::kNamespaceTerminatingCause),
                                 "namespace " + ns + " is being terminated", "metadata.namespace"});
  return Status::FromAPIStatus(std::move(body), 403);
}
Status FakeEventSink::TransportError() {
  return UnavailableError("dial tcp 127.0.0.1:6443: connect: connection refused");
}

Status FakeEventSink::ApplyPatch(api::core::v1::Event& stored, std::string_view patch) const {
  auto doc = api::internal::ParseDocument(patch);
  if (!doc.ok() || !doc->IsObject()) {
    return Status::FromAPIStatus(api::errors::NewBadRequest("invalid patch"), 400);
  }
  for (const auto& m : doc->GetObject()) {
    const std::string_view k(m.name.GetString(), m.name.GetStringLength());
    if (k == "count" && m.value.IsInt()) stored.count = m.value.GetInt();
    if (k == "message" && m.value.IsString()) stored.message = m.value.GetString();
    if (k == "lastTimestamp" && m.value.IsString()) {
      auto t = api::meta::v1::Time::Parse(m.value.GetString());
      if (t.ok()) stored.last_timestamp = *t;
    }
  }
  return {};
}

}  // namespace kube::record::testing
