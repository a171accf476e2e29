#include "kubeevents/client/rest/kubeconfig.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/client/rest/internal/url.h"
#include "kubeevents/client/rest/rest_client.h"
#include "test_util.h"

namespace kube::rest {
namespace {

using testing::CapturingLogger;
using ::testing::HasSubstr;
using testing::ScopedEnv;
using ::testing::StartsWith;
using testing::TempDir;
using testing::TestData;

std::shared_ptr<CapturingLogger> Quiet() { return std::make_shared<CapturingLogger>(); }

StatusOr<Config> LoadMulti(std::string context) {
  return LoadKubeconfigFile(TestData("kubeconfig/multi-context.yaml"), {.context = context},
                            Quiet());
}

TEST(Kubeconfig, CurrentContextWithClientCertificateData) {
  auto c = LoadKubeconfigFile(TestData("kubeconfig/multi-context.yaml"), {}, Quiet());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "https://127.0.0.1:6443");
  EXPECT_EQ(c->tls.ca_data,
            "-----BEGIN CERTIFICATE-----\ndata-form CA\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(c->tls.cert_data, "data-form client cert\n");
  EXPECT_EQ(c->tls.key_data, "data-form client key\n");
  EXPECT_TRUE(c->tls.cert_file.empty());
  EXPECT_EQ(c->default_namespace, "default");
  EXPECT_EQ(c->qps, 5);
  EXPECT_EQ(c->burst, 10);
}

TEST(Kubeconfig, FileFormsResolveRelativeToTheDefiningFile) {
  auto c = LoadMulti("onprem");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "https://api.onprem.example:8443/k8s/clusters/c-abc12");
  EXPECT_EQ(c->tls.ca_file, TestData("kubeconfig/certs/ca.crt"));
  EXPECT_EQ(c->tls.cert_file, TestData("kubeconfig/certs/client.crt"));
  EXPECT_EQ(c->tls.key_file, TestData("kubeconfig/certs/client.key"));
  EXPECT_EQ(c->tls.server_name, "kubernetes.default.svc");
  EXPECT_EQ(c->proxy_url, "http://proxy.corp.example:3128");
  EXPECT_EQ(c->default_namespace, "team-a");
  EXPECT_EQ(c->impersonate.user_name, "jane");
  EXPECT_EQ(c->impersonate.uid, "1234");
  EXPECT_EQ(c->impersonate.groups,
            (std::vector<std::string>{"developers", "system:authenticated"}));
  EXPECT_EQ(c->impersonate.extra.at("scopes"), (std::vector<std::string>{"view", "edit"}));
}

TEST(Kubeconfig, ExecPluginV1beta1) {
  auto c = LoadMulti("eks");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->exec_provider.has_value());
  const ExecConfig& e = *c->exec_provider;
  EXPECT_EQ(e.command, "aws");  // no '/': looked up in PATH, not resolved
  EXPECT_EQ(e.api_version, "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(e.args.size(), 6u);
  ASSERT_EQ(e.env.size(), 1u);
  EXPECT_EQ(e.env[0].name, "AWS_PROFILE");
  EXPECT_EQ(e.env[0].value, "prod");
  EXPECT_EQ(e.install_hint, "Install the AWS CLI");
  EXPECT_EQ(e.interactive_mode, ExecInteractiveMode::kIfAvailable);  // v1beta1 default
  EXPECT_EQ(c->default_namespace, "prod");
}

TEST(Kubeconfig, TokenFileIsReadAndKept) {
  auto c = LoadMulti("token-file");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->bearer_token, "file-token-123");
  EXPECT_EQ(c->bearer_token_file, TestData("kubeconfig/token"));
  EXPECT_TRUE(c->tls.insecure);
}

// The warning comes once, from the client that skips verification, not from loading as well.
TEST(Kubeconfig, InsecureClusterLogsAWarning) {
  auto logger = Quiet();
  auto c = LoadKubeconfigFile(TestData("kubeconfig/multi-context.yaml"), {.context = "lab-basic"},
                              logger);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->username, "admin");
  EXPECT_EQ(c->password, "s3cret");
  EXPECT_TRUE(c->tls.insecure);
  EXPECT_THAT(logger->joined(), ::testing::Not(HasSubstr("insecure-skip-tls-verify")));
  ASSERT_TRUE(RESTClient::Create(*c).ok());
  EXPECT_THAT(logger->joined(), HasSubstr("insecure-skip-tls-verify"));
  EXPECT_THAT(logger->joined(), ::testing::Not(HasSubstr("s3cret")));
}

TEST(Kubeconfig, OverridesNamespaceAndServer) {
  auto c = LoadKubeconfigFile(
      TestData("kubeconfig/multi-context.yaml"),
      {.context = "lab-static", .namespace_ = "override-ns", .server = "https://10.9.9.9:443"},
      Quiet());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "https://10.9.9.9:443");
  EXPECT_EQ(c->bearer_token, "static-abc");
  EXPECT_EQ(c->default_namespace, "override-ns");
}

