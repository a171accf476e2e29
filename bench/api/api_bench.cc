// api/ speed (issue 14): Kubernetes JSON of core/v1 and events.k8s.io/v1 Events, and the
// strategic-merge-patch bodies the two pipelines PATCH with (record::MakeDedupPatch for a
// repeated core/v1 event, events::MakeSeriesPatch for a series). Release preset:
//   build/release/bench/api/kubeevents_api_bench
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "instruction_count.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/api/json.h"
#include "kubeevents/tools/events/event_broadcaster.h"
#include "kubeevents/tools/record/event_correlator.h"

namespace {

using kube::api::core::v1::ObjectReference;
namespace metav1 = kube::api::meta::v1;

const ObjectReference kPod{
    "Pod", "default", "web-7d4b9c-x2x9z",    "6f1c2a9e-0000-4000-8000-000000000001",
    "v1",  "123456",  "spec.containers{app}"};

// What a core/v1 recorder writes (every field client-go sets).
kube::api::core::v1::Event CoreEvent() {
  kube::api::core::v1::Event e;
  e.metadata.name = "web-7d4b9c-x2x9z.17cb4d1b6e5a2f80";
  e.metadata.namespace_ = "default";
  e.involved_object = kPod;
  e.reason = "BackOff";
  e.message = "Back-off restarting failed container app in pod web-7d4b9c-x2x9z_default";
  e.type = "Warning";
  e.source = {"kubelet", "node-1"};
  e.count = 1;
  e.first_timestamp = metav1::Time(std::chrono::system_clock::now());
  e.last_timestamp = e.first_timestamp;
  e.reporting_controller = "kubelet";
  e.reporting_instance = "node-1";
  return e;
}

// What an events.k8s.io/v1 recorder writes, with a series.
kube::api::events::v1::Event EventsEvent() {
  kube::api::events::v1::Event e;
  e.metadata.name = "web-7d4b9c-x2x9z.17cb4d1b6e5a2f80";
  e.metadata.namespace_ = "default";
  e.event_time = metav1::MicroTime(std::chrono::system_clock::now());
  e.series =
      kube::api::events::v1::EventSeries{7, metav1::MicroTime(std::chrono::system_clock::now())};
  e.reporting_controller = "bench-controller";
  e.reporting_instance = "bench-controller-node-1";
  e.action = "Restart";
  e.reason = "BackOff";
  e.regarding = kPod;
  e.note = "Back-off restarting failed container app in pod web-7d4b9c-x2x9z_default";
  e.type = "Warning";
  return e;
}

template <typename E>
void Encode(benchmark::State& state, const char* id, const E& event) {
  std::size_t bytes = 0;
  kube::bench::RunSteps(state, id, [&] {
    std::string json = kube::api::ToJson(event);
    bytes += json.size();
    benchmark::DoNotOptimize(json);
  });
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["json_bytes"] = static_cast<double>(kube::api::ToJson(event).size());
}

template <typename E>
void Decode(benchmark::State& state, const char* id, const E& event) {
  const std::string json = kube::api::ToJson(event);
  kube::bench::RunSteps(state, id, [&] {
    auto decoded = kube::api::FromJson<E>(json);
    if (!decoded.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  });
  state.SetBytesProcessed(static_cast<std::int64_t>(json.size() * state.iterations()));
}

void BM_CoreV1EventEncode(benchmark::State& state) {
  Encode(state, "json.core.encode", CoreEvent());
}
void BM_CoreV1EventDecode(benchmark::State& state) {
  Decode(state, "json.core.decode", CoreEvent());
}
void BM_EventsV1EventEncode(benchmark::State& state) {
  Encode(state, "json.events.encode", EventsEvent());
}
void BM_EventsV1EventDecode(benchmark::State& state) {
  Decode(state, "json.events.decode", EventsEvent());
}
BENCHMARK(BM_CoreV1EventEncode);
BENCHMARK(BM_CoreV1EventDecode);
BENCHMARK(BM_EventsV1EventEncode);
BENCHMARK(BM_EventsV1EventDecode);

// The core/v1 dedup PATCH body {"count":N,"lastTimestamp":"...","message":"..."}.
void BM_DedupPatchBody(benchmark::State& state) {
  const metav1::Time now(std::chrono::system_clock::now());
  const std::string message =
      "Back-off restarting failed container app in pod web-7d4b9c-x2x9z_default";
  std::int32_t count = 2;
  kube::bench::RunSteps(state, "patch.core", [&] {
    std::string body = kube::record::MakeDedupPatch(++count, now, message);
    benchmark::DoNotOptimize(body);
  });
}
BENCHMARK(BM_DedupPatchBody);

// The events.k8s.io/v1 series PATCH body {"series":{"count":N,"lastObservedTime":"..."}}.
void BM_SeriesPatchBody(benchmark::State& state) {
  kube::api::events::v1::EventSeries series{2, metav1::MicroTime(std::chrono::system_clock::now())};
  kube::bench::RunSteps(state, "patch.events", [&] {
    ++series.count;
    std::string body = kube::events::MakeSeriesPatch(series);
    benchmark::DoNotOptimize(body);
  });
}
BENCHMARK(BM_SeriesPatchBody);

}  // namespace
