// Event creates per second against kube::localapiserver::Server over keep-alive loopback
// connections (plain HTTP and HTTPS), one connection per benchmark thread. The server keeps
// a 5 s TTL so memory stays bounded however long the run.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <sys/resource.h>

#include <benchmark/benchmark.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "kubeevents/tools/localapiserver/server.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using kube::localapiserver::Server;
using kube::localapiserver::ServerOptions;

ServerOptions BenchOptions() {
  ServerOptions o;
  o.http = true;
  o.threads = 2;
  o.event_ttl = std::chrono::seconds(5);
  return o;
}

// The server under test, started once for the whole run.
Server& SharedServer() {
  static Server server(BenchOptions());
  static const bool started = server.Start().ok();
  if (!started) std::abort();
  return server;
}

std::string EventBody(const std::string& prefix, long n) {
  const std::string name = prefix + std::to_string(n);
  return R"({"metadata":{"name":")" + name +
         R"("},"involvedObject":{"kind":"Pod","namespace":"default","name":"web-1","uid":"0b7a6c2e-1f3d-4c55-9d1e-6a2b3c4d5e6f","apiVersion":"v1","resourceVersion":"12345"},"reason":"Started","message":"Started container app","source":{"component":"kubelet","host":"node-1"},"firstTimestamp":"2024-05-01T10:00:00Z","lastTimestamp":"2024-05-01T10:00:00Z","count":1,"type":"Normal","eventTime":null,"reportingComponent":"kubelet","reportingInstance":"node-1"})";
}

// CPU time of the whole process (server and load generator), in microseconds.
double ProcessCpuMicros() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

template <typename Stream>
void CreateLoop(benchmark::State& state, Stream& stream, const std::string& token) {
  beast::flat_buffer buffer;
  long n = 0;
  long failures = 0;
  // Names unique across repetitions of the benchmark (earlier events are still stored).
  const std::string prefix =
      "bench-" + std::to_string(state.thread_index()) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "-";
  http::request<http::string_body> req{http::verb::post, "/api/v1/namespaces/default/events", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + token);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::accept, "application/json");
  req.keep_alive(true);
  const double cpu_start = ProcessCpuMicros();
  for (auto _ : state) {
    req.body() = EventBody(prefix, n++);
    req.prepare_payload();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    if (res.result_int() != 201) ++failures;
  }
  state.SetItemsProcessed(state.iterations());
  // Process CPU (server + client) per create: independent of how busy the machine is.
  // Thread 0's view of the whole process, divided by all threads' requests.
  if (state.thread_index() == 0) {
    state.counters["cpu_us_per_create"] = benchmark::Counter(
        (ProcessCpuMicros() - cpu_start) /
        static_cast<double>(state.iterations() * static_cast<std::int64_t>(state.threads())));
  }
  state.counters["failures"] = benchmark::Counter(static_cast<double>(failures));
}

void BM_CreateEventsHttp(benchmark::State& state) {
  Server& server = SharedServer();
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect({net::ip::make_address("127.0.0.1"), server.http_port()});
  stream.socket().set_option(net::ip::tcp::no_delay(true));
  CreateLoop(state, stream, server.token());
}

void BM_CreateEventsHttps(benchmark::State& state) {
  Server& server = SharedServer();
  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.add_certificate_authority(net::buffer(server.ca_pem()));
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).connect(
      {net::ip::make_address("127.0.0.1"), server.https_port()});
  beast::get_lowest_layer(stream).socket().set_option(net::ip::tcp::no_delay(true));
  stream.handshake(net::ssl::stream_base::client);
  CreateLoop(state, stream, server.token());
}

BENCHMARK(BM_CreateEventsHttp)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_CreateEventsHttps)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace
