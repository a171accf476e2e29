// The two REST event sinks: URLs, verbs, content types, namespace rules and error origins.
#include "kubeevents/client/event_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeevents/api/errors/errors.h"
#include "scripted_server.h"
#include "test_util.h"

namespace kube::rest {
namespace {

using testing::CapturingLogger;
using ::testing::HasSubstr;
using testing::RecordedRequest;
using testing::ScriptedResponse;
using testing::ScriptedServer;

// Echoes the body back as the server object (with a resourceVersion for creates).
ScriptedServer::Handler Echo() {
  return [](const RecordedRequest& r) {
    if (r.method == "PATCH") {
      return ScriptedResponse{
          .body = R"({"metadata":{"name":"e","namespace":"ns","resourceVersion":"2"},"count":2})"};
    }
    return ScriptedResponse{.status = r.method == "POST" ? 201 : 200, .body = r.body};
  };
}

std::shared_ptr<RESTClient> Client(const ScriptedServer& server) {
  Config c;
  c.host = server.url();
  c.qps = -1;
  c.logger = std::make_shared<CapturingLogger>();
  return RESTClient::Create(c).value();
}

api::core::v1::Event CoreEvent(std::string ns) {
  api::core::v1::Event e;
  e.metadata.name = "e";
  e.metadata.namespace_ = std::move(ns);
  e.reason = "Started";
  e.count = 1;
  return e;
}

api::events::v1::Event NewEvent(std::string ns) {
  api::events::v1::Event e;
  e.metadata.name = "e";
  e.metadata.namespace_ = std::move(ns);
  e.reason = "Started";
  e.reporting_controller = "ctl";
  return e;
}

TEST(CoreV1EventSink, CreateUpdatePatchRouteByTheEventNamespace) {
  ScriptedServer server(Echo());
  auto sink = NewCoreV1EventSink(Client(server));
  auto created = sink->Create(CoreEvent("team-a"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->reason, "Started");
  ASSERT_TRUE(sink->Update(CoreEvent("team-b")).ok());
  const std::string patch = R"({"count":2,"lastTimestamp":"2024-05-01T10:00:03Z","message":"m"})";
  auto patched = sink->Patch(CoreEvent("ns"), patch);
  ASSERT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ(patched->count, 2);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/api/v1/namespaces/team-a/events");
  EXPECT_EQ(reqs[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(reqs[0].body, api::ToJson(CoreEvent("team-a")));
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(reqs[1].target, "/api/v1/namespaces/team-b/events/e");
  EXPECT_EQ(reqs[2].method, "PATCH");
  EXPECT_EQ(reqs[2].target, "/api/v1/namespaces/ns/events/e");
  EXPECT_EQ(reqs[2].Header("Content-Type"), "application/strategic-merge-patch+json");
  EXPECT_EQ(reqs[2].body, patch);
}

TEST(CoreV1EventSink, BoundSinkRejectsOtherNamespacesLocally) {
  ScriptedServer server(Echo());
  auto sink = NewCoreV1EventSink(Client(server), "b");
  Status s = sink->Create(CoreEvent("a")).status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kLocal);  // a plain error: the recorder retries it
  EXPECT_EQ(s.message(), "can't create an event with namespace 'a' in namespace 'b'");
  EXPECT_EQ(sink->Update(CoreEvent("a")).status().message(),
            "can't update an event with namespace 'a' in namespace 'b'");
  EXPECT_EQ(sink->Patch(CoreEvent("a"), "{}").status().message(),
            "can't patch an event with namespace 'a' in namespace 'b'");
  EXPECT_TRUE(server.requests().empty());
  EXPECT_TRUE(sink->Create(CoreEvent("b")).ok());
}

TEST(CoreV1EventSink, ServerErrorsAreAPIStatusErrors) {
  ScriptedServer server([](const RecordedRequest&) {
    return ScriptedResponse{.status = 404,
                            .body = api::ToJson(api::errors::NewNotFound("", "events", "e"))};
  });
  auto sink = NewCoreV1EventSink(Client(server));
  Status s = sink->Patch(CoreEvent("ns"), "{}").status();
  EXPECT_TRUE(api::errors::IsNotFound(s));
  EXPECT_EQ(s.origin(), ErrorOrigin::kAPIServer);
}

TEST(CoreV1EventSink, FromAnUnusableConfigFailsAsRequestBuilding) {
  Config c;
  c.host = "https://127.0.0.1:1";
  c.tls.ca_data = "garbage";
  auto logger = std::make_shared<CapturingLogger>();
  c.logger = logger;
  auto sink = NewCoreV1EventSink(c);
  Status s = sink->Create(CoreEvent("ns")).status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kRequestBuilding);
  EXPECT_THAT(s.message(), HasSubstr("creating the REST client"));
  EXPECT_THAT(logger->joined(), HasSubstr("Unable to create the REST client"));
}

TEST(EventsV1EventSink, CreateUpdatePatch) {
  ScriptedServer server(Echo());
  auto sink = NewEventsV1EventSink(Client(server));
  auto created = sink->Create(NewEvent("ns"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->reporting_controller, "ctl");
  ASSERT_TRUE(sink->Update(NewEvent("ns")).ok());
  const std::string patch =
      R"({"series":{"count":2,"lastObservedTime":"2024-05-01T10:00:03.000000Z"}})";
  ASSERT_TRUE(sink->Patch(NewEvent("ns"), patch).ok());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/apis/events.k8s.io/v1/namespaces/ns/events");
  EXPECT_EQ(reqs[0].body, api::ToJson(NewEvent("ns")));
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(reqs[1].target, "/apis/events.k8s.io/v1/namespaces/ns/events/e");
  EXPECT_EQ(reqs[2].method, "PATCH");
  EXPECT_EQ(reqs[2].target, "/apis/events.k8s.io/v1/namespaces/ns/events/e");
  EXPECT_EQ(reqs[2].Header("Content-Type"), "application/strategic-merge-patch+json");
  EXPECT_EQ(reqs[2].body, patch);
}

TEST(EventsV1EventSink, EmptyNamespaceIsRejected) {
  ScriptedServer server(Echo());
  auto sink = NewEventsV1EventSink(Client(server));
  Status s = sink->Create(NewEvent("")).status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kLocal);
  EXPECT_EQ(s.message(), "can't create an event with empty namespace");
  EXPECT_EQ(sink->Update(NewEvent("")).status().message(),
            "can't update an event with empty namespace");
  EXPECT_EQ(sink->Patch(NewEvent(""), "{}").status().message(),
            "can't patch an event with empty namespace");
  EXPECT_TRUE(server.requests().empty());
}

TEST(EventsV1EventSink, TransportFailuresAreTransportErrors) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.reset = true}; });
  auto sink = NewEventsV1EventSink(Client(server));
  EXPECT_EQ(sink->Create(NewEvent("ns")).status().origin(), ErrorOrigin::kTransport);
}

}  // namespace
}  // namespace kube::rest
