// RESTClient against a real loopback HTTP server: request shape, apiserver errors, retries,
// transport failures, timeouts, cancellation, keep-alive, logging and credential rules.
#include "kubeevents/client/rest/rest_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/client/rest/discovery.h"
#include "kubeevents/client/rest/events_client.h"
#include "kubeevents/client/rest/internal/client_core.h"
#include "scripted_server.h"
#include "test_util.h"

namespace kube::rest {
namespace {

using testing::CapturingLogger;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RecordedRequest;
using testing::ScriptedResponse;
using testing::ScriptedServer;
using testing::TempDir;
namespace errors = api::errors;

const char kEventJson[] =
    R"({"kind":"Event","apiVersion":"v1","metadata":{"name":"web-0.17a","namespace":"default","resourceVersion":"42"},"involvedObject":{"kind":"Pod","namespace":"default","name":"web-0"},"reason":"Scaled","message":"hi","source":{"component":"ctl"},"firstTimestamp":"2024-05-01T10:00:03Z","lastTimestamp":"2024-05-01T10:00:03Z","count":1,"type":"Normal","eventTime":null,"reportingComponent":"","reportingInstance":""})";

Config TestConfig(const ScriptedServer& server, std::shared_ptr<Logger> logger = nullptr) {
  Config c;
  c.host = server.url();
  c.qps = -1;  // no client-side throttling unless a test asks
  c.logger = logger ? std::move(logger) : std::make_shared<CapturingLogger>();
  return c;
}

std::shared_ptr<RESTClient> MustCreate(Config c) {
  auto client = RESTClient::Create(std::move(c));
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? *client : nullptr;
}

// A server that holds every request for 1.5 s before answering: long enough for a test to
// cancel, time out or shut down while the request is in flight.
ScriptedServer::Handler Stalling() {
  return [](const RecordedRequest&) {
    return ScriptedResponse{.delay = std::chrono::milliseconds(1500)};
  };
}

// Returns once the server has received a request (it is then in flight).
void WaitForFirstRequest(const ScriptedServer& server) {
  while (server.requests().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

api::core::v1::Event SampleEvent(std::string ns = "default") {
  api::core::v1::Event e;
  e.metadata.name = "web-0.17a";
  e.metadata.namespace_ = ns;
  e.involved_object.kind = "Pod";
  e.involved_object.name = "web-0";
  e.involved_object.namespace_ = ns;
  e.reason = "Scaled";
  e.message = "hi";
  e.type = "Normal";
  e.count = 1;
  return e;
}

ScriptedResponse StatusResponse(int code, const api::meta::v1::Status& status,
                                std::vector<std::pair<std::string, std::string>> headers = {}) {
  ScriptedResponse r;
  r.status = code;
  r.body = api::ToJson(status);
  r.headers = std::move(headers);
  return r;
}

TEST(RESTClient, PostSendsTheEventAndDecodesTheServerObject) {
  ScriptedServer server(
      [](const RecordedRequest&) { return ScriptedResponse{.status = 201, .body = kEventJson}; });
  Config config = TestConfig(server);
  config.bearer_token = "abc";
  config.impersonate = {
      .user_name = "jane", .uid = "u1", .groups = {"g1", "g2"}, .extra = {{"scopes/x", {"view"}}}};
  auto client = MustCreate(config);
  auto event = client->Post()
                   .Namespace("default")
                   .Resource("events")
                   .Body(SampleEvent())
                   .Do()
                   .Into<api::core::v1::Event>();
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->metadata.resource_version, "42");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/api/v1/namespaces/default/events");
  EXPECT_EQ(reqs[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(reqs[0].Header("Accept"), "application/json, */*");
  EXPECT_EQ(reqs[0].Header("Authorization"), "Bearer abc");
  EXPECT_EQ(reqs[0].Header("User-Agent"), DefaultUserAgent());
  EXPECT_EQ(reqs[0].Header("Impersonate-User"), "jane");
  EXPECT_EQ(reqs[0].Header("Impersonate-Uid"), "u1");
  EXPECT_EQ(reqs[0].Headers("Impersonate-Group"), (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(reqs[0].Header("Impersonate-Extra-scopes%2Fx"), "view");
  EXPECT_EQ(reqs[0].body, api::ToJson(SampleEvent()));
}

TEST(RESTClient, ApiServerErrorsKeepTheirStatus) {
  std::atomic<int> n{0};
  ScriptedServer server([&](const RecordedRequest&) {
    switch (n++) {
      case 0:
        return StatusResponse(404, errors::NewNotFound("", "events", "x"));
      case 1:
        return StatusResponse(409, errors::NewAlreadyExists("", "events", "x"));
      case 2: {
        auto s = errors::NewForbidden("", "events", "x", "namespace ns is being terminated");
        s.has_details = true;
        s.details.causes.push_back(
            {std::string(errors::kNamespaceTerminatingCause), "ns is terminating", "metadata"});
        return StatusResponse(403, s);
      }
      default:
        return StatusResponse(409, errors::NewConflict("", "events", "x", "conflict"));
    }
  });
  auto client = MustCreate(TestConfig(server));
  auto get = [&] { return client->Get().Namespace("ns").Resource("events").Name("x").Do(); };
  Result r = get();
  EXPECT_TRUE(errors::IsNotFound(r.status()));
  EXPECT_EQ(r.status().origin(), ErrorOrigin::kAPIServer);
  EXPECT_EQ(r.status().http_code(), 404);
  ASSERT_NE(r.status().api_status(), nullptr);
  EXPECT_EQ(r.status().api_status()->details.name, "x");
  EXPECT_TRUE(errors::IsAlreadyExists(get().status()));
  Status forbidden = get().status();
  EXPECT_TRUE(errors::IsForbidden(forbidden));
  EXPECT_TRUE(errors::HasStatusCause(forbidden, errors::kNamespaceTerminatingCause));
  EXPECT_TRUE(errors::IsConflict(get().status()));
}

TEST(RESTClient, ErrorBodiesThatAreNotStatusAreSynthesized) {
  std::atomic<int> n{0};
  ScriptedServer server([&](const RecordedRequest&) {
    if (n++ == 0) {
      return ScriptedResponse{.status = 500, .body = "boom", .content_type = "text/plain"};
    }
    return ScriptedResponse{.status = 404, .body = "<html>404</html>", .content_type = "text/html"};
  });
  auto client = MustCreate(TestConfig(server));
  Status s = client->Get().AbsPath("/healthz").Do().status();
  EXPECT_TRUE(errors::IsInternalError(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("boom"));
  EXPECT_EQ(server.requests().size(), 1u);  // 500 without Retry-After is not retried
  Status nf = client->Get().AbsPath("/x").Do().status();
  EXPECT_TRUE(errors::IsNotFound(nf)) << nf;
  EXPECT_EQ(nf.message(), "the server could not find the requested resource");
}

TEST(RESTClient, RetriesTooManyRequestsWithRetryAfter) {
  std::atomic<int> n{0};
  ScriptedServer server([&](const RecordedRequest&) {
    if (n++ < 2) {
      return StatusResponse(429, errors::NewTooManyRequests("slow down", 0),
                            {{"Retry-After", "0"}});
    }
    return ScriptedResponse{.status = 201, .body = kEventJson};
  });
  auto client = MustCreate(TestConfig(server));
  Result r = client->Post().Namespace("default").Resource("events").Body(SampleEvent()).Do();
  EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r.status_code(), 201);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].body, reqs[0].body);  // the same body is re-sent
}

TEST(RESTClient, RetryAfterRetriesStopAfterTen) {
  ScriptedServer server([](const RecordedRequest&) {
    return StatusResponse(503, errors::NewServiceUnavailable("down"), {{"Retry-After", "0"}});
  });
  auto client = MustCreate(TestConfig(server));
  Status s = client->Get().AbsPath("/api/v1").Do().status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kAPIServer);
  EXPECT_EQ(s.http_code(), 503);
  EXPECT_EQ(server.requests().size(), 11u);  // 1 + maxRetries (10)
  Status once = client->Get().AbsPath("/api/v1").MaxRetries(0).Do().status();
  EXPECT_EQ(once.http_code(), 503);
  EXPECT_EQ(server.requests().size(), 12u);
}

TEST(RESTClient, ConnectionResetMidRequestIsATransportError) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.reset = true}; });
  auto client = MustCreate(TestConfig(server));
  Status s =
      client->Post().Namespace("default").Resource("events").Body(SampleEvent()).Do().status();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.origin(), ErrorOrigin::kTransport);  // retriable by the recorder
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(server.requests().size(), 1u);  // a POST is not re-sent by the client
}

