// HTTPS against a loopback server with a generated CA: verification of the chain, the host
// name (or IP) and validity; tls-server-name; insecure; client certificates (data, files with
// rotation, exec plugin).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "kubeevents/client/event_sink.h"
#include "kubeevents/client/rest/internal/client_core.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/localapiserver/certificates.h"
#include "scripted_server.h"
#include "test_util.h"

namespace kube::rest {
namespace {

using localapiserver::CertificateOptions;
using localapiserver::GenerateCA;
using localapiserver::IssueCertificate;
using localapiserver::KeyPair;
using ::testing::AnyOf;
using testing::CapturingLogger;
using ::testing::HasSubstr;
using testing::RecordedRequest;
using testing::ScriptedResponse;
using testing::ScriptedServer;
using testing::ServerTLS;
using testing::TempDir;

CertificateOptions Opts(std::string cn, std::vector<std::string> dns, std::vector<std::string> ips,
                        bool client = false) {
  CertificateOptions o;
  o.common_name = std::move(cn);
  o.dns_names = std::move(dns);
  o.ip_addresses = std::move(ips);
  o.server_auth = !client;
  o.client_auth = client;
  return o;
}

struct PKI {
  KeyPair ca;
  KeyPair server;  // 127.0.0.1, ::1, localhost
  KeyPair other_ca;
  KeyPair client;  // CN jane, O developers
};

const PKI& Pki() {
  static const PKI pki = [] {
    PKI p;
    p.ca = GenerateCA("kubeevents-test-ca").value();
    p.other_ca = GenerateCA("someone-else").value();
    p.server = IssueCertificate(p.ca, Opts("apiserver", {"localhost", "kubernetes.default.svc"},
                                           {"127.0.0.1", "::1"}))
                   .value();
    p.client = IssueCertificate(p.ca, Opts("jane", {}, {}, true)).value();
    return p;
  }();
  return pki;
}

ScriptedServer::Handler Ok() {
  return [](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; };
}

Config HttpsConfig(const ScriptedServer& server) {
  Config c;
  c.host = server.url();
  c.tls.ca_data = Pki().ca.certificate_pem;
  c.qps = -1;
  c.logger = std::make_shared<CapturingLogger>();
  return c;
}

Status GetApi(const Config& c) {
  auto client = RESTClient::Create(c);
  if (!client.ok()) return client.status();
  return (*client)->Get().AbsPath("/api").Do().status();
}

TEST(TLS, VerifiesTheServerAgainstTheConfiguredCA) {
  ScriptedServer server(Ok(),
                        ServerTLS{Pki().server.certificate_pem, Pki().server.private_key_pem});
  EXPECT_TRUE(GetApi(HttpsConfig(server)).ok());
}

TEST(TLS, CAFromAFile) {
  ScriptedServer server(Ok(),
                        ServerTLS{Pki().server.certificate_pem, Pki().server.private_key_pem});
  TempDir dir;
  Config c = HttpsConfig(server);
  c.tls.ca_data.clear();
  c.tls.ca_file = dir.Write("ca.crt", Pki().ca.certificate_pem);
  EXPECT_TRUE(GetApi(c).ok());
}

TEST(TLS, IPv6Loopback) {
  ScriptedServer server(Ok(), ServerTLS{Pki().server.certificate_pem, Pki().server.private_key_pem},
                        "::1");
  Config c = HttpsConfig(server);
  EXPECT_THAT(c.host, HasSubstr("https://[::1]:"));
  EXPECT_TRUE(GetApi(c).ok()) << GetApi(c);
}

TEST(TLS, WrongCAFails) {
  ScriptedServer server(Ok(),
                        ServerTLS{Pki().server.certificate_pem, Pki().server.private_key_pem});
  Config c = HttpsConfig(server);
  c.tls.ca_data = Pki().other_ca.certificate_pem;
  Status s = GetApi(c);
  EXPECT_EQ(s.origin(), ErrorOrigin::kTransport);
  EXPECT_THAT(s.message(), HasSubstr("tls: failed to verify certificate"));
  EXPECT_THAT(s.message(), HasSubstr("unable to get local issuer certificate"));
  EXPECT_TRUE(server.requests().empty());
}

TEST(TLS, WrongHostNameFailsAndTlsServerNameFixesIt) {
  auto named = IssueCertificate(Pki().ca, Opts("api", {"api.example"}, {}));
  ASSERT_TRUE(named.ok());
  ScriptedServer server(Ok(), ServerTLS{named->certificate_pem, named->private_key_pem});
  Config c = HttpsConfig(server);  // https://127.0.0.1:port: the certificate has no such IP
  Status s = GetApi(c);
  EXPECT_EQ(s.origin(), ErrorOrigin::kTransport);
  EXPECT_THAT(s.message(), HasSubstr("IP address mismatch"));
  c.tls.server_name = "wrong.example";
  EXPECT_THAT(GetApi(c).message(), HasSubstr("hostname mismatch"));
  c.tls.server_name = "api.example";  // SNI and verification both use it
  EXPECT_TRUE(GetApi(c).ok());
}

TEST(TLS, HostNameVerifiedForDnsNames) {
  auto other = IssueCertificate(Pki().ca, Opts("x", {"not-localhost"}, {"127.0.0.1"}));
  ScriptedServer server(Ok(), ServerTLS{other->certificate_pem, other->private_key_pem});
  Config c = HttpsConfig(server);
  c.host = "https://localhost:" + std::to_string(server.port());
  EXPECT_THAT(GetApi(c).message(), HasSubstr("hostname mismatch"));
  ScriptedServer good(Ok(), ServerTLS{Pki().server.certificate_pem, Pki().server.private_key_pem});
  c.host = "https://localhost:" + std::to_string(good.port());
  EXPECT_TRUE(GetApi(c).ok());
}

TEST(TLS, ExpiredCertificateFails) {
  const auto now = std::chrono::system_clock::now();
  CertificateOptions o = Opts("old", {}, {"127.0.0.1"});
  o.not_before = now - std::chrono::hours(48);
  o.not_after = now - std::chrono::hours(24);
  auto expired = IssueCertificate(Pki().ca, o);
  ASSERT_TRUE(expired.ok());
  ScriptedServer server(Ok(), ServerTLS{expired->certificate_pem, expired->private_key_pem});
  Status s = GetApi(HttpsConfig(server));
  EXPECT_EQ(s.origin(), ErrorOrigin::kTransport);
  EXPECT_THAT(s.message(), HasSubstr("certificate has expired"));
}

TEST(TLS, InsecureSkipsVerification) {
  ScriptedServer server(Ok(),
                        ServerTLS{Pki().server.certificate_pem, Pki().server.private_key_pem});
  Config c = HttpsConfig(server);
  c.tls.ca_data.clear();
  c.tls.insecure = true;
  auto logger = std::make_shared<CapturingLogger>();
  c.logger = logger;
  EXPECT_TRUE(GetApi(c).ok());
  EXPECT_THAT(logger->joined(), HasSubstr("verification is disabled"));
}

TEST(TLS, NoCAMeansSystemRootsWhichDoNotTrustTheTestCA) {
  ScriptedServer server(Ok(),
                        ServerTLS{Pki().server.certificate_pem, Pki().server.private_key_pem});
  Config c = HttpsConfig(server);
  c.tls.ca_data.clear();
  EXPECT_THAT(GetApi(c).message(), HasSubstr("failed to verify certificate"));
}

ServerTLS MutualTLS() {
  return ServerTLS{Pki().server.certificate_pem, Pki().server.private_key_pem,
                   Pki().ca.certificate_pem, true};
}

TEST(TLS, ClientCertificateAuthenticates) {
  ScriptedServer server(Ok(), MutualTLS());
  Config c = HttpsConfig(server);
  EXPECT_EQ(GetApi(c).origin(), ErrorOrigin::kTransport);  // no certificate: handshake refused
  c.tls.cert_data = Pki().client.certificate_pem;
  c.tls.key_data = Pki().client.private_key_pem;
  ASSERT_TRUE(GetApi(c).ok()) << GetApi(c);
  EXPECT_EQ(server.requests().back().client_cert_cn, "jane");
  EXPECT_TRUE(server.requests().back().Header("Authorization").empty());
}

// Do() runs on the calling thread, so threads calling at once make their TLS handshakes at
// once, against one shared context (CA and client certificate). Each of several fresh clients
// gets its first requests from four threads together: every one succeeds over its own
// connection, and under ThreadSanitizer nothing in the shared certificates races.
TEST(TLS, ConcurrentFirstHandshakesFromSeveralThreads) {
  ScriptedServer server(Ok(), MutualTLS());
  Config c = HttpsConfig(server);
  c.tls.cert_data = Pki().client.certificate_pem;
  c.tls.key_data = Pki().client.private_key_pem;
  constexpr int kClients = 3;
  constexpr int kThreads = 4;
  for (int round = 0; round < kClients; ++round) {
    auto client = RESTClient::Create(c);
    ASSERT_TRUE(client.ok()) << client.status();
    std::atomic<int> ok{0};
    std::latch start(kThreads);
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        if ((*client)->Get().AbsPath("/api").Do().status().ok()) ok.fetch_add(1);
      });
    }
    threads.clear();  // joins
    EXPECT_EQ(ok.load(), kThreads) << "round " << round;
  }
  EXPECT_EQ(server.requests().size(), static_cast<std::size_t>(kClients * kThreads));
  EXPECT_EQ(server.requests().back().client_cert_cn, "jane");
}

