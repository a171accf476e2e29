// tools/record speed and memory (issue 4). Build with the release preset:
//   cmake --preset release && cmake --build build/release --target record_bench
//   build/release/bench/record/record_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "alloc_hook.h"
#include "counting_sink.h"
#include "instruction_count.h"
#include "process_stats.h"

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/tools/record/event_broadcaster.h"
#include "kubeevents/tools/record/event_correlator.h"
#include "kubeevents/tools/record/internal/sink_writer.h"

namespace {

using kube::api::core::v1::Event;
using kube::api::core::v1::ObjectReference;

using CountingSink = kube::bench::CountingSink<kube::record::EventSink, Event>;

ObjectReference Pod(int i) {
  return {"Pod",
          "default",
          "web-" + std::to_string(i),
          "6f1c2a9e-0000-4000-8000-00000000000" + std::to_string(i % 10),
          "v1",
          "1234",
          ""};
}

Event MakeEvent(const ObjectReference& ref, std::string message) {
  Event e;
  e.metadata.name = ref.name + ".17cb4d1b6e5a2f80";
  e.metadata.namespace_ = ref.namespace_;
  e.involved_object = ref;
  e.reason = "Started";
  e.message = std::move(message);
  e.type = "Normal";
  e.source = {"bench-controller", "node-1"};
  e.count = 1;
  e.first_timestamp = kube::api::meta::v1::Time(std::chrono::system_clock::now());
  e.last_timestamp = e.first_timestamp;
  e.reporting_controller = "bench-controller";
  e.reporting_instance = "node-1";
  return e;
}

kube::record::BroadcasterOptions QuietOptions() {
  kube::record::BroadcasterOptions o;
  o.logger = std::make_shared<kube::NullLogger>();
  o.correlator_options.disable_spam_filter = true;
  return o;
}

// Eventf on the caller's thread: reference building, formatting, event construction and the
// non-blocking enqueue. A watcher drains the queue meanwhile.
void BM_Eventf(benchmark::State& state) {
  kube::record::EventBroadcaster b(QuietOptions());
  b.StartEventWatcher([](const Event&) {});
  auto recorder = b.NewRecorder({"bench-controller", "node-1"});
  const ObjectReference pod = Pod(1);
  int i = 0;
  for (auto _ : state) {
    recorder->Eventf(pod, "Normal", "Scaled", "Scaled replica set %s to %d", "web-5d4f", ++i);
  }
  b.Flush(std::chrono::seconds(30));
  const auto s = b.Stats();
  state.counters["emitted"] = static_cast<double>(s.emitted);
  state.counters["dropped_queue_full"] = static_cast<double>(s.dropped_queue_full);
}
BENCHMARK(BM_Eventf)
    ->ComputeStatistics("median",
                        [](const std::vector<double>& v) {
                          std::vector<double> c = v;

                          std::nth_element(c.begin(), c.begin() + static_cast<long>(c.size() / 2),
                                           c.end());
                          return c[c.size() / 2];
                        })
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

// Per-call latency of Eventf on the caller's thread: each call is timed, and the median and
// 99th percentile are reported (the target is a median; the mean above includes the rare
// calls that pay for waking another thread). Two consumers, the same two as bench/events':
//  * BM_EventfLatency: a watcher that takes each event and does not read it. The figure is
//    the call itself (the targeted one), measured alike for both recorders.
//  * BM_EventfLatency_RecordingToSink: recordToSink (correlator, in-memory sink) as the
//    consumer. It is slower than the caller, so most of the back-to-back calls find the
//    queues full and drop their event (dropped_frac, counted): the figure then mostly times
//    the drop path, and moves with how many are dropped.
void EventfLatency(benchmark::State& state, bool recording) {
  kube::record::EventBroadcaster b(QuietOptions());
  if (recording) {
    b.StartRecordingToSink(std::make_shared<CountingSink>());
  } else {
    b.StartEventWatcher([](const Event&) {});
  }
  auto recorder = b.NewRecorder({"bench-controller", "node-1"});
  const ObjectReference pod = Pod(1);
  std::vector<std::int64_t> ns;
  ns.reserve(1 << 20);
  int i = 0;
  // allocs_per_event: operator new calls on every thread (the caller's and the consumer's)
  // from the first Eventf until every event has been handled.
  kube::bench::AllocCounting counting;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    recorder->Eventf(pod, "Normal", "Scaled", "Scaled replica set %s to %d", "web-5d4f", ++i);
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
void BM_EventfLatency(benchmark::State& state) { EventfLatency(state, false); }
BENCHMARK(BM_EventfLatency)->Iterations(500000);
void BM_EventfLatency_RecordingToSink(benchmark::State& state) { EventfLatency(state, true); }
BENCHMARK(BM_EventfLatency_RecordingToSink)->Iterations(500000);

void BM_EventCorrelate_Unique(benchmark::State& state) {
  kube::record::CorrelatorOptions o;
  o.disable_spam_filter = true;
  kube::record::EventCorrelator c(o);
  std::vector<Event> events;
  for (int i = 0; i < 8192; ++i) events.push_back(MakeEvent(Pod(i), "message"));
  std::size_t i = 0;
  kube::bench::RunSteps(state, "correlate.unique",
                        [&] { benchmark::DoNotOptimize(c.EventCorrelate(events[i++ & 8191])); });
}
BENCHMARK(BM_EventCorrelate_Unique);

void BM_EventCorrelate_Identical(benchmark::State& state) {
  kube::record::CorrelatorOptions o;
  o.disable_spam_filter = true;
  kube::record::EventCorrelator c(o);
  const Event e = MakeEvent(Pod(1), "Back-off restarting failed container");
  kube::bench::RunSteps(state, "correlate.identical",
                        [&] { benchmark::DoNotOptimize(c.EventCorrelate(e)); });
}
BENCHMARK(BM_EventCorrelate_Identical);

void BM_EventCorrelate_Aggregating(benchmark::State& state) {
  kube::record::CorrelatorOptions o;
  o.disable_spam_filter = true;
  kube::record::EventCorrelator c(o);
  std::vector<Event> events;
  for (int i = 0; i < 1024; ++i)
    events.push_back(MakeEvent(Pod(1), "message " + std::to_string(i)));
  std::size_t i = 0;
  kube::bench::RunSteps(state, "correlate.aggregating",
                        [&] { benchmark::DoNotOptimize(c.EventCorrelate(events[i++ & 1023])); });
}
BENCHMARK(BM_EventCorrelate_Aggregating);

// The same three cases through Correlate(const Event&, scratch), the form recordToSink uses:
// no copy of the input, and the copy a repeat needs goes into the previous view's buffers.
// The gap to the rows above is what the by-value EventCorrelate costs its caller.
template <typename MakeEvents>
void CorrelateNoCopy(benchmark::State& state, const char* id, MakeEvents make) {
  kube::record::CorrelatorOptions o;
  o.disable_spam_filter = true;
  kube::record::EventCorrelator c(o);
  const std::vector<Event> events = make();
  const std::size_t mask = events.size() - 1;  // a power of two
  std::unique_ptr<Event> scratch;
  std::size_t i = 0;
  kube::bench::RunSteps(state, id, [&] {
    auto view = c.Correlate(events[i++ & mask], std::move(scratch));
    benchmark::DoNotOptimize(view.event());
    benchmark::DoNotOptimize(view.patch);
    scratch = std::move(view.modified);
  });
}
void BM_Correlate_Unique(benchmark::State& state) {
  CorrelateNoCopy(state, "correlate_nocopy.unique", [] {
    std::vector<Event> v;
    for (int i = 0; i < 8192; ++i) v.push_back(MakeEvent(Pod(i), "message"));
    return v;
  });
}
BENCHMARK(BM_Correlate_Unique);
void BM_Correlate_Identical(benchmark::State& state) {
  CorrelateNoCopy(state, "correlate_nocopy.identical", [] {
    return std::vector<Event>{MakeEvent(Pod(1), "Back-off restarting failed container")};
  });
}
BENCHMARK(BM_Correlate_Identical);
void BM_Correlate_Aggregating(benchmark::State& state) {
  CorrelateNoCopy(state, "correlate_nocopy.aggregating", [] {
    std::vector<Event> v;
    for (int i = 0; i < 1024; ++i) v.push_back(MakeEvent(Pod(1), "message " + std::to_string(i)));
    return v;
  });
}
BENCHMARK(BM_Correlate_Aggregating);

void BM_EventCorrelate_Identical_SpamFilterOn(benchmark::State& state) {
  kube::record::EventCorrelator c;
  const Event e = MakeEvent(Pod(1), "Back-off restarting failed container");
  kube::bench::RunSteps(state, "correlate.identical_spamfilter",
                        [&] { benchmark::DoNotOptimize(c.EventCorrelate(e)); });
}
BENCHMARK(BM_EventCorrelate_Identical_SpamFilterOn);

// The consumer's share of the pipeline on one thread: recordToSink (correlate, write to the
// in-memory sink, UpdateState) for unique events.
void BM_RecordToSink_Unique(benchmark::State& state) {
  auto sink = std::make_shared<CountingSink>();
  kube::record::CorrelatorOptions o;
  o.disable_spam_filter = true;
  kube::record::internal::RecordCounters counters;
  kube::record::internal::SinkWriter writer(sink, o, std::chrono::seconds(10),
                                            kube::MakeRealClock(),
                                            std::make_shared<kube::NullLogger>(), 1, counters);
  std::vector<Event> events;
  for (int i = 0; i < 8192; ++i) events.push_back(MakeEvent(Pod(i), "message"));
  std::size_t i = 0;
  std::stop_source stop;
  kube::bench::RunSteps(state, "record_to_sink.unique",
                        [&] { writer.RecordToSink(events[i++ & 8191], stop.get_token()); });
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordToSink_Unique);

// Eventf -> broadcaster -> correlator -> in-memory sink, spam filter on or off. Emitted back to
// back: what does not fit the 1000-slot queues is counted, never silent. items = events the
// sink side handled (written, or skipped by the spam filter); `delivered` = written to the
// sink; allocs_per_event = operator new calls on every thread from the first Eventf until
// Flush returned, divided by the events asked for; silent_drops = events in no counter.
void Pipeline(benchmark::State& state, bool identical, bool spam_filter, std::size_t queue = 0) {
  const int n = static_cast<int>(state.range(0));
  std::vector<ObjectReference> refs;
  for (int i = 0; i < n; ++i) refs.push_back(Pod(identical ? 1 : i));
  std::uint64_t delivered = 0, handled = 0, dropped = 0, skipped = 0, silent = 0, allocs = 0;
  for (auto _ : state) {
    auto options = QuietOptions();
    options.correlator_options.disable_spam_filter = !spam_filter;
    if (queue != 0) options.max_queued_events = queue;
    kube::record::EventBroadcaster b(options);
    auto sink = std::make_shared<CountingSink>();
    b.StartRecordingToSink(sink);
    auto recorder = b.NewRecorder({"bench-controller", "node-1"});
    {
      kube::bench::AllocCounting counting;
      for (int i = 0; i < n; ++i)
        recorder->Event(refs[static_cast<std::size_t>(i)], "Normal", "Started",
                        "Started container app");
      b.Flush(std::chrono::seconds(60));
      allocs += counting.Totals().count;
    }
    const auto s = b.Stats();
    delivered += sink->created + sink->patched;
    handled += sink->created + sink->patched + s.skipped_spam;
    skipped += s.skipped_spam;
    dropped += s.dropped_queue_full + s.dropped_consumer_full;
    const auto accounted = s.created + s.patched + s.skipped_spam + s.dropped_consumer_full +
                           s.abandoned + s.failed_rejected + s.failed_quietly +
                           s.failed_request_building + s.failed_retry_limit + s.failed_shutdown;
    const auto asked = s.emitted + s.dropped_queue_full + s.dropped_shutdown + s.dropped_invalid;
    const auto lost =
        (s.emitted > accounted ? s.emitted - accounted : 0) +
        (static_cast<std::uint64_t>(n) > asked ? static_cast<std::uint64_t>(n) - asked : 0);
    silent += lost;
    if (lost != 0) state.SkipWithError("an event was lost without being counted");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(handled));
  const auto avg = benchmark::Counter::kAvgIterations;
  state.counters["delivered"] = benchmark::Counter(static_cast<double>(delivered), avg);
  state.counters["delivered_per_s"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
  state.counters["dropped_counted"] = benchmark::Counter(static_cast<double>(dropped), avg);
  state.counters["skipped_spam"] = benchmark::Counter(static_cast<double>(skipped), avg);
  state.counters["silent_drops"] = static_cast<double>(silent);
  // What the in-memory sink itself allocates per write: the copy of the event it returns
  // (the correlator's UpdateState needs the sink's answer; the REST sink decodes one).
  {
    const Event sample = MakeEvent(refs[0], "Started container app");
    kube::bench::AllocCounting counting;
    Event copy = sample;
    benchmark::DoNotOptimize(copy);
    state.counters["sink_copy_allocs"] = static_cast<double>(counting.Totals().count);
  }
  state.counters["allocs_per_event"] = static_cast<double>(allocs) / static_cast<double>(n) /
                                       static_cast<double>(state.iterations());
}
void BM_Pipeline_Unique(benchmark::State& state) { Pipeline(state, false, false); }
void BM_Pipeline_Identical(benchmark::State& state) { Pipeline(state, true, false); }
void BM_Pipeline_Unique_SpamFilterOn(benchmark::State& state) { Pipeline(state, false, true); }
void BM_Pipeline_Identical_SpamFilterOn(benchmark::State& state) { Pipeline(state, true, true); }
BENCHMARK(BM_Pipeline_Unique)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Pipeline_Identical)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Pipeline_Unique_SpamFilterOn)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Pipeline_Identical_SpamFilterOn)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// The same with queues sized to the burst (max_queued_events = 100 000): nothing is dropped,
// so this is the sustained throughput of the whole pipeline.
void BM_Pipeline_Unique_BurstSizedQueues(benchmark::State& state) {
  Pipeline(state, false, false, 100000);
}
void BM_Pipeline_Identical_BurstSizedQueues(benchmark::State& state) {
  Pipeline(state, true, false, 100000);
}
BENCHMARK(BM_Pipeline_Unique_BurstSizedQueues)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Pipeline_Identical_BurstSizedQueues)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Peak RSS of the whole pipeline (recorder, broadcaster, correlator with the spam filter on,
// in-memory sink) while 1 000 000 unique events go through it, in chunks of 500 with a Flush
// after each so that none is dropped: the peak after 10 000 events and after 1 000 000
// (VmHWM, reset after set-up). The LRU caches hold 4096 entries whatever the count.
void BM_PipelineMemory(benchmark::State& state) {
  for (auto _ : state) {
    auto options = QuietOptions();
    options.correlator_options.disable_spam_filter = false;
    kube::record::EventBroadcaster b(options);
    auto sink = std::make_shared<CountingSink>();
    b.StartRecordingToSink(sink);
    auto recorder = b.NewRecorder({"bench-controller", "node-1"});
    const bool reset = kube::bench::ResetPeakRss();
    const long base = kube::bench::PeakRssKiB();
    long peak_10k = 0;
    constexpr int kChunk = 500;
    for (int i = 0; i < 1'000'000; i += kChunk) {
      for (int j = i; j < i + kChunk; ++j) recorder->Event(Pod(j), "Normal", "Started", "m");
      b.Flush(std::chrono::seconds(60));
      if (i + kChunk == 10'000) peak_10k = kube::bench::PeakRssKiB();
    }
    const long peak_1m = kube::bench::PeakRssKiB();
    const auto s = b.Stats();
    state.counters["peak_rss_baseline_KiB"] = static_cast<double>(base);
    state.counters["peak_rss_10k_KiB"] = static_cast<double>(peak_10k);
    state.counters["peak_rss_1m_KiB"] = static_cast<double>(peak_1m);
    state.counters["rss_growth_10k_to_1m_KiB"] = static_cast<double>(peak_1m - peak_10k);
    state.counters["peak_reset"] = reset ? 1 : 0;
    state.counters["delivered"] = static_cast<double>(sink->created + sink->patched);
    state.counters["dropped_counted"] =
        static_cast<double>(s.dropped_queue_full + s.dropped_consumer_full);
  }
}
BENCHMARK(BM_PipelineMemory)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// The spam filter alone (EventSourceObjectSpamFilter::Filter, client-go's defaults: 4096
// buckets, burst 25, one token per 5 minutes): one object over and over (skipped after 25),
// and 8192 objects in turn (every call evicts a bucket and starts a new one).
void SpamFilter(benchmark::State& state, const char* id, int objects) {
  kube::record::EventSourceObjectSpamFilter filter(
      kube::record::kMaxLruCacheEntries, kube::record::kDefaultSpamBurst,
      kube::record::kDefaultSpamQPS, kube::MakeRealClock(), &kube::record::GetSpamKey);
  std::vector<Event> events;
  for (int i = 0; i < objects; ++i) events.push_back(MakeEvent(Pod(i), "message"));
  const auto mask = static_cast<std::size_t>(objects - 1);
  std::size_t i = 0;
  std::uint64_t skipped = 0;
  kube::bench::RunSteps(state, id, [&] { skipped += filter.Filter(events[i++ & mask]) ? 1 : 0; });
  state.counters["skipped_frac"] =
      static_cast<double>(skipped) / static_cast<double>(state.iterations());
}
void BM_SpamFilter_SameObject(benchmark::State& state) {
  SpamFilter(state, "spamfilter.one_object", 1);
}
void BM_SpamFilter_8192Objects(benchmark::State& state) {
  SpamFilter(state, "spamfilter.8192_objects", 8192);
}
BENCHMARK(BM_SpamFilter_SameObject);
BENCHMARK(BM_SpamFilter_8192Objects);

// Memory stays bounded: the LRU caches hold 4096 entries each, whatever the event count.
void BM_CorrelatorMemory(benchmark::State& state) {
  for (auto _ : state) {
    kube::record::CorrelatorOptions o;
    o.disable_spam_filter = false;
    kube::record::EventCorrelator c(o);
    for (int i = 0; i < 10000; ++i) c.EventCorrelate(MakeEvent(Pod(i), "m"));
    const long after_10k = kube::bench::RssKiB();
    for (int i = 10000; i < 1000000; ++i) c.EventCorrelate(MakeEvent(Pod(i), "m"));
    const long after_1m = kube::bench::RssKiB();
    state.counters["rss_growth_KiB"] = static_cast<double>(after_1m - after_10k);
  }
}
BENCHMARK(BM_CorrelatorMemory)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