TEST(RESTClient, GetIsRetriedAfterAConnectionReset) {
  // client-go retries idempotent GETs on connection reset / EOF (after 1 s), never POSTs.
  std::atomic<int> n{0};
  ScriptedServer server([&](const RecordedRequest&) {
    if (n++ == 0) return ScriptedResponse{.reset = true};
    return ScriptedResponse{.body = "{}"};
  });
  auto client = MustCreate(TestConfig(server));
  Result r = client->Get().AbsPath("/api").Do();
  EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(RESTClient, ConnectionRefusedIsATransportError) {
  int port;
  {
    ScriptedServer gone([](const RecordedRequest&) { return ScriptedResponse{}; });
    port = gone.port();
  }
  Config c;
  c.host = "http://127.0.0.1:" + std::to_string(port);
  c.logger = std::make_shared<CapturingLogger>();
  auto client = MustCreate(c);
  Status s = client->Get().AbsPath("/api").Do().status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kTransport);
  EXPECT_THAT(s.message(), HasSubstr("dial tcp 127.0.0.1:"));
}

TEST(RESTClient, RequestTimeoutFires) {
  ScriptedServer server(Stalling());
  auto client = MustCreate(TestConfig(server));
  const auto start = std::chrono::steady_clock::now();
  Status s = client->Get().AbsPath("/api").Timeout(std::chrono::milliseconds(100)).Do().status();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s;
  EXPECT_EQ(s.origin(), ErrorOrigin::kTransport);
  EXPECT_LT(took, std::chrono::milliseconds(1000));
}

