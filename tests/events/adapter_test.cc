// EventBroadcasterAdapter: discovery picks the API; the legacy path drops related and action.
// GetFieldSelector: client-go's selector for the events about one object.
#include <gtest/gtest.h>

#include "kubeevents/tools/events/event_broadcaster_adapter.h"
#include "kubeevents/tools/events/field_selector.h"
#include "kubeevents/tools/events/testing/fake_event_sink.h"
#include "kubeevents/tools/record/testing/fake_event_sink.h"
#include "test_support.h"

namespace kube::events {
namespace {

using namespace std::chrono_literals;

AdapterOptions Options(std::function<StatusOr<bool>()> discovery,
                       std::shared_ptr<testing::FakeEventSink> events_sink,
                       std::shared_ptr<record::testing::FakeEventSink> core_sink,
                       std::shared_ptr<Logger> logger) {
  AdapterOptions o;
  o.supports_events_v1 = std::move(discovery);
  o.events_sink = std::move(events_sink);
  o.core_sink = std::move(core_sink);
  o.events_options.logger = logger;
  o.events_options.hostname = "h";
  o.legacy_options.logger = logger;
  return o;
}

const api::core::v1::ObjectReference kPod{"Pod", "ns", "p", "u", "v1", "1", ""};
const api::core::v1::ObjectReference kNode{"Node", "", "n", "", "v1", "", ""};

TEST(AdapterTest, UsesEventsV1WhenServed) {
  auto events_sink = std::make_shared<testing::FakeEventSink>();
  auto core_sink = std::make_shared<record::testing::FakeEventSink>();
  EventBroadcasterAdapter adapter(Options([] { return StatusOr<bool>(true); }, events_sink,
                                          core_sink, std::make_shared<NullLogger>()));
  ASSERT_TRUE(adapter.UsesEventsV1());
  adapter.StartRecordingToSink();
  adapter.NewRecorder("ctrl")->Eventf(kPod, kNode, "Normal", "Scheduled", "Bind", "bound to %s",
                                      "n");
  ASSERT_TRUE(adapter.Flush(10s));
  ASSERT_EQ(events_sink->CallCount(), 1u);
  EXPECT_EQ(core_sink->CallCount(), 0u);
  const auto e = events_sink->Calls()[0].event;
  EXPECT_EQ(e.reporting_controller, "ctrl");
  EXPECT_EQ(e.action, "Bind");
  ASSERT_TRUE(e.related.has_value());
  // The legacy recorder is always available.
  adapter.DeprecatedNewLegacyRecorder("legacy")->Event(kPod, "Normal", "Old", "core/v1");
  ASSERT_TRUE(adapter.Flush(10s));
  EXPECT_EQ(core_sink->CallCount(), 1u);
}

TEST(AdapterTest, FallsBackToCoreV1AndDropsRelatedAndAction) {
  for (auto discovery : std::vector<std::function<StatusOr<bool>()>>{
           [] { return StatusOr<bool>(false); },
           [] { return StatusOr<bool>(UnavailableError("connection refused")); }}) {
    auto events_sink = std::make_shared<testing::FakeEventSink>();
    auto core_sink = std::make_shared<record::testing::FakeEventSink>();
    auto logger = std::make_shared<record::testing_support::CapturingLogger>();
    EventBroadcasterAdapter adapter(Options(discovery, events_sink, core_sink, logger));
    EXPECT_FALSE(adapter.UsesEventsV1());
    adapter.StartRecordingToSink();
    adapter.NewRecorder("ctrl")->Eventf(kPod, kNode, "Warning", "Failed", "Bind", "failed %d", 2);
    ASSERT_TRUE(adapter.Flush(10s));
    EXPECT_EQ(events_sink->CallCount(), 0u);
    ASSERT_EQ(core_sink->CallCount(), 1u);
    const auto e = core_sink->Calls()[0].event;
    EXPECT_EQ(e.source.component, "ctrl");
    EXPECT_EQ(e.reporting_controller, "ctrl");
    EXPECT_EQ(e.message, "failed 2");
    EXPECT_EQ(e.action, "");
    EXPECT_FALSE(e.related.has_value());
  }
}

TEST(FieldSelectorTest, ClientGoTerms) {
  auto s = GetFieldSelector("events.k8s.io/v1", {"apps", "v1", "Deployment"}, "web", "u-1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s,
            "regarding.apiVersion=apps/v1,regarding.kind=Deployment,regarding.name=web,"
            "regarding.uid=u-1");
  auto core = GetFieldSelector("v1", {"", "v1", "Pod"}, "a,b=c", "");
  ASSERT_TRUE(core.ok());
  EXPECT_EQ(*core,
            "involvedObject.apiVersion=v1,involvedObject.kind=Pod,"
            "involvedObject.name=a\\,b\\=c");
  auto beta = GetFieldSelector("events.k8s.io/v1beta1", {"", "", ""}, "", "");
  ASSERT_TRUE(beta.ok());
  EXPECT_EQ(*beta, "");
  auto bad = GetFieldSelector("apps/v1", {}, "x", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown version apps/v1");
}

}  // namespace
}  // namespace kube::events