TEST(TLS, MismatchedClientKeyIsAConfigurationError) {
  Config c;
  c.host = "https://127.0.0.1:1";
  c.tls.ca_data = Pki().ca.certificate_pem;
  c.tls.cert_data = Pki().client.certificate_pem;
  c.tls.key_data = Pki().server.private_key_pem;
  EXPECT_THAT(RESTClient::Create(c).status().message(), HasSubstr("do not match"));
}

TEST(TLS, ClientCertificateFilesAreReloadedForNewConnections) {
  ScriptedServer server(
      [](const RecordedRequest&) { return ScriptedResponse{.body = "{}", .close = true}; },
      MutualTLS());
  TempDir dir;
  auto clock = std::make_shared<FakeClock>();
  Config c = HttpsConfig(server);
  c.clock = clock;
  c.tls.cert_file = dir.Write("client.crt", Pki().client.certificate_pem);
  c.tls.key_file = dir.Write("client.key", Pki().client.private_key_pem);
  auto client = RESTClient::Create(c).value();
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  auto rotated = IssueCertificate(Pki().ca, Opts("jane-rotated", {}, {}, true)).value();
  dir.Write("client.crt", rotated.certificate_pem);
  dir.Write("client.key", rotated.private_key_pem);
  clock->Step(std::chrono::seconds(2));
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].client_cert_cn, "jane");
  EXPECT_EQ(reqs[1].client_cert_cn, "jane-rotated");
}

