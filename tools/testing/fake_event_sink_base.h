// kube::testing::FakeEventSinkBase: the in-memory event store behind both fake sinks
// (record::testing::FakeEventSink for core/v1, events::testing::FakeEventSink for
// events.k8s.io/v1): apiserver-like create/update/patch, a call log, scripted failures.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/status_or.h"

namespace kube::testing {

template <typename EventT, typename SinkT>
class FakeEventSinkBase : public SinkT {
 public:
  enum class Verb { kCreate, kUpdate, kPatch };
  /// One call the sink received.
  struct Call {
    Verb verb;
    EventT event;
    std::string patch;
  };

  StatusOr<EventT> Create(const EventT& event) override {
    return Handle({Verb::kCreate, event, {}});
  }
  StatusOr<EventT> Update(const EventT& event) override {
    return Handle({Verb::kUpdate, event, {}});
  }
  StatusOr<EventT> Patch(const EventT& event, std::string_view patch) override {
    return Handle({Verb::kPatch, event, std::string(patch)});
  }

  /// The next `times` calls (of `verb`, or of any verb) fail with `status`.
  void FailNext(int times, Status status, std::optional<Verb> verb = std::nullopt) {
    std::lock_guard lock(mu_);
    scripts_.push_back({times, std::move(status), verb});
  }
  /// Called before every call (after FailNext scripts); an error result fails the call.
  void SetInterceptor(std::function<Status(const Call&)> interceptor) {
    std::lock_guard lock(mu_);
    interceptor_ = std::move(interceptor);
  }
  /// Forgets a stored event (as the apiserver's TTL would).
  void Expire(const std::string& namespace_, const std::string& name) {
    std::lock_guard lock(mu_);
    store_.erase(namespace_ + "/" + name);
  }
  std::vector<Call> Calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::size_t CallCount() const {
    std::lock_guard lock(mu_);
    return calls_.size();
  }
  /// The stored events, keyed "namespace/name".
  std::map<std::string, EventT> Stored() const {
    std::lock_guard lock(mu_);
    return store_;
  }

 protected:
  /// Applies a patch body to a stored event (each API has its own patch).
  virtual Status ApplyPatch(EventT& stored, std::string_view patch) const = 0;
  virtual Status AlreadyExistsError(const std::string& name) const = 0;
  virtual Status NotFoundError(const std::string& name) const = 0;
  /// A check the real sink makes before sending (e.g. an empty namespace).
  virtual Status Precheck(const EventT&) const { return {}; }

 private:
  StatusOr<EventT> Handle(Call call) {
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
      if (Status st = interceptor(call); !st.ok()) return st;
    }
    if (Status st = Precheck(call.event); !st.ok()) return st;
    std::lock_guard lock(mu_);
    EventT& e = call.event;
    const std::string key = e.metadata.namespace_ + "/" + e.metadata.name;
    switch (call.verb) {
      case Verb::kCreate:
        if (store_.count(key) != 0) return AlreadyExistsError(e.metadata.name);
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
        if (it == store_.end()) return NotFoundError(e.metadata.name);
        if (Status st = ApplyPatch(it->second, call.patch); !st.ok()) return st;
        it->second.metadata.resource_version = std::to_string(++resource_version_);
        return it->second;
      }
    }
    return InternalError("unknown verb");
  }

  struct Script {
    int times;
    Status status;
    std::optional<Verb> verb;
  };
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::deque<Script> scripts_;
  std::function<Status(const Call&)> interceptor_;
  std::map<std::string, EventT> store_;
  std::int64_t resource_version_ = 100;
};

}  // namespace kube::testing
