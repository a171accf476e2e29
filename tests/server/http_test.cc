// The server over real sockets: HTTPS with the generated CA, the bearer token, keep-alive,
// the body limit, watch streaming and fault injection, with raw Beast clients.
#include "kubeevents/tools/localapiserver/certificates.h"
#include "kubeevents/tools/localapiserver/server.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/api/json.h"
#include "test_client.h"

namespace kube::localapiserver {
namespace {

using ::testing::HasSubstr;
using testing::TestClient;

std::string CoreEvent(const std::string& name, const std::string& ns = "default") {
  return R"({"metadata":{"name":")" + name + R"("},"involvedObject":{"kind":"Pod","namespace":")" +
         ns +
         R"(","name":"pod1","uid":"u-1","apiVersion":"v1"},"reason":"Started","message":"m","type":"Normal","source":{"component":"kubelet"},"count":1})";
}

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start().ok()); }
  HttpTest() : server_(Configure({})) {}
  static ServerOptions Configure(ServerOptions o) {
    o.http = true;
    o.admin = true;
    o.token = "tok";
    o.threads = 2;
    return o;
  }
  TestClient Https(std::string token = "tok") {
    return TestClient(server_.https_port(), server_.ca_pem(), std::move(token));
  }
  TestClient Http() { return TestClient(server_.http_port(), "", "tok"); }

  Server server_;
};

TEST_F(HttpTest, HttpsWithGeneratedCaAndToken) {
  EXPECT_THAT(server_.URL(), ::testing::StartsWith("https://127.0.0.1:"));
  EXPECT_THAT(server_.ca_pem(), HasSubstr("BEGIN CERTIFICATE"));
  auto anon = Https("");
  auto r = anon.Do("GET", "/api/v1/events");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr(R"("reason":"Unauthorized")"));

  auto c = Https();
  for (int i = 0; i < 20; ++i) {  // one keep-alive connection
    auto created =
        c.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("e" + std::to_string(i)));
    ASSERT_TRUE(created.error.empty()) << created.error;
    ASSERT_EQ(created.status, 201) << created.body;
  }
  auto list = c.Do("GET", "/apis/events.k8s.io/v1/events");
  ASSERT_EQ(list.status, 200);
  auto parsed = api::FromJson<api::events::v1::EventList>(list.body);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->items.size(), 20u);
  EXPECT_EQ(server_.EventCount(), 20u);
}

TEST_F(HttpTest, UntrustedCaFailsTheHandshake) {
  auto other = GenerateCA("someone-else");
  ASSERT_TRUE(other.ok());
  TestClient c(server_.https_port(), other->certificate_pem, "tok");
  auto r = c.Do("GET", "/version");
  EXPECT_FALSE(r.error.empty());
}

TEST_F(HttpTest, BodiesOverThreeMebibytesGet413) {
  auto c = Http();
  auto r =
      c.Do("POST", "/api/v1/namespaces/default/events", std::string(3 * 1024 * 1024 + 10, 'x'));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr(R"("reason":"RequestEntityTooLarge")"));
}

TEST_F(HttpTest, WatchStreamsChanges) {
  auto c = Http();
  ASSERT_EQ(c.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("first")).status, 201);
  std::jthread writer([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto w = Http();
    w.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("second"));
    w.Do("DELETE", "/api/v1/namespaces/default/events/first");
  });
  auto watcher = Http();
  auto got = watcher.Watch(
      "/apis/events.k8s.io/v1/namespaces/default/events?watch=true",
      [](const std::string& s) { return s.find(R"("type":"DELETED")") != std::string::npos; });
  EXPECT_EQ(watcher.last_watch_status(), 200);
  EXPECT_THAT(
      got,
      HasSubstr(
          R"({"type":"ADDED","object":{"kind":"Event","apiVersion":"events.k8s.io/v1","metadata":{"name":"first")"));
  EXPECT_THAT(got, HasSubstr(R"("name":"second")"));
  EXPECT_THAT(got, HasSubstr(R"({"type":"DELETED")"));
}

TEST_F(HttpTest, WatchTimeoutEndsTheStream) {
  auto watcher = Http();
  auto got = watcher.Watch("/api/v1/events?watch=true&timeoutSeconds=1",
                           [](const std::string&) { return false; });
  EXPECT_EQ(watcher.last_watch_status(), 200);
  EXPECT_EQ(got, "");
}

