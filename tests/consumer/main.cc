// Uses the public API through the installed include prefix: serializes an Event and runs a
// recorder into a watcher, so both headers and the library link are exercised.
#include <kubeevents/api/json.h>
#include <kubeevents/tools/record/event_broadcaster.h>
#include <kubeevents/version.h>

#include <atomic>
#include <chrono>
#include <cstdio>

int main() {
  kube::record::EventBroadcaster broadcaster;
  std::atomic<int> seen{0};
  broadcaster.StartEventWatcher([&](const kube::api::core::v1::Event& e) {
    std::printf("%s\n", kube::api::ToJson(e).c_str());
    ++seen;
  });
  kube::api::core::v1::ObjectReference pod{"Pod", "default", "web-0", "", "v1", "", ""};
  broadcaster.NewRecorder({"consumer", ""})
      ->Eventf(pod, "Normal", "Built", "kubeevents %s", kube::kVersion);
  broadcaster.Flush(std::chrono::seconds(10));
  return seen == 1 ? 0 : 1;
}
