// The request handler without sockets: routing, auth, discovery, both APIs over one store,
// errors shaped like kube-apiserver's.
#include "kubeevents/tools/localapiserver/internal/handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/api/json.h"

namespace kube::localapiserver::internal {
namespace {

namespace v1 = api::core::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kCoreEvent = R"({
  "metadata": {"name": "pod1.17ab"},
  "involvedObject": {"kind": "Pod", "namespace": "default", "name": "pod1", "uid": "u-1", "apiVersion": "v1"},
  "reason": "Started", "message": "Started container", "type": "Normal",
  "source": {"component": "kubelet", "host": "node1"},
  "firstTimestamp": "2024-05-01T10:00:00Z", "lastTimestamp": "2024-05-01T10:00:00Z", "count": 1,
  "eventTime": null, "reportingComponent": "", "reportingInstance": ""})";

constexpr const char* kNewEvent = R"({
  "metadata": {"name": "pod1.17ac", "namespace": "default"},
  "eventTime": "2024-05-01T10:00:03.123456Z",
  "reportingController": "example.com/ctrl", "reportingInstance": "ctrl-host",
  "action": "Scaling", "reason": "Scaled",
  "regarding": {"kind": "Pod", "namespace": "default", "name": "pod1", "uid": "u-1", "apiVersion": "v1"},
  "note": "scaled to 3", "type": "Warning"})";

class HandlerTest : public ::testing::Test {
 protected:
  Response Do(std::string method, std::string target, std::string body = "",
              std::string content_type = "application/json", std::string token = "secret") {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.authorization = token.empty() ? "" : "Bearer " + token;
    r.accept = "application/json";
    return handler_.Handle(r);
  }

