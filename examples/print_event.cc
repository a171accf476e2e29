// Prints a core/v1 Event and an events.k8s.io/v1 Event as the JSON kube-apiserver receives.
// The first kubeevents program: no cluster needed.
#include <chrono>
#include <cstdio>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/api/json.h"
#include "kubeevents/api/reference/reference.h"

int main() {
  namespace core = kube::api::core::v1;
  namespace meta = kube::api::meta::v1;

  core::ObjectReference pod{"Pod", "default", "web-0", "6f1c2a9e-0000-4000-8000-000000000001",
                            "v1",  "1234",    ""};
  const meta::Time now(std::chrono::system_clock::now());

  core::Event e;
  e.metadata.name = "web-0.17cb4d1b6e5a2f80";
  e.metadata.namespace_ = "default";
  e.involved_object = pod;
  e.reason = "Started";
  e.message = "Started container app";
  e.source = {"example-controller", ""};
  e.first_timestamp = e.last_timestamp = now;
  e.count = 1;
  e.type = core::kEventTypeNormal;
  e.reporting_controller = "example-controller";
  std::printf("core/v1:\n%s\n\n", kube::api::ToJson(e).c_str());

  kube::api::events::v1::Event n;
  n.metadata.name = e.metadata.name;
  n.metadata.namespace_ = "default";
  n.event_time = meta::MicroTime(std::chrono::system_clock::now());
  n.reporting_controller = "example.com/controller";
  n.reporting_instance = "example.com/controller-host";
  n.action = "Reconcile";
  n.reason = "Started";
  n.regarding = pod;
  n.note = "Started container app";
  n.type = core::kEventTypeNormal;
  std::printf("events.k8s.io/v1:\n%s\n", kube::api::ToJson(n).c_str());
  return 0;
}
