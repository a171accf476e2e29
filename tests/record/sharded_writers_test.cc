// BroadcasterOptions::writer_threads > 1: one sink written by several threads, sharded by the
// spam key, so that each object's events keep client-go's order and correlation while writes
// for different objects overlap.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/tools/record/event_broadcaster.h"
#include "kubeevents/tools/record/testing/fake_event_sink.h"
#include "test_support.h"

namespace kube::record {
namespace {

using api::core::v1::Event;
using api::core::v1::ObjectReference;
using testing::FakeEventSink;
using testing_support::CapturingLogger;
using testing_support::InstantSleepClock;
using namespace std::chrono_literals;

ObjectReference Pod(int i) {
  const std::string name = "web-" + std::to_string(i);
  return {"Pod", "prod", name, "uid-" + name, "v1", "12", ""};
}

// Counts the sink calls in progress at once; each call takes `delay`.
struct InFlight {
  std::atomic<int> now{0};
  std::atomic<int> most{0};
  std::chrono::microseconds delay;

  explicit InFlight(std::chrono::microseconds d) : delay(d) {}
  void Attach(FakeEventSink& sink) {
    sink.SetInterceptor([this](const FakeEventSink::Call&) {
      const int n = now.fetch_add(1) + 1;
      int seen = most.load();
      while (n > seen && !most.compare_exchange_weak(seen, n)) {
      }
      std::this_thread::sleep_for(delay);
      now.fetch_sub(1);
      return Status();
    });
  }
};

class ShardedWritersTest : public ::testing::Test {
 protected:
  std::shared_ptr<CapturingLogger> logger_ = std::make_shared<CapturingLogger>();

  BroadcasterOptions Options(int writers) {
    BroadcasterOptions o;
    o.logger = logger_;
    o.clock = std::make_shared<InstantSleepClock>();
    o.random_seed = 7;
    o.correlator_options.clock = std::make_shared<FakeClock>();
    o.correlator_options.disable_spam_filter = true;
    o.writer_threads = writers;
    return o;
  }
};

TEST_F(ShardedWritersTest, OneWriterIsTheDefault) {
  EXPECT_EQ(BroadcasterOptions{}.writer_threads, 1);
}

TEST_F(ShardedWritersTest, EachObjectsRepeatsStayInOrderWhileObjectsOverlap) {
  constexpr int kObjects = 16;
  constexpr int kRepeats = 20;
  EventBroadcaster b(Options(4));
  auto sink = std::make_shared<FakeEventSink>();
  InFlight in_flight(200us);
  in_flight.Attach(*sink);
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"sharded-test", "node-1"});
  // Interleaved: object 0, 1, ..., 15, then the second round, ...
  for (int r = 0; r < kRepeats; ++r) {
    for (int i = 0; i < kObjects; ++i) {
      recorder->Eventf(Pod(i), "Normal", "Synced", "object %d synced", i);
    }
  }
  ASSERT_TRUE(b.Flush(30s));

  // Per object: one create, then patches whose counts go up by one, in that order.
  std::map<std::string, std::vector<FakeEventSink::Call>> by_object;
  for (auto& call : sink->Calls()) by_object[call.event.involved_object.name].push_back(call);
  ASSERT_EQ(by_object.size(), static_cast<std::size_t>(kObjects));
  for (const auto& [name, calls] : by_object) {
    ASSERT_EQ(calls.size(), static_cast<std::size_t>(kRepeats)) << name;
    EXPECT_EQ(calls[0].verb, FakeEventSink::Verb::kCreate) << name;
    for (int k = 0; k < kRepeats; ++k) {
      EXPECT_EQ(calls[k].event.count, k + 1) << name << " call " << k;
      if (k > 0) {
        EXPECT_EQ(calls[k].verb, FakeEventSink::Verb::kPatch) << name << " call " << k;
        EXPECT_EQ(calls[k].event.metadata.name, calls[0].event.metadata.name) << name;
      }
    }
  }
  const auto s = b.Stats();
  EXPECT_EQ(s.created, static_cast<std::uint64_t>(kObjects));
  EXPECT_EQ(s.patched, static_cast<std::uint64_t>(kObjects * (kRepeats - 1)));
  EXPECT_EQ(s.emitted, static_cast<std::uint64_t>(kObjects * kRepeats));
  EXPECT_EQ(s.abandoned + s.dropped_consumer_full + s.dropped_queue_full, 0u);
  // 16 objects over 4 writers, 320 calls of 200 us each: writes did overlap.
  EXPECT_GE(in_flight.most.load(), 2);
  EXPECT_LE(in_flight.most.load(), 4);
}

