// proxy-url: socks5://[user:pass@]host:port — the handshake's messages, then real requests
// through a loopback SOCKS5 proxy to an HTTPS server and an HTTP server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <mutex>

#include "kubeevents/client/rest/internal/socks5.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/localapiserver/certificates.h"
#include "loopback_proxy.h"
#include "scripted_server.h"
#include "test_util.h"

namespace kube::rest {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using testing::CapturingLogger;
using ::testing::HasSubstr;
using testing::RecordedRequest;
using testing::ScriptedResponse;
using testing::ScriptedServer;
using testing::ServerTLS;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(Socks5Messages, GreetingOffersPasswordOnlyWithCredentials) {
  EXPECT_EQ(internal::Socks5Greeting(false), Bytes({5, 1, 0}));
  EXPECT_EQ(internal::Socks5Greeting(true), Bytes({5, 2, 0, 2}));
}

TEST(Socks5Messages, ConnectRequestByAddressOrName) {
  EXPECT_EQ(internal::Socks5ConnectRequest("127.0.0.1", 6443).value(),
            Bytes({5, 1, 0, 1, 127, 0, 0, 1, 0x19, 0x2b}));
  EXPECT_EQ(internal::Socks5ConnectRequest("::1", 443).value(),
            Bytes({5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xbb}));
  EXPECT_EQ(internal::Socks5ConnectRequest("api.example", 443).value(),
            Bytes({5, 1, 0, 3, 11}) + "api.example" + Bytes({1, 0xbb}));
  EXPECT_FALSE(internal::Socks5ConnectRequest(std::string(256, 'a'), 443).ok());
  EXPECT_FALSE(internal::Socks5ConnectRequest("a", 0).ok());
}

TEST(Socks5Messages, PasswordRequestAndUserinfo) {
  std::string user, password;
  internal::SplitUserinfo("al%40ice:p%3Ass", user, password);
  EXPECT_EQ(user, "al@ice");
  EXPECT_EQ(password, "p:ss");
  EXPECT_EQ(internal::Socks5PasswordRequest(user, password).value(),
            Bytes({1, 6}) + "al@ice" + Bytes({4}) + "p:ss");
  EXPECT_FALSE(internal::Socks5PasswordRequest("", "x").ok());
  EXPECT_FALSE(internal::Socks5PasswordRequest("u", std::string(256, 'p')).ok());
}

TEST(Socks5Messages, ReplyCodesAndLengths) {
  EXPECT_EQ(internal::Socks5ReplyText(5), "connection refused");
  EXPECT_EQ(internal::Socks5ReplyText(2), "connection not allowed by ruleset");
  EXPECT_EQ(internal::Socks5ReplyRemainder(1, 0).value(), 5u);
  EXPECT_EQ(internal::Socks5ReplyRemainder(4, 0).value(), 17u);
  EXPECT_EQ(internal::Socks5ReplyRemainder(3, 9).value(), 11u);
  EXPECT_FALSE(internal::Socks5ReplyRemainder(9, 0).ok());
}

// A minimal SOCKS5 proxy (RFC 1928/1929, CONNECT only): records what each client asked for,
// optionally requires a user and password, optionally refuses with a reply code, then pipes.
class Socks5Proxy {
 public:
  struct Options {
    std::string user{};  // empty: no authentication
    std::string password{};
    int refuse_with = 0;  // a reply code instead of connecting
  };
  explicit Socks5Proxy(Options o) : options_(std::move(o)) {}
  int port() const { return proxy_.port(); }
  std::vector<std::string> targets() const {
    std::lock_guard lock(mu_);
    return targets_;
  }

 private:
  static std::string ReadString(tcp::socket& s, boost::system::error_code& ec) {
    unsigned char n = 0;
    asio::read(s, asio::buffer(&n, 1), ec);
    std::string out(n, '\0');
    if (!ec && n > 0) asio::read(s, asio::buffer(out), ec);
    return out;
  }

  void Serve(tcp::socket& client) {
    boost::system::error_code ec;
    unsigned char hello[2];
    asio::read(client, asio::buffer(hello), ec);
    std::string methods(hello[1], '\0');
    if (!ec) asio::read(client, asio::buffer(methods), ec);
    if (ec || hello[0] != 5) return;
    const char wanted = options_.user.empty() ? 0 : 2;
    if (methods.find(wanted) == std::string::npos) {
      asio::write(client, asio::buffer(Bytes({5, 0xFF})), ec);
      return;
    }
    asio::write(client, asio::buffer(Bytes({5, wanted})), ec);
    if (wanted == 2) {
      unsigned char version = 0;
      asio::read(client, asio::buffer(&version, 1), ec);
      const std::string user = ReadString(client, ec);
      const std::string password = ReadString(client, ec);
      const bool ok = user == options_.user && password == options_.password;
      asio::write(client, asio::buffer(Bytes({1, ok ? 0 : 1})), ec);
      if (!ok || ec) return;
    }
    unsigned char request[4];
    asio::read(client, asio::buffer(request), ec);
    if (ec) return;
    std::string host;
    if (request[3] == 1) {
      asio::ip::address_v4::bytes_type b;
      asio::read(client, asio::buffer(b), ec);
      host = asio::ip::address_v4(b).to_string();
    } else if (request[3] == 3) {
      host = ReadString(client, ec);
    } else {
      asio::write(client, asio::buffer(Bytes({5, 8, 0, 1, 0, 0, 0, 0, 0, 0})), ec);
      return;
    }
    unsigned char port_bytes[2];
    asio::read(client, asio::buffer(port_bytes), ec);
    if (ec) return;
    const int port = port_bytes[0] * 256 + port_bytes[1];
    {
      std::lock_guard lock(mu_);
      targets_.push_back(host + ":" + std::to_string(port));
    }
    if (options_.refuse_with != 0) {
      asio::write(client, asio::buffer(Bytes({5, options_.refuse_with, 0, 1, 0, 0, 0, 0, 0, 0})),
                  ec);
      return;
    }
    tcp::socket upstream(client.get_executor());
    tcp::resolver resolver(client.get_executor());
    asio::connect(upstream, resolver.resolve(host, std::to_string(port)), ec);
    if (ec) {
      asio::write(client, asio::buffer(Bytes({5, 5, 0, 1, 0, 0, 0, 0, 0, 0})), ec);
      return;
    }
    // Bound address as a domain name, to exercise the variable-length reply.
    asio::write(client, asio::buffer(Bytes({5, 0, 0, 3, 5}) + "proxy" + Bytes({0, 80})), ec);
    testing::Pipe(client, upstream);
  }

