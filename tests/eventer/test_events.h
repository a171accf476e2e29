// Test helpers of the eventer package: events to feed, and a wait without fixed sleeps.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "kubeevents/api/core/v1/event.h"

namespace kube::eventer::testing {

/// A core/v1 Event as the apiserver would store it.
inline api::core::v1::Event MakeEvent(const std::string& name, const std::string& rv,
                                      const std::string& reason = "Started",
                                      const std::string& type = "Normal", int count = 1,
                                      const std::string& ns = "default") {
  api::core::v1::Event e;
  e.metadata.name = name;
  e.metadata.namespace_ = ns;
  e.metadata.uid = "uid-" + ns + "-" + name;
  e.metadata.resource_version = rv;
  e.metadata.creation_timestamp = api::meta::v1::Time(std::chrono::system_clock::now());
  e.involved_object.kind = "Pod";
  e.involved_object.name = "web-1";
  e.involved_object.namespace_ = ns;
  e.involved_object.api_version = "v1";
  e.reason = reason;
  e.message = "message of " + name;
  e.type = type;
  e.count = count;
  e.source.component = "kubelet";
  e.first_timestamp = api::meta::v1::Time(std::chrono::system_clock::now());
  e.last_timestamp = e.first_timestamp;
  return e;
}

/// Polls `pred` until it holds or `limit` passes.
template <class Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace kube::eventer::testing