TEST(RESTClient, ConfigTimeoutAppliesToEveryRequest) {
  ScriptedServer server(Stalling());
  Config c = TestConfig(server);
  c.timeout = std::chrono::milliseconds(100);
  auto client = MustCreate(c);
  EXPECT_EQ(client->Get().AbsPath("/api").Do().status().code(), StatusCode::kDeadlineExceeded);
}

TEST(RESTClient, CancellationStopsAnInFlightRequest) {
  ScriptedServer server(Stalling());
  auto client = MustCreate(TestConfig(server));
  std::stop_source stop;
  std::promise<Result> done;
  const auto start = std::chrono::steady_clock::now();
  client->Get().AbsPath("/api").Cancellation(stop.get_token()).DoAsync([&](Result r) {
    done.set_value(std::move(r));
  });
  WaitForFirstRequest(server);
  stop.request_stop();
  Result r = done.get_future().get();
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(r.status().origin(), ErrorOrigin::kTransport);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
}

TEST(RESTClient, DestroyingTheClientCancelsInFlightRequests) {
  ScriptedServer server(Stalling());
  auto client = MustCreate(TestConfig(server));
  std::promise<Result> done;
  client->Get().AbsPath("/api").DoAsync([&](Result r) { done.set_value(std::move(r)); });
  WaitForFirstRequest(server);
  const auto start = std::chrono::steady_clock::now();
  client.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
  Result r = done.get_future().get();
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
}

// Do() runs its request on the calling thread: it completes while the client's only I/O
// thread is held inside a DoAsync callback (before, it waited for that thread).
TEST(RESTClient, SynchronousDoDoesNotNeedTheIoThread) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  auto client = MustCreate(TestConfig(server));
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  client->Get().AbsPath("/api").DoAsync([&entered, released](Result) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();  // the I/O thread is busy until `release`
  auto sync = std::async(std::launch::async, [&] { return client->Get().AbsPath("/api").Do(); });
  const bool finished = sync.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  release.set_value();
  EXPECT_TRUE(finished) << "Do() waited for the I/O thread";
  EXPECT_TRUE(sync.get().ok());
}

