// This library's own REST sinks (client/event_sink.h) writing both kinds of events to the
// local API server over HTTPS with the kubeconfig it generates, read back through the other API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/client/event_sink.h"
#include "kubeevents/client/rest/events_client.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/localapiserver/server.h"
#include "kubeevents/tools/record/event_broadcaster.h"

namespace kube::localapiserver {
namespace {

namespace v1 = api::core::v1;
using api::meta::v1::MicroTime;
using api::meta::v1::Time;

class SinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.terminating_namespaces = {"dying"};
    server_ = std::make_unique<Server>(o);
    ASSERT_TRUE(server_->Start().ok());
    auto config = rest::ParseKubeconfig(server_->KubeconfigYAML(), "local-apiserver");
    ASSERT_TRUE(config.ok()) << config.status();
    config->logger = std::make_shared<NullLogger>();
    config_ = *config;
    auto client = rest::RESTClient::Create(config_);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *client;
  }

  std::unique_ptr<Server> server_;
  rest::Config config_;
  std::shared_ptr<rest::RESTClient> client_;
};

v1::Event CoreEvent(const std::string& ns, const std::string& name) {
  v1::Event e;
  e.metadata.name = name;
  e.metadata.namespace_ = ns;
  e.involved_object = {"Pod", ns, "web-1", "u-1", "v1", "17", ""};
  e.reason = "Started";
  e.message = "Started container";
  e.type = "Normal";
  e.source = {"kubelet", "node-1"};
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  e.first_timestamp = Time(now);
  e.last_timestamp = Time(now);
  e.count = 1;
  e.reporting_controller = "kubelet";
  e.reporting_instance = "node-1";
  return e;
}

TEST_F(SinkTest, CoreV1SinkWritesAndEventsV1ReadsBack) {
  auto sink = rest::NewCoreV1EventSink(config_);
  auto created = sink->Create(CoreEvent("default", "web-1.1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->metadata.uid.empty());
  auto patched = sink->Patch(*created, R"({"count":2,"message":"Started container again"})");
  ASSERT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ(patched->count, 2);

  rest::EventsV1EventsClient events(client_, "default");
  auto read = events.Get("web-1.1");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->note, "Started container again");
  EXPECT_EQ(read->deprecated_count, 2);
  EXPECT_EQ(read->regarding.name, "web-1");
  EXPECT_EQ(read->deprecated_source.component, "kubelet");

  auto dup = sink->Create(CoreEvent("default", "web-1.1"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().origin(), ErrorOrigin::kAPIServer);
  EXPECT_TRUE(api::errors::IsAlreadyExists(dup.status()));

  auto terminating = sink->Create(CoreEvent("dying", "web-1.2"));
  ASSERT_FALSE(terminating.ok());
  EXPECT_TRUE(
      api::errors::HasStatusCause(terminating.status(), api::errors::kNamespaceTerminatingCause));
}

TEST_F(SinkTest, EventsV1SinkSeriesPatchAndCoreV1ReadsBack) {
  auto sink = rest::NewEventsV1EventSink(config_);
  api::events::v1::Event e;
  e.metadata.name = "db-0.17ac";
  e.metadata.namespace_ = "apps";
  e.event_time =
      MicroTime(std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now()));
  e.reporting_controller = "example.com/operator";
  e.reporting_instance = "example.com/operator-host";
  e.action = "Scaling";
  e.reason = "Scaled";
  e.regarding = {"StatefulSet", "apps", "db", "u-2", "apps/v1", "99", ""};
  e.note = "Scaled db to 3";
  e.type = "Normal";
  auto created = sink->Create(e);
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string patch =
      R"({"series":{"count":2,"lastObservedTime":")" + e.event_time.ToString() + R"("}})";
  auto patched = sink->Patch(*created, patch);
  ASSERT_TRUE(patched.ok()) << patched.status();
  ASSERT_TRUE(patched->series.has_value());
  EXPECT_EQ(patched->series->count, 2);

  rest::CoreV1EventsClient core(client_, "");
  auto list = core.List(
      {.field_selector = "involvedObject.name=db,reportingComponent=example.com/operator"});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].message, "Scaled db to 3");
  ASSERT_TRUE(list->items[0].series.has_value());
  EXPECT_EQ(list->items[0].series->count, 2);

  // A stale resourceVersion conflicts; a note change through events.k8s.io/v1 is rejected as
  // kube-apiserver does.
  auto stale = *created;
  EXPECT_TRUE(api::errors::IsConflict(sink->Update(stale).status()));
  auto changed = *patched;
  changed.note = "other";
  auto rejected = sink->Update(changed);
  ASSERT_FALSE(rejected.ok());
  EXPECT_TRUE(api::errors::IsInvalid(rejected.status())) << rejected.status();
  ASSERT_NE(rejected.status().api_status(), nullptr);
  EXPECT_EQ(rejected.status().api_status()->details.causes.at(0).field, "message");

  // A patch of an expired/missing event is a 404, which makes the recorder recreate it.
  api::events::v1::Event missing = e;
  missing.metadata.name = "gone";
  auto nf = sink->Patch(missing, patch);
  ASSERT_FALSE(nf.ok());
  EXPECT_TRUE(api::errors::IsNotFound(nf.status()));
}

