#include "kubeevents/tools/record/testing/fake_event_sink.h"

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/internal/json_codec.h"

namespace kube::record::testing {

using api::core::v1::Event;

namespace {
std::string Key(const Event& e) { return e.metadata.namespace_ + "/" + e.metadata.name; }
}  // namespace

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

StatusOr<Event> FakeEventSink::Create(const Event& event) {
  return Handle({Verb::kCreate, event, {}});
}
StatusOr<Event> FakeEventSink::Update(const Event& event) {
  return Handle({Verb::kUpdate, event, {}});
}
StatusOr<Event> FakeEventSink::Patch(const Event& event, std::string_view patch) {
  return Handle({Verb::kPatch, event, std::string(patch)});
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
  std::lock_guard lock(mu_);
  Event& e = call.event;
  const std::string key = Key(e);
  switch (call.verb) {
    case Verb::kCreate:
      if (store_.count(key) != 0) return AlreadyExists(e.metadata.name);
      e.metadata.resource_version = std::to_string(++resource_version_);
      if (e.metadata.uid.empty()) e.metadata.uid = "uid-" + std::to_string(resource_version_);
      store_[key] = e;
      return e;
    case Verb::kUpdate:
      e.metadata.resource_version = std::to_string(++resource_version_);
      store_[key] = e;
      return e;
    case Verb::kPatch: {
      auto it = store_.find(key);
      if (it == store_.end()) return NotFound(e.metadata.name);
      auto doc = api::internal::ParseDocument(call.patch);
      if (!doc.ok() || !doc->IsObject()) {
        return Status::FromAPIStatus(api::errors::NewBadRequest("invalid patch"), 400);
      }
      Event& stored = it->second;
      for (const auto& m : doc->GetObject()) {
        const std::string_view k(m.name.GetString(), m.name.GetStringLength());
        if (k == "count" && m.value.IsInt()) stored.count = m.value.GetInt();
        if (k == "message" && m.value.IsString()) stored.message = m.value.GetString();
        if (k == "lastTimestamp" && m.value.IsString()) {
          auto t = api::meta::v1::Time::Parse(m.value.GetString());
          if (t.ok()) stored.last_timestamp = *t;
        }
      }
      stored.metadata.resource_version = std::to_string(++resource_version_);
      return stored;
    }
  }
  return InternalError("unknown verb");
}

}  // namespace kube::record::testing
