// Overload: a million events from four threads as fast as they can while the server answers
// every write 50 ms late. Eventf must never block (its latency is measured around every call),
// memory must stay bounded, and every event must be accounted for (most are dropped at the full
// queues, each counted and logged).
#include <algorithm>
#include <cstdlib>

#include <gtest/gtest.h>

#include "kubeevents/tools/events/event_broadcaster.h"
#include "reliability_support.h"

namespace kube::reliability {
namespace {

// 1 000 000 in plain and ASan builds, 100 000 under TSan (about 10x slower per call);
// KUBEEVENTS_RELIABILITY_EVENTS overrides.
std::uint64_t EventCountForThisBuild() {
  if (const char* env = std::getenv("KUBEEVENTS_RELIABILITY_EVENTS")) {
    return std::strtoull(env, nullptr, 10);
  }
  return UnderTsan() ? 100'000 : 1'000'000;
}

// 4 emitting threads; KUBEEVENTS_RELIABILITY_THREADS overrides (to tell preemption on an
// oversubscribed machine from waiting inside Eventf: docs/reliability.md).
int EmitterThreads() {
  if (const char* env = std::getenv("KUBEEVENTS_RELIABILITY_THREADS")) {
    return std::max(1, std::atoi(env));
  }
  return 4;
}

class OverloadTest : public ::testing::TestWithParam<Kind> {};

TEST_P(OverloadTest, AMillionEventsFromFourThreadsNeverBlockAndAreAllAccountedFor) {
  const int emitters = EmitterThreads();
  const std::uint64_t total = EventCountForThisBuild();
  const std::uint64_t per_thread = total / emitters;
  TestServer server;
  server.faults().SetLatency(50ms);
  auto logger = std::make_shared<CountingLogger>();
  auto p = MakePipeline(GetParam(), server.Config(), 20ms, logger);
  ASSERT_TRUE(p);
  // Latency samples are allocated (and touched) before the baseline.
  std::vector<std::vector<std::uint32_t>> samples(emitters,
                                                  std::vector<std::uint32_t>(per_thread, 0));
  for (std::uint64_t i = 0; i < 1000; ++i) p->Emit(total + i);  // warm up pools and caches
  const std::uint64_t rss_before = RssKiB();

  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < emitters; ++t) {
      threads.emplace_back([&, t] {
        auto& out = samples[static_cast<std::size_t>(t)];
        const std::uint64_t base = static_cast<std::uint64_t>(t) * per_thread;
        for (std::uint64_t i = 0; i < per_thread; ++i) {
          const auto t0 = std::chrono::steady_clock::now();
          p->Emit(base + i);
          const auto t1 = std::chrono::steady_clock::now();
          out[i] = static_cast<std::uint32_t>(
              std::min<std::int64_t>(std::chrono::nanoseconds(t1 - t0).count(), UINT32_MAX));
        }
      });
    }
  }
  const auto emit_time = std::chrono::steady_clock::now() - start;
  const std::uint64_t rss_after = RssKiB();

  // Recovery: the server speeds up again and everything still queued is written.
  server.faults().SetLatency(0ms);
  ASSERT_TRUE(p->Flush(120s)) << p->Stats().ToString();
  const std::uint64_t rss_flushed = RssKiB();
  const auto a = p->Stats();

  std::vector<std::uint32_t> all;
  all.reserve(per_thread * emitters);
  for (const auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  const auto max_ns = *std::max_element(all.begin(), all.end());
  const std::size_t k = all.size() - 1 - all.size() / 1000;  // p99.9
  std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
  const auto p999_ns = all[k];
  std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(all.size() / 2),
                   all.end());
  const auto p50_ns = all[all.size() / 2];

