// Behaviours of apimachinery's pkg/watch/mux_test.go, ported, plus the C++-specific ones
// (counters, lifetime, Stop from inside the consumer loop, concurrent use).
#include "kubeevents/watch/broadcaster.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "wait_until.h"

namespace kube::watch {
namespace {

using ::kube::watch::testing::WaitUntil;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Optional;

Event Ev(int i, EventType type = EventType::kAdded) { return Event::Make(type, i); }
int Val(const Event& e) { return *e.As<int>(); }

// Receives until the channel is closed and drained.
std::vector<int> Drain(Interface& w) {
  std::vector<int> got;
  for (auto& e : w.ResultChan()) got.push_back(Val(e));
  return got;
}

// Everything buffered right now, without waiting.
std::vector<int> Buffered(Interface& w) {
  std::vector<int> got;
  while (auto e = w.ResultChan().TryReceive()) got.push_back(Val(*e));
  return got;
}

std::vector<int> Range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i < to; ++i) v.push_back(i);
  return v;
}

// Receives on its own thread, `batch` events at a time, until the channel is closed.
std::future<std::vector<int>> DrainInBatches(std::shared_ptr<Interface> w, std::size_t batch) {
  return std::async(std::launch::async, [w = std::move(w), batch] {
    std::vector<Event> events;
    std::vector<int> got;
    while (w->ResultChan().ReceiveBatch(events, batch) > 0) {
      for (auto& e : events) got.push_back(Val(e));
      events.clear();
    }
    return got;
  });
}

std::shared_ptr<Interface> MustWatch(Broadcaster& b) {
  auto w = b.Watch();
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? *w : NewEmptyWatch();
}

// mux_test.go TestBroadcaster: every watcher gets every event, in order, with its type.
TEST(BroadcasterTest, EveryWatcherGetsEveryEventInOrder) {
  auto b = Broadcaster::NewLongQueueBroadcaster(0, FullChannelBehavior::kWaitIfChannelFull);
  constexpr int kWatchers = 3;
  const EventType types[] = {EventType::kAdded, EventType::kModified, EventType::kDeleted,
                             EventType::kBookmark, EventType::kError};
  std::vector<std::future<std::vector<std::pair<EventType, int>>>> results;
  for (int i = 0; i < kWatchers; ++i) {
    results.push_back(std::async(std::launch::async, [w = MustWatch(*b)] {
      std::vector<std::pair<EventType, int>> got;
      for (auto& e : w->ResultChan()) got.emplace_back(e.type, Val(e));
      return got;
    }));
  }
  std::vector<std::pair<EventType, int>> want;
  for (int i = 0; i < 200; ++i) {
    want.emplace_back(types[i % 5], i);
    ASSERT_TRUE(b->Action(Ev(i, types[i % 5])).ok());
  }
  b->Shutdown();
  for (auto& r : results) EXPECT_EQ(r.get(), want);
  EXPECT_EQ(b->Stats().delivered, 200u * kWatchers);
}

// mux_test.go TestBroadcasterWatcherClose: Stop closes the channel; Shutdown afterwards is fine.
TEST(BroadcasterTest, StopClosesTheWatchersChannel) {
  auto b = Broadcaster::NewBroadcaster(0, FullChannelBehavior::kWaitIfChannelFull);
  auto w1 = MustWatch(*b);
  auto w2 = MustWatch(*b);
  w1->Stop();
  w2->Stop();
  EXPECT_TRUE(w1->ResultChan().closed());
  EXPECT_EQ(w2->ResultChan().Receive(), std::nullopt);
  ASSERT_TRUE(b->Action(Ev(1)).ok());
  b->Shutdown();
  w1->Stop();  // still idempotent
  EXPECT_THAT(Drain(*w1), IsEmpty());
}

