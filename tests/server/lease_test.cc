// coordination.k8s.io/v1 Leases on the local API server over HTTPS: discovery, CRUD,
// kube-apiserver's 409 Conflict / AlreadyExists and 422 bodies, watch (resume, 410 Expired),
// fieldValidation against the OpenAPI schema, the Table, and the real kubectl (`kubectl get
// leases [-w]`, `kubectl create -f`; skipped visibly when kubectl is not installed).
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "command.h"
#include "kubeevents/api/coordination/v1/lease.h"
#include "kubeevents/api/json.h"
#include "kubeevents/api/meta/v1/status.h"
#include "kubeevents/tools/localapiserver/internal/lease_store.h"
#include "kubeevents/tools/localapiserver/server.h"
#include "test_client.h"

namespace kube::localapiserver {
namespace {

using kube::localapiserver::test_support::FindOnPath;
using kube::localapiserver::test_support::RunCommand;

using api::coordination::v1::Lease;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr const char* kLeases = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";

class LeaseServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    client_ = std::make_unique<testing::TestClient>(server_.https_port(), server_.ca_pem(),
                                                    server_.token());
  }
  void TearDown() override { server_.Stop(); }

  testing::HttpResult Create(const std::string& name, const std::string& spec = "{}") {
    return client_->Do(
        "POST", kLeases,
        R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":")" + name +
            R"("},"spec":)" + spec + "}");
  }

  Server server_;
  std::unique_ptr<testing::TestClient> client_;
};

TEST_F(LeaseServerTest, DiscoveryListsTheGroup) {
  auto apis = client_->Do("GET", "/apis");
  EXPECT_EQ(apis.status, 200);
  EXPECT_THAT(
      apis.body,
      HasSubstr(
          R"({"name":"coordination.k8s.io","versions":[{"groupVersion":"coordination.k8s.io/v1","version":"v1"}])"));
  EXPECT_THAT(apis.body, HasSubstr(R"("name":"events.k8s.io")"));
  auto group = client_->Do("GET", "/apis/coordination.k8s.io");
  EXPECT_EQ(group.status, 200);
  EXPECT_THAT(group.body, HasSubstr(R"("kind":"APIGroup")"));
  auto resources = client_->Do("GET", "/apis/coordination.k8s.io/v1");
  EXPECT_EQ(resources.status, 200);
  EXPECT_THAT(
      resources.body,
      HasSubstr(R"("name":"leases","singularName":"lease","namespaced":true,"kind":"Lease")"));
  EXPECT_EQ(client_->Do("GET", "/apis/coordination.k8s.io/v2").status, 404);
}

TEST_F(LeaseServerTest, CreateGetUpdateDelete) {
  auto created = Create("lock", R"({"holderIdentity":"a","leaseDurationSeconds":15})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto lease = api::FromJson<Lease>(created.body);
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_EQ(lease->metadata.namespace_, "kube-system");
  EXPECT_FALSE(lease->metadata.uid.empty());
  EXPECT_FALSE(lease->metadata.resource_version.empty());
  EXPECT_FALSE(lease->metadata.creation_timestamp.IsZero());
  EXPECT_EQ(lease->spec.holder_identity, "a");

  auto got = client_->Do("GET", std::string(kLeases) + "/lock");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, created.body);

  lease->spec.holder_identity = "b";
  auto put = client_->Do("PUT", std::string(kLeases) + "/lock", api::ToJson(*lease));
  ASSERT_EQ(put.status, 200) << put.body;
  auto updated = api::FromJson<Lease>(put.body);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->spec.holder_identity, "b");
  EXPECT_NE(updated->metadata.resource_version, lease->metadata.resource_version);
  EXPECT_EQ(updated->metadata.uid, lease->metadata.uid);

  auto patched = client_->Do("PATCH", std::string(kLeases) + "/lock",
                             R"({"spec":{"holderIdentity":"c"}})", "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_THAT(patched.body, HasSubstr(R"("holderIdentity":"c","leaseDurationSeconds":15)"));

  auto list = client_->Do("GET", kLeases);
  ASSERT_EQ(list.status, 200);
  auto leases = api::FromJson<api::coordination::v1::LeaseList>(list.body);
  ASSERT_TRUE(leases.ok()) << leases.status();
  ASSERT_EQ(leases->items.size(), 1u);
  EXPECT_EQ(leases->type_meta.kind, "LeaseList");

  auto del = client_->Do("DELETE", std::string(kLeases) + "/lock");
  EXPECT_EQ(del.status, 200) << del.body;
  EXPECT_THAT(del.body, HasSubstr(R"("status":"Success")"));
  auto gone = client_->Do("GET", std::string(kLeases) + "/lock");
  EXPECT_EQ(gone.status, 404);
  EXPECT_THAT(gone.body, HasSubstr(R"(leases.coordination.k8s.io \"lock\" not found)"));
}