  Options options_;
  mutable std::mutex mu_;
  std::vector<std::string> targets_;
  testing::LoopbackProxy proxy_{
      [this](tcp::socket& client) { Serve(client); }};  // last: stops first
};

struct TlsServer {
  localapiserver::KeyPair ca = localapiserver::GenerateCA("socks5-test-ca").value();
  std::unique_ptr<ScriptedServer> server;

  TlsServer() {
    localapiserver::CertificateOptions o;
    o.common_name = "apiserver";
    o.ip_addresses = {"127.0.0.1"};
    o.dns_names = {"localhost"};
    auto cert = localapiserver::IssueCertificate(ca, o).value();
    server = std::make_unique<ScriptedServer>(
        [](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; },
        ServerTLS{cert.certificate_pem, cert.private_key_pem});
  }
};

Config ThroughProxy(const std::string& host, const std::string& ca_pem, const std::string& proxy) {
  Config c;
  c.host = host;
  c.tls.ca_data = ca_pem;
  c.proxy_url = proxy;
  c.bearer_token = "t";
  c.logger = std::make_shared<CapturingLogger>();
  return c;
}

TEST(Socks5Proxy, HttpsThroughTheProxyByName) {
  TlsServer tls;
  Socks5Proxy proxy({});
  // By name: the proxy, not the client, resolves "localhost".
  auto client =
      RESTClient::Create(ThroughProxy("https://localhost:" + std::to_string(tls.server->port()),
                                      tls.ca.certificate_pem,
                                      "socks5://127.0.0.1:" + std::to_string(proxy.port())))
          .value();
  Result r = client->Get().AbsPath("/api").Do();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());  // kept alive through the tunnel
  EXPECT_EQ(proxy.targets(),
            std::vector<std::string>{"localhost:" + std::to_string(tls.server->port())});
  ASSERT_EQ(tls.server->requests().size(), 2u);
  EXPECT_EQ(tls.server->requests()[0].Header("Authorization"), "Bearer t");
}

TEST(Socks5Proxy, UserAndPassword) {
  TlsServer tls;
  Socks5Proxy proxy({.user = "al@ice", .password = "s3cret"});
  const std::string host = "https://127.0.0.1:" + std::to_string(tls.server->port());
  const std::string at = "@127.0.0.1:" + std::to_string(proxy.port());
  auto good = RESTClient::Create(
                  ThroughProxy(host, tls.ca.certificate_pem, "socks5://al%40ice:s3cret" + at))
                  .value();
  EXPECT_TRUE(good->Get().AbsPath("/api").Do().ok());
  EXPECT_EQ(proxy.targets().back(), "127.0.0.1:" + std::to_string(tls.server->port()));

  auto wrong =
      RESTClient::Create(ThroughProxy(host, tls.ca.certificate_pem, "socks5://al%40ice:nope" + at))
          .value();
  Status s = wrong->Get().AbsPath("/api").Do().status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kTransport);
  EXPECT_THAT(s.message(), HasSubstr("socks5 proxy 127.0.0.1:" + std::to_string(proxy.port()) +
                                     ": username/password authentication failed"));

  auto anonymous =
      RESTClient::Create(ThroughProxy(host, tls.ca.certificate_pem,
                                      "socks5://127.0.0.1:" + std::to_string(proxy.port())))
          .value();
  EXPECT_THAT(anonymous->Get().AbsPath("/api").Do().status().message(),
              HasSubstr("the proxy requires authentication"));
}

TEST(Socks5Proxy, RefusedConnectNamesTheReason) {
  Socks5Proxy proxy({.refuse_with = 2});
  Config c;
  c.host = "https://127.0.0.1:1";
  c.tls.insecure = true;
  c.proxy_url = "socks5://127.0.0.1:" + std::to_string(proxy.port());
  c.logger = std::make_shared<CapturingLogger>();
  auto client = RESTClient::Create(c).value();
  Status s = client->Get().AbsPath("/api").Do().status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kTransport);
  EXPECT_THAT(s.message(),
              HasSubstr("connect to 127.0.0.1:1 failed: connection not allowed by ruleset"));
}

TEST(Socks5Proxy, PlainHttpUsesOriginFormThroughTheTunnel) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  Socks5Proxy proxy({});
  Config c;
  c.host = server.url();
  c.proxy_url = "socks5://127.0.0.1:" + std::to_string(proxy.port());
  c.logger = std::make_shared<CapturingLogger>();
  auto client = RESTClient::Create(c).value();
  ASSERT_TRUE(client->Get().Namespace("ns").Resource("events").Do().ok());
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/api/v1/namespaces/ns/events");
  EXPECT_EQ(proxy.targets().size(), 1u);
}

}  // namespace
}  // namespace kube::rest