// mux_test.go TestBroadcasterWatcherStopDeadlock: a watcher stopping while the loop waits on
// it (WaitIfChannelFull) must unblock the loop.
TEST(BroadcasterTest, StopWhileTheLoopWaitsOnTheWatcherUnblocksIt) {
  auto b = Broadcaster::NewBroadcaster(1, FullChannelBehavior::kWaitIfChannelFull);
  auto stalled = MustWatch(*b);
  auto reader = MustWatch(*b);
  ASSERT_TRUE(b->Action(Ev(1)).ok());
  ASSERT_TRUE(b->Action(Ev(2)).ok());
  // Event 1 fills `stalled`; the loop now waits to give it event 2.
  ASSERT_TRUE(WaitUntil([&] { return stalled->ResultChan().senders_waiting() == 1; }));
  EXPECT_THAT(Buffered(*reader), ElementsAre(1));
  stalled->Stop();
  auto rest = std::async(std::launch::async, [&] { return Drain(*reader); });
  ASSERT_TRUE(b->Action(Ev(3)).ok());
  b->Shutdown();
  EXPECT_THAT(rest.get(), ElementsAre(2, 3));
  EXPECT_THAT(Drain(*stalled), ElementsAre(1)) << "buffered events stay readable";
}

// mux_test.go TestBroadcasterDropIfChannelFull.
TEST(BroadcasterTest, DropIfChannelFull) {
  auto b = Broadcaster::NewBroadcaster(1, FullChannelBehavior::kDropIfChannelFull);
  auto w1 = MustWatch(*b);
  auto w2 = MustWatch(*b);
  ASSERT_TRUE(b->Action(Ev(1)).ok());
  ASSERT_TRUE(b->Action(Ev(2)).ok());  // both channels are full: dropped for both
  b->Shutdown();
  EXPECT_THAT(Drain(*w1), ElementsAre(1));
  EXPECT_THAT(Drain(*w2), ElementsAre(1));
  const auto stats = b->Stats();
  EXPECT_EQ(stats.accepted, 2u);
  EXPECT_EQ(stats.delivered, 2u);
  EXPECT_EQ(stats.dropped_watcher_full, 2u);
}

// DropIfChannelFull is per watcher: the full one misses events, the others do not.
TEST(BroadcasterTest, DropIfChannelFullOnlyAffectsTheFullWatcher) {
  auto b = Broadcaster::NewBroadcaster(10, FullChannelBehavior::kDropIfChannelFull);
  std::vector<Event> prefix;
  for (int i = 0; i < 9; ++i) prefix.push_back(Ev(-1));
  auto almost_full = b->WatchWithPrefix(prefix);  // capacity 10, one slot free
  ASSERT_TRUE(almost_full.ok());
  auto roomy = MustWatch(*b);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(b->Action(Ev(i)).ok());
  b->Shutdown();
  std::vector<int> want_full(9, -1);
  want_full.push_back(0);
  EXPECT_EQ(Drain(**almost_full), want_full);
  EXPECT_EQ(Drain(*roomy), Range(0, 10));
  EXPECT_EQ(b->Stats().dropped_watcher_full, 9u);
  EXPECT_EQ(b->Stats().delivered, 11u);
}

// WaitIfChannelFull: the loop waits for a full watcher; the others get the event afterwards.
TEST(BroadcasterTest, WaitIfChannelFullWaitsForTheSlowWatcher) {
  auto b = Broadcaster::NewBroadcaster(1, FullChannelBehavior::kWaitIfChannelFull);
  auto slow = MustWatch(*b);
  auto fast = MustWatch(*b);
  ASSERT_TRUE(b->Action(Ev(1)).ok());
  ASSERT_TRUE(b->Action(Ev(2)).ok());
  ASSERT_TRUE(WaitUntil([&] { return slow->ResultChan().senders_waiting() == 1; }));
  EXPECT_EQ(fast->ResultChan().size(), 1u) << "event 2 waits behind the slow watcher";
  auto fast_got = std::async(std::launch::async, [&] { return Drain(*fast); });
  EXPECT_EQ(Val(*slow->ResultChan().Receive()), 1);
  EXPECT_EQ(Val(*slow->ResultChan().Receive()), 2);
  b->Shutdown();
  EXPECT_THAT(fast_got.get(), ElementsAre(1, 2));
  EXPECT_EQ(b->Stats().dropped_watcher_full, 0u);
}

