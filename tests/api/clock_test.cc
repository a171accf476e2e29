// kube::Clock: the real clock's coarse reading and the fake clock's defaults.
#include "kubeevents/api/common/clock.h"

#include <gtest/gtest.h>

#include <chrono>

namespace kube {
namespace {

using namespace std::chrono_literals;

// The coarse reading is the same wall clock at a lower resolution (a kernel tick).
TEST(ClockTest, RealClockCoarseReadingIsTheWallClock) {
  RealClock clock;
  const auto before = clock.Now();
  const auto coarse = clock.NowCoarse();
  const auto after = clock.Now();
  EXPECT_GE(coarse, before - 1s);
  EXPECT_LE(coarse, after + 1s);
}

// A clock that does not override NowCoarse (FakeClock) answers with Now().
TEST(ClockTest, FakeClockCoarseReadingIsExact) {
  FakeClock clock;
  clock.Step(1234ms);
  EXPECT_EQ(clock.NowCoarse(), clock.Now());
}

}  // namespace
}  // namespace kube
