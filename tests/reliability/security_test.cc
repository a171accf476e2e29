// Security: TLS verification is never off silently, no credential ever reaches a log line or
// an error message, key and token files are only read, and the local API server refuses
// non-loopback binds unless told otherwise.
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "kubeevents/client/event_sink.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/localapiserver/certificates.h"
#include "reliability_support.h"

namespace kube::reliability {
namespace {

std::string Base64(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

TEST(InsecureTest, SkippingTlsVerificationLogsOneWarningPerClient) {
  TestServer server;
  auto logger = std::make_shared<CapturingLogger>();
  const std::string yaml =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
      "    server: " +
      server.server().URL() +
      "\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n"
      "    token: " +
      server.server().token() +
      "\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
      "current-context: x\n";
  auto config = rest::ParseKubeconfig(yaml, "insecure.kubeconfig", {}, logger);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->tls.insecure);
  config->logger = logger;
  config->qps = -1;
  auto client = rest::RESTClient::Create(*config);
  ASSERT_TRUE(client.ok()) << client.status();
  for (int i = 0; i < 5; ++i) {
    auto r = (*client)->Get().Namespace("default").Resource("events").Do();
    EXPECT_TRUE(r.status().ok()) << r.status();
  }
  int warnings = 0;
  for (const auto& r : logger->Records()) {
    if (r.severity == LogSeverity::kWarning && r.Line().find("verif") != std::string::npos) {
      ++warnings;
      EXPECT_NE(r.Line().find(server.server().URL()), std::string::npos) << r.Line();
    }
  }
  EXPECT_EQ(warnings, 1);

  // Set in code instead of a kubeconfig: still one warning, at client creation.
  auto direct_logger = std::make_shared<CapturingLogger>();
  rest::Config direct = *config;
  direct.logger = direct_logger;
  ASSERT_TRUE(rest::RESTClient::Create(direct).ok());
  EXPECT_EQ(direct_logger->CountContaining("verification is disabled"), 1);
}

// One failing run per credential kind against a server that rejects them, at maximum
// verbosity, through both pipelines and a direct request: no secret may appear in any log line
// or any error message.
class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override { logger_ = std::make_shared<CapturingLogger>(); }

  void Exercise(rest::Config config) {
    config.logger = logger_;
    config.qps = -1;
    auto client = rest::RESTClient::Create(config);
    if (!client.ok()) {
      messages_.push_back(client.status().ToString());
      return;
    }
    auto r = (*client)->Get().Namespace("default").Resource("events").Do();
    messages_.push_back(r.status().ToString());
    for (Kind kind : {Kind::kCoreV1, Kind::kEventsV1}) {
      auto p = MakePipeline(kind, config, 1ms, logger_);
      ASSERT_TRUE(p);
      for (std::uint64_t i = 0; i < 2; ++i) p->Emit(i);
      ASSERT_TRUE(Eventually([&] { return p->Stats().Accounted() == 2; })) << p->Stats().ToString();
      ExpectAllAccounted(p->Stats(), server_.server().EventCount());
      EXPECT_EQ(p->Stats().created, 0u);
    }
  }

  void ExpectNoSecret(const std::vector<std::string>& secrets) {
    const auto records = logger_->Records();
    EXPECT_GT(records.size(), 10u);  // the run did log (requests, failures, retries)
    for (const auto& secret : secrets) {
      for (const auto& r : records) {
        EXPECT_EQ(r.Line().find(secret), std::string::npos) << "secret in log line: " << r.Line();
      }
      for (const auto& m : messages_) {
        EXPECT_EQ(m.find(secret), std::string::npos) << "secret in error: " << m;
      }
    }
  }

