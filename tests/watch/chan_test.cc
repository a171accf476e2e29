#include "kubeevents/watch/chan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <numeric>
#include <span>
#include <stop_token>
#include <thread>
#include <vector>

#include "wait_until.h"

namespace kube::watch {
namespace {

using ::kube::watch::testing::WaitUntil;
using ::testing::ElementsAre;
using ::testing::Optional;

TEST(ChanTest, FifoWithinCapacity) {
  Chan<int> c(3);
  EXPECT_EQ(c.capacity(), 3u);
  EXPECT_TRUE(c.Send(1));
  EXPECT_TRUE(c.TrySend(2));
  EXPECT_TRUE(c.Send(3));
  EXPECT_EQ(c.size(), 3u);
  EXPECT_FALSE(c.TrySend(4)) << "full";
  EXPECT_THAT(c.Receive(), Optional(1));
  EXPECT_THAT(c.TryReceive(), Optional(2));
  EXPECT_TRUE(c.TrySend(4));
  EXPECT_THAT(c.Receive(), Optional(3));
  EXPECT_THAT(c.Receive(), Optional(4));
  EXPECT_EQ(c.TryReceive(), std::nullopt) << "empty";
  EXPECT_EQ(c.size(), 0u);
}

TEST(ChanTest, ZeroCapacityIsRaisedToOne) {
  Chan<int> c(0);
  EXPECT_EQ(c.capacity(), 1u);
  EXPECT_TRUE(c.TrySend(1));
  EXPECT_FALSE(c.TrySend(2));
}

TEST(ChanTest, WrapsAroundTheRing) {
  Chan<int> c(3);
  std::vector<int> got;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.TrySend(i));
    if (i % 2 == 1) {
      got.push_back(*c.TryReceive());
      got.push_back(*c.TryReceive());
    }
  }
  std::vector<int> want(20);
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(got, want);
}

TEST(ChanTest, CloseKeepsBufferedItemsReadableAndRejectsSends) {
  Chan<int> c(4);
  ASSERT_TRUE(c.Send(1));
  ASSERT_TRUE(c.Send(2));
  EXPECT_FALSE(c.closed());
  c.Close();
  c.Close();  // idempotent
  EXPECT_TRUE(c.closed());
  EXPECT_FALSE(c.Send(3));
  EXPECT_FALSE(c.TrySend(3));
  const std::vector<int> more = {5, 6};
  EXPECT_EQ(c.SendBatch(more), 0u);
  EXPECT_EQ(c.TrySendBatch(more), 0u);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_THAT(c.Receive(), Optional(1));
  EXPECT_THAT(c.ReceiveFor(std::chrono::hours(1)), Optional(2));
  EXPECT_EQ(c.Receive(), std::nullopt);
  EXPECT_EQ(c.TryReceive(), std::nullopt);
  EXPECT_EQ(c.ReceiveFor(std::chrono::hours(1)), std::nullopt) << "closed: no waiting";
  std::vector<int> out;
  EXPECT_EQ(c.ReceiveBatch(out, 10), 0u);
}

TEST(ChanTest, CloseWakesBlockedReceivers) {
  Chan<int> c(1);
  auto r1 = std::async(std::launch::async, [&] { return c.Receive(); });
  auto r2 = std::async(std::launch::async, [&] {
    std::vector<int> out;
    return c.ReceiveBatch(out, 8);
  });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 2; }));
  c.Close();
  EXPECT_EQ(r1.get(), std::nullopt);
  EXPECT_EQ(r2.get(), 0u);
}

TEST(ChanTest, CloseWakesBlockedSenderWhichDropsTheValue) {
  Chan<int> c(1);
  ASSERT_TRUE(c.Send(1));
  auto s = std::async(std::launch::async, [&] { return c.Send(2); });
  ASSERT_TRUE(WaitUntil([&] { return c.senders_waiting() == 1; }));
  c.Close();
  EXPECT_FALSE(s.get());
  EXPECT_THAT(c.Receive(), Optional(1));
  EXPECT_EQ(c.Receive(), std::nullopt);
}