  api::meta::v1::Status StatusOf(const Response& r) {
    auto st = api::FromJson<api::meta::v1::Status>(r.body);
    EXPECT_TRUE(st.ok()) << r.body;
    return st.ok() ? *st : api::meta::v1::Status{};
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<EventStore> store_ =
      std::make_shared<EventStore>(EventStore::Options{std::chrono::hours(1), clock_, 1000, 1000});
  Handler handler_{{store_, clock_, "secret", {"dying"}, 3 * 1024 * 1024, "127.0.0.1:6443"}};
};

TEST_F(HandlerTest, RequiresTheBearerToken) {
  auto r = Do("GET", "/api/v1/events", "", "", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(
      r.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
  EXPECT_EQ(Do("GET", "/api/v1/events", "", "", "wrong").status, 401);
  EXPECT_EQ(Do("GET", "/version", "", "", "").status, 200);  // public, as with kube-apiserver
}

TEST_F(HandlerTest, DiscoveryDocuments) {
  auto api = Do("GET", "/api");
  EXPECT_EQ(api.status, 200);
  EXPECT_THAT(api.body, HasSubstr(R"("versions":["v1"])"));
  EXPECT_THAT(api.body, HasSubstr("127.0.0.1:6443"));
  EXPECT_THAT(Do("GET", "/api/v1").body, HasSubstr(R"("name":"events")"));
  EXPECT_THAT(Do("GET", "/apis").body, HasSubstr(R"("groupVersion":"events.k8s.io/v1")"));
  EXPECT_THAT(Do("GET", "/apis/events.k8s.io/v1").body,
              HasSubstr(R"("groupVersion":"events.k8s.io/v1","resources":[{"name":"events")"));
  EXPECT_EQ(Do("GET", "/openapi/v3").status, 200);  // openapi_test.cc
  EXPECT_EQ(Do("GET", "/apis/apps/v1").status, 404);
  EXPECT_EQ(Do("GET", "/api/v1/pods").status, 404);
  // Only aggregated discovery acceptable → 406, so clients fall back.
  Request r;
  r.method = "GET";
  r.target = "/apis";
  r.authorization = "Bearer secret";
  r.accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
  EXPECT_EQ(handler_.Handle(r).status, 406);
  r.accept += ",application/json";
  EXPECT_EQ(handler_.Handle(r).status, 200);
}

TEST_F(HandlerTest, OneStoreServesBothApis) {
  auto created = Do("POST", "/api/v1/namespaces/default/events", kCoreEvent);
  ASSERT_EQ(created.status, 201) << created.body;
  auto ev = api::FromJson<v1::Event>(created.body);
  ASSERT_TRUE(ev.ok());
  EXPECT_FALSE(ev->metadata.uid.empty());
  EXPECT_FALSE(ev->metadata.creation_timestamp.IsZero());
  EXPECT_EQ(ev->metadata.creation_timestamp.time(), clock_->Now());
  // Read through events.k8s.io/v1.
  auto read = Do("GET", "/apis/events.k8s.io/v1/namespaces/default/events/pod1.17ab");
  ASSERT_EQ(read.status, 200);
  auto as_new = api::FromJson<api::events::v1::Event>(read.body);
  ASSERT_TRUE(as_new.ok());
  EXPECT_EQ(as_new->type_meta.api_version, "events.k8s.io/v1");
  EXPECT_EQ(as_new->note, "Started container");
  EXPECT_EQ(as_new->regarding.name, "pod1");
  EXPECT_EQ(as_new->deprecated_source.component, "kubelet");
  EXPECT_EQ(as_new->deprecated_count, 1);
  EXPECT_EQ(as_new->metadata.uid, ev->metadata.uid);

  auto created2 = Do("POST", "/apis/events.k8s.io/v1/namespaces/default/events", kNewEvent);
  ASSERT_EQ(created2.status, 201) << created2.body;
  auto core = Do("GET", "/api/v1/namespaces/default/events/pod1.17ac");
  auto as_core = api::FromJson<v1::Event>(core.body);
  ASSERT_TRUE(as_core.ok());
  EXPECT_EQ(as_core->message, "scaled to 3");
  EXPECT_EQ(as_core->involved_object.uid, "u-1");
  EXPECT_EQ(as_core->reporting_controller, "example.com/ctrl");
  EXPECT_THAT(core.body, HasSubstr(R"("reportingComponent":"example.com/ctrl")"));

  // Lists across namespaces through both.
  auto list = api::FromJson<v1::EventList>(Do("GET", "/api/v1/events").body);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 2u);
  auto list2 =
      api::FromJson<api::events::v1::EventList>(Do("GET", "/apis/events.k8s.io/v1/events").body);
  ASSERT_TRUE(list2.ok());
  ASSERT_EQ(list2->items.size(), 2u);
  EXPECT_EQ(list2->items[0].note, "Started container");
}

TEST_F(HandlerTest, FieldSelectorsOnBothApis) {
  ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/events", kCoreEvent).status, 201);
  ASSERT_EQ(Do("POST", "/apis/events.k8s.io/v1/namespaces/default/events", kNewEvent).status, 201);
  auto names = [&](const std::string& target) {
    std::vector<std::string> out;
    auto list = api::FromJson<v1::EventList>(Do("GET", target).body);
    EXPECT_TRUE(list.ok());
    if (list.ok()) {
      for (const auto& e : list->items) out.push_back(e.metadata.name);
    }
    return out;
  };
  EXPECT_THAT(names("/api/v1/events?fieldSelector=reason%3DScaled"), ElementsAre("pod1.17ac"));
  EXPECT_THAT(names("/api/v1/events?fieldSelector=source%3Dexample.com%2Fctrl"),
              ElementsAre("pod1.17ac"));
  EXPECT_THAT(names("/api/v1/namespaces/default/events?fieldSelector=type!%3DWarning"),
              ElementsAre("pod1.17ab"));
  EXPECT_THAT(names("/apis/events.k8s.io/v1/events?fieldSelector=regarding.name%3Dpod1,"
                    "reportingController%3Dexample.com%2Fctrl"),
              ElementsAre("pod1.17ac"));
  auto bad = Do("GET", "/api/v1/events?fieldSelector=regarding.name%3Dpod1");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(StatusOf(bad).message, "field label not supported: regarding.name");
  EXPECT_EQ(StatusOf(bad).reason, "BadRequest");
}

TEST_F(HandlerTest, LimitAndContinue) {
  for (int i = 0; i < 5; ++i) {
    std::string body = kCoreEvent;
    body.replace(body.find("pod1.17ab"), 9, "ev-" + std::to_string(i) + "xxxx");
    ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/events", body).status, 201);
  }
  auto page = api::FromJson<v1::EventList>(Do("GET", "/api/v1/events?limit=2").body);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 2u);
  ASSERT_FALSE(page->metadata.continue_token.empty());
  EXPECT_EQ(page->metadata.remaining_item_count, 3);
  std::vector<std::string> all;
  for (auto& e : page->items) all.push_back(e.metadata.name);
  std::string token = page->metadata.continue_token;
  while (!token.empty()) {
    auto next =
        api::FromJson<v1::EventList>(Do("GET", "/api/v1/events?limit=2&continue=" + token).body);
    ASSERT_TRUE(next.ok());
    for (auto& e : next->items) all.push_back(e.metadata.name);
    token = next->metadata.continue_token;
  }
  EXPECT_THAT(all, ElementsAre("ev-0xxxx", "ev-1xxxx", "ev-2xxxx", "ev-3xxxx", "ev-4xxxx"));
  EXPECT_EQ(Do("GET", "/api/v1/events?limit=2&continue=%21%21").status, 400);
}

TEST_F(HandlerTest, ErrorsShapedLikeKubeApiserver) {
  ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/events", kCoreEvent).status, 201);
  auto dup = Do("POST", "/api/v1/namespaces/default/events", kCoreEvent);
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(StatusOf(dup).reason, "AlreadyExists");
  EXPECT_EQ(StatusOf(dup).message, "events \"pod1.17ab\" already exists");
  ASSERT_EQ(Do("POST", "/apis/events.k8s.io/v1/namespaces/default/events", kNewEvent).status, 201);
  auto dup2 = Do("POST", "/apis/events.k8s.io/v1/namespaces/default/events", kNewEvent);
  EXPECT_EQ(StatusOf(dup2).message, "events.events.k8s.io \"pod1.17ac\" already exists");
  EXPECT_EQ(StatusOf(dup2).details.group, "events.k8s.io");

  auto missing = Do("GET", "/api/v1/namespaces/default/events/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(StatusOf(missing).message, "events \"nope\" not found");
  EXPECT_EQ(Do("DELETE", "/api/v1/namespaces/default/events/nope").status, 404);

  auto malformed = Do("POST", "/api/v1/namespaces/default/events", "{\"metadata\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(StatusOf(malformed).reason, "BadRequest");
  // A raw NUL byte is never JSON: after a valid object it must not end the document (RapidJSON
  // alone would take it for the end and accept what precedes it).
  using namespace std::string_literals;
  auto nul = Do("POST", "/api/v1/namespaces/default/events", kCoreEvent + "\0{}"s);
  EXPECT_EQ(nul.status, 400);
  EXPECT_THAT(StatusOf(nul).message, HasSubstr("offset " + std::to_string(std::strlen(kCoreEvent)) +
                                               ": a NUL byte, which JSON does not allow"));
  auto nul_in_string = Do("POST", "/api/v1/namespaces/default/events",
                          R"({"metadata":{"name":"a)"s + "\0"s + R"(b"}})");
  EXPECT_EQ(nul_in_string.status, 400);
  auto wrong_type = Do("POST", "/api/v1/namespaces/default/events", R"({"reason":5})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_THAT(StatusOf(wrong_type).message, HasSubstr("reason"));

  auto ns_mismatch = Do("POST", "/api/v1/namespaces/other/events", kCoreEvent);
  EXPECT_EQ(ns_mismatch.status, 422);  // involvedObject.namespace does not match
  auto body_ns = Do("POST", "/apis/events.k8s.io/v1/namespaces/other/events", kNewEvent);
  EXPECT_EQ(body_ns.status, 400);
  EXPECT_EQ(
      StatusOf(body_ns).message,
      "the namespace of the provided object does not match the namespace sent on the request");

  auto too_big =
      Do("POST", "/api/v1/namespaces/default/events", std::string(3 * 1024 * 1024 + 1, ' '));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(StatusOf(too_big).reason, "RequestEntityTooLarge");

  auto yaml = Do("POST", "/api/v1/namespaces/default/events", "a: b", "application/yaml");
  EXPECT_EQ(yaml.status, 415);
  auto rv_set = Do(
      "POST", "/api/v1/namespaces/default/events",
      R"({"metadata":{"name":"x","resourceVersion":"7"},"involvedObject":{"namespace":"default"}})");
  EXPECT_EQ(rv_set.status, 500);
  EXPECT_THAT(StatusOf(rv_set).message,
              HasSubstr("resourceVersion should not be set on objects to be created"));
}

TEST_F(HandlerTest, InvalidEventsGet422WithCauses) {
  std::string body = kNewEvent;
  body.replace(body.find(R"("type": "Warning")"), 17, R"("type": "Info")");
  body.replace(body.find("pod1.17ac"), 9, "Pod1_Bad");
  auto r = Do("POST", "/apis/events.k8s.io/v1/namespaces/default/events", body);
  ASSERT_EQ(r.status, 422);
  auto st = StatusOf(r);
  EXPECT_EQ(st.reason, "Invalid");
  EXPECT_EQ(st.details.kind, "Event");
  EXPECT_EQ(st.details.name, "Pod1_Bad");
  ASSERT_EQ(st.details.causes.size(), 2u);
  EXPECT_EQ(st.details.causes[0].type, "FieldValueInvalid");
  EXPECT_EQ(st.details.causes[0].field, "metadata.name");
  EXPECT_EQ(st.details.causes[1].field, "type");
  EXPECT_EQ(st.details.causes[1].message, "Invalid value: \"\": has invalid value: Info");
  EXPECT_THAT(st.message, HasSubstr("Event.events.k8s.io \"Pod1_Bad\" is invalid: [metadata.name"));
  // Through core/v1 the strict rules are skipped (name and type are accepted), but the JSON
  // key of the reporting controller is reportingComponent there.
  body = kNewEvent;
  body.replace(body.find(R"("type": "Warning")"), 17, R"("type": "Info")");
  auto wrong_key = Do("POST", "/api/v1/namespaces/default/events", body);
  ASSERT_EQ(wrong_key.status, 422);
  EXPECT_EQ(StatusOf(wrong_key).details.causes[0].field, "reportingComponent");
  EXPECT_EQ(StatusOf(wrong_key).details.causes[0].type, "FieldValueRequired");
  body.replace(body.find("reportingController"), 19, "reportingComponent");
  auto core = Do("POST", "/api/v1/namespaces/default/events", body);
  EXPECT_EQ(core.status, 201) << core.body;
}

TEST_F(HandlerTest, TerminatingNamespaceIsForbidden) {
  std::string body = kCoreEvent;
  body.replace(body.find(R"("namespace": "default")"), 22, R"("namespace": "dying")");
  auto r = Do("POST", "/api/v1/namespaces/dying/events", body);
  ASSERT_EQ(r.status, 403);
  auto st = StatusOf(r);
  EXPECT_EQ(st.reason, "Forbidden");
  EXPECT_EQ(st.message,
            "events \"pod1.17ab\" is forbidden: unable to create new content in namespace dying "
            "because it is being terminated");
  ASSERT_EQ(st.details.causes.size(), 1u);
  EXPECT_EQ(st.details.causes[0].type, "NamespaceTerminating");
  EXPECT_EQ(st.details.causes[0].field, "metadata.namespace");
  EXPECT_TRUE(api::errors::HasStatusCause(Status::FromAPIStatus(st, 403),
                                          api::errors::kNamespaceTerminatingCause));
  handler_.SetNamespaceTerminating("dying", false);
  EXPECT_EQ(Do("POST", "/api/v1/namespaces/dying/events", body).status, 201);
}

TEST_F(HandlerTest, PutCreatesThenUpdates) {
  std::string body = kCoreEvent;
  auto created = Do("PUT", "/api/v1/namespaces/default/events/pod1.17ab", body);
  EXPECT_EQ(created.status, 201) << created.body;
  body.replace(body.find("\"count\": 1"), 10, "\"count\": 2");
  auto updated = Do("PUT", "/api/v1/namespaces/default/events/pod1.17ab", body);
  ASSERT_EQ(updated.status, 200) << updated.body;
  auto e = api::FromJson<v1::Event>(updated.body);
  EXPECT_EQ(e->count, 2);
  auto c = api::FromJson<v1::Event>(created.body);
  EXPECT_EQ(e->metadata.uid, c->metadata.uid);
  EXPECT_GT(std::stoull(e->metadata.resource_version), std::stoull(c->metadata.resource_version));
  // Stale resourceVersion → 409 Conflict.
  std::string stale = body;
  stale.replace(
      stale.find(R"("name": "pod1.17ab")"), 19,
      R"("name": "pod1.17ab", "resourceVersion": ")" + c->metadata.resource_version + "\"");
  auto conflict = Do("PUT", "/api/v1/namespaces/default/events/pod1.17ab", stale);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(StatusOf(conflict).reason, "Conflict");
  // Name mismatch → 400.
  EXPECT_EQ(Do("PUT", "/api/v1/namespaces/default/events/other", body).status, 400);
}

TEST_F(HandlerTest, PatchBothTypesAndImmutability) {
  ASSERT_EQ(Do("POST", "/apis/events.k8s.io/v1/namespaces/default/events", kNewEvent).status, 201);
  const std::string path = "/apis/events.k8s.io/v1/namespaces/default/events/pod1.17ac";
  auto smp = Do("PATCH", path,
                R"({"series":{"count":2,"lastObservedTime":"2024-05-01T10:05:00.000000Z"}})",
                "application/strategic-merge-patch+json");
  ASSERT_EQ(smp.status, 200) << smp.body;
  auto e = api::FromJson<api::events::v1::Event>(smp.body);
  ASSERT_TRUE(e->series.has_value());
  EXPECT_EQ(e->series->count, 2);
  auto merge = Do("PATCH", path, R"({"metadata":{"labels":{"k":"v"}}})",
                  "application/merge-patch+json; charset=utf-8");
  ASSERT_EQ(merge.status, 200) << merge.body;
  EXPECT_THAT(merge.body, HasSubstr(R"("labels":{"k":"v"})"));
  auto immutable = Do("PATCH", path, R"({"note":"changed"})", "application/merge-patch+json");
  ASSERT_EQ(immutable.status, 422);
  EXPECT_EQ(StatusOf(immutable).details.causes[0].field, "message");
  auto series1 = Do("PATCH", path, R"({"series":{"count":1}})", "application/merge-patch+json");
  EXPECT_EQ(series1.status, 422);
  // core/v1 may change the message.
  EXPECT_EQ(Do("PATCH", "/api/v1/namespaces/default/events/pod1.17ac", R"({"message":"changed"})",
               "application/strategic-merge-patch+json")
                .status,
            200);
  auto json_patch = Do("PATCH", path, R"([{"op":"add","path":"/note","value":"x"}])",
                       "application/json-patch+json");
  EXPECT_EQ(json_patch.status, 415);
  EXPECT_EQ(StatusOf(json_patch).reason, "UnsupportedMediaType");
  auto absent =
      Do("PATCH", "/api/v1/namespaces/default/events/absent", "{}", "application/merge-patch+json");
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(Do("PATCH", path, "{oops", "application/merge-patch+json").status, 400);
}

TEST_F(HandlerTest, DeleteAndDeleteCollection) {
  auto created = Do("POST", "/api/v1/namespaces/default/events", kCoreEvent);
  auto uid = api::FromJson<v1::Event>(created.body)->metadata.uid;
  auto pre = Do("DELETE", "/api/v1/namespaces/default/events/pod1.17ab",
                R"({"preconditions":{"uid":"other"}})");
  EXPECT_EQ(pre.status, 409);
  auto del = Do("DELETE", "/api/v1/namespaces/default/events/pod1.17ab");
  ASSERT_EQ(del.status, 200);
  auto st = StatusOf(del);
  EXPECT_EQ(st.status, "Success");
  EXPECT_EQ(st.details.uid, uid);
  ASSERT_EQ(Do("POST", "/apis/events.k8s.io/v1/namespaces/default/events", kNewEvent).status, 201);
  ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/events", kCoreEvent).status, 201);
  auto dc = Do("DELETE", "/api/v1/namespaces/default/events?fieldSelector=reason%3DScaled");
  ASSERT_EQ(dc.status, 200);
  EXPECT_THAT(dc.body, HasSubstr("pod1.17ac"));
  EXPECT_EQ(store_->Size(), 1u);
  auto bad_policy =
      Do("DELETE", "/api/v1/namespaces/default/events/pod1.17ab?propagationPolicy=Nope");
  EXPECT_EQ(bad_policy.status, 422);
  EXPECT_EQ(StatusOf(bad_policy).details.causes[0].type, "FieldValueNotSupported");
}

TEST_F(HandlerTest, DryRunValidatesWithoutStoring) {
  auto r = Do("POST", "/api/v1/namespaces/default/events?dryRun=All", kCoreEvent);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(store_->Size(), 0u);
  auto bad = Do("POST", "/api/v1/namespaces/default/events?dryRun=Some", kCoreEvent);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(StatusOf(bad).details.causes[0].message,
            "Unsupported value: []string{\"Some\"}: supported values: \"All\"");
}

TEST_F(HandlerTest, WatchStartsWithInitialStateAndExpiredVersionsError) {
  ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/events", kCoreEvent).status, 201);
  auto w =
      Do("GET", "/apis/events.k8s.io/v1/namespaces/default/events?watch=true&timeoutSeconds=5");
  ASSERT_NE(w.watch, nullptr);
  EXPECT_EQ(w.watch_timeout, std::chrono::seconds(5));
  bool closed = false;
  auto changes = w.watch->Drain(closed);
  ASSERT_EQ(changes.size(), 1u);
  const auto frame = EncodeWatchFrame(changes[0], w.watch_version);
  EXPECT_THAT(
      frame,
      HasSubstr(R"({"type":"ADDED","object":{"kind":"Event","apiVersion":"events.k8s.io/v1")"));
  EXPECT_THAT(frame, HasSubstr(R"("note":"Started container")"));
  w.watch->Stop();
  auto named = Do("GET", "/api/v1/namespaces/default/events/pod1.17ab?watch=1");
  ASSERT_NE(named.watch, nullptr);
  EXPECT_EQ(named.watch->Drain(closed).size(), 1u);
  named.watch->Stop();
  auto legacy = Do("GET", "/api/v1/watch/namespaces/default/events");
  ASSERT_NE(legacy.watch, nullptr);
  legacy.watch->Stop();
}

}  // namespace
}  // namespace kube::localapiserver::internal