  TestServer server_;
  std::shared_ptr<CapturingLogger> logger_;
  std::vector<std::string> messages_;
};

TEST_F(SecretsTest, BearerTokenAndTokenFile) {
  const std::string token = "s3cr3t-bearer-token-4f1c9a";
  auto config = server_.Config();
  config.bearer_token = token;
  Exercise(config);
  const std::string file_token = "s3cr3t-file-token-7d2e11";
  config.bearer_token.clear();
  config.bearer_token_file = WriteTempFile("token", file_token + "\n");
  Exercise(config);
  EXPECT_GE(logger_->CountContaining("401"), 1);
  ExpectNoSecret({token, file_token});
}

TEST_F(SecretsTest, BasicAuthPassword) {
  const std::string password = "s3cr3t-basic-password-91ab";
  auto config = server_.Config();
  config.bearer_token.clear();
  config.username = "alice";
  config.password = password;
  Exercise(config);
  ExpectNoSecret({password, Base64("alice:" + password)});
}

TEST_F(SecretsTest, ExecPluginOutput) {
  const std::string token = "s3cr3t-exec-token-55c0de";
  auto config = server_.Config();
  config.bearer_token.clear();
  config.exec_provider =
      rest::ExecConfig{.command = WriteTempFile(
                           "plugin.sh",
                           "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                           "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" +
                               token + "\"}}'\n",
                           0700)};
  Exercise(config);
  // A plugin that fails while printing the secret on stdout and stderr.
  config.exec_provider->command = WriteTempFile(
      "failing.sh",
      "#!/bin/sh\necho 'partial " + token + "'\necho 'oops " + token + "' >&2\nexit 3\n", 0700);
  Exercise(config);
  ExpectNoSecret({token});
}

TEST_F(SecretsTest, ClientKey) {
  auto ca = localapiserver::GenerateCA("client-ca");
  ASSERT_TRUE(ca.ok());
  auto cert = localapiserver::IssueCertificate(
      *ca, {.common_name = "alice", .server_auth = false, .client_auth = true});
  ASSERT_TRUE(cert.ok());
  auto other = localapiserver::IssueCertificate(
      *ca, {.common_name = "bob", .server_auth = false, .client_auth = true});
  ASSERT_TRUE(other.ok());
  // The key's base64 body lines (the PEM armour is not secret).
  std::vector<std::string> secrets;
  for (const auto* pem : {&cert->private_key_pem, &other->private_key_pem}) {
    std::istringstream lines(*pem);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.rfind("-----", 0) != 0) secrets.push_back(line);
    }
  }
  auto config = server_.Config();
  config.bearer_token = "wrong";
  config.tls.cert_data = cert->certificate_pem;
  config.tls.key_data = cert->private_key_pem;
  Exercise(config);
  config.tls.key_data = other->private_key_pem;  // a key that does not match the certificate
  Exercise(config);
  config.tls.key_data.clear();
  config.tls.cert_data.clear();
  config.tls.cert_file = WriteTempFile("c.crt", cert->certificate_pem);
  config.tls.key_file = WriteTempFile("c.key", "garbage " + other->private_key_pem);
  Exercise(config);
  ExpectNoSecret(secrets);
}

TEST_F(SecretsTest, ProxyPassword) {
  const std::string password = "s3cr3t-proxy-pass-0b7f";
  auto config = server_.Config();
  // Nothing listens on port 9 of loopback: the proxy connection fails.
  config.proxy_url = "http://proxyuser:" + password + "@127.0.0.1:9";
  Exercise(config);
  ExpectNoSecret({password, Base64("proxyuser:" + password)});
}

TEST_F(SecretsTest, KubeconfigErrorsDoNotEchoCredentials) {
  const std::string token = "s3cr3t-kubeconfig-token-e3";
  const std::string password = "s3cr3t-kubeconfig-pass-a1";
  for (const std::string& broken :
       {"users:\n- name: u\n  user:\n    token: " + token + "\n    password: [" + password,
        "users:\n- name: u\n  user: {token: " + token + ", password: " + password +
            ", client-key-data: '!!!'}\nclusters: []\ncontexts: []\ncurrent-context: x\n",
        "users: [" + token + ", " + password + "]\n"}) {
    auto c = rest::ParseKubeconfig(broken, "broken.kubeconfig", {}, logger_);
    ASSERT_FALSE(c.ok());
    messages_.push_back(c.status().ToString());
  }
  for (const auto& m : messages_) {
    EXPECT_EQ(m.find(token), std::string::npos) << m;
    EXPECT_EQ(m.find(password), std::string::npos) << m;
  }
  for (const auto& r : logger_->Records()) {
    EXPECT_EQ(r.Line().find(token), std::string::npos) << r.Line();
    EXPECT_EQ(r.Line().find(password), std::string::npos) << r.Line();
  }
}