TEST(ChanTest, BlockedSenderProceedsWhenRoomIsMade) {
  Chan<int> c(1);
  ASSERT_TRUE(c.Send(1));
  auto s = std::async(std::launch::async, [&] { return c.Send(2); });
  ASSERT_TRUE(WaitUntil([&] { return c.senders_waiting() == 1; }));
  EXPECT_THAT(c.Receive(), Optional(1));
  EXPECT_TRUE(s.get());
  EXPECT_THAT(c.Receive(), Optional(2));
}

TEST(ChanTest, ReceiveForTimesOutWhenEmpty) {
  Chan<int> c(1);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.ReceiveFor(std::chrono::milliseconds(5)), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(5));
  EXPECT_EQ(c.receivers_waiting(), 0u);
}

TEST(ChanTest, ReceiveForReturnsAnItemSentWhileWaiting) {
  Chan<int> c(1);
  auto r = std::async(std::launch::async, [&] { return c.ReceiveFor(std::chrono::minutes(5)); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 1; }));
  ASSERT_TRUE(c.Send(7));
  EXPECT_THAT(r.get(), Optional(7));
}

TEST(ChanTest, StopTokenEndsABlockedReceive) {
  Chan<int> c(1);
  std::stop_source stop;
  auto r = std::async(std::launch::async, [&] { return c.Receive(stop.get_token()); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 1; }));
  stop.request_stop();
  EXPECT_EQ(r.get(), std::nullopt);
  EXPECT_EQ(c.receivers_waiting(), 0u);
  EXPECT_FALSE(c.closed()) << "stop ends the wait, not the channel";
  ASSERT_TRUE(c.Send(1));
  EXPECT_THAT(c.Receive(), Optional(1));
}

TEST(ChanTest, StopTokenEndsABlockedReceiveBatch) {
  Chan<int> c(1);
  std::stop_source stop;
  std::vector<int> out;
  auto r = std::async(std::launch::async, [&] { return c.ReceiveBatch(out, 4, stop.get_token()); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 1; }));
  stop.request_stop();
  EXPECT_EQ(r.get(), 0u);
  EXPECT_TRUE(out.empty());
}

TEST(ChanTest, StopTokenEndsABlockedSend) {
  Chan<int> c(1);
  ASSERT_TRUE(c.Send(1));
  std::stop_source stop;
  auto s = std::async(std::launch::async, [&] { return c.Send(2, stop.get_token()); });
  ASSERT_TRUE(WaitUntil([&] { return c.senders_waiting() == 1; }));
  stop.request_stop();
  EXPECT_FALSE(s.get());
  EXPECT_EQ(c.size(), 1u);
}

TEST(ChanTest, AlreadyRequestedStopDoesNotBlockButBufferedItemsWin) {
  Chan<int> c(1);
  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(c.Receive(stop.get_token()), std::nullopt);
  EXPECT_TRUE(c.Send(1, stop.get_token())) << "room available: sends";
  EXPECT_FALSE(c.Send(2, stop.get_token())) << "full and stopped: gives up";
  EXPECT_THAT(c.Receive(stop.get_token()), Optional(1)) << "an available item is returned";
}

TEST(ChanTest, ReceiveBatchTakesUpToMaxOldestFirstAndAppends) {
  Chan<int> c(8);
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(c.Send(i));
  std::vector<int> out = {0};
  EXPECT_EQ(c.ReceiveBatch(out, 3), 3u);
  EXPECT_THAT(out, ElementsAre(0, 1, 2, 3));
  EXPECT_EQ(c.ReceiveBatch(out, 0), 0u);
  EXPECT_EQ(c.ReceiveBatch(out, 10), 2u);
  EXPECT_THAT(out, ElementsAre(0, 1, 2, 3, 4, 5));
}

TEST(ChanTest, ReceiveBatchBlocksForTheFirstItem) {
  Chan<int> c(8);
  std::vector<int> out;
  auto r = std::async(std::launch::async, [&] { return c.ReceiveBatch(out, 8); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 1; }));
  ASSERT_TRUE(c.Send(9));
  EXPECT_EQ(r.get(), 1u);
  EXPECT_THAT(out, ElementsAre(9));
}

