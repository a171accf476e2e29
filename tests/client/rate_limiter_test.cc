#include "kubeevents/client/rest/rate_limiter.h"

#include <gtest/gtest.h>

namespace kube::rest {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(TokenBucket, StartsFullWithBurstTokens) {
  auto clock = std::make_shared<FakeClock>();
  TokenBucketRateLimiter limiter(5, 10, clock);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.Reserve(), nanoseconds(0)) << i;
  // The 11th waits 1/qps = 200ms, the 12th 400ms (reservations queue).
  EXPECT_EQ(limiter.Reserve(), milliseconds(200));
  EXPECT_EQ(limiter.Reserve(), milliseconds(400));
}

TEST(TokenBucket, RefillsContinuouslyUpToBurst) {
  auto clock = std::make_shared<FakeClock>();
  TokenBucketRateLimiter limiter(5, 10, clock);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.TryAccept());
  EXPECT_FALSE(limiter.TryAccept());
  clock->Step(milliseconds(199));
  EXPECT_FALSE(limiter.TryAccept());
  clock->Step(milliseconds(1));
  EXPECT_TRUE(limiter.TryAccept());
  clock->Step(std::chrono::hours(1));  // never more than burst
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.TryAccept());
  EXPECT_FALSE(limiter.TryAccept());
}

TEST(TokenBucket, ReserveAfterWaitingIsFree) {
  auto clock = std::make_shared<FakeClock>();
  TokenBucketRateLimiter limiter(2, 1, clock);
  EXPECT_EQ(limiter.Reserve(), nanoseconds(0));
  EXPECT_EQ(limiter.Reserve(), milliseconds(500));
  clock->Step(milliseconds(500));
  EXPECT_EQ(limiter.Reserve(), milliseconds(500));
  clock->Step(milliseconds(1000));
  EXPECT_EQ(limiter.Reserve(), nanoseconds(0));
}

}  // namespace
}  // namespace kube::rest
