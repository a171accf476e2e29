#include "scripted_server.h"

#include <sys/socket.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <list>
#include <thread>

#include "kubeevents/client/rest/internal/tls_warmup.h"

namespace kube::rest::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string RecordedRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, beast::string_view(name.data(), name.size()))) return v;
  }
  return "";
}

std::vector<std::string> RecordedRequest::Headers(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, beast::string_view(name.data(), name.size()))) out.push_back(v);
  }
  return out;
}

struct ScriptedServer::Impl {
  Handler handler;
  std::optional<ServerTLS> tls;
  bool record;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::unique_ptr<ssl::context> ctx;
  std::jthread accept_thread;
  mutable std::mutex mu;
  std::vector<RecordedRequest> requests;
  std::list<std::jthread> conn_threads;
  struct ConnState {
    int fd = -1;
    bool open = true;
  };
  std::list<std::shared_ptr<ConnState>> conn_states;  // guarded by mu

  // Closes the socket (optionally with RST) after marking it closed, so the destructor never
  // shuts down a reused descriptor.
  void Close(ConnState& st, tcp::socket& raw, bool reset) {
    std::lock_guard lock(mu);
    st.open = false;
    beast::error_code ec;
    if (reset) {
      struct linger lg {
        1, 0
      };
      ::setsockopt(raw.native_handle(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    raw.close(ec);
  }
  std::atomic<int> connections{0};
  std::atomic<int> handshake_failures{0};
  std::atomic<long long> served{0};
  std::atomic<bool> stopping{false};
  std::string host;

  template <typename Stream>
  void Serve(Stream& stream, int index, std::string cn, tcp::socket& raw, ConnState& st) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(stream, buffer, req, ec);
      if (ec) return;
      RecordedRequest rec;
      rec.method = std::string(req.method_string());
      rec.target = std::string(req.target());
      for (const auto& f : req) rec.headers.emplace_back(f.name_string(), f.value());
      rec.body = std::move(req.body());
      rec.client_cert_cn = cn;
      rec.connection = index;
      ScriptedResponse resp = handler(rec);
      if (record) {
        std::lock_guard lock(mu);
        requests.push_back(std::move(rec));
      }
      served.fetch_add(1, std::memory_order_relaxed);
      if (resp.delay.count() > 0) std::this_thread::sleep_for(resp.delay);
      if (resp.reset) {
        Close(st, raw, true);
        return;
      }
      http::response<http::string_body> res{static_cast<http::status>(resp.status), 11};
      res.set(http::field::server, "scripted");
      if (!resp.content_type.empty()) res.set(http::field::content_type, resp.content_type);
      for (const auto& [k, v] : resp.headers) res.insert(k, v);
      res.body() = std::move(resp.body);
      res.keep_alive(req.keep_alive() && !resp.close);
      res.prepare_payload();
      http::write(stream, res, ec);
      if (ec || resp.close || !req.keep_alive()) return;
    }
  }

  void Handle(tcp::socket socket, int index, std::shared_ptr<ConnState> st) {
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (!ctx) {
      Serve(socket, index, "", socket, *st);
      if (socket.is_open()) socket.shutdown(tcp::socket::shutdown_both, ec);
      Close(*st, socket, false);
      return;
    }
    beast::ssl_stream<tcp::socket&> stream(socket, *ctx);
    stream.handshake(ssl::stream_base::server, ec);
    if (ec) {
      handshake_failures.fetch_add(1);
      Close(*st, socket, false);
      return;
    }
    std::string cn;
    if (X509* peer = SSL_get1_peer_certificate(stream.native_handle())) {
      char buf[256] = {0};
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof buf);
      cn = buf;
      X509_free(peer);
    }
    Serve(stream, index, cn, socket, *st);
    if (socket.is_open()) stream.shutdown(ec);
    Close(*st, socket, false);
  }
};

ScriptedServer::ScriptedServer(Handler handler, std::optional<ServerTLS> tls,
                               std::string bind_address, bool record)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->tls = std::move(tls);
  impl_->record = record;
  impl_->host = bind_address;
  if (impl_->tls) {
    impl_->ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    auto& c = *impl_->ctx;
    c.use_certificate_chain(asio::buffer(impl_->tls->certificate_pem));
    c.use_private_key(asio::buffer(impl_->tls->private_key_pem), ssl::context::pem);
    if (!impl_->tls->client_ca_pem.empty()) {
      c.add_certificate_authority(asio::buffer(impl_->tls->client_ca_pem));
      c.set_verify_mode(ssl::verify_peer |
                        (impl_->tls->require_client_cert ? ssl::verify_fail_if_no_peer_cert : 0));
    }
    // Each connection is served on its own thread, all with this context.
    kube::rest::internal::WarmCertificateCaches(c.native_handle());
  }
  tcp::endpoint ep(asio::ip::make_address(bind_address), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->accept_thread = std::jthread([impl = impl_.get()] {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket(impl->ioc);
      impl->acceptor.accept(socket, ec);
      if (ec || impl->stopping) return;
      const int index = ++impl->connections;
      std::lock_guard lock(impl->mu);
      auto st = std::make_shared<Impl::ConnState>();
      st->fd = socket.native_handle();
      impl->conn_states.push_back(st);
      impl->conn_threads.emplace_back([impl, index, st, s = std::move(socket)]() mutable {
        impl->Handle(std::move(s), index, st);
      });
    }
  });
}

ScriptedServer::~ScriptedServer() {
  impl_->stopping = true;
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->accept_thread.join();
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& st : impl_->conn_states) {
      if (st->open) ::shutdown(st->fd, SHUT_RDWR);
    }
  }
  std::list<std::jthread> threads;
  {
    std::lock_guard lock(impl_->mu);
    threads.swap(impl_->conn_threads);
  }
  threads.clear();  // joins
}

int ScriptedServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string ScriptedServer::url() const {
  std::string host =
      impl_->host.find(':') != std::string::npos ? "[" + impl_->host + "]" : impl_->host;
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port());
}

std::vector<RecordedRequest> ScriptedServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

int ScriptedServer::connections() const { return impl_->connections.load(); }
int ScriptedServer::handshake_failures() const { return impl_->handshake_failures.load(); }
long long ScriptedServer::requests_served() const { return impl_->served.load(); }

}  // namespace kube::rest::testing