TEST(ChanTest, ReceiveBatchFreesRoomForBlockedSenders) {
  Chan<int> c(2);
  ASSERT_TRUE(c.Send(1));
  ASSERT_TRUE(c.Send(2));
  auto s1 = std::async(std::launch::async, [&] { return c.Send(3); });
  auto s2 = std::async(std::launch::async, [&] { return c.Send(4); });
  ASSERT_TRUE(WaitUntil([&] { return c.senders_waiting() == 2; }));
  std::vector<int> out;
  EXPECT_EQ(c.ReceiveBatch(out, 2), 2u);
  EXPECT_TRUE(s1.get());
  EXPECT_TRUE(s2.get());
  EXPECT_EQ(c.ReceiveBatch(out, 2), 2u);
  EXPECT_THAT(out, ::testing::UnorderedElementsAre(1, 2, 3, 4));
  EXPECT_THAT(std::vector<int>(out.begin(), out.begin() + 2), ElementsAre(1, 2));
}

TEST(ChanTest, TrySendBatchAppendsThePrefixThatFits) {
  Chan<int> c(3);
  ASSERT_TRUE(c.Send(0));
  const std::vector<int> in = {1, 2, 3, 4};
  EXPECT_EQ(c.TrySendBatch(in), 2u);
  std::vector<int> out;
  c.ReceiveBatch(out, 10);
  EXPECT_THAT(out, ElementsAre(0, 1, 2));
}

TEST(ChanTest, SendBatchWaitsForRoomAndKeepsOrder) {
  Chan<int> c(2);
  std::vector<int> in(100);
  std::iota(in.begin(), in.end(), 0);
  auto s = std::async(std::launch::async, [&] { return c.SendBatch(in); });
  std::vector<int> out;
  while (out.size() < in.size()) {
    ASSERT_GT(c.ReceiveBatch(out, 3), 0u);
  }
  EXPECT_EQ(s.get(), in.size());
  EXPECT_EQ(out, in);
}

TEST(ChanTest, SendBatchReportsPartialProgressOnCloseAndStop) {
  {
    Chan<int> c(2);
    const std::vector<int> in = {1, 2, 3, 4};
    auto s = std::async(std::launch::async, [&] { return c.SendBatch(in); });
    ASSERT_TRUE(WaitUntil([&] { return c.senders_waiting() == 1; }));
    c.Close();
    EXPECT_EQ(s.get(), 2u);
  }
  {
    Chan<int> c(3);
    const std::vector<int> in = {1, 2, 3, 4};
    std::stop_source stop;
    auto s = std::async(std::launch::async, [&] { return c.SendBatch(in, stop.get_token()); });
    ASSERT_TRUE(WaitUntil([&] { return c.senders_waiting() == 1; }));
    stop.request_stop();
    EXPECT_EQ(s.get(), 3u);
    EXPECT_FALSE(c.closed());
  }
}

TEST(ChanTest, TryReceiveBatchNeverBlocks) {
  Chan<int> c(4);
  std::vector<int> out;
  EXPECT_EQ(c.TryReceiveBatch(out, 4), 0u);
  ASSERT_TRUE(c.Send(1));
  ASSERT_TRUE(c.Send(2));
  ASSERT_TRUE(c.Send(3));
  EXPECT_EQ(c.TryReceiveBatch(out, 2), 2u);
  EXPECT_EQ(c.TryReceiveBatch(out, 0), 0u);
  EXPECT_EQ(c.TryReceiveBatch(out, 9), 1u);
  EXPECT_THAT(out, ElementsAre(1, 2, 3));
}

