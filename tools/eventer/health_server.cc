#include "kubeevents/tools/eventer/health_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace kube::eventer {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HealthServer::Impl {
  std::string address;
  ReadyFn ready;
  MetricsFn metrics;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;
  std::jthread thread;

  void Accept() {
    acceptor.async_accept([self = this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      auto stream = std::make_shared<beast::tcp_stream>(std::move(s));
      self->Read(stream, std::make_shared<beast::flat_buffer>());
      self->Accept();
    });
  }

  void Read(std::shared_ptr<beast::tcp_stream> stream, std::shared_ptr<beast::flat_buffer> buf) {
    auto req = std::make_shared<http::request<http::string_body>>();
    stream->expires_after(std::chrono::seconds(30));
    http::async_read(*stream, *buf, *req,
                     [self = this, stream, buf, req](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       self->Respond(stream, buf, *req);
                     });
  }

  void Respond(std::shared_ptr<beast::tcp_stream> stream, std::shared_ptr<beast::flat_buffer> buf,
               const http::request<http::string_body>& req) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(req.version());
    res->keep_alive(req.keep_alive());
    res->set(http::field::content_type, "text/plain; charset=utf-8");
    std::string target(req.target());
    if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res->result(http::status::method_not_allowed);
      res->body() = "only GET\n";
    } else if (target == "/healthz" || target == "/livez") {
      res->result(http::status::ok);
      res->body() = "ok\n";
    } else if (target == "/readyz") {
      auto [ok, text] = ready();
      res->result(ok ? http::status::ok : http::status::service_unavailable);
      res->body() = text + "\n";
    } else if (target == "/metrics") {
      res->result(http::status::ok);
      res->set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res->body() = metrics();
    } else {
      res->result(http::status::not_found);
      res->body() = "not found (try /healthz, /readyz, /metrics)\n";
    }
    if (req.method() == http::verb::head) res->body().clear();
    res->prepare_payload();
    http::async_write(*stream, *res,
                      [self = this, stream, buf, res](beast::error_code ec, std::size_t) {
                        if (ec || !res->keep_alive()) {
                          beast::error_code ignored;
                          stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
                          return;
                        }
                        self->Read(stream, buf);
                      });
  }
};

HealthServer::HealthServer(std::string address, ReadyFn ready, MetricsFn metrics)
    : impl_(std::make_shared<Impl>()) {
  impl_->address = std::move(address);
  impl_->ready = std::move(ready);
  impl_->metrics = std::move(metrics);
}

HealthServer::~HealthServer() { Stop(); }

Status HealthServer::Start() {
  Impl& im = *impl_;
  const std::size_t colon = im.address.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("metrics.address \"" + im.address + "\": expected host:port");
  }
  std::string host = im.address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  int port = -1;
  try {
    port = std::stoi(im.address.substr(colon + 1));
  } catch (...) {
  }
  if (ec || port < 0 || port > 65535) {
    return InvalidArgumentError("metrics.address \"" + im.address + "\": expected IP:port");
  }
  tcp::endpoint ep(addr, static_cast<std::uint16_t>(port));
  im.acceptor.open(ep.protocol(), ec);
  if (!ec) im.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor.bind(ep, ec);
  if (!ec) im.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("cannot listen on " + im.address + ": " + ec.message());
  im.port = im.acceptor.local_endpoint().port();
  im.Accept();
  im.thread = std::jthread([impl = impl_.get()] { impl->io.run(); });
  return Status();
}

void HealthServer::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t HealthServer::port() const { return impl_->port; }

}  // namespace kube::eventer