  const double secs = std::chrono::duration<double>(emit_time).count();
  std::printf(
      "[overload] %s: %llu events from %d threads in %.2f s (%.0f/s); Eventf p50 %.2f us, "
      "p99.9 %.2f us, max %.2f ms; RSS before %llu KiB, after emitting %llu KiB, after flush "
      "%llu KiB (growth %lld KiB)\n",
      KindName(GetParam()).c_str(), static_cast<unsigned long long>(per_thread * emitters),
      emitters, secs, static_cast<double>(per_thread * emitters) / secs, p50_ns / 1e3,
      p999_ns / 1e3, max_ns / 1e6, static_cast<unsigned long long>(rss_before),
      static_cast<unsigned long long>(rss_after), static_cast<unsigned long long>(rss_flushed),
      static_cast<long long>(rss_after) - static_cast<long long>(rss_before));
  RecordProperty("events", std::to_string(per_thread * emitters));
  RecordProperty("eventf_p50_ns", std::to_string(p50_ns));
  RecordProperty("eventf_p999_ns", std::to_string(p999_ns));
  RecordProperty("eventf_max_ns", std::to_string(max_ns));
  RecordProperty("rss_before_kib", std::to_string(rss_before));
  RecordProperty("rss_after_kib", std::to_string(rss_after));
  RecordProperty("rss_flushed_kib", std::to_string(rss_flushed));

  // Every event has an outcome; the drops were logged one by one.
  ExpectAllAccounted(a, server.server().EventCount());
  EXPECT_EQ(a.calls, per_thread * emitters + 1000);
  EXPECT_GT(a.created, 0u);
  EXPECT_EQ(logger->Count("Unable to record event: too many queued events, dropped event"),
            a.dropped_queue_full + a.dropped_pending_full);
  if (a.dropped_consumer_full > 0) {
    EXPECT_GE(logger->Count("Dropped events: a consumer's queue was full"), 1u);
  }
  // Never blocks: a generous bound that holds on the loaded, oversubscribed 2-core machine
  // (4 emitters + pipeline + server + other builds); not a speed target. Measured maxima there
  // were 114-200 ms, from preemption (p99.9 of 30-45 ms shows the machine, not the server: a
  // caller waiting for the queue to drain behind a 50 ms server would wait seconds).
  EXPECT_LT(std::chrono::nanoseconds(max_ns), 1s);
  // Bounded memory: bounded queues, pooled event buffers (core/v1), and the events.k8s.io/v1
  // series cache bounded by max_cached_events (4096; client-go's has no bound, which cost
  // ~260 MB here), forgetting the least recently observed. ASan's quarantine keeps freed
  // memory resident and TSan's shadow memory grows with what is touched, hence their larger
  // bound.
  const std::uint64_t bound_kib = UnderAsan() || UnderTsan() ? 512 * 1024 : 64 * 1024;
  EXPECT_LT(rss_after - std::min(rss_after, rss_before), bound_kib);
  if (GetParam() == Kind::kEventsV1) {
    // The series cache forgets the least recently observed event once it holds
    // max_cached_events. Whether this run gets there depends on how many events passed the
    // consumer's queue: 1 000 000 always do here, but of TSan's 100 000 on a loaded machine
    // fewer than 4096 may (3 689 in one run, the rest dropped and counted). The bound itself
    // is tested deterministically in tests/events (singletons_evicted).
    const std::uint64_t observed = a.emitted - std::min(a.emitted, a.dropped_consumer_full);
    if (observed > events::kMaxCachedEvents) {
      EXPECT_GT(a.singletons_evicted, 0u) << a.ToString();
    }
    EXPECT_EQ(a.series_evicted, 0u) << a.ToString();  // distinct events make no series
    EXPECT_EQ(a.failed_series_writes, 0u) << a.ToString();
  }
  p->Shutdown();
}

INSTANTIATE_TEST_SUITE_P(BothRecorders, OverloadTest,
                         ::testing::Values(Kind::kCoreV1, Kind::kEventsV1),
                         [](const auto& info) { return KindName(info.param); });

}  // namespace
}  // namespace kube::reliability