TEST(ChanTest, TryReceiveBatchFreesRoomForABlockedSender) {
  Chan<int> c(1);
  ASSERT_TRUE(c.Send(1));
  auto s = std::async(std::launch::async, [&] { return c.Send(2); });
  ASSERT_TRUE(WaitUntil([&] { return c.senders_waiting() == 1; }));
  std::vector<int> out;
  EXPECT_EQ(c.TryReceiveBatch(out, 4), 1u);
  EXPECT_TRUE(s.get());
  EXPECT_THAT(c.Receive(), Optional(2));
}

// Wake::kLater defers the wake-up of a blocked receiver until the channel is half full or
// WakeReceivers() is called; the items are in the channel either way.
TEST(ChanTest, DeferredWakeUpIsDeliveredByWakeReceivers) {
  Chan<int> c(8);
  std::vector<int> out;
  auto r = std::async(std::launch::async, [&] { return c.ReceiveBatch(out, 8); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 1; }));
  const std::vector<int> in = {1, 2};
  ASSERT_EQ(c.TrySendBatch(in, Chan<int>::Wake::kLater), 2u);
  EXPECT_EQ(c.size(), 2u);
  c.WakeReceivers();
  EXPECT_EQ(r.get(), 2u);
  EXPECT_THAT(out, ElementsAre(1, 2));
  c.WakeReceivers();  // nothing buffered, nobody waiting: a no-op
}

TEST(ChanTest, DeferredWakeUpHappensAtHalfFull) {
  Chan<int> c(4);
  std::vector<int> out;
  auto r = std::async(std::launch::async, [&] { return c.ReceiveBatch(out, 8); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 1; }));
  const std::vector<int> in = {1, 2};
  ASSERT_EQ(c.SendBatch(in, {}, Chan<int>::Wake::kLater), 2u);  // 2 of 4: wakes now
  EXPECT_GE(r.get(), 1u);
  EXPECT_EQ(out.front(), 1);
}

TEST(ChanTest, SendBatchWakesDeferredReceiversBeforeWaitingForRoom) {
  Chan<int> c(2);
  std::vector<int> in(10);
  std::iota(in.begin(), in.end(), 0);
  auto s =
      std::async(std::launch::async, [&] { return c.SendBatch(in, {}, Chan<int>::Wake::kLater); });
  std::vector<int> out;
  while (out.size() < in.size()) ASSERT_GT(c.ReceiveBatch(out, 10), 0u);
  EXPECT_EQ(s.get(), in.size());
  EXPECT_EQ(out, in);
}

// A channel that yields before sleeping behaves exactly like one that sleeps at once.
TEST(ChanTest, YieldingWaitersStillBlockAndWake) {
  Chan<int> c(1, /*yields_before_sleep=*/3);
  auto r = std::async(std::launch::async, [&] { return c.Receive(); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 1; }));
  ASSERT_TRUE(c.Send(1));
  EXPECT_THAT(r.get(), Optional(1));
  ASSERT_TRUE(c.Send(2));
  auto s = std::async(std::launch::async, [&] { return c.Send(3); });
  ASSERT_TRUE(WaitUntil([&] { return c.senders_waiting() == 1; }));
  EXPECT_THAT(c.Receive(), Optional(2));
  EXPECT_TRUE(s.get());
  std::stop_source stop;
  auto blocked = std::async(std::launch::async, [&] { return c.Send(4, stop.get_token()); });
  ASSERT_TRUE(WaitUntil([&] { return c.senders_waiting() == 1; }));
  stop.request_stop();
  EXPECT_FALSE(blocked.get());
  std::vector<int> in(50);
  std::iota(in.begin(), in.end(), 0);
  auto batch = std::async(std::launch::async, [&] { return c.SendBatch(in); });
  std::vector<int> out;
  while (out.size() < 51) ASSERT_GT(c.ReceiveBatch(out, 8), 0u);
  EXPECT_EQ(batch.get(), 50u);
  EXPECT_EQ(out.front(), 3);
  EXPECT_EQ(std::vector<int>(out.begin() + 1, out.end()), in);
}