// Consumers are woken in batches, but a consumer waiting for an event gets it as soon as the
// loop runs out of input: no event sits unseen while the broadcaster is idle.
TEST(BroadcasterTest, AWaitingConsumerGetsEachEventWhileTheBroadcasterRuns) {
  for (auto behavior :
       {FullChannelBehavior::kWaitIfChannelFull, FullChannelBehavior::kDropIfChannelFull}) {
    auto b = Broadcaster::NewBroadcaster(1000, behavior);
    auto w1 = MustWatch(*b);
    auto w2 = MustWatch(*b);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(b->Action(Ev(i)).ok());
      auto e1 = w1->ResultChan().Receive();
      auto e2 = w2->ResultChan().Receive();
      ASSERT_TRUE(e1 && e2);
      EXPECT_EQ(Val(*e1), i);
      EXPECT_EQ(Val(*e2), i);
    }
    EXPECT_EQ(b->Stats().delivered, 40u);
  }
}

// mux_test.go TestBroadcasterWatchAfterShutdown.
TEST(BroadcasterTest, WatchAfterShutdownFails) {
  auto b = Broadcaster::NewBroadcaster(1, FullChannelBehavior::kWaitIfChannelFull);
  b->Shutdown();
  for (auto w : {b->Watch(), b->WatchWithPrefix({Ev(1)})}) {
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(w.status().message(), "broadcaster already stopped");
  }
}

// mux_test.go TestBroadcasterSendEventAfterShutdown.
TEST(BroadcasterTest, ActionAfterShutdownFails) {
  auto b = Broadcaster::NewBroadcaster(1, FullChannelBehavior::kDropIfChannelFull);
  b->Shutdown();
  const Status want(StatusCode::kFailedPrecondition, "broadcaster already stopped");
  EXPECT_EQ(b->Action(Ev(1)), want);
  auto obj = std::make_shared<const int>(1);
  EXPECT_EQ(b->Action(EventType::kAdded, obj, &typeid(int)), want);
  auto dropped = b->ActionOrDrop(Ev(1));
  ASSERT_FALSE(dropped.ok());
  EXPECT_EQ(dropped.status(), want);
  EXPECT_EQ(b->Stats().accepted, 0u);
  EXPECT_EQ(b->Stats().dropped_incoming, 0u);
}

// mux_test.go TestBroadcasterActionOrDrop (a full incoming queue drops, never blocks).
TEST(BroadcasterTest, ActionOrDropOnAFullIncomingQueue) {
  Broadcaster b(1, FullChannelBehavior::kWaitIfChannelFull, /*incoming_queue_length=*/2);
  auto w = MustWatch(b);
  ASSERT_TRUE(b.Action(Ev(0)).ok());
  ASSERT_TRUE(b.Action(Ev(1)).ok());
  // Event 0 fills the watcher; the loop holds event 1 and waits: the incoming queue is empty.
  ASSERT_TRUE(WaitUntil([&] { return w->ResultChan().senders_waiting() == 1; }));
  EXPECT_EQ(b.ActionOrDrop(Ev(2)).value(), true);
  EXPECT_EQ(b.ActionOrDrop(Ev(3)).value(), true);
  EXPECT_EQ(b.ActionOrDrop(Ev(4)).value(), false);
  Event five = Ev(5);
  EXPECT_EQ(b.ActionOrDrop(std::move(five)).value(), false);
  // NOLINTNEXTLINE(bugprone-use-after-move): a dropped event stays with the caller
  ASSERT_NE(five.As<int>(), nullptr);
  EXPECT_EQ(Val(five), 5);
  auto got = std::async(std::launch::async, [&] { return Drain(*w); });
  b.Shutdown();
  EXPECT_THAT(got.get(), ElementsAre(0, 1, 2, 3));
  const auto stats = b.Stats();
  EXPECT_EQ(stats.accepted, 4u);
  EXPECT_EQ(stats.dropped_incoming, 2u);
  EXPECT_EQ(stats.delivered, 4u);
}

