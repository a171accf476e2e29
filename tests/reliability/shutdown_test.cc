// Shutdown under load, for both recorders: with events queued, retries sleeping and a request
// stuck in flight, Shutdown returns within a second, counts what it abandoned, and leaves no
// thread behind (ASan runs this file too, for use-after-free); Flush then Shutdown writes
// everything the server accepts.

#include <gtest/gtest.h>

#include "reliability_support.h"

namespace kube::reliability {
namespace {

class ShutdownTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override { SettleRuntimeThreads(); }
};

TEST_P(ShutdownTest, WithEventsQueuedAndRetriesSleepingReturnsWithinOneSecond) {
  TestServer server;
  const int baseline = ThreadCount();
  Accounting a;
  {
    // client-go's 10 s retry sleep: Shutdown has to interrupt it.
    auto p = MakePipeline(GetParam(), server.Config(), 10s);
    ASSERT_TRUE(p);
    server.server().StopAccepting();
    for (std::uint64_t i = 0; i < 500; ++i) p->Emit(i);
    ASSERT_TRUE(Eventually([&] { return p->Stats().retries >= 1; })) << p->Stats().ToString();
    const auto start = std::chrono::steady_clock::now();
    p->Shutdown();
    const auto took = std::chrono::steady_clock::now() - start;
    std::printf(
        "[shutdown] %s: Shutdown with 500 queued events and sleeping retries took %.1f ms\n",
        KindName(GetParam()).c_str(), std::chrono::duration<double, std::milli>(took).count());
    RecordProperty(
        "shutdown_ms",
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    EXPECT_LT(took, 1s);
    a = p->Stats();
    EXPECT_GE(a.failed_shutdown, 1u) << a.ToString();
    p->Emit(1000);  // after Shutdown: counted, never crashes
    a = p->Stats();
    EXPECT_EQ(a.dropped_shutdown, 1u);
  }
  ExpectAllAccounted(a, server.server().EventCount());
  EXPECT_TRUE(Eventually([&] { return ThreadCount() == baseline; }, 10s))
      << "threads: " << ThreadCount() << " vs " << baseline << ": " << ThreadNames();
}

// A write the server never answers (no client timeout configured): Shutdown cancels it.
TEST_P(ShutdownTest, WithARequestStuckInFlightReturnsWithinOneSecond) {
  TestServer server;
  const int baseline = ThreadCount();
  Accounting a;
  {
    auto logger = std::make_shared<CapturingLogger>();
    auto p = MakePipeline(GetParam(), server.Config(logger), 10s, logger);
    ASSERT_TRUE(p);
    server.faults().StallNext(1000, 60s);
    for (std::uint64_t i = 0; i < 50; ++i) p->Emit(i);
    ASSERT_TRUE(Eventually([&] { return server.faults().State().stall_remaining < 1000; }));
    const auto start = std::chrono::steady_clock::now();
    p->Shutdown();
    const auto took = std::chrono::steady_clock::now() - start;
    std::printf("[shutdown] %s: Shutdown with a request in flight took %.1f ms\n",
                KindName(GetParam()).c_str(),
                std::chrono::duration<double, std::milli>(took).count());
    EXPECT_LT(took, 1s);
    if (took > 1s) logger->Dump();
    a = p->Stats();
  }
  server.faults().Clear();
  ExpectAllAccounted(a, server.server().EventCount());
  EXPECT_TRUE(Eventually([&] { return ThreadCount() == baseline; }, 10s))
      << "threads: " << ThreadCount() << " vs " << baseline << ": " << ThreadNames();
}

TEST_P(ShutdownTest, FlushThenShutdownWritesEverythingTheServerAccepts) {
  TestServer server;
  server.faults().SetLatency(2ms);
  auto p = MakePipeline(GetParam(), server.Config(), 20ms);
  ASSERT_TRUE(p);
  for (std::uint64_t i = 0; i < 300; ++i) p->Emit(i);
  ASSERT_TRUE(p->Flush(60s)) << p->Stats().ToString();
  p->Shutdown();
  const auto a = p->Stats();
  EXPECT_EQ(a.created, 300u) << a.ToString();
  EXPECT_EQ(a.abandoned, 0u);
  ExpectAllAccounted(a, server.server().EventCount());
}

INSTANTIATE_TEST_SUITE_P(BothRecorders, ShutdownTest,
                         ::testing::Values(Kind::kCoreV1, Kind::kEventsV1),
                         [](const auto& info) { return KindName(info.param); });

}  // namespace
}  // namespace kube::reliability
