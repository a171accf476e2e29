#include "kubeevents/tools/localapiserver/internal/transport.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/json.h"
#include "kubeevents/client/rest/internal/request_wire.h"

namespace kube::localapiserver::internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(30);

using RequestParser = http::request_parser<http::string_body>;

void ConfigureParser(RequestParser& parser, std::size_t max_body_bytes) {
  parser.body_limit(max_body_bytes);
  parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
}

}  // namespace

// The status line, header fields and body of `r` in one buffer: one write (one TLS record for
// an event's answer) instead of Beast's serializer, which allocates a node per field and walks
// a chain of buffer views. Same fields as before: Content-Type and Cache-Control unless the
// handler set its own, the handler's fields (the last of a name wins, as with set()),
// `Connection: close` when the connection ends, and Content-Length except where HTTP forbids
// a body (1xx, 204, 304).
std::string SerializeResponse(const Response& r, bool keep_alive) {
  const auto status = static_cast<http::status>(r.status);
  const beast::string_view reason = http::obsolete_reason(status);
  const bool bodiless = (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
  std::string out;
  out.reserve(256 + r.body.size());
  out.append("HTTP/1.1 ").append(std::to_string(r.status)).append(1, ' ');
  out.append(reason.data(), reason.size()).append("\r\n");
  auto field = [&](std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
  };
  auto handler_sets = [&](std::string_view name) {
    return std::any_of(r.headers.begin(), r.headers.end(),
                       [&](const auto& h) { return rest::internal::SameFieldName(h.first, name); });
  };
  if (!handler_sets("Content-Type")) field("Content-Type", r.content_type);
  if (!handler_sets("Cache-Control")) field("Cache-Control", "no-cache, private");
  for (auto h = r.headers.begin(); h != r.headers.end(); ++h) {
    const bool replaced = std::any_of(std::next(h), r.headers.end(), [&](const auto& later) {
      return rest::internal::SameFieldName(later.first, h->first);
    });
    if (!replaced) field(h->first, h->second);
  }
  if (!keep_alive) field("Connection", "close");
  if (!bodiless) field("Content-Length", std::to_string(r.body.size()));
  out.append("\r\n");
  if (!bodiless) out.append(r.body);
  return out;
}

namespace {

// The handler's view of a parsed message (moves the body out).
Request ToRequest(http::request<http::string_body>& req) {
  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.content_type = std::string(req[http::field::content_type]);
  r.accept = std::string(req[http::field::accept]);
  r.authorization = std::string(req[http::field::authorization]);
  r.body = std::move(req.body());
  return r;
}

// Per-connection state shared with the transport (for closing) and with watch notifiers.
// Everything but `pending` is touched only on the connection's strand.
struct Connection {
  explicit Connection(net::any_io_executor ex) : executor(ex), signal(ex) {}
  net::any_io_executor executor;
  net::steady_timer signal;          // woken by watch notifications and Close
  std::atomic<bool> pending{false};  // a notification arrived
  tcp::socket* socket = nullptr;     // the lowest layer while the session runs
  bool closing = false;
  bool faulty = false;

  // Runs on the strand.
  void CloseNow() {
    closing = true;
    signal.cancel();
    if (socket != nullptr && socket->is_open()) {
      boost::system::error_code ec;
      socket->shutdown(tcp::socket::shutdown_both, ec);
      socket->close(ec);
    }
  }
};

Response FaultResponse(int code, int retry_after) {
  auto st = api::errors::NewGeneric(ReasonForCode(code), code,
                                    "injected fault: HTTP " + std::to_string(code));
  if (retry_after > 0) {
    st.has_details = true;
    st.details.retry_after_seconds = retry_after;
  }
  Response r = StatusResponse(st);
  r.status = code;
  if (retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return r;
}

}  // namespace

struct Transport::Impl {
  struct Listener {
    net::ip::address address;
    std::uint16_t port = 0;
    std::shared_ptr<ssl::context> tls;
    bool faulty = false;
    RequestHandler handler;
    std::function<bool(std::string_view)> is_faultable;
    std::shared_ptr<tcp::acceptor> acceptor;  // touched on `strand` only after Start
    net::strand<net::io_context::executor_type> strand;
  };

  explicit Impl(Options o) : options(std::move(o)) {
    const int n = std::max(1, options.threads);
    for (int i = 0; i < n; ++i) iocs.push_back(std::make_unique<net::io_context>(1));
  }

  // The I/O thread of a connection: the next io_context in turn.
  net::io_context& NextContext() {
    return *iocs[next_ioc.fetch_add(1, std::memory_order_relaxed) % iocs.size()];
  }
  bool OnIoThread() const {
    for (const auto& c : iocs) {
      if (c->get_executor().running_in_this_thread()) return true;
    }
    return false;
  }

  Options options;
  // One io_context per I/O thread, each run by its thread alone: a connection lives on one of
  // them, so a request is read, handled and answered on one thread with no cross-thread
  // wake-up (a shared io_context hands completions between its threads). Listeners live on
  // the first.
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::atomic<unsigned> next_ioc{0};
  std::vector<std::shared_ptr<Listener>> listeners;
  std::vector<std::jthread> threads;
  std::mutex mu;
  std::set<std::shared_ptr<Connection>> connections;
  bool started = false;
  bool stopped = false;

  StatusOr<std::shared_ptr<tcp::acceptor>> Open(const std::shared_ptr<Listener>& l) {
    auto acc = std::make_shared<tcp::acceptor>(l->strand);
    boost::system::error_code ec;
    const tcp::endpoint ep(l->address, l->port);
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return UnavailableError("listening on " + l->address.to_string() + ":" +
                              std::to_string(l->port) + ": " + ec.message());
    }
    return acc;
  }

  void Track(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(mu);
    connections.insert(c);
  }
  void Untrack(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(mu);
    connections.erase(c);
  }

  void CloseConnections(bool only_faulty) {
    std::vector<std::shared_ptr<Connection>> all;
    {
      std::lock_guard lock(mu);
      for (const auto& c : connections) {
        if (!only_faulty || c->faulty) all.push_back(c);
      }
    }
    for (auto& c : all) net::post(c->executor, [c] { c->CloseNow(); });
  }

  awaitable<void> AcceptLoop(std::shared_ptr<Listener> l, std::shared_ptr<tcp::acceptor> acc) {
    for (;;) {
      auto strand = net::make_strand(NextContext());
      tcp::socket socket(strand);
      boost::system::error_code ec;
      co_await acc->async_accept(socket, net::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acc->is_open() || ec == net::error::operation_aborted) co_return;
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(strand);
      conn->faulty = l->faulty;
      Track(conn);
      net::co_spawn(strand, RunConnection(this, l, std::move(socket), conn), net::detached);
    }
  }

  static awaitable<void> RunConnection(Impl* self, std::shared_ptr<Listener> l, tcp::socket socket,
                                       std::shared_ptr<Connection> conn) {
    if (l->tls) {
      beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *l->tls);
      conn->socket = &beast::get_lowest_layer(stream).socket();
      if (!conn->closing) {
        boost::system::error_code ec;
        beast::get_lowest_layer(stream).expires_after(kHandshakeTimeout);
        co_await stream.async_handshake(ssl::stream_base::server,
                                        net::redirect_error(use_awaitable, ec));
        beast::get_lowest_layer(stream).expires_never();
        if (!ec) co_await self->Serve(stream, *l, conn);
      }
    } else {
      beast::tcp_stream stream(std::move(socket));
      conn->socket = &stream.socket();
      if (!conn->closing) co_await self->Serve(stream, *l, conn);
    }
    conn->socket = nullptr;
    conn->signal.cancel();
    self->Untrack(conn);
  }

  template <class Stream>
  static awaitable<bool> Write(Stream& stream, Response r, bool keep_alive) {
    const std::string bytes = SerializeResponse(r, keep_alive);
    boost::system::error_code ec;
    co_await net::async_write(stream, net::buffer(bytes), net::redirect_error(use_awaitable, ec));
    co_return !ec;
  }

  // A 201 whose chunked body stops in the middle of the JSON (no last chunk).
  template <class Stream>
  static awaitable<void> WriteTruncated(Stream& stream) {
    http::response<http::empty_body> res{http::status::created, 11};
    res.set(http::field::content_type, "application/json");
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    boost::system::error_code ec;
    co_await http::async_write_header(stream, sr, net::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    static constexpr std::string_view kPartial =
        R"({"kind":"Event","apiVersion":"v1","metadata":{"name":"trunc)";
    co_await net::async_write(stream, http::make_chunk(net::buffer(kPartial)),
                              net::redirect_error(use_awaitable, ec));
  }

  template <class Stream>
  static void Reset(Stream& stream) {
    auto& sock = beast::get_lowest_layer(stream).socket();
    boost::system::error_code ec;
    sock.set_option(net::socket_base::linger(true, 0), ec);
    sock.close(ec);
  }

  template <class Stream>
  awaitable<void> Serve(Stream& stream, Listener& l, std::shared_ptr<Connection> conn) {
    beast::flat_buffer buffer;
    while (!conn->closing) {
      RequestParser parser;
      ConfigureParser(parser, options.max_body_bytes);
      // No per-request deadline: arming a timer per request costs timerfd syscalls on the hot
      // path; idle connections are closed by the client or by Stop().
      boost::system::error_code ec;
      co_await http::async_read(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
      if (ec == http::error::body_limit) {
        auto st = api::errors::NewGeneric(
            api::errors::kReasonRequestEntityTooLarge, 413,
            "Request entity too large: limit is " + std::to_string(options.max_body_bytes));
        Response too_large = StatusResponse(st);
        co_await Write(stream, std::move(too_large), false);
        // Drain what the client is still sending so it can read the answer, then close.
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        std::vector<char> sink(64 * 1024);
        std::size_t drained = 0;
        while (drained < options.max_body_bytes + (1u << 20)) {
          const std::size_t n = co_await stream.async_read_some(
              net::buffer(sink), net::redirect_error(use_awaitable, ec));
          if (ec) break;
          drained += n;
        }
        break;
      }
      if (ec) break;
      auto& req = parser.get();
      const bool keep_alive = req.keep_alive();
      Request r = ToRequest(req);

      if (l.faulty && options.faults && l.is_faultable && l.is_faultable(r.target)) {
        const auto d = options.faults->Next();
        if (d.reset) {
          Reset(stream);
          co_return;
        }
        if (d.stall.count() >= 0) {
          // Held unanswered (Close wakes it), then dropped without processing the request.
          conn->signal.expires_after(d.stall);
          co_await conn->signal.async_wait(net::redirect_error(use_awaitable, ec));
          Reset(stream);
          co_return;
        }
        if (d.garbage_code != 0) {
          Response garbage;
          garbage.status = d.garbage_code;
          garbage.content_type = "text/html";
          garbage.body = "<html><head><title>" + std::to_string(d.garbage_code) +
                         "</title></head><body>injected fault: not a Status</body></html>\n";
          if (!co_await Write(stream, std::move(garbage), keep_alive) || !keep_alive) break;
          continue;
        }
        if (d.truncate) {
          co_await WriteTruncated(stream);
          Reset(stream);
          co_return;
        }
        if (d.latency.count() > 0) {
          net::steady_timer t(co_await net::this_coro::executor);
          t.expires_after(d.latency);
          co_await t.async_wait(net::redirect_error(use_awaitable, ec));
          if (conn->closing) break;
        }
        if (d.fail_code != 0) {
          Response failure = FaultResponse(d.fail_code, d.retry_after_seconds);
          if (!co_await Write(stream, std::move(failure), keep_alive)) break;
          if (!keep_alive) break;
          continue;
        }
      }

      Response resp = l.handler(r);
      if (options.logger) {
        options.logger->Info(
            4, "HTTP",
            {{"verb", r.method}, {"URI", r.target}, {"code", std::to_string(resp.status)}});
      }
      if (resp.watch || !resp.watch_error_frame.empty()) {
        co_await StreamWatch(stream, resp, conn);
        break;
      }
      if (!co_await Write(stream, std::move(resp), keep_alive) || !keep_alive) break;
    }
    if (!conn->closing) {
      boost::system::error_code ec;
      beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  template <class Stream>
  awaitable<void> StreamWatch(Stream& stream, Response& resp, std::shared_ptr<Connection> conn) {
    http::response<http::empty_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-cache, private");
    res.chunked(true);
    res.keep_alive(false);
    http::response_serializer<http::empty_body> sr{res};
    boost::system::error_code ec;
    co_await http::async_write_header(stream, sr, net::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    if (!resp.watch_error_frame.empty()) {
      co_await net::async_write(stream, http::make_chunk(net::buffer(resp.watch_error_frame)),
                                net::redirect_error(use_awaitable, ec));
    } else {
      auto watcher = resp.watch;
      std::weak_ptr<Connection> weak = conn;
      watcher->SetNotify([weak] {
        if (auto c = weak.lock()) {
          if (!c->pending.exchange(true)) net::post(c->executor, [c] { c->signal.cancel(); });
        }
      });
      const auto deadline = resp.watch_timeout.count() > 0
                                ? std::chrono::steady_clock::now() + resp.watch_timeout
                                : std::chrono::steady_clock::time_point::max();
      conn->signal.expires_at(deadline);
      while (!conn->closing) {
        conn->pending.store(false);
        bool closed = false;
        auto changes = watcher->Drain(closed);
        if (!changes.empty()) {
          std::string frames;
          for (const auto& c : changes) {
            frames += resp.watch_encoder ? resp.watch_encoder(c)
                                         : EncodeWatchFrame(c, resp.watch_version);
          }
          co_await net::async_write(stream, http::make_chunk(net::buffer(frames)),
                                    net::redirect_error(use_awaitable, ec));
          if (ec) break;
          continue;
        }
        if (closed && watcher->cut()) {
          conn->CloseNow();  // a dropped connection: no final chunk
          break;
        }
        if (closed || std::chrono::steady_clock::now() >= deadline) break;
        if (conn->pending.load()) continue;
        co_await conn->signal.async_wait(net::redirect_error(use_awaitable, ec));
      }
      watcher->Stop();
    }
    if (!conn->closing) {
      co_await net::async_write(stream, http::make_chunk_last(),
                                net::redirect_error(use_awaitable, ec));
    }
  }
};

Transport::Transport(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Transport::~Transport() { Stop(); }

StatusOr<std::uint16_t> Transport::Listen(const std::string& address, std::uint16_t port,
                                          std::shared_ptr<ssl::context> tls, bool faulty,
                                          RequestHandler handler,
                                          std::function<bool(std::string_view)> is_faultable) {
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec) return InvalidArgumentError("invalid listen address \"" + address + "\"");
  auto l = std::make_shared<Impl::Listener>(
      Impl::Listener{ip, port, std::move(tls), faulty, std::move(handler), std::move(is_faultable),
                     nullptr, net::make_strand(*impl_->iocs.front())});
  auto acc = impl_->Open(l);
  if (!acc) return acc.status();
  l->port = (*acc)->local_endpoint().port();
  l->acceptor = std::move(*acc);
  impl_->listeners.push_back(l);
  return l->port;
}

void Transport::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->started) return;
  impl_->started = true;
  for (const auto& l : impl_->listeners) {
    net::co_spawn(l->strand, impl_->AcceptLoop(l, l->acceptor), net::detached);
  }
  for (const auto& ioc : impl_->iocs) {
    impl_->threads.emplace_back([ioc = ioc.get()] {
      auto guard = net::make_work_guard(*ioc);
      ioc->run();
    });
  }
}

void Transport::StopAccepting() {
  // From an I/O thread (the admin endpoint) we must not block on the listener strand.
  const bool inside = impl_->OnIoThread();
  for (const auto& l : impl_->listeners) {
    if (!l->faulty) continue;
    auto done = std::make_shared<std::promise<void>>();
    net::post(l->strand, [l, done] {
      if (l->acceptor) {
        boost::system::error_code ec;
        l->acceptor->close(ec);
      }
      done->set_value();
    });
    if (!inside && !impl_->threads.empty()) done->get_future().wait();
  }
  impl_->CloseConnections(/*only_faulty=*/true);
  if (impl_->options.faults) impl_->options.faults->SetAccepting(false);
}

Status Transport::ResumeAccepting() {
  for (const auto& l : impl_->listeners) {
    if (!l->faulty) continue;
    auto acc = impl_->Open(l);
    if (!acc) return acc.status();
    net::post(l->strand, [impl = impl_.get(), l, a = std::move(*acc)] {
      l->acceptor = a;
      net::co_spawn(l->strand, impl->AcceptLoop(l, a), net::detached);
    });
  }
  if (impl_->options.faults) impl_->options.faults->SetAccepting(true);
  return {};
}

void Transport::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  if (!impl_->threads.empty()) {
    for (const auto& l : impl_->listeners) {
      net::post(l->strand, [l] {
        boost::system::error_code ec;
        if (l->acceptor) l->acceptor->close(ec);
      });
    }
    impl_->CloseConnections(/*only_faulty=*/false);
    // Give sessions a moment to unwind on their own, then stop the loop.
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(impl_->mu);
        if (impl_->connections.empty()) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  for (const auto& ioc : impl_->iocs) ioc->stop();
  impl_->threads.clear();  // joins
}

ParsedRequests ParseRequests(std::string_view bytes, std::size_t max_body_bytes) {
  ParsedRequests out;
  std::string_view rest = bytes;
  while (!rest.empty()) {
    RequestParser parser;
    ConfigureParser(parser, max_body_bytes);
    parser.eager(true);
    std::size_t used = 0;
    boost::system::error_code ec;
    while (!parser.is_done()) {
      const std::size_t n = parser.put(net::buffer(rest.data() + used, rest.size() - used), ec);
      used += n;
      if (ec == http::error::need_more && n > 0 && used < rest.size()) {
        ec = {};
        continue;
      }
      if (ec || n == 0) break;
    }
    if (!parser.is_done()) {
      if (ec == http::error::body_limit) out.too_large = true;
      out.error = ec && ec != http::error::need_more ? ec.message() : "incomplete request";
      return out;
    }
    out.requests.push_back(ToRequest(parser.get()));
    rest.remove_prefix(used);
    out.consumed += used;
  }
  return out;
}

}  // namespace kube::localapiserver::internal