// mux_test.go TestBroadcasterWatchWithPrefix-style: prefix first, then live events; the
// channel is big enough for the whole prefix.
TEST(BroadcasterTest, WatchWithPrefixDeliversThePrefixFirst) {
  auto b = Broadcaster::NewBroadcaster(1, FullChannelBehavior::kWaitIfChannelFull);
  auto plain = MustWatch(*b);
  auto w = b->WatchWithPrefix({Ev(100), Ev(101), Ev(102)});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ((*w)->ResultChan().capacity(), 4u) << "max(queue length, prefix + 1)";
  auto plain_got = std::async(std::launch::async, [&] { return Drain(*plain); });
  ASSERT_TRUE(b->Action(Ev(1)).ok());
  auto got = std::async(std::launch::async, [&] { return Drain(**w); });
  ASSERT_TRUE(b->Action(Ev(2)).ok());
  b->Shutdown();
  EXPECT_THAT(got.get(), ElementsAre(100, 101, 102, 1, 2));
  EXPECT_THAT(plain_got.get(), ElementsAre(1, 2)) << "the prefix is for the new watcher only";
  auto big = Broadcaster::NewBroadcaster(8, FullChannelBehavior::kWaitIfChannelFull);
  auto w2 = big->WatchWithPrefix({Ev(1)});
  EXPECT_EQ((*w2)->ResultChan().capacity(), 8u);
}

// Registration is serialized with events: a watcher sees exactly what is queued after it.
TEST(BroadcasterTest, NewWatcherSeesOnlyEventsQueuedAfterIt) {
  auto b = Broadcaster::NewLongQueueBroadcaster(100, FullChannelBehavior::kWaitIfChannelFull);
  auto first = MustWatch(*b);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(b->Action(Ev(i)).ok());
  auto second = MustWatch(*b);
  for (int i = 10; i < 20; ++i) ASSERT_TRUE(b->Action(Ev(i)).ok());
  auto third = MustWatch(*b);
  b->Shutdown();
  EXPECT_EQ(Drain(*first), Range(0, 20));
  EXPECT_EQ(Drain(*second), Range(10, 20));
  EXPECT_THAT(Drain(*third), IsEmpty());
}

// Shutdown delivers everything already queued before closing the channels.
TEST(BroadcasterTest, ShutdownDeliversQueuedEventsThenCloses) {
  auto b = Broadcaster::NewLongQueueBroadcaster(100, FullChannelBehavior::kWaitIfChannelFull);
  std::vector<std::shared_ptr<Interface>> ws;
  for (int i = 0; i < 3; ++i) ws.push_back(MustWatch(*b));
  // A tiny watcher forces the loop to wait, so events pile up in the incoming queue.
  Broadcaster tiny(1, FullChannelBehavior::kWaitIfChannelFull, 100);
  auto slow = MustWatch(tiny);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(b->Action(Ev(i)).ok());
    ASSERT_TRUE(tiny.Action(Ev(i)).ok());
  }
  ASSERT_TRUE(WaitUntil([&] { return slow->ResultChan().senders_waiting() == 1; }));
  auto shutdown = std::async(std::launch::async, [&] { tiny.Shutdown(); });
  EXPECT_EQ(Drain(*slow), Range(0, 50));
  shutdown.get();
  b->Shutdown();
  for (auto& w : ws) EXPECT_EQ(Drain(*w), Range(0, 50));
  EXPECT_EQ(b->Stats().watchers, 0u) << "Shutdown closed them all";
}

TEST(BroadcasterTest, ShutdownIsIdempotentAndSafeFromManyThreads) {
  auto b = Broadcaster::NewBroadcaster(10, FullChannelBehavior::kDropIfChannelFull);
  auto w = MustWatch(*b);
  ASSERT_TRUE(b->Action(Ev(1)).ok());
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { b->Shutdown(); });
  for (auto& t : threads) t.join();
  b->Shutdown();
  EXPECT_THAT(Drain(*w), ElementsAre(1));
  b.reset();  // the destructor's Shutdown is a no-op too
}

