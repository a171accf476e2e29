// kube::record::testing::FakeEventSink: an in-memory core/v1 EventSink for unit tests. It
// stores events like an apiserver would (AlreadyExists on duplicate names, NotFound on patches
// of unknown events, resourceVersion bumps), applies dedup patches, records every call, and can
// be scripted to fail.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kubeevents/tools/record/event_sink.h"

namespace kube::record::testing {

class FakeEventSink : public EventSink {
 public:
  enum class Verb { kCreate, kUpdate, kPatch };
  /// One call the sink received.
  struct Call {
    Verb verb;
    api::core::v1::Event event;
    std::string patch;
  };

  StatusOr<api::core::v1::Event> Create(const api::core::v1::Event& event) override;
  StatusOr<api::core::v1::Event> Update(const api::core::v1::Event& event) override;
  StatusOr<api::core::v1::Event> Patch(const api::core::v1::Event& event,
                                       std::string_view patch) override;

  /// The next `times` calls (of `verb`, or of any verb) fail with `status`.
  void FailNext(int times, Status status, std::optional<Verb> verb = std::nullopt);
  /// Called before every call; returning an error fails that call (after FailNext scripts).
  void SetInterceptor(std::function<Status(const Call&)> interceptor);
  /// Forgets a stored event (as the apiserver's TTL would).
  void Expire(const std::string& namespace_, const std::string& name);

  std::vector<Call> Calls() const;
  std::size_t CallCount() const;
  /// The stored events, keyed "namespace/name".
  std::map<std::string, api::core::v1::Event> Stored() const;

  /// Status bodies shaped like kube-apiserver's, for scripting.
  static Status AlreadyExists(const std::string& name);
  static Status NotFound(const std::string& name);
  static Status Invalid(const std::string& name, const std::string& field,
                        const std::string& message);
  static Status NamespaceTerminating(const std::string& namespace_);
  static Status TransportError();

 private:
  StatusOr<api::core::v1::Event> Handle(Call call);
  struct Script {
    int times;
    Status status;
    std::optional<Verb> verb;
  };
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::deque<Script> scripts_;
  std::function<Status(const Call&)> interceptor_;
  std::map<std::string, api::core::v1::Event> store_;
  std::int64_t resource_version_ = 100;
};

}  // namespace kube::record::testing
