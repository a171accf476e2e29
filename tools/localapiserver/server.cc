#include "kubeevents/tools/localapiserver/server.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include "kubeevents/api/common/random.h"
#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/json.h"
#include "kubeevents/client/rest/internal/tls_warmup.h"
#include "kubeevents/tools/localapiserver/certificates.h"
#include "kubeevents/tools/localapiserver/internal/handler.h"
#include "kubeevents/tools/localapiserver/internal/store.h"
#include "kubeevents/tools/localapiserver/internal/transport.h"

namespace kube::localapiserver {

namespace fs = std::filesystem;
namespace ssl = boost::asio::ssl;
using internal::Request;
using internal::Response;

namespace {

std::string RandomToken() {
  unsigned char b[16];
  FillRandomBytes(b);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

StatusOr<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status WriteFile(const fs::path& p, std::string_view data, bool secret) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out) return UnavailableError("cannot write " + p.string());
  out << data;
  out.close();
  if (!out) return UnavailableError("cannot write " + p.string());
  if (secret) ::chmod(p.c_str(), 0600);
  return {};
}

Response JsonResponse(int code, std::string body) {
  Response r;
  r.status = code;
  r.body = std::move(body);
  return r;
}

int ParseInt(std::string_view s, int fallback) {
  int v = fallback;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string QueryParam(std::string_view target, std::string_view key) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto part = rest.substr(0, amp);
    const auto eq = part.find('=');
    if (part.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string() : std::string(part.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {};
}

// Refuses a non-loopback bind address unless explicitly allowed.
Status CheckBindAddress(const std::string& address, bool allow_non_loopback) {
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(address, ec);
  if (ec) return InvalidArgumentError("bind_address: \"" + address + "\" is not an IP address");
  if (!ip.is_loopback() && !allow_non_loopback) {
    return InvalidArgumentError(
        "bind_address: " + address +
        " is not a loopback address; the local API server is for tests and demos and refuses "
        "to be reachable from the network unless allow_non_loopback (--allow-non-loopback) is "
        "set");
  }
  return {};
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerOptions o) : options(std::move(o)) {
    if (!options.clock) options.clock = MakeRealClock();
    if (options.token.empty()) options.token = RandomToken();
    faults = std::make_shared<FaultInjector>();
    if (options.fail_next > 0) {
      faults->FailNext(options.fail_next, options.fail_code, options.fail_retry_after);
    }
    if (options.latency.count() > 0) faults->SetLatency(options.latency);
    if (options.reset_next > 0) faults->ResetNext(options.reset_next);
  }

  Status LoadOrGenerateCertificates() {
    const std::string& dir = options.cert_dir;
    if (!dir.empty()) {
      const fs::path d(dir);
      auto ca_crt = ReadFile(d / "ca.crt");
      auto ca_key = ReadFile(d / "ca.key");
      auto crt = ReadFile(d / "server.crt");
      auto key = ReadFile(d / "server.key");
      if (ca_crt && ca_key && crt && key) {
        ca = {*ca_crt, *ca_key};
        server_cert = {*crt, *key};
        return {};
      }
    }
    auto generated_ca = GenerateCA("kube-local-apiserver-ca");
    if (!generated_ca) return generated_ca.status();
    CertificateOptions co;
    co.common_name = "kube-local-apiserver";
    co.dns_names = {"localhost"};
    co.ip_addresses = {"127.0.0.1"};
    if (ClientHost() != "127.0.0.1") co.ip_addresses.push_back(options.bind_address);
    co.server_auth = true;
    auto issued = IssueCertificate(*generated_ca, co);
    if (!issued) return issued.status();
    ca = *generated_ca;
    server_cert = *issued;
    if (!dir.empty()) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) return UnavailableError("creating " + dir + ": " + ec.message());
      const fs::path d(dir);
      for (auto st : {WriteFile(d / "ca.crt", ca.certificate_pem, false),
                      WriteFile(d / "ca.key", ca.private_key_pem, true),
                      WriteFile(d / "server.crt", server_cert.certificate_pem, false),
                      WriteFile(d / "server.key", server_cert.private_key_pem, true)}) {
        if (!st.ok()) return st;
      }
    }
    return {};
  }