TEST_F(LeaseServerTest, PutWithAStaleResourceVersionIsAConflictLikeKubeApiserver) {
  auto created = Create("lock");
  ASSERT_EQ(created.status, 201);
  auto lease = api::FromJson<Lease>(created.body);
  ASSERT_TRUE(lease.ok());
  ASSERT_EQ(client_->Do("PUT", std::string(kLeases) + "/lock", api::ToJson(*lease)).status, 200);
  // The same (now stale) resourceVersion again.
  auto stale = client_->Do("PUT", std::string(kLeases) + "/lock", api::ToJson(*lease));
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(
      stale.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on leases.coordination.k8s.io \"lock\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"lock","group":"coordination.k8s.io","kind":"leases"},"code":409})");
  // Without a resourceVersion the update is unconditional.
  lease->metadata.resource_version.clear();
  EXPECT_EQ(client_->Do("PUT", std::string(kLeases) + "/lock", api::ToJson(*lease)).status, 200);
  // PUT of an absent lease creates it.
  Lease other;
  other.metadata.name = "other";
  EXPECT_EQ(client_->Do("PUT", std::string(kLeases) + "/other", api::ToJson(other)).status, 201);
}

TEST_F(LeaseServerTest, CreatingAnExistingNameIsAlreadyExists) {
  ASSERT_EQ(Create("lock").status, 201);
  auto again = Create("lock");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(
      again.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"leases.coordination.k8s.io \"lock\" already exists","reason":"AlreadyExists","details":{"name":"lock","group":"coordination.k8s.io","kind":"leases"},"code":409})");
}