TEST(ChanTest, RangeForReceivesUntilClosedAndDrained) {
  Chan<int> c(4);
  std::thread producer([&] {
    for (int i = 1; i <= 1000; ++i) ASSERT_TRUE(c.Send(i));
    c.Close();
  });
  long sum = 0;
  int count = 0;
  int last = 0;
  for (auto& v : c) {
    EXPECT_EQ(v, last + 1);
    last = v;
    sum += v;
    ++count;
  }
  producer.join();
  EXPECT_EQ(count, 1000);
  EXPECT_EQ(sum, 1000L * 1001 / 2);
}

TEST(ChanTest, RangeForOverAClosedEmptyChannelDoesNothing) {
  Chan<int> c(1);
  c.Close();
  int n = 0;
  for ([[maybe_unused]] auto& v : c) ++n;
  EXPECT_EQ(n, 0);
}

TEST(ChanTest, MoveOnlyValues) {
  Chan<std::unique_ptr<int>> c(2);
  ASSERT_TRUE(c.Send(std::make_unique<int>(4)));
  ASSERT_TRUE(c.TrySend(std::make_unique<int>(5)));
  EXPECT_FALSE(c.TrySend(std::make_unique<int>(6)));
  std::vector<std::unique_ptr<int>> out;
  ASSERT_EQ(c.ReceiveBatch(out, 2), 2u);
  EXPECT_EQ(*out[0], 4);
  EXPECT_EQ(*out[1], 5);
}

TEST(ChanTest, ReceivedItemsAreNotRetainedByTheChannel) {
  Chan<std::shared_ptr<int>> c(2);
  auto p = std::make_shared<int>(1);
  ASSERT_TRUE(c.Send(p));
  EXPECT_EQ(p.use_count(), 2);
  { auto got = c.Receive(); }
  EXPECT_EQ(p.use_count(), 1) << "the ring slot released its copy";
}

// A slot holds an object only while it holds an item: a channel constructs nothing for its
// capacity (no default constructor is even needed), destroys each item as it is taken, and
// destroys what is still buffered when it goes, across the ring's wrap-around.
TEST(ChanTest, SlotsHoldObjectsOnlyWhileTheyHoldItems) {
  struct Counted {
    explicit Counted(int v, std::atomic<int>* live) : value(v), live(live) { ++*live; }
    Counted(const Counted& o) : value(o.value), live(o.live) { ++*live; }
    Counted(Counted&& o) noexcept : value(o.value), live(o.live) { ++*live; }
    Counted& operator=(const Counted&) = delete;
    ~Counted() { --*live; }
    int value;
    std::atomic<int>* live;
  };
  std::atomic<int> live{0};
  {
    Chan<Counted> c(1000);
    EXPECT_EQ(live.load(), 0) << "nothing is built for the capacity";
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.TrySend(Counted(i, &live)));
    EXPECT_EQ(live.load(), 3);
    {
      auto first = c.Receive();
      ASSERT_TRUE(first.has_value());
      EXPECT_EQ(first->value, 0);
      EXPECT_EQ(live.load(), 3) << "the taken item lives on in `first`, its slot is empty";
    }
    EXPECT_EQ(live.load(), 2);
  }
  EXPECT_EQ(live.load(), 0) << "the channel destroyed the items it still held";

  // Wrapped around: head in the middle, items in slots 2, 0 and 1 of three.
  {
    Chan<Counted> c(3);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.TrySend(Counted(i, &live)));
    std::vector<Counted> out;
    ASSERT_EQ(c.TryReceiveBatch(out, 2), 2u);
    ASSERT_TRUE(c.TrySend(Counted(3, &live)));
    ASSERT_TRUE(c.TrySend(Counted(4, &live)));
    out.clear();
    EXPECT_EQ(live.load(), 3);
  }
  EXPECT_EQ(live.load(), 0);
}