  StatusOr<std::shared_ptr<ssl::context>> TlsContext() {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    if (!ec) {
      ctx->use_certificate_chain(boost::asio::buffer(server_cert.certificate_pem.data(),
                                                     server_cert.certificate_pem.size()),
                                 ec);
    }
    if (!ec) {
      ctx->use_private_key(boost::asio::buffer(server_cert.private_key_pem.data(),
                                               server_cert.private_key_pem.size()),
                           ssl::context::pem, ec);
    }
    if (ec) return InternalError("configuring TLS: " + ec.message());
    // Connections handshake on every I/O thread at once with this one context.
    rest::internal::WarmCertificateCaches(ctx->native_handle());
    return ctx;
  }

  std::string FaultStateJson() const {
    const auto s = faults->State();
    std::string out = "{\"failRemaining\":" + std::to_string(s.fail_remaining) +
                      ",\"failCode\":" + std::to_string(s.fail_code) +
                      ",\"retryAfterSeconds\":" + std::to_string(s.retry_after_seconds) +
                      ",\"latencyMs\":" + std::to_string(s.latency.count()) +
                      ",\"resetRemaining\":" + std::to_string(s.reset_remaining) +
                      ",\"stallRemaining\":" + std::to_string(s.stall_remaining) +
                      ",\"stallMs\":" + std::to_string(s.stall.count()) +
                      ",\"garbageRemaining\":" + std::to_string(s.garbage_remaining) +
                      ",\"garbageCode\":" + std::to_string(s.garbage_code) +
                      ",\"truncateRemaining\":" + std::to_string(s.truncate_remaining) +
                      ",\"accepting\":" + (s.accepting ? "true" : "false") +
                      ",\"terminatingNamespaces\":[";
    bool first = true;
    for (const auto& ns : handler->TerminatingNamespaces()) {
      if (!first) out += ",";
      first = false;
      out += "\"" + ns + "\"";
    }
    out += "]}";
    return out;
  }

  // The admin endpoint: fault injection and namespace state, bearer token required.
  Response Admin(Server& server, const Request& r) {
    if (r.authorization != "Bearer " + options.token) {
      return internal::StatusResponse(api::errors::NewUnauthorized("Unauthorized"));
    }
    const std::string_view target = r.target;
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/faults" && r.method == "GET") return JsonResponse(200, FaultStateJson());
    if (r.method != "POST" && r.method != "DELETE") {
      return internal::StatusResponse(api::errors::NewGeneric(
          api::errors::kReasonMethodNotAllowed, 405, "use GET /faults or POST /faults/..."));
    }
    if (path == "/faults/fail") {
      faults->FailNext(ParseInt(QueryParam(target, "count"), 1),
                       ParseInt(QueryParam(target, "code"), 503),
                       std::chrono::seconds(ParseInt(QueryParam(target, "retryAfter"), 0)));
    } else if (path == "/faults/latency") {
      faults->SetLatency(std::chrono::milliseconds(ParseInt(QueryParam(target, "ms"), 0)));
    } else if (path == "/faults/reset") {
      faults->ResetNext(ParseInt(QueryParam(target, "count"), 1));
    } else if (path == "/faults/stall") {
      faults->StallNext(ParseInt(QueryParam(target, "count"), 1),
                        std::chrono::milliseconds(ParseInt(QueryParam(target, "ms"), 0)));
    } else if (path == "/faults/garbage") {
      faults->GarbageNext(ParseInt(QueryParam(target, "count"), 1),
                          ParseInt(QueryParam(target, "code"), 502));
    } else if (path == "/faults/truncate") {
      faults->TruncateNext(ParseInt(QueryParam(target, "count"), 1));
    } else if (path == "/faults/clear") {
      faults->Clear();
    } else if (path == "/faults/stop-accepting") {
      server.StopAccepting();
    } else if (path == "/faults/resume-accepting") {
      if (auto st = server.ResumeAccepting(); !st.ok()) {
        return internal::StatusResponse(api::errors::NewInternalError(st.message()));
      }
    } else if (path == "/watches/bookmark" && r.method == "POST") {
      server.SendBookmarks();
    } else if (path == "/watches/compact" && r.method == "POST") {
      server.CompactHistory();
    } else if (path == "/watches/cut" && r.method == "POST") {
      server.CutWatches();
    } else if (path == "/watches/inject" && r.method == "POST") {
      server.InjectWatchBytes(r.body);
    } else if (path.starts_with("/namespaces/") && path.ends_with("/terminating")) {
      const auto ns = path.substr(12, path.size() - 12 - 12);
      handler->SetNamespaceTerminating(std::string(ns), r.method == "POST");
    } else {
      return internal::StatusResponse(api::errors::NewGeneric(
          api::errors::kReasonNotFound, 404, "the server could not find the requested resource"));
    }
    return JsonResponse(200, FaultStateJson());
  }