TEST_F(LeaseServerTest, ValidationRejectsBadNamesAndDurations) {
  auto zero = Create("lock", R"({"leaseDurationSeconds":0})");
  EXPECT_EQ(zero.status, 422);
  EXPECT_THAT(
      zero.body,
      HasSubstr(
          R"("message":"Lease.coordination.k8s.io \"lock\" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0")"));
  EXPECT_THAT(zero.body, HasSubstr(R"("field":"spec.leaseDurationSeconds")"));
  auto negative = Create("lock", R"({"leaseTransitions":-1})");
  EXPECT_EQ(negative.status, 422);
  EXPECT_THAT(negative.body, HasSubstr("spec.leaseTransitions: Invalid value: -1: must be greater "
                                       "than or equal to 0"));
  auto name = Create("Not_A_Name");
  EXPECT_EQ(name.status, 422);
  EXPECT_THAT(name.body, HasSubstr(R"(metadata.name: Invalid value: \"Not_A_Name\")"));
  auto none = client_->Do("POST", kLeases, R"({"metadata":{},"spec":{}})");
  EXPECT_EQ(none.status, 422);
  EXPECT_THAT(none.body,
              HasSubstr("metadata.name: Required value: name or generateName is required"));
  auto generated = client_->Do("POST", kLeases, R"({"metadata":{"generateName":"lock-"}})");
  EXPECT_EQ(generated.status, 201) << generated.body;
  EXPECT_THAT(generated.body, HasSubstr(R"("name":"lock-)"));
  auto wrong_type = Create("lock", R"({"leaseDurationSeconds":"15"})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_THAT(wrong_type.body,
              HasSubstr("spec.leaseDurationSeconds: expected integer, got string"));
  auto holder = Create("lock", R"({"preferredHolder":"x"})");
  EXPECT_EQ(holder.status, 422);
  EXPECT_THAT(holder.body, HasSubstr("spec.preferredHolder: Forbidden: may only be specified if "
                                     "`strategy` is defined"));
}

TEST_F(LeaseServerTest, TableHasKubeApiserversColumns) {
  ASSERT_EQ(Create("lock", R"({"holderIdentity":"node-1"})").status, 201);
  auto table = client_->Do("GET", kLeases, "", "application/json",
                           "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
  ASSERT_EQ(table.status, 200);
  EXPECT_THAT(table.body, HasSubstr(R"("kind":"Table")"));
  EXPECT_THAT(table.body, HasSubstr(R"({"name":"Name","type":"string","format":"name")"));
  EXPECT_THAT(table.body, HasSubstr(R"("name":"Holder")"));
  EXPECT_THAT(table.body, HasSubstr(R"("cells":["lock","node-1",)"));
}

// ---------------------------------------------------------------------------- watch

std::string ResourceVersionOf(const std::string& lease_json) {
  auto lease = api::FromJson<Lease>(lease_json);
  return lease.ok() ? lease->metadata.resource_version : std::string();
}

TEST_F(LeaseServerTest, WatchFromAResourceVersionStreamsEveryLaterChangeInOrder) {
  auto created = Create("lock", R"({"holderIdentity":"a"})");
  ASSERT_EQ(created.status, 201);
  const std::string from = ResourceVersionOf(created.body);
  std::thread writer([&] {
    testing::TestClient w(server_.https_port(), server_.ca_pem(), server_.token());
    w.Do("PATCH", std::string(kLeases) + "/lock", R"({"spec":{"holderIdentity":"b"}})",
         "application/merge-patch+json");
    w.Do("DELETE", std::string(kLeases) + "/lock");
  });
  auto got = client_->Watch(
      std::string("/apis/coordination.k8s.io/v1/watch/namespaces/kube-system/leases") +
          "?resourceVersion=" + from,
      [](const std::string& s) { return s.find(R"({"type":"DELETED")") != std::string::npos; });
  writer.join();
  EXPECT_EQ(client_->last_watch_status(), 200);
  const auto modified = got.find(R"({"type":"MODIFIED","object":{"kind":"Lease")");
  const auto deleted = got.find(R"({"type":"DELETED","object":{"kind":"Lease")");
  ASSERT_NE(modified, std::string::npos) << got;
  ASSERT_NE(deleted, std::string::npos) << got;
  EXPECT_LT(modified, deleted);
  EXPECT_EQ(got.find(R"("type":"ADDED")"), std::string::npos) << "replayed from after " << from;
  EXPECT_THAT(got.substr(modified, deleted - modified), HasSubstr(R"("holderIdentity":"b")"));
  // The deletion has a resourceVersion of its own, after the update's.
  const std::string update_rv = std::to_string(std::stoi(from) + 1);
  const std::string delete_rv = std::to_string(std::stoi(from) + 2);
  EXPECT_THAT(got.substr(modified, deleted - modified),
              HasSubstr(R"("resourceVersion":")" + update_rv + "\""));
  EXPECT_THAT(got.substr(deleted), HasSubstr(R"("resourceVersion":")" + delete_rv + "\""));
}

TEST_F(LeaseServerTest, WatchWithoutAResourceVersionStartsWithTheCurrentLeases) {
  ASSERT_EQ(Create("one").status, 201);
  ASSERT_EQ(Create("two").status, 201);
  auto got = client_->Watch(
      std::string(kLeases) + "?watch=1&timeoutSeconds=1",
      [](const std::string& s) { return s.find(R"("name":"two")") != std::string::npos; });
  EXPECT_THAT(
      got,
      HasSubstr(
          R"({"type":"ADDED","object":{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"one")"));
  EXPECT_THAT(got, HasSubstr(R"("name":"two")"));
  // Another namespace's watch sees neither.
  auto other = client_->Watch(
      "/apis/coordination.k8s.io/v1/namespaces/default/leases?watch=true&timeoutSeconds=1",
      [](const std::string&) { return false; });
  EXPECT_EQ(other, "");
}

TEST_F(LeaseServerTest, SelectorsFilterListsAndWatches) {
  ASSERT_EQ(Create("one").status, 201);
  ASSERT_EQ(client_
                ->Do("POST", kLeases,
                     R"({"metadata":{"name":"two","labels":{"app":"eventer"}},"spec":{}})")
                .status,
            201);
  auto by_name = client_->Do("GET", std::string(kLeases) + "?fieldSelector=metadata.name%3Done");
  ASSERT_EQ(by_name.status, 200) << by_name.body;
  EXPECT_THAT(by_name.body, HasSubstr(R"("name":"one")"));
  EXPECT_EQ(by_name.body.find(R"("name":"two")"), std::string::npos);
  auto by_label = client_->Do("GET", std::string(kLeases) + "?labelSelector=app%3Deventer");
  EXPECT_THAT(by_label.body, HasSubstr(R"("name":"two")"));
  EXPECT_EQ(by_label.body.find(R"("name":"one")"), std::string::npos);
  auto not_one = client_->Do("GET", std::string(kLeases) + "?fieldSelector=metadata.name!%3Done");
  EXPECT_THAT(not_one.body, HasSubstr(R"("name":"two")"));
  EXPECT_EQ(not_one.body.find(R"("name":"one")"), std::string::npos);
  auto unsupported =
      client_->Do("GET", std::string(kLeases) + "?fieldSelector=spec.holderIdentity%3Da");
  EXPECT_EQ(unsupported.status, 400);
  EXPECT_THAT(unsupported.body, HasSubstr("field label not supported: spec.holderIdentity"));
  // A watch of one lease by name (the legacy path and kubectl's fieldSelector form alike).
  for (const std::string& target :
       {std::string("/apis/coordination.k8s.io/v1/watch/namespaces/kube-system/leases/two"),
        std::string(kLeases) + "?watch=1&fieldSelector=metadata.name%3Dtwo"}) {
    auto got = client_->Watch(
        target + (target.find('?') == std::string::npos ? "?" : "&") + "timeoutSeconds=1",
        [](const std::string&) { return false; });
    EXPECT_THAT(got, HasSubstr(R"("name":"two")")) << target;
    EXPECT_EQ(got.find(R"("name":"one")"), std::string::npos) << target;
  }
}

TEST_F(LeaseServerTest, WatchFromACompactedResourceVersionIsExpired) {
  ASSERT_EQ(Create("lock").status, 201);
  for (std::size_t i = 0; i <= internal::LeaseStore::kHistory; ++i) {
    auto put = client_->Do("PATCH", std::string(kLeases) + "/lock",
                           R"({"spec":{"leaseTransitions":)" + std::to_string(i) + "}}",
                           "application/merge-patch+json");
    ASSERT_EQ(put.status, 200) << put.body;
  }
  auto got = client_->Watch(std::string(kLeases) + "?watch=1&resourceVersion=2",
                            [](const std::string& s) { return s.find('\n') != std::string::npos; });
  EXPECT_THAT(
      got,
      HasSubstr(
          R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 2 )"));
  EXPECT_THAT(got, HasSubstr(R"("reason":"Expired","code":410})"));
  auto bad = client_->Do("GET", std::string(kLeases) + "?watch=1&resourceVersion=x");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr(R"(invalid resource version \"x\")"));
}

TEST_F(LeaseServerTest, FieldValidationChecksThePublishedSchema) {
  const std::string body =
      R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"lock"},"spec":{"holderIdentity":"a","bogus":1}})";
  auto strict = client_->Do("POST", std::string(kLeases) + "?fieldValidation=Strict", body);
  EXPECT_EQ(strict.status, 400);
  EXPECT_THAT(
      strict.body,
      HasSubstr(
          R"(Lease in version \"v1\" cannot be handled as a Lease: strict decoding error: unknown field \"spec.bogus\")"));
  auto warn = client_->Do("POST", std::string(kLeases) + "?fieldValidation=Warn", body);
  EXPECT_EQ(warn.status, 201) << warn.body;
  EXPECT_EQ(warn.headers["Warning"], R"(299 - "unknown field \"spec.bogus\"")");
  auto bad = client_->Do("POST", std::string(kLeases) + "?fieldValidation=Loud", body);
  EXPECT_EQ(bad.status, 422);
  auto index = client_->Do("GET", "/openapi/v3");
  EXPECT_THAT(
      index.body,
      HasSubstr(
          R"("apis/coordination.k8s.io/v1":{"serverRelativeURL":"/openapi/v3/apis/coordination.k8s.io/v1?hash=)"));
  auto doc = client_->Do("GET", "/openapi/v3/apis/coordination.k8s.io/v1");
  EXPECT_EQ(doc.status, 200);
  EXPECT_THAT(doc.body, HasSubstr(R"("io.k8s.api.coordination.v1.LeaseSpec":)"));
  EXPECT_THAT(
      doc.body,
      HasSubstr(
          R"("x-kubernetes-group-version-kind":[{"group":"coordination.k8s.io","kind":"Lease","version":"v1"}])"));
}

