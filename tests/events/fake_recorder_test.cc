// events FakeRecorder: client-go's string formats.
#include <gtest/gtest.h>

#include "kubeevents/tools/events/fake_recorder.h"

namespace kube::events {
namespace {

const api::core::v1::ObjectReference kPod{"Pod", "ns", "p", "", "v1", "", ""};
const api::core::v1::ObjectReference kRs{"ReplicaSet", "ns", "rs", "", "apps/v1", "", ""};

TEST(EventsFakeRecorderTest, Plain) {
  FakeRecorder r(4);
  r.Eventf(kPod, nullptr, "Normal", "Started", "Start", "started %s", "app");
  EXPECT_EQ(r.Events()->TryReceive().value(), "Normal Started started app");
}

TEST(EventsFakeRecorderTest, IncludeObject) {
  FakeRecorder r(4, true);
  r.Eventf(kPod, kRs, "Warning", "Killing", "Kill", "killing %d", 1);
  EXPECT_EQ(r.Events()->TryReceive().value(),
            "Warning Killing Kill killing 1 {kind=Pod,apiVersion=v1} "
            "{kind=ReplicaSet,apiVersion=apps/v1}");
  r.AnnotatedEventf(kPod, nullptr, {{"a", "1"}}, "Normal", "R", "A", "n");
  EXPECT_EQ(r.Events()->TryReceive().value(), "Normal R A n {kind=Pod,apiVersion=v1} map[a:1]");
}

TEST(EventsFakeRecorderTest, ZeroBufferDiscards) {
  FakeRecorder r(0);
  r.Eventf(kPod, nullptr, "Normal", "R", "A", "n");
  EXPECT_EQ(r.Events(), nullptr);
}

}  // namespace
}  // namespace kube::events