  // The host clients use in URLs: the bind address, 127.0.0.1 for the unspecified address,
  // IPv6 in brackets.
  std::string ClientHost() const {
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(options.bind_address, ec);
    if (ec || ip.is_unspecified()) return "127.0.0.1";
    return ip.is_v6() ? "[" + ip.to_string() + "]" : ip.to_string();
  }

  ServerOptions options;
  std::shared_ptr<FaultInjector> faults;
  KeyPair ca;
  KeyPair server_cert;
  std::string api_token;  // SetToken before Start
  std::shared_ptr<internal::EventStore> store;
  std::shared_ptr<internal::Handler> handler;
  std::unique_ptr<internal::Transport> transport;
  std::jthread sweeper;
  std::jthread bookmarker;
  std::uint16_t https_port = 0, http_port = 0, admin_port = 0;
  bool running = false;
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  auto& im = *impl_;
  if (im.running) return FailedPreconditionError("server already started");
  if (!im.options.https && !im.options.http) {
    return InvalidArgumentError("enable at least one of HTTPS and HTTP");
  }
  if (auto st = CheckBindAddress(im.options.bind_address, im.options.allow_non_loopback);
      !st.ok()) {
    return st;
  }
  if (im.options.https) {
    if (auto st = im.LoadOrGenerateCertificates(); !st.ok()) return st;
  }
  im.store = std::make_shared<internal::EventStore>(internal::EventStore::Options{
      im.options.event_ttl, im.options.clock, im.options.watch_history, 100000});
  im.handler = std::make_shared<internal::Handler>(internal::Handler::Options{
      im.store, im.options.clock, im.api_token.empty() ? im.options.token : im.api_token,
      im.options.terminating_namespaces, im.options.max_body_bytes, "",
      im.options.serve_events_v1});
  im.transport = std::make_unique<internal::Transport>(internal::Transport::Options{
      im.options.threads, im.options.max_body_bytes, im.faults, im.options.logger});
  auto handler = im.handler;
  auto api = [handler](const Request& r) { return handler->Handle(r); };
  auto is_event = [](std::string_view target) { return internal::Handler::IsEventRequest(target); };
  if (im.options.https) {
    auto ctx = im.TlsContext();
    if (!ctx) return ctx.status();
    auto port = im.transport->Listen(im.options.bind_address, im.options.https_port, *ctx, true,
                                     api, is_event);
    if (!port) return port.status();
    im.https_port = *port;
  }
  if (im.options.http) {
    auto port = im.transport->Listen(im.options.bind_address, im.options.http_port, nullptr, true,
                                     api, is_event);
    if (!port) return port.status();
    im.http_port = *port;
  }
  if (im.options.admin) {
    auto port = im.transport->Listen(
        "127.0.0.1", im.options.admin_port, nullptr, false,
        [this](const Request& r) { return impl_->Admin(*this, r); }, nullptr);
    if (!port) return port.status();
    im.admin_port = *port;
  }
  im.handler->SetServerAddress(im.ClientHost() + ":" +
                               std::to_string(im.https_port != 0 ? im.https_port : im.http_port));
  im.transport->Start();
  im.sweeper = std::jthread([store = im.store, clock = im.options.clock,
                             interval = im.options.expiry_sweep_interval](std::stop_token stop) {
    while (clock->SleepFor(interval, stop)) store->PurgeExpired();
  });
  if (im.options.watch_bookmark_interval.count() > 0) {
    im.bookmarker =
        std::jthread([store = im.store, clock = im.options.clock,
                      interval = im.options.watch_bookmark_interval](std::stop_token stop) {
          while (clock->SleepFor(interval, stop)) store->Bookmark();
        });
  }
  im.running = true;
  return {};
}

