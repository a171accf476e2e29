// FakeRecorder: client-go's string format for users' controller tests.
#include <gtest/gtest.h>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/tools/record/fake_recorder.h"

namespace kube::record {
namespace {

TEST(FakeRecorderTest, WritesTypeReasonMessage) {
  FakeRecorder r(10);
  api::core::v1::ObjectReference pod{"Pod", "ns", "p", "", "v1", "", ""};
  r.Event(pod, "Normal", "Started", "started 100%");
  r.Eventf(pod, "Warning", "BackOff", "restart %d of %s", 3, "app");
  r.AnnotatedEventf(pod, {{"b", "2"}, {"a", "1"}}, "Normal", "Tagged", "x");
  EXPECT_EQ(r.Events()->TryReceive().value(), "Normal Started started 100%");
  EXPECT_EQ(r.Events()->TryReceive().value(), "Warning BackOff restart 3 of app");
  EXPECT_EQ(r.Events()->TryReceive().value(), "Normal Tagged x map[a:1 b:2]");
  EXPECT_FALSE(r.Events()->TryReceive().has_value());
}

TEST(FakeRecorderTest, IncludeObject) {
  FakeRecorder r(1, /*include_object=*/true);
  api::core::v1::ObjectReference d{"Deployment", "ns", "d", "", "apps/v1", "", ""};
  r.Event(d, "Normal", "Scaled", "ok");
  EXPECT_EQ(r.Events()->TryReceive().value(),
            "Normal Scaled ok involvedObject{kind=Deployment,apiVersion=apps/v1}");
}

TEST(FakeRecorderTest, ZeroBufferDiscards) {
  FakeRecorder r(0);
  api::core::v1::ObjectReference pod{"Pod", "ns", "p", "", "v1", "", ""};
  r.Event(pod, "Normal", "Started", "x");
  EXPECT_EQ(r.Events(), nullptr);
}

TEST(FakeRecorderTest, WithLoggerReturnsItself) {
  auto r = std::make_shared<FakeRecorder>(1);
  EXPECT_EQ(r->WithLogger(nullptr).get(), r.get());
}

}  // namespace
}  // namespace kube::record
