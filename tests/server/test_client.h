// A raw Boost.Beast HTTP(S) client for the server tests: one keep-alive connection, synchronous.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace kube::localapiserver::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string error;  ///< transport error, empty on success
};

class TestClient {
 public:
  /// Connects to 127.0.0.1:port; with `ca_pem` non-empty speaks TLS and verifies the server
  /// certificate (hostname 127.0.0.1) against that CA.
  TestClient(std::uint16_t port, std::string ca_pem, std::string token = "")
      : port_(port), ca_pem_(std::move(ca_pem)), token_(std::move(token)) {}

  HttpResult Do(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& content_type = "application/json",
                const std::string& accept = "application/json") {
    namespace http = boost::beast::http;
    HttpResult out;
    boost::system::error_code ec;
    if (!connected_) {
      Connect(ec);
      if (ec) {
        out.error = "connect: " + ec.message();
        return out;
      }
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.set(http::field::content_type, content_type);
    }
    if (!accept.empty()) req.set(http::field::accept, accept);
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (tls_) {
      http::write(*tls_, req, ec);
      if (!ec) http::read(*tls_, buffer_, parser, ec);
    } else {
      http::write(*plain_, req, ec);
      if (!ec) http::read(*plain_, buffer_, parser, ec);
    }
    if (ec) {
      out.error = ec.message();
      connected_ = false;
      return out;
    }
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
    if (!res.keep_alive()) connected_ = false;
    return out;
  }

  /// Sends the request head and reads the watch stream until `until(body_so_far)` is true or
  /// the stream ends / `timeout` passes. Returns what was read (the chunk payloads).
  template <typename Pred>
  std::string Watch(const std::string& target, Pred until,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    namespace http = boost::beast::http;
    boost::system::error_code ec;
    Connect(ec);
    if (ec) return "connect: " + ec.message();
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    std::string got;
    http::response_parser<http::buffer_body> parser;
    char buf[8192];
    auto& lowest = tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_;
    lowest.expires_after(timeout);
    auto read_some = [&](auto& stream) {
      http::write(stream, req, ec);
      if (ec) return;
      http::read_header(stream, buffer_, parser, ec);
      if (ec) return;
      status_ = static_cast<int>(parser.get().result_int());
      while (!parser.is_done() && !until(got)) {
        parser.get().body().data = buf;
        parser.get().body().size = sizeof buf;
        http::read_some(stream, buffer_, parser, ec);
        if (ec == http::error::need_buffer) ec = {};
        if (ec) return;
        got.append(buf, sizeof buf - parser.get().body().size);
      }
    };
    if (tls_) {
      read_some(*tls_);
    } else {
      read_some(*plain_);
    }
    connected_ = false;
    return got;
  }
  int last_watch_status() const { return status_; }

  /// A fresh TCP connection without sending anything (for accept tests).
  bool CanConnect() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    return !ec;
  }

 private:
  void Connect(boost::system::error_code& ec) {
    namespace net = boost::asio;
    plain_.reset();
    tls_.reset();
    buffer_.clear();
    net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port_);
    if (ca_pem_.empty()) {
      plain_.emplace(ioc_);
      plain_->expires_after(std::chrono::seconds(30));
      plain_->connect(ep, ec);
    } else {
      ssl_.emplace(net::ssl::context::tls_client);
      ssl_->add_certificate_authority(net::buffer(ca_pem_), ec);
      if (ec) return;
      ssl_->set_verify_mode(net::ssl::verify_peer);
      tls_.emplace(ioc_, *ssl_);
      tls_->set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
      boost::beast::get_lowest_layer(*tls_).expires_after(std::chrono::seconds(30));
      boost::beast::get_lowest_layer(*tls_).connect(ep, ec);
      if (!ec) tls_->handshake(net::ssl::stream_base::client, ec);
    }
    connected_ = !ec;
  }

  std::uint16_t port_;
  std::string ca_pem_;
  std::string token_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::ssl::context> ssl_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
  int status_ = 0;
};

}  // namespace kube::localapiserver::testing
