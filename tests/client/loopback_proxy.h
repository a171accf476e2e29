// Test helper: the plumbing shared by the loopback proxies of the proxy tests (HTTP CONNECT,
// SOCKS5): accept on 127.0.0.1, serve each connection on its own thread, pipe bytes once the
// handshake is done, and shut everything down when destroyed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace kube::rest::testing {

class LoopbackProxy {
 public:
  /// Runs `serve` on a thread of its own for every accepted connection.
  explicit LoopbackProxy(std::function<void(boost::asio::ip::tcp::socket&)> serve);
  /// Stops accepting, shuts every connection down and joins every thread.
  ~LoopbackProxy();
  LoopbackProxy(const LoopbackProxy&) = delete;
  LoopbackProxy& operator=(const LoopbackProxy&) = delete;

  int port() const;

 private:
  std::function<void(boost::asio::ip::tcp::socket&)> serve_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::list<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::list<std::jthread> workers_;
  std::jthread thread_;
};

/// Copies bytes both ways between `client` and `upstream` until either side closes.
void Pipe(boost::asio::ip::tcp::socket& client, boost::asio::ip::tcp::socket& upstream);

}  // namespace kube::rest::testing
