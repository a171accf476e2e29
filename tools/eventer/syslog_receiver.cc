#include "kubeevents/tools/eventer/syslog_receiver.h"

#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <utility>

#include "kubeevents/api/meta/v1/time.h"

namespace kube::eventer {

namespace asio = boost::asio;

namespace {

int FacilityCode(const std::string& f) {
  static const std::map<std::string, int> kCodes{
      {"kern", 0},      {"user", 1},    {"mail", 2},    {"daemon", 3},  {"auth", 4},
      {"syslog", 5},    {"lpr", 6},     {"news", 7},    {"uucp", 8},    {"cron", 9},
      {"authpriv", 10}, {"ftp", 11},    {"local0", 16}, {"local1", 17}, {"local2", 18},
      {"local3", 19},   {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23}};
  auto it = kCodes.find(f);
  return it == kCodes.end() ? 16 : it->second;
}

// PRINTUSASCII without spaces, at most `max` characters; "-" when empty.
std::string Token(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    if (c > 32 && c < 127) out += c;
  }
  return out.empty() ? "-" : out;
}

void AppendParam(std::string& out, const char* name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

struct SyslogReceiver::Impl {
  SyslogReceiverConfig config;
  Template layout;
  std::shared_ptr<Logger> logger;
  int facility = 16;
  std::string hostname;
  std::string procid;
  asio::io_context io;
  std::optional<asio::ip::udp::socket> udp;
  asio::ip::udp::endpoint udp_peer;
  std::optional<asio::ip::tcp::socket> tcp;
  std::string host, port;
};

namespace {

// Runs the one asynchronous operation `start` begins on `socket` for at most `limit`. Past it
// the socket is closed (which completes the operation with operation_aborted) and the result
// is timed_out.
template <class Start>
boost::system::error_code RunFor(asio::io_context& io, asio::ip::tcp::socket& socket,
                                 std::chrono::milliseconds limit, Start start) {
  bool done = false;
  boost::system::error_code result;
  start([&](boost::system::error_code ec, const auto&...) {
    done = true;
    result = ec;
  });
  io.restart();
  io.run_for(limit);
  if (done) return result;
  boost::system::error_code ignored;
  socket.close(ignored);
  io.restart();
  io.run();  // the aborted handler
  return asio::error::timed_out;
}

}  // namespace

SyslogReceiver::SyslogReceiver() : impl_(std::make_unique<Impl>()) {}
SyslogReceiver::~SyslogReceiver() = default;

StatusOr<std::unique_ptr<SyslogReceiver>> SyslogReceiver::Create(SyslogReceiverConfig config,
                                                                 Template layout,
                                                                 std::shared_ptr<Logger> logger) {
  std::unique_ptr<SyslogReceiver> r(new SyslogReceiver());
  Impl& im = *r->impl_;
  const std::size_t colon = config.address.rfind(':');
  if (colon == std::string::npos) return InvalidArgumentError("syslog address must be host:port");
  im.host = config.address.substr(0, colon);
  if (im.host.size() > 2 && im.host.front() == '[') im.host = im.host.substr(1, im.host.size() - 2);
  im.port = config.address.substr(colon + 1);
  im.facility = FacilityCode(config.facility);
  im.hostname = config.hostname;
  if (im.hostname.empty()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) im.hostname = buf;
  }
  im.hostname = Token(im.hostname, 255);
  im.procid = std::to_string(::getpid());
  im.config = std::move(config);
  im.layout = std::move(layout);
  im.logger = std::move(logger);
  return r;
}

std::string SyslogReceiver::Format(const ExportedEvent& e) const {
  const auto& ev = e.event;
  const int severity = ev.type == "Warning" ? 4 : 6;
  std::string out = "<" + std::to_string(impl_->facility * 8 + severity) + ">1 ";
  api::meta::v1::TimePoint t;
  if (!ev.last_timestamp.IsZero()) {
    t = ev.last_timestamp.time();
  } else if (!ev.event_time.IsZero()) {
    t = ev.event_time.time();
  } else {
    t = std::chrono::system_clock::now();
  }
  api::meta::v1::AppendRFC3339(out, t, 6);
  out += ' ';
  out += impl_->hostname;
  out += ' ';
  out += Token(impl_->config.app_name, 48);
  out += ' ';
  out += impl_->procid;
  out += ' ';
  out += Token(ev.reason, 32);
  out += " [kube@32473";
  AppendParam(out, "namespace", ev.metadata.namespace_);
  AppendParam(out, "name", ev.metadata.name);
  AppendParam(out, "uid", ev.metadata.uid);
  AppendParam(out, "resourceVersion", ev.metadata.resource_version);
  AppendParam(out, "kind", ev.involved_object.kind);
  AppendParam(out, "object", ev.involved_object.name);
  AppendParam(out, "type", ev.type);
  AppendParam(out, "count", std::to_string(ev.count));
  AppendParam(out, "change", ChangeTypeName(e.change));
  out += "] ";
  impl_->layout.Render(e, out);
  // One line per message: a newline inside the text would split it at the collector.
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

SendResult SyslogReceiver::Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) {
  Impl& im = *impl_;
  SendResult result;
  boost::system::error_code ec;
  if (im.config.network == "udp") {
    if (!im.udp) {
      asio::ip::udp::resolver resolver(im.io);
      auto eps = resolver.resolve(im.host, im.port, ec);
      if (ec || eps.empty()) {
        result.error =
            UnavailableError("syslog: resolve " + im.config.address + ": " + ec.message());
        return result;
      }
      im.udp_peer = *eps.begin();
      im.udp.emplace(im.io);
      im.udp->open(im.udp_peer.protocol(), ec);
      if (ec) {
        im.udp.reset();
        result.error = UnavailableError("syslog: udp socket: " + ec.message());
        return result;
      }
    }
    for (const auto& e : batch) {
      const std::string msg = Format(*e);
      im.udp->send_to(asio::buffer(msg), im.udp_peer, 0, ec);
      if (ec) {
        result.error =
            UnavailableError("syslog: send to " + im.config.address + ": " + ec.message());
        im.udp.reset();
        return result;
      }
      ++result.written;
    }
    return result;
  }
  if (!im.tcp) {
    asio::ip::tcp::resolver resolver(im.io);
    auto eps = resolver.resolve(im.host, im.port, ec);
    if (!ec) {
      im.tcp.emplace(im.io);
      ec = RunFor(im.io, *im.tcp, im.config.timeout,
                  [&](auto handler) { asio::async_connect(*im.tcp, eps, handler); });
    }
    if (ec) {
      im.tcp.reset();
      result.error = UnavailableError("syslog: connect " + im.config.address + ": " + ec.message());
      return result;
    }
  }
  std::string frames;
  for (const auto& e : batch) {
    const std::string msg = Format(*e);
    frames += std::to_string(msg.size());
    frames += ' ';
    frames += msg;
  }
  ec = RunFor(im.io, *im.tcp, im.config.timeout,
              [&](auto handler) { asio::async_write(*im.tcp, asio::buffer(frames), handler); });
  if (ec) {
    im.tcp.reset();
    result.error = UnavailableError("syslog: write to " + im.config.address + ": " + ec.message());
    return result;
  }
  result.written = batch.size();
  return result;
}

}  // namespace kube::eventer
