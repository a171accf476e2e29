// proxy-url: absolute-form requests for http servers and HTTP CONNECT tunnels for https
// servers, through a real loopback proxy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <mutex>

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

// A minimal HTTP CONNECT proxy: records each CONNECT line and Proxy-Authorization, then pipes
// bytes both ways.
class ConnectProxy {
 public:
  std::string url() const { return "http://user:pass@127.0.0.1:" + std::to_string(proxy_.port()); }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve(tcp::socket& client) {
    boost::system::error_code ec;
    asio::streambuf buf;
    asio::read_until(client, buf, "\r\n\r\n", ec);
    if (ec) return;
    std::string head(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
    const auto end = head.find("\r\n\r\n") + 4;
    buf.consume(end);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(head.substr(0, end));
    }
    std::string target = head.substr(8, head.find(' ', 8) - 8);  // "CONNECT host:port HTTP/1.1"
    auto colon = target.rfind(':');
    tcp::socket upstream(client.get_executor());
    tcp::resolver resolver(client.get_executor());
    asio::connect(upstream, resolver.resolve(target.substr(0, colon), target.substr(colon + 1)),
                  ec);
    if (ec) {
      asio::write(client, asio::buffer(std::string("HTTP/1.1 502 Bad Gateway\r\n\r\n")), ec);
      return;
    }
    asio::write(client, asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")),
                ec);
    testing::Pipe(client, upstream);
  }

  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  testing::LoopbackProxy proxy_{
      [this](tcp::socket& client) { Serve(client); }};  // last: stops first
};

TEST(Proxy, HttpsThroughConnectTunnel) {
  auto ca = localapiserver::GenerateCA("proxy-test-ca").value();
  localapiserver::CertificateOptions o;
  o.common_name = "apiserver";
  o.ip_addresses = {"127.0.0.1"};
  auto cert = localapiserver::IssueCertificate(ca, o).value();
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; },
                        ServerTLS{cert.certificate_pem, cert.private_key_pem});
  ConnectProxy proxy;
  Config c;
  c.host = server.url();
  c.tls.ca_data = ca.certificate_pem;
  c.proxy_url = proxy.url();
  c.bearer_token = "t";
  c.logger = std::make_shared<CapturingLogger>();
  auto client = RESTClient::Create(c).value();
  Result r = client->Get().AbsPath("/api").Do();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(client->Get().AbsPath("/api").Do().ok());  // kept alive through the tunnel
  auto reqs = proxy.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_THAT(reqs[0],
              HasSubstr("CONNECT 127.0.0.1:" + std::to_string(server.port()) + " HTTP/1.1\r\n"));
  EXPECT_THAT(reqs[0], HasSubstr("Proxy-Authorization: Basic dXNlcjpwYXNz"));
  EXPECT_THAT(reqs[0], ::testing::Not(HasSubstr("Bearer")));  // the token stays in the tunnel
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0].Header("Authorization"), "Bearer t");
}

TEST(Proxy, HttpServerThroughProxyUsesAbsoluteForm) {
  // The "proxy" is a scripted server: it sees the absolute-form request line.
  ScriptedServer proxy([](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; });
  Config c;
  c.host = "http://apiserver.internal:8080";
  c.proxy_url = proxy.url();
  c.logger = std::make_shared<CapturingLogger>();
  auto client = RESTClient::Create(c).value();
  ASSERT_TRUE(client->Get().Namespace("ns").Resource("events").Do().ok());
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(proxy.requests()[0].target,
            "http://apiserver.internal:8080/api/v1/namespaces/ns/events");
  EXPECT_EQ(proxy.requests()[0].Header("Host"), "apiserver.internal:8080");
}

TEST(Proxy, RefusedConnectIsATransportError) {
  ConnectProxy proxy;
  Config c;
  c.host = "https://127.0.0.1:1";  // nothing listens: the proxy answers 502
  c.tls.insecure = true;
  c.proxy_url = proxy.url();
  c.logger = std::make_shared<CapturingLogger>();
  auto client = RESTClient::Create(c).value();
  Status s = client->Get().AbsPath("/api").Do().status();
  EXPECT_EQ(s.origin(), ErrorOrigin::kTransport);
  EXPECT_THAT(s.message(), HasSubstr("proxy refused CONNECT: 502"));
}

}  // namespace
}  // namespace kube::rest
