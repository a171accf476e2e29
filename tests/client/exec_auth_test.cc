// Exec credential plugins: real scripts that print ExecCredential JSON, run by the client.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/meta/v1/time.h"
#include "kubeevents/client/rest/internal/client_core.h"
#include "kubeevents/client/rest/internal/exec_plugin.h"
#include "kubeevents/client/rest/internal/url.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
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
using testing::TestData;

ExecConfig TokenPlugin(const TempDir& dir) {
  return ExecConfig{.command = TestData("exec/token-plugin.sh"),
                    .args = {"--cluster", "prod"},
                    .env = {{"EXEC_COUNTER_FILE", (dir.path() / "runs").string()},
                            {"EXEC_INFO_FILE", (dir.path() / "info").string()},
                            {"PLUGIN_GREETING", "hello"}},
                    .interactive_mode = ExecInteractiveMode::kNever};
}

Config ConfigFor(const ScriptedServer& server, ExecConfig exec) {
  Config c;
  c.host = server.url();
  c.qps = -1;
  c.exec_provider = std::move(exec);
  c.logger = std::make_shared<CapturingLogger>();
  return c;
}

ScriptedServer::Handler Ok() {
  return [](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; };
}

std::string Slurp(const std::filesystem::path& p) { return *internal::ReadFile(p.string()); }

TEST(ExecPlugin, TokenIsSentAndCachedWithoutExpiry) {
  ScriptedServer server(Ok());
  TempDir dir;
  auto client = RESTClient::Create(ConfigFor(server, TokenPlugin(dir))).value();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  for (const auto& r : server.requests()) {
    EXPECT_EQ(r.Header("Authorization"), "Bearer exec-token-1");
  }
  EXPECT_EQ(client->internal_core()->exec_runs(), 1);
  EXPECT_EQ(Slurp(dir.path() / "info.args"), "--cluster prod");
  EXPECT_EQ(Slurp(dir.path() / "info.env"), "hello");
  EXPECT_EQ(
      Slurp(dir.path() / "info"),
      R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}})");
}

TEST(ExecPlugin, ClusterInfoIsProvidedWhenAsked) {
  ScriptedServer server(Ok());
  TempDir dir;
  ExecConfig exec = TokenPlugin(dir);
  exec.provide_cluster_info = true;
  exec.cluster_config_json = R"({"audience":"x"})";
  Config c = ConfigFor(server, exec);
  c.tls.server_name = "api.example";
  auto client = RESTClient::Create(c).value();
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  EXPECT_EQ(
      Slurp(dir.path() / "info"),
      R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"cluster":{"server":")" +
          server.url() +
          R"(","tls-server-name":"api.example","config":{"audience":"x"}},"interactive":false}})");
}

TEST(ExecPlugin, RefreshedBeforeExpiry) {
  ScriptedServer server(Ok());
  TempDir dir;
  auto clock = std::make_shared<FakeClock>(std::chrono::system_clock::now());
  ExecConfig exec = TokenPlugin(dir);
  exec.env.push_back(
      {"EXEC_EXPIRY", api::meta::v1::FormatRFC3339(clock->Now() + std::chrono::minutes(15), 0)});
  Config c = ConfigFor(server, exec);
  c.clock = clock;
  auto client = RESTClient::Create(c).value();
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  clock->Step(std::chrono::minutes(14));
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());  // still valid
  clock->Step(std::chrono::seconds(55));                 // within 10 s of expiry
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].Header("Authorization"), "Bearer exec-token-1");
  EXPECT_EQ(reqs[1].Header("Authorization"), "Bearer exec-token-1");
  EXPECT_EQ(reqs[2].Header("Authorization"), "Bearer exec-token-2");
}

TEST(ExecPlugin, ExpiredCredentialsAreRefreshedOn401) {
  // The server revoked token 1 early (e.g. the cloud session ended): the 401 re-runs the
  // plugin and the request is retried once with the fresh token.
  ScriptedServer server([](const RecordedRequest& r) {
    if (r.Header("Authorization") == "Bearer exec-token-1") {
      return ScriptedResponse{.status = 401,
                              .body = api::ToJson(api::errors::NewUnauthorized("Unauthorized"))};
    }
    return ScriptedResponse{.body = "{}"};
  });
  TempDir dir;
  auto client = RESTClient::Create(ConfigFor(server, TokenPlugin(dir))).value();
  Result r = client->Get().AbsPath("/api").Do();
  EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(client->internal_core()->exec_runs(), 2);
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].Header("Authorization"), "Bearer exec-token-2");
}

