#include "loopback_proxy.h"

#include <sys/socket.h>

#include <boost/asio/write.hpp>

namespace kube::rest::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

LoopbackProxy::LoopbackProxy(std::function<void(tcp::socket&)> serve)
    : serve_(std::move(serve)),
      acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  thread_ = std::jthread([this] {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket client(ioc_);
      acceptor_.accept(client, ec);
      if (ec || stopping_) return;
      std::lock_guard lock(mu_);
      auto socket = std::make_shared<tcp::socket>(std::move(client));
      sockets_.push_back(socket);
      workers_.emplace_back([this, socket] { serve_(*socket); });
    }
  });
}

LoopbackProxy::~LoopbackProxy() {
  stopping_ = true;
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
  thread_.join();
  std::list<std::jthread> workers;
  {
    std::lock_guard lock(mu_);
    for (auto& s : sockets_) ::shutdown(s->native_handle(), SHUT_RDWR);
    workers.swap(workers_);
  }
  workers.clear();  // joins, without holding mu_ (a worker may still take a lock of its own)
}

int LoopbackProxy::port() const { return acceptor_.local_endpoint().port(); }

void Pipe(tcp::socket& client, tcp::socket& upstream) {
  std::jthread up([&] {
    char data[16384];
    boost::system::error_code e;
    for (;;) {
      std::size_t n = upstream.read_some(asio::buffer(data), e);
      if (e) break;
      asio::write(client, asio::buffer(data, n), e);
      if (e) break;
    }
    ::shutdown(client.native_handle(), SHUT_RDWR);
  });
  char data[16384];
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = client.read_some(asio::buffer(data), ec);
    if (ec) break;
    asio::write(upstream, asio::buffer(data, n), ec);
    if (ec) break;
  }
  ::shutdown(upstream.native_handle(), SHUT_RDWR);
}

}  // namespace kube::rest::testing