TEST_F(ShardedWritersTest, EventsOfOneSpamKeyNeverOverlap) {
  // A spam key shared by every object: every event goes to the same writer, one at a time.
  auto o = Options(4);
  o.correlator_options.spam_key_func = [](const Event& e) { return e.source.component; };
  EventBroadcaster b(o);
  auto sink = std::make_shared<FakeEventSink>();
  InFlight in_flight(100us);
  in_flight.Attach(*sink);
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"one-key", "node-1"});
  for (int i = 0; i < 40; ++i) recorder->Eventf(Pod(i), "Normal", "Synced", "object %d", i);
  ASSERT_TRUE(b.Flush(30s));
  EXPECT_EQ(sink->CallCount(), 40u);
  EXPECT_EQ(in_flight.most.load(), 1);
  // And in the order they were emitted.
  const auto calls = sink->Calls();
  for (int i = 0; i < 40; ++i) EXPECT_EQ(calls[i].event.involved_object.name, Pod(i).name);
}

TEST_F(ShardedWritersTest, FlushReturnsOnceEveryWriterHasWritten) {
  EventBroadcaster b(Options(3));
  auto sink = std::make_shared<FakeEventSink>();
  InFlight in_flight(2ms);
  in_flight.Attach(*sink);
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"flush-test", "node-1"});
  for (int i = 0; i < 30; ++i) recorder->Eventf(Pod(i), "Normal", "Synced", "object %d", i);
  ASSERT_TRUE(b.Flush(30s));
  EXPECT_EQ(sink->CallCount(), 30u);
  EXPECT_EQ(b.Stats().created, 30u);
}

TEST_F(ShardedWritersTest, ShutdownCountsEveryEventTheWritersDidNotWrite) {
  auto o = Options(2);
  auto fake = std::make_shared<FakeClock>();
  o.clock = fake;  // never stepped: a retry sleep only ends by cancellation
  EventBroadcaster b(o);
  auto sink = std::make_shared<FakeEventSink>();
  sink->FailNext(1000, FakeEventSink::TransportError());
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"shutdown-test", "node-1"});
  constexpr int kEvents = 20;
  for (int i = 0; i < kEvents; ++i) recorder->Eventf(Pod(i), "Normal", "Synced", "object %d", i);
  // Each writer that got an event is asleep before its first retry.
  ASSERT_TRUE(fake->BlockUntilWaiters(1));
  b.Shutdown();
  const auto s = b.Stats();
  EXPECT_EQ(s.emitted, static_cast<std::uint64_t>(kEvents));
  EXPECT_GE(s.failed_shutdown, 1u);
  EXPECT_LE(s.failed_shutdown, 2u);
  EXPECT_EQ(s.created + s.failed_shutdown + s.abandoned + s.dropped_consumer_full,
            static_cast<std::uint64_t>(kEvents));
  EXPECT_GE(
      logger_->Count("Dropped queued events: the sink's writers stopped before handling them") +
          logger_->Count("Dropped queued events: the consumer stopped before handling them"),
      1);
}

TEST_F(ShardedWritersTest, StoppingTheConsumerStopsItsWriters) {
  EventBroadcaster b(Options(4));
  auto sink = std::make_shared<FakeEventSink>();
  auto handle = b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"stop-test", "node-1"});
  for (int i = 0; i < 10; ++i) recorder->Eventf(Pod(i), "Normal", "Synced", "object %d", i);
  ASSERT_TRUE(b.Flush(30s));
  handle.Stop();
  ASSERT_TRUE(testing_support::Eventually([&] { return handle.Done(); }));
  recorder->Eventf(Pod(99), "Normal", "Synced", "after stop");
  ASSERT_TRUE(b.Flush(30s));
  EXPECT_EQ(sink->CallCount(), 10u);
}

TEST_F(ShardedWritersTest, ASinkMethodMayShutTheBroadcasterDown) {
  // Shutdown waits for the consumer thread; the consumer must therefore never wait for a
  // writer, one of which is the caller here.
  auto b = std::make_unique<EventBroadcaster>(Options(3));
  auto sink = std::make_shared<FakeEventSink>();
  std::atomic<int> calls{0};
  std::atomic<bool> shut_down{false};
  sink->SetInterceptor([&](const FakeEventSink::Call&) {
    if (calls.fetch_add(1) == 4) {
      b->Shutdown();
      shut_down = true;
    }
    return Status();
  });
  b->StartRecordingToSink(sink);
  auto recorder = b->NewRecorder({"shutdown-from-sink", "node-1"});
  for (int i = 0; i < 50; ++i) recorder->Eventf(Pod(i), "Normal", "Synced", "object %d", i);
  ASSERT_TRUE(testing_support::Eventually([&] { return shut_down.load(); }));
  // The writer that called Shutdown counts what its queue still holds once its sink call
  // returns; every event ends up in exactly one bucket.
  const auto accounted = [&] {
    const auto s = b->Stats();
    return s.created + s.failed_shutdown + s.abandoned + s.dropped_consumer_full +
           s.dropped_shutdown;
  };
  EXPECT_TRUE(testing_support::Eventually([&] { return accounted() == 50u; })) << accounted();
  b.reset();  // joins the writer that called Shutdown
}

}  // namespace
}  // namespace kube::record