TEST(ExecPlugin, PersistentUnauthorizedIsReturnedAfterOneRefresh) {
  ScriptedServer server([](const RecordedRequest&) {
    return ScriptedResponse{.status = 401,
                            .body = api::ToJson(api::errors::NewUnauthorized("Unauthorized"))};
  });
  TempDir dir;
  auto client = RESTClient::Create(ConfigFor(server, TokenPlugin(dir))).value();
  Status s = client->Get().AbsPath("/api").Do().status();
  EXPECT_TRUE(api::errors::IsUnauthorized(s));
  EXPECT_EQ(server.requests().size(), 2u);
}

// As in client-go the error carries the exit code but not the plugin's output (which may hold
// the credential); it says how much was printed on stderr.
TEST(ExecPlugin, FailureReportsExitCodeButNotTheOutput) {
  ScriptedServer server(Ok());
  ExecConfig exec{.command = TestData("exec/failing-plugin.sh"),
                  .interactive_mode = ExecInteractiveMode::kNever};
  auto client = RESTClient::Create(ConfigFor(server, exec)).value();
  Status s = client->Get().AbsPath("/api").Do().status();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("failed with exit code 3"));
  EXPECT_THAT(s.message(), Not(HasSubstr("SSO session has expired")));
  EXPECT_THAT(s.message(), HasSubstr("bytes on stderr, not shown"));
  EXPECT_TRUE(server.requests().empty());
}

TEST(ExecPlugin, MissingBinaryShowsTheInstallHintWithoutEscapes) {
  ExecConfig exec{.command = "kubeevents-no-such-plugin",
                  .install_hint = "\x1b[31mInstall\x1b[0m the plugin\x07 from example.com",
                  .interactive_mode = ExecInteractiveMode::kNever};
  auto s = internal::RunExecPlugin(exec, {});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(),
              HasSubstr("exec: executable kubeevents-no-such-plugin not found"));
  EXPECT_THAT(s.status().message(), HasSubstr("Install the plugin from example.com"));
  EXPECT_THAT(s.status().message(), Not(HasSubstr("\x1b")));
}

TEST(ExecPlugin, OutputIsValidated) {
  ExecConfig exec{.command = TestData("exec/wrong-version-plugin.sh"),
                  .interactive_mode = ExecInteractiveMode::kNever};
  EXPECT_THAT(internal::RunExecPlugin(exec, {}).status().message(),
              HasSubstr("plugin returned version client.authentication.k8s.io/v1beta1"));
  exec.command = TestData("exec/no-status-plugin.sh");
  EXPECT_THAT(internal::RunExecPlugin(exec, {}).status().message(),
              HasSubstr("didn't return a status field"));
  EXPECT_THAT(
      internal::ParseExecCredential(
          R"({"apiVersion":"v","kind":"ExecCredential","status":{"clientCertificateData":"x"}})",
          "v")
          .status()
          .message(),
      HasSubstr("only"));
  auto ok = internal::ParseExecCredential(
      R"({"apiVersion":"v","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2030-01-02T03:04:05Z"}})",
      "v");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->token, "t");
  EXPECT_EQ(api::meta::v1::FormatRFC3339(*ok->expiration, 0), "2030-01-02T03:04:05Z");
}

TEST(ExecPlugin, HungPluginIsKilled) {
  ExecConfig exec{.command = TestData("exec/slow-plugin.sh"),
                  .interactive_mode = ExecInteractiveMode::kNever,
                  .timeout = std::chrono::milliseconds(200)};
  const auto start = std::chrono::steady_clock::now();
  auto s = internal::RunExecPlugin(exec, {});
  EXPECT_THAT(s.status().message(), HasSubstr("did not finish"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ExecPlugin, InteractiveAlwaysIsRefused) {
  ExecConfig exec{.command = TestData("exec/token-plugin.sh"),
                  .interactive_mode = ExecInteractiveMode::kAlways};
  EXPECT_THAT(internal::RunExecPlugin(exec, {}).status().message(), HasSubstr("interactive"));
}

TEST(ExecPlugin, V1beta1FromAKubeconfig) {
  ScriptedServer server(Ok());
  TempDir dir;
  const std::string path = dir.Write("kubeconfig", R"(apiVersion: v1
kind: Config
current-context: c
clusters: [{name: c, cluster: {server: ")" + server.url() +
                                                       R"("}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: )" + TestData("exec/token-plugin.sh") +
                                                       R"(
      env: [{name: EXEC_API_VERSION, value: client.authentication.k8s.io/v1beta1}]
contexts: [{name: c, context: {cluster: c, user: u}}]
)");
  auto config = LoadKubeconfigFile(path, {}, std::make_shared<CapturingLogger>());
  ASSERT_TRUE(config.ok()) << config.status();
  auto client = RESTClient::Create(*config).value();
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());
  EXPECT_EQ(server.requests().at(0).Header("Authorization"), "Bearer exec-token-1");
}

}  // namespace
}  // namespace kube::rest
