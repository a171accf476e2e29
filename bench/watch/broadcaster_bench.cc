// Broadcaster throughput and ActionOrDrop latency (issue 3). Build with the release preset:
//   cmake --preset release && cmake --build build/release --target kubeevents_watch_bench
//   build/release/bench/watch/kubeevents_watch_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "alloc_hook.h"
#include "kubeevents/watch/broadcaster.h"

namespace kube::watch {
namespace {

using Clock = std::chrono::steady_clock;

struct Payload {
  std::string name = "pod-0.17f0a1b2c3d4e5f6";
  std::string message = "Scaled up replica set web-7d4b9c to 3";
};

// Each watcher drains on its own thread in batches, as the record/events consumers do.
std::thread StartDrainer(std::shared_ptr<Interface> w, std::atomic<std::uint64_t>* received) {
  return std::thread([w = std::move(w), received] {
    std::vector<Event> batch;
    batch.reserve(1024);
    std::uint64_t n = 0;
    while (w->ResultChan().ReceiveBatch(batch, 1024) > 0) {
      n += batch.size();
      batch.clear();
    }
    received->fetch_add(n);
  });
}

// Deliveries per second: one producer calls Action; `watchers` threads drain. Timed from the
// first Action until every watcher has received every event it was given (Shutdown + join).
// Incoming queue: 25 (NewBroadcaster) or 1000 (NewLongQueueBroadcaster, the shape tools/record
// uses); watcher queue 1000; policy kWaitIfChannelFull (lossless: every watcher gets every
// event) or kDropIfChannelFull (a full watcher channel skips that watcher; counted in
// dropped_frac, and deliveries/s counts only what was delivered).
void BM_Deliveries(benchmark::State& state) {
  const auto watchers = static_cast<std::size_t>(state.range(0));
  const bool long_queue = state.range(1) != 0;
  const auto policy = state.range(2) != 0 ? FullChannelBehavior::kDropIfChannelFull
                                          : FullChannelBehavior::kWaitIfChannelFull;
  const std::size_t events = std::max<std::size_t>(2'000'000 / watchers, 20'000);
  const Event event = Event::Make(EventType::kAdded, Payload{});
  std::uint64_t delivered = 0, dropped = 0;
  for (auto _ : state) {
    std::unique_ptr<Broadcaster> b = long_queue ? Broadcaster::NewLongQueueBroadcaster(1000, policy)
                                                : Broadcaster::NewBroadcaster(1000, policy);
    std::atomic<std::uint64_t> received{0};
    std::vector<std::thread> drainers;
    for (std::size_t i = 0; i < watchers; ++i) {
      drainers.push_back(StartDrainer(b->Watch().value(), &received));
    }
    const auto start = Clock::now();
    for (std::size_t i = 0; i < events; ++i) {
      if (!b->Action(event).ok()) state.SkipWithError("Action failed");
    }
    b->Shutdown();
    for (auto& t : drainers) t.join();
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
    const auto stats = b->Stats();
    delivered += received.load();
    dropped += stats.dropped_watcher_full;
    if (received.load() + stats.dropped_watcher_full != events * watchers) {
      state.SkipWithError("deliveries lost without being counted");
    }
  }
  state.counters["deliveries/s"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
  state.counters["dropped_frac"] =
      static_cast<double>(dropped) / static_cast<double>(delivered + dropped);
}
BENCHMARK(BM_Deliveries)
    ->ArgNames({"watchers", "long_queue", "drop"})
    ->ArgsProduct({{1, 10, 100}, {0, 1}, {0, 1}})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);

// Memory a watcher costs: bytes (and allocations) Broadcaster::Watch makes for one watcher
// (its pre-sized channel ring of `queue_length` slots and bookkeeping), averaged over 100
// watchers, counted by the allocation hook. (RSS is no measure here: the rings come from heap
// memory the earlier benchmarks of this process have already touched.)
void BM_WatcherQueueMemory(benchmark::State& state) {
  const auto queue_length = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t kWatchers = 100;
  for (auto _ : state) {
    auto b = Broadcaster::NewBroadcaster(queue_length, FullChannelBehavior::kDropIfChannelFull);
    std::vector<std::shared_ptr<Interface>> ws;
    ws.reserve(kWatchers);
    kube::bench::AllocTotals allocated;
    {
      kube::bench::AllocCounting counting;
      for (std::size_t i = 0; i < kWatchers; ++i) ws.push_back(b->Watch().value());
      allocated = counting.Totals();
    }
    state.counters["bytes_per_watcher"] =
        static_cast<double>(allocated.bytes) / static_cast<double>(kWatchers);
    state.counters["allocs_per_watcher"] =
        static_cast<double>(allocated.count) / static_cast<double>(kWatchers);
    b->Shutdown();
  }
}
BENCHMARK(BM_WatcherQueueMemory)
    ->ArgName("queue")
    ->Arg(100)
    ->Arg(1000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// ActionOrDrop on the caller's thread, with the distribution loop and one draining watcher
// running (the record pipeline's shape: NewLongQueueBroadcaster(1000, DropIfChannelFull)).
// Every call is timed individually (steady_clock overhead subtracted); reported: median and
// p99 of the calls that queued and of the calls that dropped, and the fraction dropped.
// pace_ns > 0 spaces the calls out (busy work between calls) so that the queue keeps up and
// the accept path is measured; with 0 the producer outruns the loop and most calls drop.
void BM_ActionOrDrop(benchmark::State& state) {
  const auto pace = std::chrono::nanoseconds(state.range(0));
  auto b = Broadcaster::NewLongQueueBroadcaster(1000, FullChannelBehavior::kDropIfChannelFull);
  std::atomic<std::uint64_t> received{0};
  std::thread drainer = StartDrainer(b->Watch().value(), &received);
  const Event event = Event::Make(EventType::kAdded, Payload{});

  constexpr std::size_t kSamples = 1 << 18;
  std::vector<std::int64_t> overhead(4096);
  for (auto& o : overhead) {
    const auto t0 = Clock::now();
    o = (Clock::now() - t0).count();
  }
  std::nth_element(overhead.begin(), overhead.begin() + 2048, overhead.end());
  const std::int64_t clock_ns = overhead[2048];

  std::vector<std::int64_t> queued_ns;
  std::vector<std::int64_t> dropped_ns;
  queued_ns.reserve(kSamples);
  dropped_ns.reserve(kSamples);
  std::uint64_t calls = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    auto queued = b->ActionOrDrop(event);
    const auto t1 = Clock::now();
    benchmark::DoNotOptimize(queued);
    auto& samples = *queued ? queued_ns : dropped_ns;
    if (samples.size() < kSamples) samples.push_back((t1 - t0).count() - clock_ns);
    ++calls;
    if (pace.count() > 0) {  // included in the benchmark's Time column; not in the counters
      const auto until = t1 + pace;
      while (Clock::now() < until) {
      }
    }
  }
  b->Shutdown();
  drainer.join();
  auto percentile = [](std::vector<std::int64_t>& v, double p) -> double {
    if (v.empty()) return 0;
    const auto k = static_cast<std::ptrdiff_t>(static_cast<double>(v.size() - 1) * p);
    std::nth_element(v.begin(), v.begin() + k, v.end());
    return static_cast<double>(v[static_cast<std::size_t>(k)]);
  };
  state.counters["queued_p50_ns"] = percentile(queued_ns, 0.5);
  state.counters["queued_p99_ns"] = percentile(queued_ns, 0.99);
  state.counters["dropped_p50_ns"] = percentile(dropped_ns, 0.5);
  const auto stats = b->Stats();
  state.counters["dropped_frac"] =
      static_cast<double>(stats.dropped_incoming) / static_cast<double>(calls);
}
BENCHMARK(BM_ActionOrDrop)->ArgName("pace_ns")->Arg(0)->Arg(1000)->MinTime(0.5);

}  // namespace
}  // namespace kube::watch