// Many producers and consumers, every blocking and non-blocking form: every item is received
// exactly once and each consumer sees each producer's items in order.
TEST(ChanTest, ManyProducersAndConsumersLoseNothing) {
  constexpr int kProducers = 4;
  constexpr int kConsumers = 4;
  constexpr int kPerProducer = 5000;
  Chan<std::pair<int, int>> c(7);
  std::vector<std::vector<std::pair<int, int>>> got(kConsumers);
  std::vector<std::thread> consumers;
  for (int k = 0; k < kConsumers; ++k) {
    consumers.emplace_back([&, k] {
      std::vector<std::pair<int, int>> batch;
      std::stop_source never;
      while (true) {
        if (k == 0) {
          auto v = c.Receive();
          if (!v) return;
          got[k].push_back(*v);
        } else if (k == 1) {
          batch.clear();
          if (c.ReceiveBatch(batch, 5) == 0) return;
          got[k].insert(got[k].end(), batch.begin(), batch.end());
        } else if (k == 2) {
          auto v = c.Receive(never.get_token());
          if (!v) return;
          got[k].push_back(*v);
        } else {
          auto v = c.ReceiveFor(std::chrono::milliseconds(1));
          if (v) {
            got[k].push_back(*v);
          } else if (c.closed() && c.size() == 0) {
            return;
          }
        }
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      std::stop_source never;
      for (int i = 0; i < kPerProducer;) {
        if (p == 0) {
          ASSERT_TRUE(c.Send({p, i++}));
        } else if (p == 1) {
          if (c.TrySend({p, i})) {
            ++i;
          } else {
            std::this_thread::yield();
          }
        } else if (p == 2) {
          ASSERT_TRUE(c.Send({p, i++}, never.get_token()));
        } else {
          std::vector<std::pair<int, int>> run;
          for (int j = 0; j < 3 && i < kPerProducer; ++j) run.emplace_back(p, i++);
          ASSERT_EQ(c.SendBatch(run), run.size());
        }
      }
    });
  }
  for (auto& t : producers) t.join();
  c.Close();
  for (auto& t : consumers) t.join();

  std::vector<int> seen(kProducers * kPerProducer, 0);
  for (const auto& items : got) {
    std::vector<int> last(kProducers, -1);
    for (auto [p, i] : items) {
      EXPECT_GT(i, last[p]) << "per-producer order";
      last[p] = i;
      ++seen[p * kPerProducer + i];
    }
  }
  for (int n : seen) ASSERT_EQ(n, 1);
}

// Stop tokens that fire while others wait must not swallow wake-ups meant for other waiters.
TEST(ChanTest, StoppedWaitersDoNotStealWakeUps) {
  for (int round = 0; round < 50; ++round) {
    Chan<int> c(1);
    std::stop_source stop;
    auto quitter = std::async(std::launch::async, [&] { return c.Receive(stop.get_token()); });
    auto stayer = std::async(std::launch::async, [&] { return c.Receive(); });
    ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 2; }));
    ASSERT_TRUE(c.Send(round));
    stop.request_stop();
    auto a = quitter.get();
    if (a) {
      EXPECT_EQ(*a, round);
      ASSERT_TRUE(c.Send(-1));  // give the stayer something
      EXPECT_THAT(stayer.get(), Optional(-1));
    } else {
      EXPECT_THAT(stayer.get(), Optional(round));
    }
  }
}

// A failed TrySend leaves an rvalue argument untouched, so the caller still owns it.
TEST(ChanTest, AFailedTrySendKeepsTheValue) {
  Chan<std::unique_ptr<int>> c(1);
  ASSERT_TRUE(c.TrySend(std::make_unique<int>(1)));
  auto second = std::make_unique<int>(2);
  EXPECT_FALSE(c.TrySend(std::move(second)));
  ASSERT_NE(second, nullptr);  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(*second, 2);
  c.Close();
  EXPECT_FALSE(c.TrySend(std::move(second)));
  EXPECT_NE(second, nullptr);  // NOLINT(bugprone-use-after-move)
}