TEST(RESTClient, CancellationStopsASynchronousDoInFlight) {
  ScriptedServer server(Stalling());
  auto client = MustCreate(TestConfig(server));
  std::stop_source stop;
  std::jthread canceller([&] {
    WaitForFirstRequest(server);
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  Result r = client->Get().AbsPath("/api").Cancellation(stop.get_token()).Do();
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(r.status().origin(), ErrorOrigin::kTransport);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
}

TEST(RESTClient, DestroyingTheClientCancelsASynchronousDoInFlight) {
  ScriptedServer server(Stalling());
  auto client = MustCreate(TestConfig(server));
  Request request = client->Get().AbsPath("/api");  // holds the engine, not the client
  auto sync = std::async(std::launch::async, [&request] { return request.Do(); });
  WaitForFirstRequest(server);
  const auto start = std::chrono::steady_clock::now();
  client.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
  EXPECT_EQ(sync.get().status().code(), StatusCode::kCancelled);
}

// Threads in Do() at once each drive their own connection; afterwards the connections are
// pooled among callers, so later requests from any thread reuse them.
TEST(RESTClient, SynchronousDoFromSeveralThreadsPoolsTheirConnections) {
  ScriptedServer server(
      [](const RecordedRequest&) { return ScriptedResponse{.status = 201, .body = kEventJson}; });
  auto client = MustCreate(TestConfig(server));
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::atomic<int> ok{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kEach; ++i) {
          if (client->Post().Namespace("default").Resource("events").Body(SampleEvent()).Do().ok())
            ++ok;
        }
      });
    }
  }
  EXPECT_EQ(ok.load(), kThreads * kEach);
  const int opened = client->internal_core()->connections_opened();
  EXPECT_GE(opened, 1);
  EXPECT_LE(opened, kThreads);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  EXPECT_EQ(client->internal_core()->connections_opened(), opened);  // reused, none new
}

TEST(RESTClient, DestroyingTheClientFromItsOwnCallbackIsSafe) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  auto client = MustCreate(TestConfig(server));
  std::promise<bool> done;
  auto* raw = client.get();
  raw->Get().AbsPath("/api").DoAsync([&, owned = std::move(client)](Result r) mutable {
    owned.reset();  // the last reference, dropped on the client's own I/O thread
    done.set_value(r.ok());
  });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(f.get());
}

TEST(RESTClient, KeepAliveReusesOneConnection) {
  ScriptedServer server(
      [](const RecordedRequest&) { return ScriptedResponse{.status = 201, .body = kEventJson}; });
  auto client = MustCreate(TestConfig(server));
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        client->Post().Namespace("default").Resource("events").Body(SampleEvent()).Do().ok());
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(client->internal_core()->connections_opened(), 1);
}

TEST(RESTClient, ServerClosingTheConnectionIsHandled) {
  ScriptedServer server([](const RecordedRequest&) {
    return ScriptedResponse{.status = 200, .body = "{}", .close = true};
  });
  auto client = MustCreate(TestConfig(server));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(client->Get().AbsPath("/api").Do().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(server.connections(), 3);
}

TEST(RESTClient, ManyAsyncRequestsComplete) {
  ScriptedServer server(
      [](const RecordedRequest&) { return ScriptedResponse{.status = 201, .body = kEventJson}; });
  Config c = TestConfig(server);
  c.io_threads = 2;
  auto client = MustCreate(c);
  constexpr int kN = 64;
  std::atomic<int> ok{0}, finished{0};
  std::promise<void> all;
  for (int i = 0; i < kN; ++i) {
    client->Post()
        .Namespace("default")
        .Resource("events")
        .Body(SampleEvent())
        .DoAsync([&](Result r) {
          if (r.ok()) ++ok;
          if (++finished == kN) all.set_value();
        });
  }
  all.get_future().wait();
  EXPECT_EQ(ok.load(), kN);
  EXPECT_EQ(server.requests().size(), static_cast<std::size_t>(kN));
}

TEST(RESTClient, SyncDoFromACallbackIsRefused) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  auto client = MustCreate(TestConfig(server));
  std::promise<Status> inner;
  client->Get().AbsPath("/api").DoAsync(
      [&](Result) { inner.set_value(client->Get().AbsPath("/api").Do().status()); });
  Status s = inner.get_future().get();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
}

TEST(RESTClient, WarningHeadersAreSurfacedThroughTheLogger) {
  ScriptedServer server([](const RecordedRequest&) {
    return ScriptedResponse{
        .headers = {{"Warning", R"(299 - "events.k8s.io/v1beta1 Event is deprecated")"}},
        .body = "{}"};
  });
  auto logger = std::make_shared<CapturingLogger>(0);
  auto client = MustCreate(TestConfig(server, logger));
  Result r = client->Get().AbsPath("/api").Do();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.warnings(), (std::vector<std::string>{"events.k8s.io/v1beta1 Event is deprecated"}));
  EXPECT_THAT(logger->joined(), HasSubstr("W"));
  EXPECT_THAT(logger->joined(), HasSubstr("events.k8s.io/v1beta1 Event is deprecated"));
}