TEST(TLS, ExecPluginClientCertificate) {
  ScriptedServer server(Ok(), MutualTLS());
  TempDir dir;
  Config c = HttpsConfig(server);
  c.exec_provider =
      ExecConfig{.command = testing::TestData("exec/cert-plugin.sh"),
                 .env = {{"EXEC_CERT_FILE", dir.Write("c.crt", Pki().client.certificate_pem)},
                         {"EXEC_KEY_FILE", dir.Write("c.key", Pki().client.private_key_pem)}},
                 .interactive_mode = ExecInteractiveMode::kNever};
  auto client = RESTClient::Create(c).value();
  Status s = client->Get().AbsPath("/api").Do().status();
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(server.requests().back().client_cert_cn, "jane");
  EXPECT_TRUE(client->Get().AbsPath("/api").Do().ok());
  EXPECT_EQ(client->internal_core()->exec_runs(), 1);  // cached: no expiry given
  EXPECT_EQ(server.connections(), 1);
}

TEST(TLS, EventSinkOverHttps) {
  ScriptedServer server(
      [](const RecordedRequest& r) { return ScriptedResponse{.status = 201, .body = r.body}; },
      MutualTLS());
  Config c = HttpsConfig(server);
  c.tls.cert_data = Pki().client.certificate_pem;
  c.tls.key_data = Pki().client.private_key_pem;
  auto sink = NewCoreV1EventSink(c);
  api::core::v1::Event e;
  e.metadata.name = "n";
  e.metadata.namespace_ = "default";
  e.reason = "R";
  auto created = sink->Create(e);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->reason, "R");
  EXPECT_EQ(server.requests().at(0).target, "/api/v1/namespaces/default/events");
}

}  // namespace
}  // namespace kube::rest