TEST_F(HttpTest, FailNextWithRetryAfterThenRecovers) {
  server_.faults().FailNext(2, 429, std::chrono::seconds(3));
  auto c = Https();
  auto disc = c.Do("GET", "/api/v1");  // discovery is never faulted
  EXPECT_EQ(disc.status, 200);
  for (int i = 0; i < 2; ++i) {
    auto r = c.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("x"));
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.headers["Retry-After"], "3");
    EXPECT_THAT(r.body, HasSubstr(R"("reason":"TooManyRequests")"));
    EXPECT_THAT(r.body, HasSubstr(R"("retryAfterSeconds":3)"));
  }
  EXPECT_EQ(c.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("x")).status, 201);
}

TEST_F(HttpTest, ResetConnectionMidRequest) {
  server_.faults().ResetNext(1);
  auto c = Http();
  auto r = c.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("x"));
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(server_.EventCount(), 0u);  // not processed
  EXPECT_EQ(c.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("x")).status, 201);
}

TEST_F(HttpTest, LatencyIsAdded) {
  server_.faults().SetLatency(std::chrono::milliseconds(200));
  auto c = Http();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.Do("GET", "/api/v1/events").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST_F(HttpTest, StopAndResumeAccepting) {
  auto c = Http();
  EXPECT_EQ(c.Do("GET", "/api/v1/events").status, 200);
  server_.StopAccepting();
  EXPECT_FALSE(c.CanConnect());
  EXPECT_FALSE(c.Do("GET", "/api/v1/events").error.empty());
  EXPECT_FALSE(server_.faults().State().accepting);
  ASSERT_TRUE(server_.ResumeAccepting().ok());
  EXPECT_EQ(c.Do("GET", "/api/v1/events").status, 200);
}

TEST_F(HttpTest, AdminEndpointArmsFaults) {
  TestClient admin(server_.admin_port(), "", "tok");
  auto r = admin.Do("POST", "/faults/fail?count=1&code=503&retryAfter=1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("failRemaining":1,"failCode":503)"));
  auto c = Http();
  EXPECT_EQ(c.Do("GET", "/api/v1/events").status, 503);
  EXPECT_EQ(c.Do("GET", "/api/v1/events").status, 200);
  EXPECT_EQ(admin.Do("POST", "/namespaces/default/terminating").status, 200);
  auto forbidden = c.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("t"));
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_THAT(forbidden.body, HasSubstr("NamespaceTerminating"));
  EXPECT_EQ(admin.Do("DELETE", "/namespaces/default/terminating").status, 200);
  EXPECT_EQ(c.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("t")).status, 201);
  EXPECT_EQ(TestClient(server_.admin_port(), "", "bad").Do("GET", "/faults").status, 401);
  for (const char* path : {"/watches/bookmark", "/watches/compact", "/watches/cut"}) {
    EXPECT_EQ(admin.Do("POST", path).status, 200) << path;
  }
  EXPECT_EQ(admin.Do("POST", "/watches/inject", "{}").status, 200);
  EXPECT_EQ(admin.Do("GET", "/watches/cut").status, 405);
}

TEST_F(HttpTest, KubeconfigCarriesServerCaAndToken) {
  const auto yaml = server_.KubeconfigYAML();
  EXPECT_THAT(yaml, HasSubstr("server: " + server_.HttpsURL()));
  EXPECT_THAT(yaml, HasSubstr("certificate-authority-data: "));
  EXPECT_THAT(yaml, HasSubstr("token: tok"));
  EXPECT_THAT(yaml, HasSubstr("current-context: kube-local-apiserver"));
}

TEST(ServerTest, TtlOnInjectedClockAndCertDirReuse) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("kla-certs-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto clock = std::make_shared<FakeClock>();
  std::string ca;
  {
    ServerOptions o;
    o.cert_dir = dir.string();
    o.clock = clock;
    o.event_ttl = std::chrono::minutes(10);
    Server s(o);
    ASSERT_TRUE(s.Start().ok());
    ca = s.ca_pem();
    TestClient c(s.https_port(), s.ca_pem(), s.token());
    ASSERT_EQ(c.Do("POST", "/api/v1/namespaces/default/events", CoreEvent("ttl")).status, 201);
    clock->Step(std::chrono::minutes(9));
    EXPECT_EQ(c.Do("GET", "/api/v1/namespaces/default/events/ttl").status, 200);
    clock->Step(std::chrono::minutes(2));
    EXPECT_EQ(c.Do("GET", "/api/v1/namespaces/default/events/ttl").status, 404);
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "ca.key"));
  EXPECT_EQ(std::filesystem::status(dir / "server.key").permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  ServerOptions o;
  o.cert_dir = dir.string();
  Server again(o);
  ASSERT_TRUE(again.Start().ok());
  EXPECT_EQ(again.ca_pem(), ca);  // reused
  TestClient c(again.https_port(), ca, again.token());
  EXPECT_EQ(c.Do("GET", "/api/v1/events").status, 200);
  again.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kube::localapiserver