TEST(RESTClient, SecretsAreNeverLoggedEvenAtHighVerbosity) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  auto logger = std::make_shared<CapturingLogger>(10);
  Config c = TestConfig(server, logger);
  c.bearer_token = "super-secret-token";
  auto client = MustCreate(c);
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  const std::string logs = logger->joined();
  EXPECT_THAT(logs, HasSubstr("Bearer \\u003cmasked\\u003e"));  // FormatLogLine escapes <>
  EXPECT_THAT(logs, HasSubstr("HTTP request"));
  EXPECT_THAT(logs, Not(HasSubstr("super-secret-token")));
}

TEST(RESTClient, CredentialsOverPlainHttpToARemoteHostAreRefused) {
  Config c;
  c.host = "http://10.1.2.3:8080";
  c.bearer_token = "t";
  c.logger = std::make_shared<CapturingLogger>();
  auto refused = RESTClient::Create(c);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr("refusing to send credentials over plain http"));
  c.allow_insecure_credentials_over_http = true;
  EXPECT_TRUE(RESTClient::Create(c).ok());
  Config no_creds;
  no_creds.host = "http://10.1.2.3:8080";
  EXPECT_TRUE(RESTClient::Create(no_creds).ok());
}

TEST(RESTClient, InvalidConfigurationsAreReported) {
  Config c;
  c.host = "ftp://x";
  EXPECT_FALSE(RESTClient::Create(c).ok());
  c.host = "https://127.0.0.1:1";
  c.tls.insecure = true;
  c.tls.ca_data = "x";
  EXPECT_THAT(RESTClient::Create(c).status().message(),
              HasSubstr("specifying a root certificates file with the insecure flag"));
  c.tls = {};
  c.tls.ca_data = "not a certificate";
  EXPECT_THAT(RESTClient::Create(c).status().message(), HasSubstr("root certificates"));
  c.tls = {};
  c.proxy_url = "https://127.0.0.1:1080";
  EXPECT_EQ(RESTClient::Create(c).status().code(), StatusCode::kUnimplemented);
  c.proxy_url = "socks5://" + std::string(300, 'u') + ":p@127.0.0.1:1080";
  EXPECT_THAT(RESTClient::Create(c).status().message(), HasSubstr("1 to 255 bytes"));
  c.proxy_url = "ftp://127.0.0.1:1080";
  EXPECT_THAT(RESTClient::Create(c).status().message(), HasSubstr("unsupported scheme"));
  c.proxy_url.clear();
  c.impersonate.groups = {"g"};
  EXPECT_FALSE(RESTClient::Create(c).ok());
}

TEST(RESTClient, ClientSideRateLimitingDelaysRequests) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  Config c = TestConfig(server);
  c.qps = 20;
  c.burst = 1;
  auto client = MustCreate(c);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  // 1 immediate + 4 × 50 ms.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(190));
}

TEST(RESTClient, RequestBuildingErrorsNeverReachTheServer) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  auto client = MustCreate(TestConfig(server));
  Status s = client->Get().Namespace("default").Resource("events").Name("a/b").Do().status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kRequestBuilding);
  EXPECT_THAT(s.message(), HasSubstr("may not contain '/'"));
  EXPECT_EQ(client->Get().Resource("events").Name("").Do().status().origin(),
            ErrorOrigin::kRequestBuilding);
  EXPECT_EQ(client->Get().GroupVersion("a/b/c").Do().status().origin(),
            ErrorOrigin::kRequestBuilding);
  EXPECT_TRUE(server.requests().empty());
}

TEST(RESTClient, HeaderValuesCannotInjectFields) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  auto client = MustCreate(TestConfig(server));
  Status s = client->Get().AbsPath("/api").SetHeader("X-Trace", "a\r\nX-Injected: 1").Do().status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kRequestBuilding);
  EXPECT_THAT(s.message(), HasSubstr("\"X-Trace\""));
  EXPECT_EQ(client->Get().AbsPath("/api").SetHeader("Bad Name", "v").Do().status().origin(),
            ErrorOrigin::kRequestBuilding);
  EXPECT_TRUE(server.requests().empty());
}

