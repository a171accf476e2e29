#include "kubeevents/tools/events/testing/fake_event_sink.h"

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/internal/json_codec.h"

namespace kube::events::testing {

using api::events::v1::Event;

namespace {
std::string Key(const Event& e) { return e.metadata.namespace_ + "/" + e.metadata.name; }
}  // namespace

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

void FakeEventSink::FailNext(int times, Status status, std::optional<Verb> verb) {
  std::lock_guard lock(mu_);
  scripts_.push_back({times, std::move(status), verb});
}
void FakeEventSink::SetInterceptor(std::function<Status(const Call&)> interceptor) {
  std::lock_guard lock(mu_);
  interceptor_ = std::move(interceptor);
}
void FakeEventSink::Expire(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  store_.erase(ns + "/" + name);
}
std::vector<FakeEventSink::Call> FakeEventSink::Calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}
std::size_t FakeEventSink::CallCount() const {
  std::lock_guard lock(mu_);
  return calls_.size();
}
std::map<std::string, Event> FakeEventSink::Stored() const {
  std::lock_guard lock(mu_);
  return store_;
}

StatusOr<Event> FakeEventSink::Create(const Event& e) { return Handle({Verb::kCreate, e, {}}); }
StatusOr<Event> FakeEventSink::Update(const Event& e) { return Handle({Verb::kUpdate, e, {}}); }
StatusOr<Event> FakeEventSink::Patch(const Event& e, std::string_view patch) {
  return Handle({Verb::kPatch, e, std::string(patch)});
}

StatusOr<Event> FakeEventSink::Handle(Call call) {
  std::function<Status(const Call&)> interceptor;
  {
    std::lock_guard lock(mu_);
    calls_.push_back(call);
    for (auto it = scripts_.begin(); it != scripts_.end(); ++it) {
      if (it->verb && *it->verb != call.verb) continue;
      Status st = it->status;
      if (--it->times <= 0) scripts_.erase(it);
      return st;
    }
    interceptor = interceptor_;
  }
  if (interceptor) {
    Status st = interceptor(call);
    if (!st.ok()) return st;
  }
  if (call.event.metadata.namespace_.empty()) {
    return Status(StatusCode::kFailedPrecondition, "can't create an event with empty namespace");
  }
  std::lock_guard lock(mu_);
  Event& e = call.event;
  const std::string key = Key(e);
  switch (call.verb) {
    case Verb::kCreate:
      if (store_.count(key) != 0) return AlreadyExists(e.metadata.name);
      e.metadata.resource_version = std::to_string(++resource_version_);
      store_[key] = e;
      return e;
    case Verb::kUpdate:
      e.metadata.resource_version = std::to_string(++resource_version_);
      store_[key] = e;
      return e;
    case Verb::kPatch: {
      auto it = store_.find(key);
      if (it == store_.end()) {
        return Status::FromAPIStatus(
            api::errors::NewNotFound("events.k8s.io", "events", e.metadata.name), 404);
      }
      auto doc = api::internal::ParseDocument(call.patch);
      if (!doc.ok() || !doc->IsObject() || !doc->HasMember("series")) {
        return Status::FromAPIStatus(api::errors::NewBadRequest("invalid patch"), 400);
      }
      const auto& s = (*doc)["series"];
      api::events::v1::EventSeries series;
      if (s.HasMember("count") && s["count"].IsInt()) series.count = s["count"].GetInt();
      if (s.HasMember("lastObservedTime") && s["lastObservedTime"].IsString()) {
        auto t = api::meta::v1::MicroTime::Parse(s["lastObservedTime"].GetString());
        if (t.ok()) series.last_observed_time = *t;
      }
      it->second.series = series;
      it->second.metadata.resource_version = std::to_string(++resource_version_);
      return it->second;
    }
  }
  return InternalError("unknown verb");
}

}  // namespace kube::events::testing
