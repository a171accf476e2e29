// POST throughput of kube::rest::RESTClient over HTTP/1.1 keep-alive to a loopback server,
// with 1 and 4 requests in flight, over HTTPS (TLS 1.3, ECDSA P-256) and plain HTTP.
//
// BM_ServerCeiling_* measure the same server driven by the thinnest possible client (Beast
// synchronous calls on pre-built requests, one thread per connection): the most any client can
// get out of that server on this machine.
#include <benchmark/benchmark.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/json.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/localapiserver/certificates.h"
#include "scripted_server.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using kube::rest::testing::RecordedRequest;
using kube::rest::testing::ScriptedResponse;
using kube::rest::testing::ScriptedServer;
using kube::rest::testing::ServerTLS;

const std::string kResponse =
    R"({"kind":"Event","apiVersion":"v1","metadata":{"name":"web-0.17a","namespace":"default","uid":"6c7f3a1e-1111-2222-3333-444455556666","resourceVersion":"4242","creationTimestamp":"2024-05-01T10:00:03Z"},"involvedObject":{"kind":"Pod","namespace":"default","name":"web-0","uid":"0b1c2d3e","apiVersion":"v1","resourceVersion":"100"},"reason":"Scaled","message":"Scaled web to 3 replicas","source":{"component":"my-controller","host":"node-1"},"firstTimestamp":"2024-05-01T10:00:03Z","lastTimestamp":"2024-05-01T10:00:03Z","count":1,"type":"Normal","eventTime":null,"reportingComponent":"my-controller","reportingInstance":"node-1"})";

kube::api::core::v1::Event SampleEvent() {
  kube::api::core::v1::Event e;
  e.metadata.name = "web-0.17a";
  e.metadata.namespace_ = "default";
  e.involved_object.kind = "Pod";
  e.involved_object.namespace_ = "default";
  e.involved_object.name = "web-0";
  e.involved_object.uid = "0b1c2d3e";
  e.involved_object.api_version = "v1";
  e.reason = "Scaled";
  e.message = "Scaled web to 3 replicas";
  e.source.component = "my-controller";
  e.source.host = "node-1";
  e.count = 1;
  e.type = "Normal";
  e.reporting_controller = "my-controller";
  e.reporting_instance = "node-1";
  return e;
}

struct Pki {
  kube::localapiserver::KeyPair ca, server;
  Pki() {
    ca = kube::localapiserver::GenerateCA("bench-ca").value();
    kube::localapiserver::CertificateOptions opts;
    opts.common_name = "apiserver";
    opts.ip_addresses = {"127.0.0.1"};
    server = kube::localapiserver::IssueCertificate(ca, opts).value();
  }
};

const Pki& GetPki() {
  static const Pki pki;
  return pki;
}

ScriptedServer::Handler Created() {
  return [](const RecordedRequest&) { return ScriptedResponse{.status = 201, .body = kResponse}; };
}

std::unique_ptr<ScriptedServer> MakeServer(bool https) {
  std::optional<ServerTLS> tls;
  if (https) tls = ServerTLS{GetPki().server.certificate_pem, GetPki().server.private_key_pem};
  return std::make_unique<ScriptedServer>(Created(), tls, "127.0.0.1", /*record=*/false);
}

void RunClient(benchmark::State& state, bool https) {
  const int inflight = static_cast<int>(state.range(0));
  auto server = MakeServer(https);
  kube::rest::Config config;
  config.host = server->url();
  config.tls.ca_data = GetPki().ca.certificate_pem;
  config.qps = -1;  // measure the transport, not the default 5 QPS limiter
  config.logger = std::make_shared<kube::NullLogger>();
  auto client = kube::rest::RESTClient::Create(config).value();
  const std::string body = kube::api::ToJson(SampleEvent());
  // Warm up: open the connections.
  for (int i = 0; i < inflight; ++i) {
    client->Post().Namespace("default").Resource("events").Body(body).Do();
  }
  std::atomic<long long> errors{0};
  long long total = 0;
  for (auto _ : state) {
    constexpr int kBatch = 2000;
    std::atomic<int> started{0}, finished{0};
    std::promise<void> all;
    std::function<void()> launch = [&] {
      if (started.fetch_add(1) >= kBatch) return;
      client->Post().Namespace("default").Resource("events").Body(body).DoAsync(
          [&](kube::rest::Result r) {
            if (!r.ok() ||
                r.Into<kube::api::core::v1::Event>().status().code() != kube::StatusCode::kOk) {
              ++errors;
            }
            if (finished.fetch_add(1) + 1 == kBatch) {
              all.set_value();
              return;
            }
            launch();
          });
    };
    for (int i = 0; i < inflight; ++i) launch();
    all.get_future().wait();
    total += kBatch;
  }
  state.SetItemsProcessed(total);
  state.counters["errors"] = static_cast<double>(errors.load());
  state.counters["connections"] = server->connections();
}

void BM_ClientPostHTTPS(benchmark::State& state) { RunClient(state, true); }
void BM_ClientPostHTTP(benchmark::State& state) { RunClient(state, false); }

// The server's ceiling: N threads, each a connection sending pre-built requests synchronously.
template <bool kHttps>
void BM_ServerCeiling(benchmark::State& state) {
  const int conns = static_cast<int>(state.range(0));
  auto server = MakeServer(kHttps);
  http::request<http::string_body> req{http::verb::post, "/api/v1/namespaces/default/events", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  req.body() = kube::api::ToJson(SampleEvent());
  req.prepare_payload();
  long long total = 0;
  for (auto _ : state) {
    constexpr int kPerConn = 2000;
    std::vector<std::thread> threads;
    for (int t = 0; t < conns; ++t) {
      threads.emplace_back([&] {
        asio::io_context ioc;
        asio::ip::tcp::socket sock(ioc);
        sock.connect(
            {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server->port())});
        sock.set_option(asio::ip::tcp::no_delay(true));
        beast::flat_buffer buf;
        if constexpr (kHttps) {
          ssl::context ctx(ssl::context::tls_client);
          ctx.add_certificate_authority(asio::buffer(GetPki().ca.certificate_pem));
          ctx.set_verify_mode(ssl::verify_peer);
          beast::ssl_stream<asio::ip::tcp::socket&> s(sock, ctx);
          s.handshake(ssl::stream_base::client);
          for (int i = 0; i < kPerConn; ++i) {
            http::write(s, req);
            http::response<http::string_body> res;
            http::read(s, buf, res);
          }
        } else {
          for (int i = 0; i < kPerConn; ++i) {
            http::write(sock, req);
            http::response<http::string_body> res;
            http::read(sock, buf, res);
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    total += static_cast<long long>(kPerConn) * conns;
  }
  state.SetItemsProcessed(total);
}

BENCHMARK(BM_ClientPostHTTPS)
    ->ArgName("inflight")
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ServerCeiling<true>)
    ->Name("BM_ServerCeilingHTTPS")
    ->ArgName("conns")
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClientPostHTTP)
    ->ArgName("inflight")
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ServerCeiling<false>)
    ->Name("BM_ServerCeilingHTTP")
    ->ArgName("conns")
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