// ---------------------------------------------------------------------------- kubectl

TEST_F(LeaseServerTest, KubectlGetsLeases) {
  const std::string kubectl = FindOnPath("kubectl");
  if (kubectl.empty()) GTEST_SKIP() << "kubectl not found on PATH: end-to-end check skipped";
  const fs::path dir = fs::temp_directory_path() / ("kla-lease-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ASSERT_TRUE(server_.WriteKubeconfig((dir / "kubeconfig").string()).ok());
  ASSERT_EQ(
      Create("kube-eventer", R"({"holderIdentity":"replica-1","leaseDurationSeconds":15})").status,
      201);
  const std::string base = kubectl + " --kubeconfig " + (dir / "kubeconfig").string() +
                           " --cache-dir " + (dir / "cache").string() + " --request-timeout=20s ";
  auto [rc, out] = RunCommand(base + "get leases -n kube-system");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("NAME"));
  EXPECT_THAT(out, HasSubstr("HOLDER"));
  EXPECT_THAT(out, HasSubstr("kube-eventer"));
  EXPECT_THAT(out, HasSubstr("replica-1"));
  auto [rc2, json] =
      RunCommand(base + "get lease kube-eventer -n kube-system -o jsonpath={.spec.holderIdentity}");
  EXPECT_EQ(rc2, 0) << json;
  EXPECT_EQ(json, "replica-1");
  // kubectl create validates against the server's OpenAPI (no --validate=false needed), and
  // rejects an unknown field through fieldValidation=Strict.
  auto write = [&](const char* name, const char* spec) {
    const fs::path path = dir / name;
    std::FILE* f = std::fopen(path.c_str(), "w");
    EXPECT_NE(f, nullptr);
    if (f == nullptr) return path;
    std::fprintf(f,
                 "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: %s\n"
                 "  namespace: kube-system\nspec:\n  %s\n",
                 name, spec);
    std::fclose(f);
    return path;
  };
  auto [rc3, created] =
      RunCommand(base + "create -f " + write("from-kubectl", "holderIdentity: replica-2").string());
  EXPECT_EQ(rc3, 0) << created;
  EXPECT_THAT(created, HasSubstr("lease.coordination.k8s.io/from-kubectl created"));
  auto [rc4, bogus] = RunCommand(base + "create -f " + write("bogus", "holder: x").string());
  EXPECT_NE(rc4, 0);
  EXPECT_THAT(bogus, HasSubstr(R"(unknown field "spec.holder")"));
  // kubectl get -w prints the rows of the watch's Table frames.
  auto [rc5, watched] = RunCommand(base + "get leases -n kube-system -w --request-timeout=2s");
  EXPECT_THAT(watched, HasSubstr("from-kubectl"));
  EXPECT_THAT(watched, HasSubstr("replica-2"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kube::localapiserver
