#include "kubeevents/watch/watch.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace kube::watch {
namespace {

struct Pod {
  std::string name;
};

TEST(EventTypeTest, GoSpelling) {
  EXPECT_EQ(ToString(EventType::kAdded), "ADDED");
  EXPECT_EQ(ToString(EventType::kModified), "MODIFIED");
  EXPECT_EQ(ToString(EventType::kDeleted), "DELETED");
  EXPECT_EQ(ToString(EventType::kBookmark), "BOOKMARK");
  EXPECT_EQ(ToString(EventType::kError), "ERROR");
}

TEST(EventTest, MakeOwnsACopyAndAsChecksTheType) {
  Pod pod{"a"};
  Event e = Event::Make(EventType::kModified, pod);
  pod.name = "changed";
  EXPECT_EQ(e.type, EventType::kModified);
  ASSERT_NE(e.As<Pod>(), nullptr);
  EXPECT_EQ(e.As<Pod>()->name, "a");
  EXPECT_EQ(e.As<std::string>(), nullptr) << "wrong type";
  EXPECT_EQ(*e.object_type, typeid(Pod));
}

TEST(EventTest, CopiesShareOnePayload) {
  Event e = Event::Make(EventType::kAdded, Pod{"a"});
  Event copy = e;
  EXPECT_EQ(copy.As<Pod>(), e.As<Pod>());
  EXPECT_EQ(e.object.use_count(), 2);
}

TEST(EventTest, ShareKeepsTheCallersObject) {
  auto pod = std::make_shared<const Pod>(Pod{"b"});
  Event e = Event::Share(EventType::kDeleted, pod);
  EXPECT_EQ(e.As<Pod>(), pod.get());
  Event none = Event::Share<Pod>(EventType::kDeleted, nullptr);
  EXPECT_EQ(none.As<Pod>(), nullptr);
  EXPECT_EQ(none.object_type, nullptr);
}

TEST(EventTest, DefaultEventHasNoPayload) {
  Event e;
  EXPECT_EQ(e.type, EventType::kAdded);
  EXPECT_EQ(e.As<Pod>(), nullptr);
}

TEST(EmptyWatchTest, ChannelIsClosedAndStopIsANoOp) {
  auto w = NewEmptyWatch();
  EXPECT_TRUE(w->ResultChan().closed());
  EXPECT_EQ(w->ResultChan().Receive(), std::nullopt);
  w->Stop();
  w->Stop();
  int n = 0;
  for ([[maybe_unused]] auto& e : w->ResultChan()) ++n;
  EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace kube::watch