TEST(Kubeconfig, DistinctErrorsForMissingContextUserCluster) {
  auto no_ctx = LoadMulti("nope");
  EXPECT_THAT(no_ctx.status().message(), HasSubstr("context \"nope\" not found"));
  auto no_user = LoadMulti("missing-user");
  EXPECT_THAT(no_user.status().message(),
              HasSubstr("user \"nobody\" not found for context \"missing-user\""));
  auto no_cluster = LoadMulti("missing-cluster");
  EXPECT_THAT(no_cluster.status().message(),
              HasSubstr("cluster \"nowhere\" not found for context \"missing-cluster\""));
  auto no_current = ParseKubeconfig(
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: https://x}}]\n",
      "inline.yaml", {}, Quiet());
  EXPECT_THAT(no_current.status().message(), HasSubstr("no current context"));
  auto no_server = ParseKubeconfig(
      "current-context: c\nclusters: [{name: c, cluster: {}}]\ncontexts: [{name: c, context: "
      "{cluster: c}}]\n",
      "inline.yaml", {}, Quiet());
  EXPECT_THAT(no_server.status().message(), HasSubstr("cluster has no server defined"));
}

TEST(Kubeconfig, MalformedFilesNameTheFileAndField) {
  auto b64 = LoadKubeconfigFile(TestData("kubeconfig/bad-base64.yaml"), {}, Quiet());
  ASSERT_FALSE(b64.ok());
  EXPECT_THAT(b64.status().message(), HasSubstr("bad-base64.yaml"));
  EXPECT_THAT(b64.status().message(), HasSubstr("users[0].user.client-certificate-data"));
  EXPECT_THAT(b64.status().message(), HasSubstr("illegal base64"));

  auto yaml = LoadKubeconfigFile(TestData("kubeconfig/bad-yaml.yaml"), {}, Quiet());
  ASSERT_FALSE(yaml.ok());
  EXPECT_THAT(yaml.status().message(), HasSubstr("bad-yaml.yaml: invalid YAML at line"));

  auto type = LoadKubeconfigFile(TestData("kubeconfig/bad-type.yaml"), {}, Quiet());
  ASSERT_FALSE(type.ok());
  EXPECT_THAT(type.status().message(),
              HasSubstr("bad-type.yaml: clusters[0].cluster.insecure-skip-tls-verify: expected a "
                        "boolean (line 8)"));
}

// A credential path that names an endless or huge file fails with the field and the limit
// instead of reading until memory runs out.
TEST(Kubeconfig, EndlessOrHugeCredentialFilesAreRefused) {
  TempDir dir;
  const std::string kubeconfig = dir.Write("config", R"(apiVersion: v1
kind: Config
current-context: c
contexts:
- name: c
  context: {cluster: k, user: u}
clusters:
- name: k
  cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
users:
- name: u
  user: {tokenFile: /dev/zero}
)");
  auto c = LoadKubeconfigFile(kubeconfig, {}, Quiet());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("tokenFile: unable to read"));
  EXPECT_THAT(c.status().message(), HasSubstr("/dev/zero: the file is larger than 16 MiB"));

  const std::string big = dir.Write("big", std::string(internal::kMaxCredentialFileBytes + 1, 'x'));
  auto too_big = internal::ReadFile(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), StatusCode::kFailedPrecondition);
  auto at_limit = internal::ReadFile(big, internal::kMaxCredentialFileBytes + 1);
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  EXPECT_EQ(at_limit->size(), internal::kMaxCredentialFileBytes + 1);
}

TEST(Kubeconfig, InsecureWithCAIsRejected) {
  auto c = LoadKubeconfigFile(TestData("kubeconfig/insecure-with-ca.yaml"), {}, Quiet());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("specifying a root certificates file with the insecure flag is not "
                        "allowed"));
}

TEST(Kubeconfig, AuthProviderIsRejectedWithAHint) {
  auto c = LoadKubeconfigFile(TestData("kubeconfig/auth-provider.yaml"), {}, Quiet());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(c.status().message(), HasSubstr("auth-provider \"oidc\" is not supported"));
  EXPECT_THAT(c.status().message(), HasSubstr("exec credential plugin"));
}

TEST(Kubeconfig, JsonKubeconfigAndMoreThanOneAuthMethod) {
  auto c = LoadKubeconfigFile(TestData("kubeconfig/two-methods.yaml"), {}, Quiet());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("more than one authentication method found; found [token basicAuth]"));
}

TEST(Kubeconfig, ExecV1RequiresInteractiveMode) {
  auto c = LoadKubeconfigFile(TestData("kubeconfig/exec-v1-no-mode.yaml"), {}, Quiet());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("users[0].user.exec.interactiveMode"));
}