// A consumer may stop its own watcher from inside its receive loop; the loop then ends after
// what was already buffered, and the broadcaster carries on for the others.
TEST(BroadcasterTest, StopFromInsideTheConsumerLoop) {
  auto b = Broadcaster::NewBroadcaster(1, FullChannelBehavior::kWaitIfChannelFull);
  auto quitter = MustWatch(*b);
  auto other = MustWatch(*b);
  auto quit_got = std::async(std::launch::async, [&] {
    std::vector<int> got;
    for (auto& e : quitter->ResultChan()) {
      got.push_back(Val(e));
      if (got.size() == 3) quitter->Stop();
    }
    return got;
  });
  auto other_got = std::async(std::launch::async, [&] { return Drain(*other); });
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(b->Action(Ev(i)).ok());
  const auto got = quit_got.get();
  ASSERT_GE(got.size(), 3u);
  ASSERT_LE(got.size(), 4u) << "at most one event was buffered when Stop closed the channel";
  EXPECT_EQ(got, Range(0, static_cast<int>(got.size())));
  b->Shutdown();
  EXPECT_EQ(other_got.get(), Range(0, 100));
}

// Watchers own their state: they outlive the Broadcaster, keep their buffered events, and
// Stop stays safe.
TEST(BroadcasterTest, DestroyingTheBroadcasterWithLiveWatchers) {
  auto b = Broadcaster::NewBroadcaster(10, FullChannelBehavior::kDropIfChannelFull);
  auto w1 = MustWatch(*b);
  auto w2 = MustWatch(*b);
  auto blocked = std::async(std::launch::async, [&] { return Drain(*w2); });
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(b->Action(Ev(i)).ok());
  b.reset();
  EXPECT_TRUE(w1->ResultChan().closed());
  EXPECT_EQ(Drain(*w1), Range(0, 5));
  EXPECT_EQ(blocked.get(), Range(0, 5));
  w1->Stop();
  w2->Stop();
  w2->Stop();
}

TEST(BroadcasterTest, DestroyingTheBroadcasterWakesAWaitingReceiver) {
  auto b = Broadcaster::NewBroadcaster(10, FullChannelBehavior::kWaitIfChannelFull);
  auto w = MustWatch(*b);
  auto r = std::async(std::launch::async, [&] { return w->ResultChan().Receive(); });
  ASSERT_TRUE(WaitUntil([&] { return w->ResultChan().receivers_waiting() == 1; }));
  b.reset();
  EXPECT_EQ(r.get(), std::nullopt);
}

TEST(BroadcasterTest, CountersTrackWatchersAndEvents) {
  auto b = Broadcaster::NewBroadcaster(2, FullChannelBehavior::kDropIfChannelFull);
  EXPECT_EQ(b->Stats().watchers, 0u);
  auto w1 = MustWatch(*b);
  auto w2 = MustWatch(*b);
  EXPECT_EQ(b->Stats().watchers, 2u);
  w2->Stop();
  w2->Stop();
  EXPECT_EQ(b->Stats().watchers, 1u);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(b->Action(Ev(i)).ok());
  auto w3 = MustWatch(*b);  // registered after the 5 events: none of them reach it
  b->Shutdown();
  const auto s = b->Stats();
  EXPECT_EQ(s.accepted, 5u);
  EXPECT_EQ(s.delivered, 2u) << "w1 holds 2; the stopped w2 is not counted as dropping";
  EXPECT_EQ(s.dropped_watcher_full, 3u);
  EXPECT_EQ(s.dropped_incoming, 0u);
  EXPECT_EQ(s.watchers, 0u);
  EXPECT_THAT(Drain(*w1), ElementsAre(0, 1));
  EXPECT_THAT(Drain(*w3), IsEmpty());
}

TEST(BroadcasterTest, ActionWithExplicitPayloadType) {
  auto b = Broadcaster::NewBroadcaster(4, FullChannelBehavior::kWaitIfChannelFull);
  auto w = MustWatch(*b);
  auto payload = std::make_shared<const std::string>("hello");
  ASSERT_TRUE(b->Action(EventType::kModified, payload, &typeid(std::string)).ok());
  b->Shutdown();
  auto e = w->ResultChan().Receive();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->type, EventType::kModified);
  EXPECT_EQ(e->As<std::string>(), payload.get()) << "shared, not copied";
}

