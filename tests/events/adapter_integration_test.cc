// The events adapter against a real HTTPS server (the local API server): discovery picks
// events.k8s.io/v1 when it is served and falls back to core/v1 when it is not; what the
// recorder wrote is read back through the REST clients.
#include <gtest/gtest.h>

#include "kubeevents/client/event_broadcaster_adapter.h"
#include "kubeevents/client/rest/events_client.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/tools/localapiserver/server.h"

namespace kube::events {
namespace {

using namespace std::chrono_literals;

struct Cluster {
  explicit Cluster(bool serve_events_v1)
      : server([&] {
          localapiserver::ServerOptions o;
          o.serve_events_v1 = serve_events_v1;
          return o;
        }()) {}
  std::shared_ptr<rest::RESTClient> Connect() {
    EXPECT_TRUE(server.Start().ok());
    auto config = rest::ParseKubeconfig(server.KubeconfigYAML(), "local-apiserver");
    EXPECT_TRUE(config.ok()) << config.status();
    config->logger = std::make_shared<NullLogger>();
    auto client = rest::RESTClient::Create(*config);
    EXPECT_TRUE(client.ok()) << client.status();
    return *client;
  }
  localapiserver::Server server;
};

const api::core::v1::ObjectReference kPod{"Pod", "default", "web-0", "u-1", "v1", "5", ""};
const api::core::v1::ObjectReference kNode{"Node", "", "node-a", "u-2", "v1", "", ""};

TEST(AdapterIntegrationTest, WritesEventsV1WhenTheServerServesIt) {
  Cluster cluster(/*serve_events_v1=*/true);
  auto client = cluster.Connect();
  auto adapter = rest::NewEventBroadcasterAdapter(client);
  ASSERT_TRUE(adapter->UsesEventsV1());
  adapter->StartRecordingToSink();
  auto recorder = adapter->NewRecorder("example.com/adapter-test");
  for (int i = 0; i < 3; ++i) {
    recorder->Eventf(kPod, kNode, "Warning", "FailedScheduling", "Scheduling", "try %d", i);
  }
  ASSERT_TRUE(adapter->Flush(30s));
  auto list = rest::EventsV1EventsClient(client, "default").List();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->items.size(), 1u);
  const auto& e = list->items[0];
  EXPECT_EQ(e.reporting_controller, "example.com/adapter-test");
  EXPECT_EQ(e.action, "Scheduling");
  ASSERT_TRUE(e.related.has_value());
  EXPECT_EQ(e.related->name, "node-a");
  ASSERT_TRUE(e.series.has_value());
  EXPECT_EQ(e.series->count, 2);
  // The same stored object, read through core/v1.
  auto core = rest::CoreV1EventsClient(client, "default").List();
  ASSERT_TRUE(core.ok());
  ASSERT_EQ(core->items.size(), 1u);
  EXPECT_EQ(core->items[0].reporting_controller, "example.com/adapter-test");
  adapter->Shutdown();
}

TEST(AdapterIntegrationTest, FallsBackToCoreV1WhenEventsV1IsNotServed) {
  Cluster cluster(/*serve_events_v1=*/false);
  auto client = cluster.Connect();
  auto adapter = rest::NewEventBroadcasterAdapter(client);
  ASSERT_FALSE(adapter->UsesEventsV1());
  adapter->StartRecordingToSink();
  adapter->NewRecorder("adapter-test")
      ->Eventf(kPod, kNode, "Normal", "Pulled", "Pull", "pulled %s", "nginx");
  ASSERT_TRUE(adapter->Flush(30s));
  auto list = rest::CoreV1EventsClient(client, "default").List();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->items.size(), 1u);
  const auto& e = list->items[0];
  EXPECT_EQ(e.source.component, "adapter-test");
  EXPECT_EQ(e.message, "pulled nginx");
  EXPECT_EQ(e.action, "");  // the legacy path drops action and related, as client-go does
  EXPECT_FALSE(e.related.has_value());
  EXPECT_TRUE(e.event_time.IsZero());
  EXPECT_EQ(adapter->legacy_broadcaster().Stats().created, 1u);
  adapter->Shutdown();
}

}  // namespace
}  // namespace kube::events
