// What kubectl needs beyond the event verbs, through the handler without sockets: the OpenAPI
// v3 index and per-group-version documents (and v2 in JSON), fieldValidation (Strict, Warn —
// the default —, Ignore) checked against those schemas, the Table row objects of
// includeObject, watch streams of Tables, and a clear 404 for resources not served here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/api/json.h"
#include "kubeevents/tools/localapiserver/internal/handler.h"
#include "kubeevents/tools/localapiserver/internal/openapi.h"
#include "kubeevents/tools/localapiserver/internal/table.h"

namespace kube::localapiserver::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kEvent = R"({
  "metadata": {"name": "pod1.17ab", "labels": {"app": "web"}},
  "involvedObject": {"kind": "Pod", "namespace": "default", "name": "pod1", "apiVersion": "v1"},
  "reason": "Started", "message": "Started container", "type": "Normal",
  "source": {"component": "kubelet"},
  "firstTimestamp": "2024-05-01T10:00:00Z", "lastTimestamp": "2024-05-01T10:00:00Z", "count": 1})";

constexpr const char* kTableAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
    "g=meta.k8s.io,application/json";

class OpenAPITest : public ::testing::Test {
 protected:
  Response Do(std::string method, std::string target, std::string body = "",
              std::string accept = "application/json",
              std::string content_type = "application/json") {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.authorization = "Bearer secret";
    r.accept = std::move(accept);
    return handler_.Handle(r);
  }
  static std::string Header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }
  static std::string WithField(std::string json, std::string_view after, std::string_view add) {
    json.insert(json.find(after) + after.size(), add);
    return json;
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<EventStore> store_ =
      std::make_shared<EventStore>(EventStore::Options{std::chrono::hours(1), clock_, 1000, 1000});
  Handler handler_{{store_, clock_, "secret", {}, 3 * 1024 * 1024, "127.0.0.1:6443"}};
};

