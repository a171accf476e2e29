// tools/events speed and memory (issue 7). Build with the release preset and run
//   build/release/bench/events/events_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "alloc_hook.h"
#include "counting_sink.h"
#include "process_stats.h"

#include "kubeevents/tools/events/event_broadcaster.h"

namespace {

using kube::api::core::v1::ObjectReference;
using kube::api::events::v1::Event;

using CountingSink = kube::bench::CountingSink<kube::events::EventSink, Event>;

kube::events::BroadcasterOptions Quiet() {
  kube::events::BroadcasterOptions o;
  o.logger = std::make_shared<kube::NullLogger>();
  o.hostname = "bench-host";
  return o;
}

const ObjectReference kPod{"Pod", "default", "web-0", "6f1c2a9e-0000-4000-8000-000000000001",
                           "v1",  "1234",    ""};

using kube::bench::RssKiB;

// Eventf on the caller's thread while the pipeline records to an in-memory sink.
void BM_EventsEventf(benchmark::State& state) {
  auto sink = std::make_shared<CountingSink>();
  kube::events::EventBroadcaster b(sink, Quiet());
  (void)b.StartRecordingToSink();
  auto recorder = b.NewRecorder("bench-controller");
  int i = 0;
  for (auto _ : state) {
    recorder->Eventf(kPod, nullptr, "Warning", "BackOff", "Restart",
                     "Back-off restarting failed container app in pod %s (%d)", "web-0", ++i);
  }
  b.Flush(std::chrono::seconds(30));
  const auto s = b.Stats();
  state.counters["emitted"] = static_cast<double>(s.emitted);
  state.counters["dropped_queue_full"] = static_cast<double>(s.dropped_queue_full);
}
BENCHMARK(BM_EventsEventf)->Repetitions(5)->ReportAggregatesOnly(true);

// Per-call latency of Eventf on the caller's thread: each call is timed, and the median and
// 99th percentile are reported (the target is a median; the mean above includes the rare
// calls that pay for waking another thread). Two consumers, the same two as bench/record's:
//  * BM_EventsEventfLatency: a watcher that takes each event and does not read it. The
//    figure is the call itself (the targeted one), measured alike for both recorders.
//  * BM_EventsEventfLatency_RecordingToSink: the recorder's own recordToSink consumer (the
//    series cache) writing to an in-memory sink, which reads every event's fields on the
//    other core; the caller's next writes into recycled events then wait for those cache
//    lines to come back. dropped_frac: events the queues had no room for (counted).
void EventsEventfLatency(benchmark::State& state, bool recording) {
  auto sink = std::make_shared<CountingSink>();
  kube::events::EventBroadcaster b(sink, Quiet());
  if (recording) {
    (void)b.StartRecordingToSink();
  } else {
    b.StartEventWatcher([](const Event&) {});
  }
  auto recorder = b.NewRecorder("bench-controller");
  std::vector<std::int64_t> ns;
  ns.reserve(1 << 20);
  int i = 0;
  // allocs_per_event: operator new calls on every thread (the caller's, the consumer's and
  // the sink's) from the first Eventf until every event has been handled.
  kube::bench::AllocCounting counting;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    recorder->Eventf(kPod, nullptr, "Warning", "BackOff", "Restart",
                     "Back-off restarting failed container app in pod %s (%d)", "web-0", ++i);
    ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count());
  }
  b.Flush(std::chrono::seconds(30));
  const auto allocs = counting.Totals().count;
  std::sort(ns.begin(), ns.end());
  const auto s = b.Stats();
  state.counters["p50_ns"] = static_cast<double>(ns[ns.size() / 2]);
  state.counters["p99_ns"] = static_cast<double>(ns[ns.size() * 99 / 100]);
  state.counters["allocs_per_event"] = static_cast<double>(allocs) / static_cast<double>(ns.size());
  state.counters["dropped_frac"] =
      static_cast<double>(s.dropped_queue_full + s.dropped_consumer_full) /
      static_cast<double>(ns.size());
}
void BM_EventsEventfLatency(benchmark::State& state) { EventsEventfLatency(state, false); }
BENCHMARK(BM_EventsEventfLatency)->Iterations(500000);
void BM_EventsEventfLatency_RecordingToSink(benchmark::State& state) {
  EventsEventfLatency(state, true);
}
BENCHMARK(BM_EventsEventfLatency_RecordingToSink)->Iterations(500000);

// A storm of 1 000 000 isomorphic events: one create and one patch reach the sink, the
// cache holds one entry and memory stays flat.
void BM_EventsStorm(benchmark::State& state) {
  for (auto _ : state) {
    auto sink = std::make_shared<CountingSink>();
    kube::events::EventBroadcaster b(sink, Quiet());
    (void)b.StartRecordingToSink();
    auto recorder = b.NewRecorder("bench-controller");
    const long rss_before = RssKiB();
    long rss_mid = 0;
    for (int i = 0; i < 1'000'000; ++i) {
      recorder->Eventf(kPod, nullptr, "Warning", "BackOff", "Restart", "restart %d", i);
      if (i == 100'000) rss_mid = RssKiB();
    }
    b.Flush(std::chrono::seconds(60));
    const auto s = b.Stats();
    state.counters["sink_creates"] = static_cast<double>(sink->created);
    state.counters["sink_patches"] = static_cast<double>(sink->patched);
    state.counters["cached"] = static_cast<double>(s.cached);
    state.counters["series_observed"] = static_cast<double>(s.series_observed);
    state.counters["dropped_counted"] =
        static_cast<double>(s.dropped_queue_full + s.dropped_consumer_full);
    state.counters["rss_growth_after_100k_KiB"] = static_cast<double>(RssKiB() - rss_mid);
    state.counters["rss_growth_total_KiB"] = static_cast<double>(RssKiB() - rss_before);
  }
}
BENCHMARK(BM_EventsStorm)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