TEST(RESTClient, TheRequestLineCannotBeBroken) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  auto client = MustCreate(TestConfig(server));
  const Status verb = client->Verb("GET /x HTTP/1.1\r\nX:").AbsPath("/api").Do().status();
  EXPECT_EQ(verb.origin(), ErrorOrigin::kRequestBuilding);
  EXPECT_THAT(verb.message(), HasSubstr("invalid HTTP method"));
  const Status path = client->Get().AbsPath("/api HTTP/1.1\r\nX-Injected: 1").Do().status();
  EXPECT_EQ(path.origin(), ErrorOrigin::kRequestBuilding);
  EXPECT_THAT(path.message(), HasSubstr("invalid request path"));
  EXPECT_TRUE(server.requests().empty());
}

TEST(RESTClient, CallerHeadersReplaceTheDefaultsOfTheSameName) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  auto client = MustCreate(TestConfig(server));
  ASSERT_TRUE(client->Get()
                  .AbsPath("/api")
                  .SetHeader("Accept", "application/yaml")
                  .SetHeader("User-Agent", "mine/1.0")
                  .SetHeader("Host", "elsewhere.example")
                  .SetHeader("Content-Length", "999")
                  .SetHeader("Transfer-Encoding", "chunked")
                  .Do()
                  .ok());
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].Headers("Accept"), std::vector<std::string>{"application/yaml"});
  EXPECT_EQ(reqs[0].Headers("User-Agent"), std::vector<std::string>{"mine/1.0"});
  // As Go's client: the request's Host header is not sent, the server's host is.
  ASSERT_EQ(reqs[0].Headers("Host").size(), 1u);
  EXPECT_THAT(reqs[0].Header("Host"), HasSubstr("127.0.0.1"));
  // Framing is the client's own, as in Go: a GET without a body carries neither.
  EXPECT_TRUE(reqs[0].Headers("Content-Length").empty());
  EXPECT_TRUE(reqs[0].Headers("Transfer-Encoding").empty());
}

TEST(RESTClient, DecodeErrorsHaveDecodeOrigin) {
  ScriptedServer server([](const RecordedRequest&) {
    return ScriptedResponse{.body = R"({"metadata": {"name": 7}})"};
  });
  auto client = MustCreate(TestConfig(server));
  auto e = client->Get()
               .Namespace("default")
               .Resource("events")
               .Name("x")
               .Do()
               .Into<api::core::v1::Event>();
  EXPECT_EQ(e.status().origin(), ErrorOrigin::kDecode);
  EXPECT_THAT(e.status().message(), HasSubstr("metadata.name"));
}

TEST(RESTClient, ServerPathPrefixIsKept) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  Config c = TestConfig(server);
  c.host = server.url() + "/k8s/clusters/c-abc/";
  auto client = MustCreate(c);
  ASSERT_TRUE(client->Get()
                  .GroupVersion("events.k8s.io/v1")
                  .Namespace("ns")
                  .Resource("events")
                  .Name("e")
                  .Do()
                  .ok());
  EXPECT_EQ(server.requests().at(0).target,
            "/k8s/clusters/c-abc/apis/events.k8s.io/v1/namespaces/ns/events/e");
}

TEST(TypedClients, ListWithSelectorsAndPaging) {
  ScriptedServer server([](const RecordedRequest& r) {
    if (r.target.find("/apis/") == 0) {
      return ScriptedResponse{
          .body =
              R"({"kind":"EventList","apiVersion":"events.k8s.io/v1","metadata":{},"items":[]})"};
    }
    return ScriptedResponse{
        .body =
            std::string(
                R"({"kind":"EventList","apiVersion":"v1","metadata":{"continue":"tok2","resourceVersion":"9"},"items":[)") +
            kEventJson + "]}"};
  });
  auto client = MustCreate(TestConfig(server));
  CoreV1EventsClient core(client, "default");
  auto list = core.List({.field_selector = "involvedObject.name=web-0,type=Normal",
                         .limit = 50,
                         .continue_token = "tok1"});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].reason, "Scaled");
  EXPECT_EQ(list->metadata.continue_token, "tok2");
  EventsV1EventsClient all(client);  // all namespaces
  auto list2 = all.List({.limit = 10});
  ASSERT_TRUE(list2.ok()) << list2.status();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target,
            "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb-0%2Ctype%"
            "3DNormal&limit=50&continue=tok1");
  EXPECT_EQ(reqs[1].target, "/apis/events.k8s.io/v1/events?limit=10");
  ASSERT_TRUE(core.Get("web-0.17a").ok());
  EXPECT_EQ(server.requests().back().target, "/api/v1/namespaces/default/events/web-0.17a");
}