TEST(Kubeconfig, ExecCommandWithSlashResolvesAgainstFileAndExtensionBecomesConfig) {
  TempDir dir;
  const std::string path = dir.Write("sub/kubeconfig", R"(apiVersion: v1
kind: Config
current-context: c
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: "a b", retries: 3, enabled: true}
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/plugin
      interactiveMode: Never
      provideClusterInfo: true
contexts:
- name: c
  context: {cluster: c, user: u}
)");
  auto c = LoadKubeconfigFile(path, {}, Quiet());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->exec_provider->command, (dir.path() / "sub/bin/plugin").string());
  EXPECT_EQ(c->exec_provider->interactive_mode, ExecInteractiveMode::kNever);
  EXPECT_TRUE(c->exec_provider->provide_cluster_info);
  EXPECT_EQ(c->exec_provider->cluster_config_json,
            R"({"audience":"a b","retries":3,"enabled":true})");
}

TEST(Kubeconfig, KubeconfigListMergesFirstDefinitionWins) {
  ScopedEnv env("KUBECONFIG", TestData("kubeconfig/does-not-exist.yaml") + ":" +
                                  TestData("kubeconfig/merge-a.yaml") +
                                  "::" + TestData("kubeconfig/merge-b.yaml"));
  auto rules = KubeconfigLoadingRules::FromEnvironment();
  ASSERT_EQ(rules.precedence.size(), 3u);  // empty entry skipped
  auto c = LoadKubeconfig(rules, {}, Quiet());
  ASSERT_TRUE(c.ok()) << c.status();
  // current-context from the first file that sets it; cluster/user "shared" from merge-a.
  EXPECT_EQ(c->host, "https://a.example:6443");
  EXPECT_EQ(c->bearer_token, "token-from-a");
  EXPECT_EQ(c->default_namespace, "ns-a");
  // A context only merge-b defines still sees merge-a's user (whole-entry merge).
  auto b = LoadKubeconfig(rules, {.context = "from-b"}, Quiet());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->host, "https://only-b.example:6443");
  EXPECT_EQ(b->bearer_token, "token-from-a");
}

TEST(Kubeconfig, HomeConfigWhenKubeconfigUnsetAndExplicitPathMustExist) {
  TempDir home;
  home.Write(".kube/config", R"(current-context: c
clusters: [{name: c, cluster: {server: "https://home.example"}}]
contexts: [{name: c, context: {cluster: c}}]
)");
  ScopedEnv kc("KUBECONFIG", std::nullopt);
  ScopedEnv h("HOME", home.path().string());
  auto c = LoadKubeconfig(KubeconfigLoadingRules::FromEnvironment(), {}, Quiet());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "https://home.example");
  auto missing = LoadKubeconfigFile((home.path() / "nope").string(), {}, Quiet());
  EXPECT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("nope"));
}

TEST(Kubeconfig, NoFilesAtAllIsNotFound) {
  KubeconfigLoadingRules rules;
  rules.precedence = {"/nonexistent/a", "/nonexistent/b"};
  auto c = LoadKubeconfig(rules, {}, Quiet());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
}

TEST(InCluster, HostTokenCANamespace) {
  TempDir sa;
  InClusterOptions o{.token_file = sa.Write("token", "sa-token\n"),
                     .ca_file = sa.Write("ca.crt", "CA"),
                     .namespace_file = sa.Write("namespace", "kube-system")};
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00:10:96::1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  ScopedEnv pod_ns("POD_NAMESPACE", std::nullopt);
  EXPECT_TRUE(InClusterConfigPossible(o));
  auto c = InClusterConfig(o);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "https://[fd00:10:96::1]:443");
  EXPECT_EQ(c->bearer_token, "sa-token");
  EXPECT_EQ(c->bearer_token_file, o.token_file);
  EXPECT_EQ(c->tls.ca_file, o.ca_file);
  EXPECT_EQ(c->default_namespace, "kube-system");
  ScopedEnv pod_ns2("POD_NAMESPACE", "from-env");
  EXPECT_EQ(InClusterConfig(o)->default_namespace, "from-env");
}

TEST(InCluster, NotInAPod) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
  EXPECT_FALSE(InClusterConfigPossible());
  auto c = InClusterConfig();
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(c.status().message(), HasSubstr("KUBERNETES_SERVICE_HOST"));
}

TEST(LoadDefault, UsesKubeconfig) {
  ScopedEnv env("KUBECONFIG", TestData("kubeconfig/merge-b.yaml"));
  auto c = LoadDefaultConfig();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "https://only-b.example:6443");
}

TEST(DefaultUserAgent, HasClientGoShape) {
  EXPECT_THAT(DefaultUserAgent(),
              ::testing::MatchesRegex(R"(kubeevents/v[0-9.]+ \(linux/[a-z0-9]+\))"));
}

}  // namespace
}  // namespace kube::rest
