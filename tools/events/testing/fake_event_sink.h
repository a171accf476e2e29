// kube::events::testing::FakeEventSink: an in-memory events.k8s.io/v1 sink for unit tests. It
// stores events like an apiserver (AlreadyExists, NotFound on patches of unknown events,
// resourceVersion bumps), applies series patches, records every call and can be scripted.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kubeevents/tools/events/event_sink.h"

namespace kube::events::testing {

class FakeEventSink : public EventSink {
 public:
  enum class Verb { kCreate, kUpdate, kPatch };
  struct Call {
    Verb verb;
    api::events::v1::Event event;
    std::string patch;
  };

  StatusOr<api::events::v1::Event> Create(const api::events::v1::Event& event) override;
  StatusOr<api::events::v1::Event> Update(const api::events::v1::Event& event) override;
  StatusOr<api::events::v1::Event> Patch(const api::events::v1::Event& event,
                                         std::string_view patch) override;

  /// The next `times` calls (of `verb`, or of any verb) fail with `status`.
  void FailNext(int times, Status status, std::optional<Verb> verb = std::nullopt);
  /// Called before every call; an error result fails the call.
  void SetInterceptor(std::function<Status(const Call&)> interceptor);
  /// Forgets a stored event (as the apiserver's TTL would).
  void Expire(const std::string& namespace_, const std::string& name);

  std::vector<Call> Calls() const;
  std::size_t CallCount() const;
  std::map<std::string, api::events::v1::Event> Stored() const;

  static Status AlreadyExists(const std::string& name);
  static Status Invalid(const std::string& name, const std::string& field,
                        const std::string& message);
  static Status TransportError();

 private:
  StatusOr<api::events::v1::Event> Handle(Call call);
  struct Script {
    int times;
    Status status;
    std::optional<Verb> verb;
  };
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::deque<Script> scripts_;
  std::function<Status(const Call&)> interceptor_;
  std::map<std::string, api::events::v1::Event> store_;
  std::int64_t resource_version_ = 100;
};

}  // namespace kube::events::testing