TEST(Discovery, GroupVersionSupport) {
  ScriptedServer server([](const RecordedRequest& r) {
    if (r.target == "/apis/events.k8s.io/v1") {
      return ScriptedResponse{
          .body =
              R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"events.k8s.io/v1","resources":[{"name":"events","singularName":"event","namespaced":true,"kind":"Event","verbs":["create","delete","get","list","patch","update","watch"]}]})"};
    }
    if (r.target == "/apis/forbidden.example/v1") {
      return StatusResponse(403, errors::NewForbidden("", "", "", "no discovery for you"));
    }
    return StatusResponse(404, errors::NewNotFound("", "", ""));
  });
  auto client = MustCreate(TestConfig(server));
  auto list = ServerResourcesForGroupVersion(*client, "events.k8s.io/v1");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->group_version, "events.k8s.io/v1");
  ASSERT_EQ(list->resources.size(), 1u);
  EXPECT_EQ(list->resources[0].kind, "Event");
  EXPECT_TRUE(list->resources[0].namespaced);
  EXPECT_EQ(list->resources[0].verbs.size(), 7u);
  EXPECT_EQ(*ServerSupportsGroupVersion(*client, "events.k8s.io/v1"), true);
  EXPECT_EQ(*ServerSupportsGroupVersion(client, "events.k8s.io/v1beta1"), false);
  auto forbidden = ServerSupportsGroupVersion(*client, "forbidden.example/v1");
  EXPECT_TRUE(errors::IsForbidden(forbidden.status()));
  EXPECT_EQ(server.requests().at(0).target, "/apis/events.k8s.io/v1");
}

TEST(Auth, TokenFileIsReReadAfterAMinuteAndOn401) {
  TempDir dir;
  const std::string token_file = dir.Write("token", "token-1\n");
  std::atomic<bool> reject_token_2{false};
  ScriptedServer server([&](const RecordedRequest& r) {
    if (reject_token_2 && r.Header("Authorization") == "Bearer token-2") {
      return StatusResponse(401, errors::NewUnauthorized("Unauthorized"));
    }
    return ScriptedResponse{.body = "{}"};
  });
  auto clock = std::make_shared<FakeClock>();
  Config c = TestConfig(server);
  c.bearer_token_file = token_file;
  c.clock = clock;
  auto client = MustCreate(c);
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  dir.Write("token", "token-2\n");
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());  // cached for a minute
  clock->Step(std::chrono::seconds(61));
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  // The kubelet rotated again but our cached token-2 is rejected: re-read on 401, retry once.
  reject_token_2 = true;
  dir.Write("token", "token-3\n");
  Result r = client->Get().AbsPath("/api").Do();
  EXPECT_TRUE(r.ok()) << r.status();
  std::vector<std::string> seen;
  for (const auto& req : server.requests()) seen.push_back(req.Header("Authorization"));
  EXPECT_EQ(seen, (std::vector<std::string>{"Bearer token-1", "Bearer token-1", "Bearer token-2",
                                            "Bearer token-2", "Bearer token-3"}));
}

TEST(Auth, BasicAuth) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  Config c = TestConfig(server);
  c.username = "admin";
  c.password = "pw";
  auto client = MustCreate(c);
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  EXPECT_EQ(server.requests().at(0).Header("Authorization"), "Basic YWRtaW46cHc=");
}

TEST(Auth, CallerSetAuthorizationWins) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  Config c = TestConfig(server);
  c.bearer_token = "configured";
  auto client = MustCreate(c);
  ASSERT_TRUE(client->Get().AbsPath("/api").SetHeader("Authorization", "Bearer mine").Do().ok());
  EXPECT_EQ(server.requests().at(0).Header("Authorization"), "Bearer mine");
}

}  // namespace
}  // namespace kube::rest