// Many threads at once: producers (Action and ActionOrDrop), watchers coming and going, a
// permanent watcher that must see every accepted event in per-producer order.
TEST(BroadcasterTest, ConcurrentWatchStopAndActionFromManyThreads) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 2000;
  constexpr int kChurners = 3;
  auto b = Broadcaster::NewBroadcaster(64, FullChannelBehavior::kWaitIfChannelFull);
  auto permanent = MustWatch(*b);
  auto permanent_got = DrainInBatches(permanent, 32);
  std::atomic<int> producers_left{kProducers};
  std::atomic<std::uint64_t> queued{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        const int v = p * kPerProducer + i;
        if (p % 2 == 0) {
          ASSERT_TRUE(b->Action(Ev(v)).ok());
          queued.fetch_add(1);
        } else if (b->ActionOrDrop(Ev(v)).value()) {
          queued.fetch_add(1);
        }
      }
      producers_left.fetch_sub(1);
    });
  }
  for (int c = 0; c < kChurners; ++c) {
    threads.emplace_back([&, c] {
      int round = 0;
      while (producers_left.load() > 0 || round < 5) {
        auto w = b->Watch();
        ASSERT_TRUE(w.ok());
        // Read a few events (some watchers read none), then stop, sometimes from another
        // thread while this one is still receiving.
        const int want = (round + c) % 4;
        if (round % 3 == 0) {
          std::thread stopper([w = *w] { w->Stop(); });
          int n = 0;
          for ([[maybe_unused]] auto& e : (*w)->ResultChan()) ++n;
          stopper.join();
        } else {
          for (int n = 0; n < want; ++n) {
            if (!(*w)->ResultChan().ReceiveFor(std::chrono::milliseconds(50))) break;
          }
          (*w)->Stop();
        }
        ++round;
      }
    });
  }
  for (auto& t : threads) t.join();
  b->Shutdown();
  const auto got = permanent_got.get();
  EXPECT_EQ(got.size(), queued.load());
  std::vector<int> last(kProducers, -1);
  for (int v : got) {
    const int p = v / kPerProducer;
    EXPECT_GT(v, last[p]) << "per-producer order";
    last[p] = v;
  }
  const auto s = b->Stats();
  EXPECT_EQ(s.accepted, queued.load());
  EXPECT_EQ(s.accepted + s.dropped_incoming,
            static_cast<std::uint64_t>(kProducers / 2 * kPerProducer) * 2);
  EXPECT_EQ(s.watchers, 0u);
}

// Producers that find the 25-slot queue full distribute it themselves (no sleep). Watchers
// registered meanwhile must still see, from each producer, one gap-free run of events: the
// registration markers are run in queue order whichever thread distributes them.
TEST(BroadcasterTest, ProducerSideDistributionKeepsOrderAndRegistrationPoints) {
  constexpr int kProducers = 3;
  constexpr int kPerProducer = 3000;
  auto b = Broadcaster::NewBroadcaster(16, FullChannelBehavior::kWaitIfChannelFull);
  auto drain = [](std::shared_ptr<Interface> w) { return DrainInBatches(std::move(w), 8); };
  std::vector<std::future<std::vector<int>>> results;
  results.push_back(drain(MustWatch(*b)));
  std::atomic<int> running{kProducers};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) ASSERT_TRUE(b->Action(Ev(p * kPerProducer + i)).ok());
      running.fetch_sub(1);
    });
  }
  while (running.load() > 0 && results.size() < 20) results.push_back(drain(MustWatch(*b)));
  for (auto& t : producers) t.join();
  b->Shutdown();
  for (std::size_t r = 0; r < results.size(); ++r) {
    const auto got = results[r].get();
    std::vector<int> last(kProducers, -1);
    for (int v : got) {
      const int p = v / kPerProducer;
      if (last[p] >= 0) {
        ASSERT_EQ(v, last[p] + 1) << "watcher " << r << ": gap or reorder";
      }
      last[p] = v;
    }
    // A watcher registered after a producer finished sees none of its events; one that saw
    // any sees the rest of them, through the last.
    for (int p = 0; p < kProducers; ++p) {
      if (last[p] < 0) continue;
      ASSERT_EQ(last[p], p * kPerProducer + kPerProducer - 1) << "watcher " << r << " sees the end";
    }
    if (r == 0) {
      EXPECT_EQ(got.size(), std::size_t{kProducers * kPerProducer});
    }
  }
  EXPECT_EQ(b->Stats().accepted, std::uint64_t{kProducers * kPerProducer});
}