namespace kube::localapiserver::internal {
namespace {

// kubectl's default output asks for a Table: kube-apiserver's event columns, the series count,
// HumanDuration ages, and the row metadata kubectl prints the NAMESPACE column from.
TEST_F(HandlerTest, ListsAsATableForKubectl) {
  // Timestamps relative to the fake clock (the store's TTL counts on it too).
  const auto t0 = clock_->Now();
  auto core = api::FromJson<v1::Event>(kCoreEvent).value();
  core.first_timestamp = core.last_timestamp = api::meta::v1::Time(t0);
  auto fresh = api::FromJson<api::events::v1::Event>(kNewEvent).value();
  fresh.event_time = api::meta::v1::MicroTime(t0 + std::chrono::seconds(4));
  ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/events", api::ToJson(core)).status, 201);
  ASSERT_EQ(
      Do("POST", "/apis/events.k8s.io/v1/namespaces/default/events", api::ToJson(fresh)).status,
      201);
  clock_->Step(std::chrono::seconds(200));
  Request r;
  r.method = "GET";
  r.target = "/api/v1/events?limit=500";
  r.authorization = "Bearer secret";
  r.accept =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
      "g=meta.k8s.io,application/json";
  const Response table = handler_.Handle(r);
  ASSERT_EQ(table.status, 200) << table.body;
  EXPECT_THAT(table.body, HasSubstr(R"("kind":"Table","apiVersion":"meta.k8s.io/v1")"));
  EXPECT_THAT(table.body, HasSubstr(R"({"name":"Last Seen","type":"string")"));
  EXPECT_THAT(table.body,
              HasSubstr(R"("cells":["3m20s","Normal","Started","pod/pod1","","kubelet, node1",)"
                        R"("Started container","3m20s",1,"pod1.17ab"])"));
  // The events.k8s.io singleton: eventTime for the ages, count 1, reportingController/Instance.
  EXPECT_THAT(table.body,
              HasSubstr(R"("cells":["3m16s","Warning","Scaled","pod/pod1","",)"
                        R"("example.com/ctrl, ctrl-host","scaled to 3","3m16s",1,"pod1.17ac"])"));
  EXPECT_THAT(table.body, HasSubstr(R"("object":{"kind":"PartialObjectMetadata")"));

  // `kubectl get event NAME` asks for a Table too: one row, the object's resourceVersion.
  r.target = "/api/v1/namespaces/default/events/pod1.17ab";
  const Response one = handler_.Handle(r);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_THAT(
      one.body,
      HasSubstr(R"("kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":")"));
  EXPECT_THAT(one.body,
              HasSubstr(R"("rows":[{"cells":["3m20s","Normal","Started","pod/pod1","",)"
                        R"("kubelet, node1","Started container","3m20s",1,"pod1.17ab"])"));
  EXPECT_THAT(one.body, Not(HasSubstr("pod1.17ac")));
  r.target = "/api/v1/namespaces/default/events/missing";
  EXPECT_EQ(handler_.Handle(r).status, 404);
  // Without as=Table the object itself.
  r.target = "/api/v1/namespaces/default/events/pod1.17ab";
  r.accept = "application/json";
  EXPECT_THAT(handler_.Handle(r).body, HasSubstr(R"("kind":"Event")"));
}

}  // namespace
}  // namespace kube::localapiserver::internal