TEST_F(SinkTest, SeveralCoreV1WritersKeepEachObjectsCountOverHttps) {
  // record::BroadcasterOptions::writer_threads over the real REST sink: four writers, four
  // requests in flight on their own connections, each request held 2 ms by the server, and
  // two of them reset unanswered (transport errors: retried). Every object ends up as one
  // Event whose count is the number of times it was reported, as with client-go's single
  // writer.
  server_->faults().SetLatency(std::chrono::milliseconds(2));
  server_->faults().ResetNext(2);
  record::BroadcasterOptions o;
  o.logger = std::make_shared<NullLogger>();
  o.writer_threads = 4;
  o.sleep_duration = std::chrono::milliseconds(10);  // the retries after the two resets
  o.correlator_options.disable_spam_filter = true;
  record::EventBroadcaster b(o);
  rest::Config unlimited = config_;
  unlimited.qps = -1;  // client-go's 5/s would make this test take 10 s
  b.StartRecordingToSink(rest::NewCoreV1EventSink(unlimited));
  auto recorder = b.NewRecorder({"sharded-sink-test", "node-1"});
  constexpr int kObjects = 12;
  constexpr int kRepeats = 5;
  for (int r = 0; r < kRepeats; ++r) {
    for (int i = 0; i < kObjects; ++i) {
      const std::string name = "worker-" + std::to_string(i);
      recorder->Eventf(v1::ObjectReference{"Pod", "default", name, "uid-" + name, "v1", "", ""},
                       "Normal", "Synced", "%s synced", name);
    }
  }
  ASSERT_TRUE(b.Flush(std::chrono::seconds(60)));
  const auto stats = b.Stats();
  EXPECT_EQ(stats.created, static_cast<std::uint64_t>(kObjects));
  EXPECT_EQ(stats.patched, static_cast<std::uint64_t>(kObjects * (kRepeats - 1)));
  EXPECT_EQ(stats.retries, 2u);
  EXPECT_EQ(stats.failed_rejected + stats.failed_retry_limit + stats.abandoned, 0u);
  b.Shutdown();

  rest::CoreV1EventsClient events(client_, "default");
  auto list = events.List({.field_selector = "reason=Synced"});
  ASSERT_TRUE(list.ok()) << list.status();
  std::map<std::string, int> count_by_object;
  for (const auto& e : list->items) count_by_object[e.involved_object.name] += e.count;
  ASSERT_EQ(count_by_object.size(), static_cast<std::size_t>(kObjects));
  EXPECT_EQ(list->items.size(), static_cast<std::size_t>(kObjects));  // one Event per object
  for (const auto& [name, count] : count_by_object) EXPECT_EQ(count, kRepeats) << name;
}

}  // namespace
}  // namespace kube::localapiserver