void Server::Stop() {
  auto& im = *impl_;
  if (im.sweeper.joinable()) {
    im.sweeper.request_stop();
    im.sweeper.join();
  }
  if (im.bookmarker.joinable()) {
    im.bookmarker.request_stop();
    im.bookmarker.join();
  }
  if (im.transport) im.transport->Stop();
  if (im.store) im.store->CloseWatchers();
  im.running = false;
}

bool Server::running() const { return impl_->running; }

void Server::SendBookmarks() {
  if (impl_->store) impl_->store->Bookmark();
}

void Server::CompactHistory() {
  if (impl_->store) impl_->store->CompactHistory();
}

void Server::CutWatches() {
  if (impl_->store) impl_->store->CutWatchers();
}

void Server::InjectWatchBytes(std::string bytes) {
  if (impl_->store) impl_->store->InjectRaw(std::move(bytes));
}

std::string Server::HttpsURL() const {
  return impl_->https_port == 0
             ? ""
             : "https://" + impl_->ClientHost() + ":" + std::to_string(impl_->https_port);
}
std::string Server::HttpURL() const {
  return impl_->http_port == 0
             ? ""
             : "http://" + impl_->ClientHost() + ":" + std::to_string(impl_->http_port);
}
std::string Server::AdminURL() const {
  return impl_->admin_port == 0 ? "" : "http://127.0.0.1:" + std::to_string(impl_->admin_port);
}
std::string Server::URL() const { return impl_->https_port != 0 ? HttpsURL() : HttpURL(); }
std::uint16_t Server::https_port() const { return impl_->https_port; }
std::uint16_t Server::http_port() const { return impl_->http_port; }
std::uint16_t Server::admin_port() const { return impl_->admin_port; }
const std::string& Server::ca_pem() const { return impl_->ca.certificate_pem; }
const std::string& Server::token() const { return impl_->options.token; }
FaultInjector& Server::faults() { return *impl_->faults; }

std::string Server::KubeconfigYAML() const {
  std::string y;
  y += "apiVersion: v1\nkind: Config\nclusters:\n- name: kube-local-apiserver\n  cluster:\n";
  y += "    server: " + URL() + "\n";
  if (!ca_pem().empty() && impl_->https_port != 0) {
    y += "    certificate-authority-data: " + Base64(ca_pem()) + "\n";
  }
  y += "users:\n- name: kube-local-apiserver\n  user:\n    token: " + token() + "\n";
  y += "contexts:\n- name: kube-local-apiserver\n  context:\n    cluster: kube-local-apiserver\n"
       "    user: kube-local-apiserver\n    namespace: default\n";
  y += "current-context: kube-local-apiserver\npreferences: {}\n";
  return y;
}

Status Server::WriteKubeconfig(const std::string& path) const {
  return WriteFile(path, KubeconfigYAML(), /*secret=*/true);
}

void Server::StopAccepting() {
  if (impl_->transport) impl_->transport->StopAccepting();
}

Status Server::ResumeAccepting() {
  if (!impl_->transport) return FailedPreconditionError("server not started");
  return impl_->transport->ResumeAccepting();
}

void Server::SetNamespaceTerminating(const std::string& ns, bool terminating) {
  if (impl_->handler) {
    impl_->handler->SetNamespaceTerminating(ns, terminating);
  } else if (terminating) {
    impl_->options.terminating_namespaces.insert(ns);
  } else {
    impl_->options.terminating_namespaces.erase(ns);
  }
}

void Server::SetToken(const std::string& token) {
  if (impl_->handler) {
    impl_->handler->SetToken(token);
  } else {
    impl_->api_token = token;
  }
}

std::size_t Server::EventCount() const { return impl_->store ? impl_->store->Size() : 0; }

}  // namespace kube::localapiserver