// inotify on the directory of the credential files: opening, reading and closing read-only is
// all the library may do to them while it connects, re-reads and rotates.
TEST(CredentialFilesTest, KeyCertificateAndTokenFilesAreReadNeverWritten) {
  TestServer server;
  auto ca = localapiserver::GenerateCA("client-ca");
  ASSERT_TRUE(ca.ok());
  auto cert = localapiserver::IssueCertificate(
      *ca, {.common_name = "alice", .server_auth = false, .client_auth = true});
  ASSERT_TRUE(cert.ok());
  const std::string key = WriteTempFile("client.key", cert->private_key_pem, 0400);
  const std::string crt = WriteTempFile("client.crt", cert->certificate_pem, 0400);
  const std::string tok = WriteTempFile("token", server.server().token(), 0400);
  const std::string dir = TempDir();

  const int fd = inotify_init1(IN_NONBLOCK);
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, dir.c_str(), IN_ALL_EVENTS), 0);

  auto config = server.Config();
  config.bearer_token.clear();
  config.bearer_token_file = tok;
  config.tls.cert_file = crt;
  config.tls.key_file = key;
  config.idle_connection_timeout = 1ms;  // a new connection (and file re-read) per request
  {
    auto client = rest::RESTClient::Create(config);
    ASSERT_TRUE(client.ok()) << client.status();
    for (int i = 0; i < 3; ++i) {
      auto r = (*client)->Get().Namespace("default").Resource("events").Do();
      EXPECT_TRUE(r.status().ok()) << r.status();
      std::this_thread::sleep_for(1100ms);  // past the 1 s re-read throttle of cert files
    }
  }
  int opens = 0;
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    for (char* p = buf; p < buf + n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(p);
      const std::string name = ev->len > 0 ? ev->name : "";
      if (ev->mask & IN_OPEN) ++opens;
      EXPECT_EQ(ev->mask & (IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE |
                            IN_MOVED_FROM | IN_MOVED_TO),
                0u)
          << name << " mask " << std::hex << ev->mask;
      p += sizeof(inotify_event) + ev->len;
    }
  }
  close(fd);
  EXPECT_GE(opens, 3);  // the files were read (cert, key, token at least once)
  std::ifstream in(key);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, cert->private_key_pem);
}

TEST(BindTest, NonLoopbackAddressesAreRefusedUnlessAllowed) {
  for (const char* address : {"0.0.0.0", "192.0.2.10", "::"}) {
    localapiserver::ServerOptions o;
    o.bind_address = address;
    localapiserver::Server server(o);
    const Status st = server.Start();
    ASSERT_FALSE(st.ok()) << address;
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st;
    EXPECT_NE(st.message().find(address), std::string::npos) << st;
    EXPECT_NE(st.message().find("allow_non_loopback"), std::string::npos) << st;
    EXPECT_FALSE(server.running());
  }
  {
    localapiserver::ServerOptions o;
    o.bind_address = "not-an-ip";
    localapiserver::Server server(o);
    EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
  }
  // Allowed: the refusal is lifted (192.0.2.10 is not this machine's, so binding still fails,
  // with the system's error instead; no port is opened to the network by this test).
  {
    localapiserver::ServerOptions o;
    o.bind_address = "192.0.2.10";
    o.allow_non_loopback = true;
    localapiserver::Server server(o);
    const Status st = server.Start();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.message().find("allow_non_loopback"), std::string::npos) << st;
    EXPECT_NE(st.message().find("listening on 192.0.2.10"), std::string::npos) << st;
  }
  // Any loopback address works, with a certificate valid for it.
  localapiserver::ServerOptions o;
  o.bind_address = "127.0.0.2";
  TestServer loopback(o);
  EXPECT_EQ(loopback.server().URL().rfind("https://127.0.0.2:", 0), 0u) << loopback.server().URL();
  auto client = rest::RESTClient::Create(loopback.Config());
  ASSERT_TRUE(client.ok());
  auto r = (*client)->Get().Namespace("default").Resource("events").Do();
  EXPECT_TRUE(r.status().ok()) << r.status();
}

#ifdef KUBE_LOCAL_APISERVER_BINARY
TEST(BindTest, TheProgramRefusesANonLoopbackBindAddressFlag) {
  const std::string cmd = std::string(KUBE_LOCAL_APISERVER_BINARY) +
                          " --bind-address=0.0.0.0 --kubeconfig=" + TempDir() + "/kc 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, f)) out += buf;
  const int rc = pclose(f);
  EXPECT_EQ(WEXITSTATUS(rc), 1) << out;
  EXPECT_NE(out.find("0.0.0.0 is not a loopback address"), std::string::npos) << out;
  EXPECT_NE(out.find("--allow-non-loopback"), std::string::npos) << out;
}
#endif

}  // namespace
}  // namespace kube::reliability
