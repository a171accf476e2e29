// Broadcaster throughput and ActionOrDrop latency (issue 3). Build in Release:
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

#include "kubeevents/watch/broadcaster.h"

namespace kube::watch {
namespace {

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

// Deliveries per second: one producer calls Action (WaitIfChannelFull, watcher queue 1000);
// `watchers` threads drain. Timed from the first Action until every watcher has received
// every event.
void BM_Deliveries(benchmark::State& state) {
  const auto watchers = static_cast<std::size_t>(state.range(0));
  const bool long_queue = state.range(1) != 0;
  const std::size_t events = std::max<std::size_t>(2'000'000 / watchers, 20'000);
  const Event event = Event::Make(EventType::kAdded, Payload{});
  for (auto _ : state) {
    std::unique_ptr<Broadcaster> b =
        long_queue
            ? Broadcaster::NewLongQueueBroadcaster(1000, FullChannelBehavior::kWaitIfChannelFull)
            : Broadcaster::NewBroadcaster(1000, FullChannelBehavior::kWaitIfChannelFull);
    std::atomic<std::uint64_t> received{0};
    std::vector<std::thread> drainers;
    for (std::size_t i = 0; i < watchers; ++i) {
      drainers.push_back(StartDrainer(b->Watch().value(), &received));
    }
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < events; ++i) {
      if (!b->Action(event).ok()) state.SkipWithError("Action failed");
    }
    b->Shutdown();
    for (auto& t : drainers) t.join();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
    if (received.load() != events * watchers) state.SkipWithError("lost deliveries");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events * watchers));
  state.counters["deliveries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * events * watchers), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Deliveries)
    ->ArgNames({"watchers", "long_queue"})
    ->ArgsProduct({{1, 10, 100}, {0, 1}})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);

// ActionOrDrop on the caller's thread, with the distribution loop and one draining watcher
// running (the record pipeline's shape: NewLongQueueBroadcaster(1000, DropIfChannelFull)).
// Besides the mean time per call, reports the median and p99 of individually timed calls
// (steady_clock overhead subtracted) and the fraction dropped.
void BM_ActionOrDrop(benchmark::State& state) {
  auto b = Broadcaster::NewLongQueueBroadcaster(1000, FullChannelBehavior::kDropIfChannelFull);
  std::atomic<std::uint64_t> received{0};
  std::thread drainer = StartDrainer(b->Watch().value(), &received);
  const Event event = Event::Make(EventType::kAdded, Payload{});

  constexpr std::size_t kSamples = 1 << 16;
  std::vector<std::int64_t> samples(kSamples);
  std::vector<std::int64_t> overhead(kSamples);
  for (auto& o : overhead) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto t1 = std::chrono::steady_clock::now();
    o = (t1 - t0).count();
  }
  std::sort(overhead.begin(), overhead.end());
  const std::int64_t clock_ns = overhead[kSamples / 2];

  std::size_t i = 0;
  std::uint64_t dropped = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto queued = b->ActionOrDrop(event);
    const auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(queued);
    if (!*queued) ++dropped;
    samples[i++ % kSamples] = (t1 - t0).count() - clock_ns;
  }
  b->Shutdown();
  drainer.join();
  const std::size_t n = std::min(i, kSamples);
  std::sort(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(n));
  state.counters["p50_ns"] = static_cast<double>(samples[n / 2]);
  state.counters["p99_ns"] = static_cast<double>(samples[n * 99 / 100]);
  state.counters["clock_ns"] = static_cast<double>(clock_ns);
  state.counters["dropped_frac"] =
      static_cast<double>(dropped) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ActionOrDrop)->MinTime(0.5);

// The same calls without per-call timing (mean only).
void BM_ActionOrDropUntimed(benchmark::State& state) {
  auto b = Broadcaster::NewLongQueueBroadcaster(1000, FullChannelBehavior::kDropIfChannelFull);
  std::atomic<std::uint64_t> received{0};
  std::thread drainer = StartDrainer(b->Watch().value(), &received);
  const Event event = Event::Make(EventType::kAdded, Payload{});
  for (auto _ : state) {
    auto queued = b->ActionOrDrop(event);
    benchmark::DoNotOptimize(queued);
  }
  const auto stats = b->Stats();
  b->Shutdown();
  drainer.join();
  state.counters["dropped_frac"] = static_cast<double>(stats.dropped_incoming) /
                                   static_cast<double>(stats.accepted + stats.dropped_incoming);
}
BENCHMARK(BM_ActionOrDropUntimed)->MinTime(0.5);

}  // namespace
}  // namespace kube::watch