// A producer distributing for a full queue waits on a full watcher (kWaitIfChannelFull), as Go's
// Action waits on the loop; the watcher's Stop() releases it.
TEST(BroadcasterTest, StopReleasesAProducerWaitingOnAFullWatcher) {
  Broadcaster b(1, FullChannelBehavior::kWaitIfChannelFull, 1);
  auto stalled = MustWatch(b);
  std::atomic<int> sent{0};
  std::thread producer([&] {
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(b.Action(Ev(i)).ok());
      sent.fetch_add(1);
    }
  });
  // One event fills the watcher, one the incoming queue, the third's Action distributes and
  // waits on the watcher (or waits for the loop, which waits on it).
  ASSERT_TRUE(WaitUntil([&] { return stalled->ResultChan().senders_waiting() == 1; }));
  EXPECT_LT(sent.load(), 10);
  stalled->Stop();
  producer.join();
  EXPECT_EQ(sent.load(), 10);
  b.Shutdown();
  EXPECT_EQ(Drain(*stalled).front(), 0);
}

// A single event while the loop is polling still arrives (the poll ends by itself).
TEST(BroadcasterTest, AnIsolatedActionArrivesWithoutFurtherTraffic) {
  auto b = Broadcaster::NewBroadcaster(10, FullChannelBehavior::kWaitIfChannelFull);
  auto w = MustWatch(*b);
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(b->Action(Ev(round)).ok());
    EXPECT_THAT(w->ResultChan().Receive(),
                Optional(::testing::Truly([&](const Event& e) { return Val(e) == round; })));
    // Let the loop go from polling to its untimed sleep before the next round.
    std::this_thread::sleep_for(std::chrono::milliseconds(round));
  }
}

// With kDropIfChannelFull, ActionOrDrop hands an event straight to the watchers when nothing
// is queued. Watchers registered meanwhile (through the queue) must each see exactly a suffix
// of what a watcher registered first sees: no gap, no reordering, nothing from before.
TEST(BroadcasterTest, DirectActionOrDropKeepsOrderAndRegistrationPoints) {
  constexpr int kEvents = 20000;
  auto b = Broadcaster::NewLongQueueBroadcaster(kEvents, FullChannelBehavior::kDropIfChannelFull);
  auto collect = [](std::shared_ptr<Interface> w) { return DrainInBatches(std::move(w), 16); };
  auto all = collect(MustWatch(*b));
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int i = 0; i < kEvents; ++i) ASSERT_TRUE(b->ActionOrDrop(Ev(i)).ok());
    done = true;
  });
  std::vector<std::future<std::vector<int>>> later;
  while (!done.load() && later.size() < 10) later.push_back(collect(MustWatch(*b)));
  producer.join();
  b->Shutdown();
  const auto reference = all.get();
  EXPECT_EQ(reference.size() + b->Stats().dropped_incoming, std::size_t{kEvents});
  for (std::size_t i = 1; i < reference.size(); ++i) ASSERT_LT(reference[i - 1], reference[i]);
  for (auto& f : later) {
    const auto got = f.get();
    ASSERT_LE(got.size(), reference.size());
    EXPECT_TRUE(std::equal(got.begin(), got.end(), reference.end() - static_cast<long>(got.size())))
        << "a late watcher sees a suffix of the first watcher's events";
  }
  EXPECT_EQ(b->Stats().dropped_watcher_full, 0u);
}

}  // namespace
}  // namespace kube::watch