TEST_F(OpenAPITest, IndexLinksEachGroupVersionByHash) {
  const Response index = Do("GET", "/openapi/v3", "", "application/json, */*");
  ASSERT_EQ(index.status, 200) << index.body;
  auto doc = api::internal::ParseDocument(index.body);
  ASSERT_TRUE(doc.ok()) << index.body;
  const auto& paths = (*doc)["paths"];
  ASSERT_TRUE(paths.HasMember("api/v1")) << index.body;
  ASSERT_TRUE(paths.HasMember("apis/events.k8s.io/v1")) << index.body;
  const std::string core_url = paths["api/v1"]["serverRelativeURL"].GetString();
  ASSERT_THAT(core_url, HasSubstr("/openapi/v3/api/v1?hash="));
  const std::string hash = core_url.substr(core_url.find("hash=") + 5);
  EXPECT_EQ(hash.size(), 128u);  // SHA-512, upper-case hex

  // The linked document: cacheable for good, hashed as linked.
  const Response core = Do("GET", core_url);
  ASSERT_EQ(core.status, 200) << core.body;
  EXPECT_EQ(Header(core, "Cache-Control"), "public, immutable");
  EXPECT_EQ(Header(core, "Etag"), "\"" + hash + "\"");
  auto gv = api::internal::ParseDocument(core.body);
  ASSERT_TRUE(gv.ok());
  EXPECT_STREQ((*gv)["openapi"].GetString(), "3.0.0");
  const auto& patch = (*gv)["paths"]["/api/v1/namespaces/{namespace}/events/{name}"]["patch"];
  ASSERT_TRUE(patch.IsObject()) << core.body.substr(0, 2000);
  EXPECT_STREQ(patch["x-kubernetes-group-version-kind"]["kind"].GetString(), "Event");
  EXPECT_STREQ(patch["x-kubernetes-group-version-kind"]["group"].GetString(), "");
  bool field_validation = false;
  for (const auto& p : patch["parameters"].GetArray()) {
    field_validation |= std::string_view(p["name"].GetString()) == "fieldValidation";
  }
  EXPECT_TRUE(field_validation) << "kubectl sends fieldValidation=Strict only when listed";
  const auto& event = (*gv)["components"]["schemas"]["io.k8s.api.core.v1.Event"];
  ASSERT_TRUE(event.IsObject());
  EXPECT_STREQ(event["x-kubernetes-group-version-kind"][0]["kind"].GetString(), "Event");
  EXPECT_TRUE(event["properties"].HasMember("involvedObject"));
  EXPECT_TRUE(
      (*gv)["components"]["schemas"].HasMember("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));

  const Response events =
      Do("GET", paths["apis/events.k8s.io/v1"]["serverRelativeURL"].GetString());
  ASSERT_EQ(events.status, 200);
  EXPECT_THAT(events.body, HasSubstr(R"("io.k8s.api.events.v1.Event":{)"));
  EXPECT_THAT(events.body,
              HasSubstr(R"("x-kubernetes-group-version-kind":{"group":"events.k8s.io",)"
                        R"("kind":"Event","version":"v1"})"));

  // No hash: not cacheable. A stale hash: redirected to the current one. Unknown: 404.
  EXPECT_EQ(Header(Do("GET", "/openapi/v3/api/v1"), "Cache-Control"), "no-cache, private");
  const Response stale = Do("GET", "/openapi/v3/api/v1?hash=0123");
  EXPECT_EQ(stale.status, 301);
  EXPECT_EQ(Header(stale, "Location"), core_url);
  EXPECT_EQ(Do("GET", "/openapi/v3/apis/apps/v1").status, 404);
}

TEST_F(OpenAPITest, ServesV2AsJsonAndRefusesProtobufOnly) {
  const Response v2 = Do("GET", "/openapi/v2");
  ASSERT_EQ(v2.status, 200);
  EXPECT_EQ(v2.content_type, "application/json");
  EXPECT_THAT(v2.body, HasSubstr(R"("swagger":"2.0")"));
  EXPECT_THAT(v2.body, HasSubstr(R"("$ref":"#/definitions/io.k8s.api.core.v1.ObjectReference")"));
  EXPECT_THAT(v2.body, Not(HasSubstr("#/components/")));
  EXPECT_THAT(v2.body, HasSubstr(R"("/apis/events.k8s.io/v1/namespaces/{namespace}/events")"));
  // What kubectl's fallback asks for: protobuf only. 406 names what is served.
  const Response pb =
      Do("GET", "/openapi/v2", "", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  EXPECT_EQ(pb.status, 406);
  EXPECT_THAT(pb.body, HasSubstr("application/json"));
  // Authenticated like every API path.
  Request r;
  r.method = "GET";
  r.target = "/openapi/v3";
  EXPECT_EQ(handler_.Handle(r).status, 401);
}

TEST_F(OpenAPITest, WithoutEventsV1TheIndexListsOnlyTheCoreGroup) {
  Handler old_server{{store_, clock_, "secret", {}, 3 * 1024 * 1024, "127.0.0.1:6443", false}};
  Request r;
  r.method = "GET";
  r.target = "/openapi/v3";
  r.authorization = "Bearer secret";
  const Response index = old_server.Handle(r);
  ASSERT_EQ(index.status, 200);
  EXPECT_THAT(index.body, HasSubstr("api/v1"));
  EXPECT_THAT(index.body, Not(HasSubstr("events.k8s.io")));
}

TEST_F(OpenAPITest, StrictFieldValidationNamesEveryUnknownOrDuplicateField) {
  std::string bad = WithField(kEvent, R"("reason": "Started",)", R"( "bogus": 1,)");
  bad = WithField(bad, R"("apiVersion": "v1")", R"(, "extra": "x")");
  bad = WithField(bad, R"("type": "Normal",)", R"( "type": "Warning",)");
  const Response r = Do("POST", "/api/v1/namespaces/default/events?fieldValidation=Strict", bad);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(
      r.body,
      HasSubstr(R"(Event in version \"v1\" cannot be handled as a Event: strict decoding )"
                R"(error: unknown field \"involvedObject.extra\", unknown field \"bogus\", )"
                R"(duplicate field \"type\")"));
  EXPECT_EQ(store_->Get("default", "pod1.17ab"), nullptr);
  // Known fields (maps included) pass.
  EXPECT_EQ(Do("POST", "/api/v1/namespaces/default/events?fieldValidation=Strict", kEvent).status,
            201);
  // events.k8s.io/v1 has its own schema: `message` is not a field there.
  const Response v1 = Do(
      "POST", "/apis/events.k8s.io/v1/namespaces/default/events?fieldValidation=Strict",
      R"({"metadata":{"name":"n1"},"eventTime":"2024-05-01T10:00:03.123456Z","reportingController":"example.com/c","reportingInstance":"h","action":"A","reason":"R","regarding":{"kind":"Pod","name":"p","namespace":"default"},"message":"wrong API","type":"Normal"})");
  EXPECT_EQ(v1.status, 400);
  EXPECT_THAT(v1.body, HasSubstr(R"(unknown field \"message\")"));
  // PATCH checks the patched object.
  const Response p = Do(
      "PATCH", "/api/v1/namespaces/default/events/pod1.17ab?fieldValidation=Strict",
      R"({"series":{"count":2,"oops":true}})", "application/json", "application/merge-patch+json");
  EXPECT_EQ(p.status, 400);
  EXPECT_THAT(p.body, HasSubstr(R"(strict decoding error: unknown field \"series.oops\")"));
}

// The walk's field paths through nested objects, array elements and maps, and duplicates in
// a small object and in a map larger than the walk compares key by key.
TEST_F(OpenAPITest, FieldErrorsNameArrayElementsAndDuplicatesAtAnyDepth) {
  const OpenAPI openapi(EventOpenAPIGroupVersions(true), "v1.30.0");
  std::string labels;
  for (int i = 0; i < 40; ++i) labels += "\"k" + std::to_string(i) + "\":\"v\",";
  const std::string body =
      R"({"metadata":{"name":"n","labels":{)" + labels +
      R"("k3":"again"},"managedFields":[{"manager":"m"},{"manager":"m","bogus":1}]},)"
      R"("involvedObject":{"kind":"Pod","kind":"Node","extra":{"deep":1}},"count":1})";
  auto found = openapi.FieldErrors("", "v1", "Event", body);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_THAT(*found, ::testing::ElementsAre(R"(duplicate field "metadata.labels.k3")",
                                             R"(unknown field "metadata.managedFields[1].bogus")",
                                             R"(duplicate field "involvedObject.kind")",
                                             R"(unknown field "involvedObject.extra")"));
  // The same body parsed by the caller gives the same answer.
  auto doc = api::internal::ParseDocument(body);
  ASSERT_TRUE(doc.ok());
  auto again = openapi.FieldErrors("", "v1", "Event", *doc);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *found);
  // A body that is not JSON is an error here (the decoder reports it to the client).
  EXPECT_FALSE(openapi.FieldErrors("", "v1", "Event", "not json").ok());
  // A free-form object (FieldsV1) takes any member at any depth, but a name twice is still a
  // duplicate; the series (a $ref to EventSeries) is checked through the reference.
  auto free_form = openapi.FieldErrors(
      "", "v1", "Event",
      R"({"metadata":{"managedFields":[{"fieldsV1":{"f:metadata":{"f:labels":{"x":1}},)"
      R"("f:a":1,"f:a":2}}]},"series":{"count":2,"oops":true}})");
  ASSERT_TRUE(free_form.ok()) << free_form.status().ToString();
  EXPECT_THAT(*free_form,
              ::testing::ElementsAre(R"(duplicate field "metadata.managedFields[0].fieldsV1.f:a")",
                                     R"(unknown field "series.oops")"));
}

TEST_F(OpenAPITest, WarnIsTheDefaultAndIgnoreIsSilent) {
  const std::string bad = WithField(kEvent, R"("reason": "Started",)", R"( "bogus": 1,)");
  const Response warned = Do("POST", "/api/v1/namespaces/default/events", bad);
  ASSERT_EQ(warned.status, 201) << warned.body;
  EXPECT_EQ(Header(warned, "Warning"), R"(299 - "unknown field \"bogus\"")");
  EXPECT_THAT(warned.body, Not(HasSubstr("bogus")));  // dropped, as the decoder does
  const Response put =
      Do("PUT", "/api/v1/namespaces/default/events/pod1.17ab?fieldValidation=Ignore", bad);
  EXPECT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Header(put, "Warning"), "");
  const Response wrong =
      Do("POST", "/api/v1/namespaces/default/events?fieldValidation=Loose", kEvent);
  EXPECT_EQ(wrong.status, 422);
  EXPECT_THAT(wrong.body, HasSubstr(R"(fieldValidation: Unsupported value: \"Loose\")"));
}

TEST_F(OpenAPITest, TableRowsCarryWhatIncludeObjectAsks) {
  ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/events", kEvent).status, 201);
  const Response object =
      Do("GET", "/api/v1/namespaces/default/events?includeObject=Object", "", kTableAccept);
  ASSERT_EQ(object.status, 200) << object.body;
  EXPECT_THAT(object.body, HasSubstr(R"("object":{"kind":"Event","apiVersion":"v1",)"));
  EXPECT_THAT(object.body, HasSubstr(R"("lastTimestamp":"2024-05-01T10:00:00Z")"));
  const Response v1 =
      Do("GET", "/apis/events.k8s.io/v1/events?includeObject=Object", "", kTableAccept);
  EXPECT_THAT(v1.body, HasSubstr(R"("object":{"kind":"Event","apiVersion":"events.k8s.io/v1",)"));
  EXPECT_THAT(v1.body, HasSubstr(R"("note":"Started container")"));
  const Response none =
      Do("GET", "/api/v1/namespaces/default/events?includeObject=None", "", kTableAccept);
  EXPECT_THAT(none.body, HasSubstr(R"("pod1.17ab"],"object":null})"));
  EXPECT_THAT(Do("GET", "/api/v1/events", "", kTableAccept).body,
              HasSubstr(R"("object":{"kind":"PartialObjectMetadata")"));
  const Response bad =
      Do("GET", "/api/v1/namespaces/default/events?includeObject=All", "", kTableAccept);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr(R"(unrecognized includeObject value: \"All\")"));
  // A single object's Table carries its resourceVersion, as kube-apiserver's does.
  const std::string rv = store_->Get("default", "pod1.17ab")->metadata.resource_version;
  EXPECT_THAT(Do("GET", "/api/v1/namespaces/default/events/pod1.17ab", "", kTableAccept).body,
              HasSubstr(R"("metadata":{"resourceVersion":")" + rv + "\"}"));
}

TEST_F(OpenAPITest, WatchAsTableStreamsOneRowTablesWithColumnsFirst) {
  const Response w = Do("GET", "/api/v1/namespaces/default/events?watch=true", "", kTableAccept);
  ASSERT_EQ(w.status, 200) << w.body;
  ASSERT_NE(w.watch, nullptr);
  ASSERT_TRUE(static_cast<bool>(w.watch_encoder));
  ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/events", kEvent).status, 201);
  ASSERT_EQ(Do("PATCH", "/api/v1/namespaces/default/events/pod1.17ab", R"({"count":2})",
               "application/json", "application/merge-patch+json")
                .status,
            200);
  bool closed = false;
  auto changes = w.watch->Drain(closed);
  ASSERT_EQ(changes.size(), 2u);
  auto encode = w.watch_encoder;
  const std::string first = encode(changes[0]);
  const std::string second = encode(changes[1]);
  EXPECT_THAT(
      first,
      HasSubstr(R"({"type":"ADDED","object":{"kind":"Table","apiVersion":"meta.k8s.io/v1",)"));
  EXPECT_THAT(first, HasSubstr(R"("columnDefinitions":[{"name":"Last Seen")"));
  EXPECT_THAT(first, HasSubstr(R"("Started container")"));
  EXPECT_EQ(first.back(), '\n');
  EXPECT_THAT(second, HasSubstr(R"({"type":"MODIFIED","object":{"kind":"Table",)"));
  EXPECT_THAT(second, HasSubstr(R"("columnDefinitions":null,"rows":[{"cells":[)"));
  EXPECT_THAT(second, HasSubstr(R"(,2,"pod1.17ab"])"));
  w.watch->Stop();
  // Without as=Table the frames are the objects themselves.
  EXPECT_FALSE(static_cast<bool>(Do("GET", "/api/v1/events?watch=true").watch_encoder));
}

TEST_F(OpenAPITest, UnservedResourcesSaySo) {
  const Response pods = Do("GET", "/api/v1/namespaces/default/pods");
  EXPECT_EQ(pods.status, 404);
  EXPECT_THAT(
      pods.body,
      HasSubstr(
          R"(the server could not find the requested resource: kube-local-apiserver )"
          R"(does not serve \"pods\"; it serves events (v1), events.events.k8s.io )"
          R"((events.k8s.io/v1) and leases.coordination.k8s.io (coordination.k8s.io/v1) only)"));
}

}  // namespace
}  // namespace kube::localapiserver::internal