// TryMoveBatch moves the prefix that fits and leaves the rest; MoveBatch waits for room.
TEST(ChanTest, MoveBatchesTakeThePrefixThatFits) {
  Chan<std::unique_ptr<int>> c(2);
  std::vector<std::unique_ptr<int>> v;
  for (int i = 0; i < 4; ++i) v.push_back(std::make_unique<int>(i));
  EXPECT_EQ(c.TryMoveBatch(v), 2u);
  EXPECT_EQ(v[0], nullptr);
  EXPECT_EQ(v[1], nullptr);
  ASSERT_NE(v[2], nullptr);
  EXPECT_EQ(*v[2], 2);
  auto rest = std::async(std::launch::async, [&] { return c.MoveBatch(std::span(v).subspan(2)); });
  std::vector<int> got;
  for (int i = 0; i < 4; ++i) got.push_back(**c.Receive());
  EXPECT_EQ(rest.get(), 2u);
  EXPECT_THAT(got, ElementsAre(0, 1, 2, 3));
  c.Close();
  EXPECT_EQ(c.MoveBatch(std::span(v)), 0u) << "closed";
}

// WaitForItems reports items without taking them, and the end of a closed, drained channel.
TEST(ChanTest, WaitForItemsDoesNotTakeAnything) {
  Chan<int> c(2);
  auto waiter = std::async(std::launch::async, [&] { return c.WaitForItems(); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 1; }));
  ASSERT_TRUE(c.Send(7));
  EXPECT_TRUE(waiter.get());
  EXPECT_EQ(c.size(), 1u);
  c.Close();
  EXPECT_TRUE(c.WaitForItems()) << "buffered items stay readable";
  EXPECT_THAT(c.TryReceive(), Optional(7));
  EXPECT_FALSE(c.WaitForItems());
  std::stop_source stop;
  Chan<int> open(1);
  stop.request_stop();
  EXPECT_FALSE(open.WaitForItems(stop.get_token()));
}

// A polling receiver is not woken for a kUnlessPolling send: it finds the item when its
// timeout ends (never earlier: nothing else wakes it).
TEST(ChanTest, APollingReceiverFindsAnUnlessPollingItemAtItsTimeout) {
  Chan<int> c(4);
  constexpr auto kTimeout = std::chrono::milliseconds(30);
  auto poller = std::async(std::launch::async, [&] {
    const auto start = std::chrono::steady_clock::now();
    const bool got = c.PollForItems(kTimeout);
    return std::pair(got, std::chrono::steady_clock::now() - start);
  });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_polling() == 1; }));
  ASSERT_TRUE(c.TrySend(1, Chan<int>::Wake::kUnlessPolling));
  ASSERT_TRUE(c.TrySend(2, Chan<int>::Wake::kUnlessPolling));  // half full: still not woken
  const auto [got, waited] = poller.get();
  EXPECT_TRUE(got);
  EXPECT_GE(waited, kTimeout);
  EXPECT_FALSE(Chan<int>(1).PollForItems(std::chrono::milliseconds(1))) << "empty: times out";
}

// A kNow send wakes a polling receiver at once, and so does Close.
TEST(ChanTest, APollingReceiverIsWokenByANowSendOrClose) {
  Chan<int> c(4);
  auto poller =
      std::async(std::launch::async, [&] { return c.PollForItems(std::chrono::hours(1)); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_polling() == 1; }));
  ASSERT_TRUE(c.TrySend(1));
  EXPECT_TRUE(poller.get());

  Chan<int> d(4);
  auto closed =
      std::async(std::launch::async, [&] { return d.PollForItems(std::chrono::hours(1)); });
  ASSERT_TRUE(WaitUntil([&] { return d.receivers_polling() == 1; }));
  d.Close();
  EXPECT_FALSE(closed.get());
}

// A blocked (not polling) receiver is woken at once by every kind of send but kLater.
TEST(ChanTest, UnlessPollingStillWakesABlockedReceiver) {
  Chan<int> c(8);
  auto receiver = std::async(std::launch::async, [&] { return c.Receive(); });
  ASSERT_TRUE(WaitUntil([&] { return c.receivers_waiting() == 1; }));
  ASSERT_TRUE(c.TrySend(5, Chan<int>::Wake::kUnlessPolling));
  EXPECT_THAT(receiver.get(), Optional(5));
}

}  // namespace
}  // namespace kube::watch
