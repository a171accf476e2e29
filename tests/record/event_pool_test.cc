// The recorders' event pool (tools/internal/event_pool): recycling, its bound, its lifetime,
// and use from many threads.
#include "kubeevents/tools/internal/event_pool.h"
#include "kubeevents/tools/internal/recycled_fields.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace kube::tools::internal {
namespace {

using Event = api::core::v1::Event;
using CoreEventPool = EventPool<Event>;

TEST(EventPoolTest, AReleasedEventIsHandedOutAgainWithItsBuffers) {
  auto pool = CoreEventPool::Make(4);
  const Event* address = nullptr;
  const char* buffer = nullptr;
  {
    auto e = pool->Acquire();
    e->message.assign(200, 'm');
    address = e.get();
    buffer = e->message.data();
  }
  EXPECT_EQ(pool->idle(), 1u);
  auto again = pool->Acquire();
  EXPECT_EQ(again.get(), address);
  EXPECT_EQ(again->message.data(), buffer) << "the caller assigns into the old buffer";
  EXPECT_EQ(pool->idle(), 0u);
}

// The shared_ptr's control block is built inside the pooled node, so handing an event out
// allocates nothing and its release frees nothing on the consumer's thread. (The size check
// once compared against the alignment of a byte array, 1, and every event took the heap path.)
TEST(EventPoolTest, TheControlBlockLivesInTheNode) {
  auto pool = CoreEventPool::Make(4);
  for (int i = 0; i < 3; ++i) {
    auto e = pool->Acquire();
    std::weak_ptr<Event> weak = e;  // weak references share the same block
    EXPECT_FALSE(weak.expired());
  }
  EXPECT_EQ(pool->heap_control_blocks(), 0u);
  EXPECT_EQ(pool->idle(), 1u) << "one node, reused";
}

// An event returns to the pool only when its control block is gone: a weak reference keeps
// it out (its control block lives in the pooled node and must not be rebuilt under it).
TEST(EventPoolTest, AWeakReferenceKeepsTheEventOutOfThePool) {
  auto pool = CoreEventPool::Make(4);
  std::weak_ptr<Event> weak;
  {
    auto e = pool->Acquire();
    weak = e;
  }
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(pool->idle(), 0u);
  weak.reset();
  EXPECT_EQ(pool->idle(), 1u);
}

// Idle events beyond max_pooled are deleted when a producer next takes the returned ones.
TEST(EventPoolTest, KeepsAtMostMaxPooledIdleEvents) {
  auto pool = CoreEventPool::Make(2);
  {
    std::vector<std::shared_ptr<Event>> held;
    for (int i = 0; i < 5; ++i) held.push_back(pool->Acquire());
  }
  EXPECT_EQ(pool->idle(), 5u) << "returned, not yet looked at";
  auto one = pool->Acquire();
  EXPECT_EQ(pool->idle(), 1u) << "kept 2, handed out 1";
}

// Events may outlive the pool's owner: once the handle is gone the idle events are freed, and
// the pool itself with the last event still out (ASan checks that nothing leaks or dangles).
TEST(EventPoolTest, EventsKeepThePoolAlive) {
  std::shared_ptr<Event> survivor;
  {
    auto pool = CoreEventPool::Make(8);
    survivor = pool->Acquire();
    survivor->reason = "still here";
  }
  EXPECT_EQ(survivor->reason, "still here");
  survivor.reset();
}

// Acquired on some threads, released on others, all at once (TSan checks the hand-over).
TEST(EventPoolTest, ManyThreadsAcquireAndRelease) {
  auto pool = CoreEventPool::Make(64);
  constexpr int kThreads = 4;
  constexpr int kRounds = 5000;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::shared_ptr<Event>>> handed(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        auto e = pool->Acquire();
        e->message = std::to_string(t) + "/" + std::to_string(i);
        ASSERT_EQ(e->message, std::to_string(t) + "/" + std::to_string(i));
        if (i % 3 == 0) handed[static_cast<std::size_t>(t)].push_back(std::move(e));
      }
    });
  }
  for (auto& t : threads) t.join();
  // Release the kept ones from another thread than the one that acquired them.
  std::thread releaser([&] { handed.clear(); });
  releaser.join();
  EXPECT_GT(pool->idle(), 0u) << "released events came back";
}

// The events.k8s.io/v1 recorder's pool is the same template: its events are recycled with
// their buffers and their control blocks fit in the node too.
TEST(EventPoolTest, EventsK8sIoEventsArePooledToo) {
  auto pool = EventPool<api::events::v1::Event>::Make(4);
  const char* buffer = nullptr;
  {
    auto e = pool->Acquire();
    e->note.assign(200, 'n');
    buffer = e->note.data();
    std::weak_ptr<api::events::v1::Event> weak = e;
    EXPECT_FALSE(weak.expired());
  }
  auto again = pool->Acquire();
  EXPECT_EQ(again->note.data(), buffer);
  EXPECT_EQ(pool->heap_control_blocks(), 0u);
}

// SameBytes is operator== for strings, word by word: equal, and different at every position
// (first, last, the overlap of the two words), for every length up to past the inline limit.
TEST(SameBytesTest, AgreesWithEqualityAtEveryLengthAndPosition) {
  for (std::size_t n = 0; n <= 40; ++n) {
    const std::string a(n, 'x');
    EXPECT_TRUE(SameBytes(a, std::string(n, 'x'))) << n;
    EXPECT_FALSE(SameBytes(a, std::string(n + 1, 'x'))) << n;
    for (std::size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = 'y';
      EXPECT_FALSE(SameBytes(a, b)) << "length " << n << ", differing at " << i;
    }
  }
  std::string field = "old value";
  AssignIfDifferent(field, "new");
  EXPECT_EQ(field, "new");
}

}  // namespace
}  // namespace kube::tools::internal
