// The REST engine: per-thread io_contexts (one I/O thread each, so a connection and the
// coroutine using it never run concurrently), keep-alive pools, TLS with certificate and
// host-name verification, credentials, client-side throttling and client-go's retry rules.
#include "kubeevents/client/rest/internal/client_core.h"

#include <utility>  // before boost/asio/awaitable.hpp (Boost 1.74 uses std::exchange)

#include <sys/socket.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "kubeevents/api/json.h"
#include "kubeevents/api/meta/v1/status.h"
#include "kubeevents/client/rest/internal/authenticator.h"
#include "kubeevents/client/rest/internal/request_wire.h"
#include "kubeevents/client/rest/internal/socks5.h"
#include "kubeevents/client/rest/internal/tls_warmup.h"
#include "kubeevents/client/rest/internal/url.h"

namespace kube::rest::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using asio::awaitable;
using asio::use_awaitable;

namespace {

// ------------------------------------------------------------------------------ helpers

Status TransportError(StatusCode code, std::string message) {
  return Status(code, std::move(message), ErrorOrigin::kTransport);
}

// apimachinery NewGenericServerResponse: a Status for an error response without one.
api::meta::v1::Status GenericStatus(int code, const std::string& verb, const std::string& body,
                                    int retry_after) {
  api::meta::v1::Status s;
  s.status = "Failure";
  s.code = code;
  std::string reason = "Unknown";
  std::string message = "the server responded with the status code " + std::to_string(code) +
                        " but did not return more information";
  switch (code) {
    case 409:
      reason = "Conflict";
      message = "the server reported a conflict";
      break;
    case 404:
      reason = "NotFound";
      message = "the server could not find the requested resource";
      break;
    case 400:
      reason = "BadRequest";
      message = "the server rejected our request for an unknown reason";
      break;
    case 401:
      reason = "Unauthorized";
      message = "the server has asked for the client to provide credentials";
      break;
    case 403:
      reason = "Forbidden";
      message = "the server does not allow access to the requested resource";
      break;
    case 405:
      reason = "MethodNotAllowed";
      message = "the server does not allow this method on the requested resource";
      break;
    case 406:
      reason = "NotAcceptable";
      message = "the server was unable to respond with a content type that the client supports";
      break;
    case 415:
      reason = "UnsupportedMediaType";
      message = "the server does not support the media type sent by the client";
      break;
    case 422:
      reason = "Invalid";
      message = "the server rejected our request due to an error in our request";
      break;
    case 429:
      reason = "TooManyRequests";
      message = "the server has received too many requests and has asked us to try again later";
      break;
    case 503:
      reason = "ServiceUnavailable";
      message = "the server is currently unable to handle the request";
      break;
    case 504:
      reason = "Timeout";
      message =
          "the server was unable to return a response in the time allotted, but may still be "
          "processing the request";
      break;
    default:
      if (code >= 500) {
        reason = "InternalError";
        std::string snippet = body.substr(0, 256);
        message = "an error on the server (\"" + snippet +
                  "\") has prevented the request from succeeding";
      }
  }
  (void)verb;
  s.reason = reason;
  s.message = message;
  if (retry_after > 0) {
    s.has_details = true;
    s.details.retry_after_seconds = retry_after;
  }
  return s;
}

std::optional<int> RetryAfterSeconds(const http::response<http::string_body>& res) {
  auto it = res.find(http::field::retry_after);
  if (it == res.end()) return std::nullopt;
  std::string_view v(it->value().data(), it->value().size());
  int seconds = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return seconds;
}

// `299 - "text"` → text (RFC 7234 warn-text, as client-go's warning handler reads it).
std::string ParseWarning(std::string_view v) {
  auto q = v.find('"');
  if (q == std::string_view::npos) return std::string(v);
  std::string out;
  for (std::size_t i = q + 1; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      out.push_back(v[++i]);
    } else if (v[i] == '"') {
      break;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

std::string EscapeHeaderKey(std::string_view key) {
  // client-go headerKeyEscape: percent-encode everything that is not a legal token char.
  return PercentEncode(key, [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

bool IsRetriableTransportError(const beast::error_code& ec) {
  return ec == asio::error::connection_reset || ec == asio::error::eof ||
         ec == http::error::end_of_stream || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

std::string SslVerifyDetail(SSL* ssl) {
  if (!ssl) return "";
  const long v = SSL_get_verify_result(ssl);
  if (v == X509_V_OK) return "";
  return X509_verify_cert_error_string(v);
}

// NO_PROXY matching as Go's httpproxy does (suffix and exact matches, "*").
bool NoProxyMatches(std::string_view no_proxy, std::string_view host) {
  while (!no_proxy.empty()) {
    auto comma = no_proxy.find(',');
    std::string_view item = no_proxy.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (auto colon = item.rfind(':'); colon != std::string_view::npos && item.find(':') == colon) {
      item = item.substr(0, colon);  // strip a port
    }
    if (item == "*") return true;
    if (!item.empty()) {
      if (item.front() == '.') item.remove_prefix(1);
      if (host == item) return true;
      if (host.size() > item.size() && host.substr(host.size() - item.size()) == item &&
          host[host.size() - item.size() - 1] == '.') {
        return true;
      }
    }
    if (comma == std::string_view::npos) break;
    no_proxy.remove_prefix(comma + 1);
  }
  return false;
}

const char* GetEnvAny(const char* a, const char* b) {
  if (const char* v = std::getenv(a); v && *v) return v;
  if (const char* v = std::getenv(b); v && *v) return v;
  return nullptr;
}

}  // namespace

// ------------------------------------------------------------------------------ Impl

struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  std::shared_ptr<ssl::context> ctx;
  beast::flat_buffer buffer;
  SteadyClock::time_point idle_since;
  beast::tcp_stream& lowest() { return tls ? tls->next_layer() : *plain; }
};

struct Op : std::enable_shared_from_this<Op> {
  PreparedRequest req;
  std::function<void(Result)> done;
  std::optional<SteadyClock::time_point> deadline;
  struct Worker* worker = nullptr;
  // Touched only on the worker's thread:
  bool cancelled = false;
  bool shutdown = false;
  beast::tcp_stream* current_stream = nullptr;
  asio::steady_timer* current_timer = nullptr;
  std::optional<std::stop_callback<std::function<void()>>> stop_cb;

  // Runs on the worker's thread. cancel() aborts only the socket operation pending right now;
  // a composed operation (TLS record, HTTP parser, chunked body) may be between two internal
  // reads, so the socket is also shut down: every later read or write on it then ends. A
  // cancelled request's connection is never reused, so this costs nothing.
  void CancelIo() {
    if (current_stream) {
      current_stream->cancel();
      beast::error_code ignored;
      current_stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    if (current_timer) current_timer->cancel();
  }
};

// An io_context with its keep-alive connections. An I/O worker owns a thread that runs it
// until Shutdown (the guard keeps it running while idle). A caller worker has no thread: a
// thread calling Run checks one out, runs the request's coroutine on it until the request is
// done, and checks it back in, so a synchronous request never hands off to another thread.
struct Worker {
  explicit Worker(bool io) : io_thread(io) {
    if (io_thread) guard.emplace(ioc.get_executor());
  }
  const bool io_thread;
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::deque<std::unique_ptr<Connection>> idle;  // only touched by the thread running ioc
  std::jthread thread;
};

namespace {
thread_local const ClientCore::Impl* tls_current_core = nullptr;
}  // namespace

struct ClientCore::Impl {
  Config config;
  URL server;
  std::optional<URL> proxy;
  bool https = false;
  std::shared_ptr<Logger> logger;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<RateLimiter> limiter;
  std::unique_ptr<Authenticator> auth;
  std::string user_agent;
  std::string verify_name;  // host name/IP verified in the server certificate
  bool send_sni = false;

  // TLS context, rebuilt when file-based material or exec certificates change.
  std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls_ctx;
  std::shared_ptr<const CertKeyPem> tls_ctx_cert;
  std::string loaded_ca, loaded_cert, loaded_key;
  Clock::time_point tls_checked{};  // on the injected clock

  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<unsigned> next_worker{0};
  // Caller workers not in use (most recently used last, so its connections are warm), and
  // how many are checked out by threads inside Run.
  std::mutex callers_mu;
  std::condition_variable callers_cv;
  std::vector<std::unique_ptr<Worker>> callers_idle;
  int callers_out = 0;
  asio::thread_pool blocking{1};  // exec plugins run here, never on an I/O thread

  std::mutex ops_mu;
  std::condition_variable ops_cv;
  std::set<std::shared_ptr<Op>> active;
  bool shut_down = false;
  std::atomic<int> connections_opened{0};

  // ---- setup
  Status Init();
  StatusOr<std::shared_ptr<ssl::context>> BuildTlsContext(const std::string& ca,
                                                          const std::string& cert,
                                                          const std::string& key);
  StatusOr<std::shared_ptr<ssl::context>> CurrentTlsContext(
      const std::shared_ptr<const CertKeyPem>& exec_cert);

  // ---- request path
  void Start(PreparedRequest req, std::function<void(Result)> done);
  void StartOn(Worker& worker, PreparedRequest req, std::function<void(Result)> done);
  Result RunOnCaller(PreparedRequest req);
  void Finish(const std::shared_ptr<Op>& op, Result result);
  awaitable<Result> Execute(std::shared_ptr<Op> op);
  awaitable<Status> Throttle(Op& op);
  awaitable<Status> Sleep(Op& op, std::chrono::nanoseconds d);
  struct Attempt {
    Status error;
    beast::error_code ec;
    http::response<http::string_body> response;
    bool streamed = false;  // a streaming body started: never retried
  };
  awaitable<Attempt> RunAttempt(Op& op, const Credentials& creds);
  StatusOr<std::string> BuildRequest(const Op& op, const Credentials& creds);
  template <class Stream>
  awaitable<void> ReadStreaming(Op& op, Connection& conn, Stream& stream, Attempt& out);
  awaitable<StatusOr<std::unique_ptr<Connection>>> Connect(Op& op, const Credentials& creds);
  std::unique_ptr<Connection> TakeIdle(Worker& w, const std::shared_ptr<ssl::context>& ctx);
  void ReturnIdle(Worker& w, std::unique_ptr<Connection> conn);
  Status ErrorFor(Op& op, const beast::error_code& ec, std::string_view what, SSL* ssl = nullptr);
  // The SOCKS5 handshake and CONNECT to the server over `stream`, connected to the proxy.
  awaitable<Status> Socks5Handshake(Op& op, beast::tcp_stream& stream);
  Result ToResult(Op& op, http::response<http::string_body>& res, SteadyClock::time_point start);
  void Shutdown();
};

Status ClientCore::Impl::Init() {
  if (!logger) logger = MakeDefaultLogger();
  if (!clock) clock = MakeRealClock();
  const bool tls_hint = !config.tls.ca_file.empty() || !config.tls.ca_data.empty() ||
                        !config.tls.cert_file.empty() || !config.tls.cert_data.empty() ||
                        config.tls.insecure;
  if (config.host.empty()) return InvalidArgumentError("host must be a URL or a host:port pair");
  auto url = ParseURL(config.host, tls_hint ? "https" : "http");
  if (!url.ok()) return InvalidArgumentError("invalid host: " + url.status().message());
  if (url->scheme != "https" && url->scheme != "http") {
    return InvalidArgumentError("invalid host \"" + config.host + "\": unsupported scheme \"" +
                                url->scheme + "\"");
  }
  server = *url;
  https = server.scheme == "https";
  if (config.tls.insecure && (!config.tls.ca_file.empty() || !config.tls.ca_data.empty())) {
    return InvalidArgumentError(
        "specifying a root certificates file with the insecure flag is not allowed");
  }
  const bool has_cert = !config.tls.cert_file.empty() || !config.tls.cert_data.empty();
  const bool has_key = !config.tls.key_file.empty() || !config.tls.key_data.empty();
  if (has_cert != has_key) {
    return InvalidArgumentError("client certificate and key must be specified together");
  }
  if (config.impersonate.user_name.empty() &&
      (!config.impersonate.uid.empty() || !config.impersonate.groups.empty() ||
       !config.impersonate.extra.empty())) {
    return InvalidArgumentError(
        "impersonation: uid, groups or extra require a user name to impersonate");
  }
  const bool has_credentials = !config.bearer_token.empty() || !config.bearer_token_file.empty() ||
                               !config.username.empty() || !config.password.empty() ||
                               config.exec_provider.has_value();
  if (!https && has_credentials && !IsLoopbackHost(server.host) &&
      !config.allow_insecure_credentials_over_http) {
    return InvalidArgumentError(
        "refusing to send credentials over plain http to " + server.host +
        ": use https, or set allow_insecure_credentials_over_http for a trusted network");
  }
  if (config.exec_provider && config.exec_provider->command.empty()) {
    return InvalidArgumentError("exec credential plugin: command must be specified");
  }
  // Proxy: explicit, else the environment (never for loopback servers).
  std::string proxy_text = config.proxy_url;
  if (proxy_text.empty() && !IsLoopbackHost(server.host)) {
    const char* env =
        https ? GetEnvAny("HTTPS_PROXY", "https_proxy") : GetEnvAny("HTTP_PROXY", "http_proxy");
    const char* no_proxy = GetEnvAny("NO_PROXY", "no_proxy");
    if (env && !(no_proxy && NoProxyMatches(no_proxy, server.host))) proxy_text = env;
  }
  if (!proxy_text.empty()) {
    auto p = ParseURL(proxy_text, "http");
    if (!p.ok()) {
      return InvalidArgumentError("failed to parse proxy URL \"" + proxy_text +
                                  "\": " + p.status().message());
    }
    if (p->scheme == "https") {
      return Status(StatusCode::kUnimplemented,
                    "proxy URL \"" + proxy_text +
                        "\": the https proxy scheme (TLS to the proxy) is not supported by "
                        "kubeevents; use an http:// (HTTP CONNECT) or socks5:// proxy");
    }
    if (p->scheme == "socks5" && !p->userinfo.empty()) {
      std::string user, password;
      SplitUserinfo(p->userinfo, user, password);
      if (auto req = Socks5PasswordRequest(user, password); !req.ok()) {
        return InvalidArgumentError("proxy URL \"" + proxy_text + "\": " + req.status().message());
      }
    }
    if (p->scheme != "http" && p->scheme != "socks5") {
      return InvalidArgumentError("failed to parse proxy URL \"" + proxy_text +
                                  "\": unsupported scheme \"" + p->scheme +
                                  "\", must be http, https, or socks5");
    }
    proxy = *p;
  }
  verify_name = config.tls.server_name.empty() ? server.host : config.tls.server_name;
  send_sni = !IsIPLiteral(verify_name);
  if (https) {
    auto ctx = CurrentTlsContext(nullptr);
    if (!ctx.ok()) return ctx.status();
  }
  // Rate limiter: client-go's defaults (qps 0 → 5, burst 0 → 10, qps < 0 → none).
  if (config.rate_limiter) {
    limiter = config.rate_limiter;
  } else if (config.qps >= 0) {
    const double qps = config.qps == 0 ? 5.0 : static_cast<double>(config.qps);
    const int burst = config.burst == 0 ? 10 : config.burst;
    limiter = std::make_shared<TokenBucketRateLimiter>(qps, burst, clock);
  }
  user_agent = config.user_agent.empty() ? DefaultUserAgent() : config.user_agent;
  ExecClusterInfo cluster;
  cluster.server = config.host;
  cluster.tls_server_name = config.tls.server_name;
  cluster.insecure_skip_tls_verify = config.tls.insecure;
  cluster.ca_data = config.tls.ca_data;
  if (cluster.ca_data.empty() && !config.tls.ca_file.empty()) {
    if (auto ca = ReadFile(config.tls.ca_file); ca.ok()) cluster.ca_data = *ca;
  }
  cluster.proxy_url = config.proxy_url;
  cluster.disable_compression = config.disable_compression;
  auth = std::make_unique<Authenticator>(config, std::move(cluster), clock, logger);
  if (config.tls.insecure) {
    logger->Warning(
        "TLS certificate verification is disabled (insecure-skip-tls-verify): the server's "
        "identity is not checked",
        {{"host", config.host}});
  }
  const int n = std::max(1, config.io_threads);
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>(/*io_thread=*/true);
    Worker* raw = w.get();
    w->thread = std::jthread([this, raw] {
      tls_current_core = this;
      raw->ioc.run();
      raw->idle.clear();
    });
    workers.push_back(std::move(w));
  }
  return Status();
}

StatusOr<std::shared_ptr<ssl::context>> ClientCore::Impl::BuildTlsContext(const std::string& ca,
                                                                          const std::string& cert,
                                                                          const std::string& key) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  beast::error_code ec;
  if (config.tls.insecure) {
    ctx->set_verify_mode(ssl::verify_none, ec);
  } else {
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (!ca.empty()) {
      ctx->add_certificate_authority(asio::buffer(ca), ec);
      if (ec) {
        return InvalidArgumentError("unable to load root certificates: " + ec.message() +
                                    " (expected PEM certificates)");
      }
    } else {
      ctx->set_default_verify_paths(ec);
    }
  }
  if (!cert.empty()) {
    ctx->use_certificate_chain(asio::buffer(cert), ec);
    if (ec) return InvalidArgumentError("unable to load client certificate: " + ec.message());
    ctx->use_private_key(asio::buffer(key), ssl::context::pem, ec);
    if (ec && ec.message().find("mismatch") != std::string::npos) {
      return InvalidArgumentError("client certificate and key do not match (" + ec.message() + ")");
    }
    if (ec) return InvalidArgumentError("unable to load client key: " + ec.message());
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
      return InvalidArgumentError("client certificate and key do not match");
    }
  }
  WarmCertificateCaches(ctx->native_handle());
  return ctx;
}

StatusOr<std::shared_ptr<ssl::context>> ClientCore::Impl::CurrentTlsContext(
    const std::shared_ptr<const CertKeyPem>& exec_cert) {
  std::lock_guard lock(tls_mu);
  const auto now = clock->Now();
  const bool file_backed = config.tls.ca_data.empty() && !config.tls.ca_file.empty();
  const bool cert_files = config.tls.cert_data.empty() && !config.tls.cert_file.empty();
  bool rebuild = !tls_ctx || exec_cert != tls_ctx_cert;
  std::string ca = config.tls.ca_data, cert = config.tls.cert_data, key = config.tls.key_data;
  if ((file_backed || cert_files) && (rebuild || now - tls_checked >= std::chrono::seconds(1))) {
    tls_checked = now;
    if (file_backed) {
      auto c = ReadFile(config.tls.ca_file);
      if (!c.ok()) {
        if (!tls_ctx)
          return InvalidArgumentError("unable to read CA file: " + c.status().message());
        logger->Error("Unable to re-read CA file, keeping the previous one",
                      {{"path", config.tls.ca_file}});
        ca = loaded_ca;
      } else {
        ca = *c;
      }
    }
    if (cert_files) {
      auto c = ReadFile(config.tls.cert_file);
      auto k = ReadFile(config.tls.key_file);
      if (!c.ok() || !k.ok()) {
        if (!tls_ctx) {
          return InvalidArgumentError("unable to read client certificate/key: " +
                                      (!c.ok() ? c.status() : k.status()).message());
        }
        cert = loaded_cert;
        key = loaded_key;
      } else {
        cert = *c;
        key = *k;
      }
    }
    if (ca != loaded_ca || cert != loaded_cert || key != loaded_key) rebuild = true;
  } else {
    if (file_backed) ca = loaded_ca;
    if (cert_files) {
      cert = loaded_cert;
      key = loaded_key;
    }
  }
  if (!rebuild) return tls_ctx;
  const std::string& use_cert = exec_cert ? exec_cert->certificate : cert;
  const std::string& use_key = exec_cert ? exec_cert->key : key;
  auto built = BuildTlsContext(ca, use_cert, use_key);
  if (!built.ok()) {
    // Name the files the material came from (never their contents).
    std::string from;
    if (file_backed) from = "CA file " + config.tls.ca_file;
    if (cert_files && !exec_cert) {
      from += (from.empty() ? "" : ", ") + std::string("client certificate file ") +
              config.tls.cert_file + ", key file " + config.tls.key_file;
    } else if (exec_cert) {
      from += (from.empty() ? "" : ", ") + std::string("client certificate from the exec plugin");
    }
    Status error = from.empty()
                       ? built.status()
                       : InvalidArgumentError(built.status().message() + " (" + from + ")");
    if (tls_ctx && !exec_cert) {
      logger->Error("Unable to load rotated TLS material, keeping the previous one",
                    {{"err", error.message()}});
      return tls_ctx;
    }
    return error;
  }
  tls_ctx = *built;
  tls_ctx_cert = exec_cert;
  loaded_ca = ca;
  loaded_cert = cert;
  loaded_key = key;
  return tls_ctx;
}

void ClientCore::Impl::Start(PreparedRequest req, std::function<void(Result)> done) {
  StartOn(*workers[next_worker.fetch_add(1, std::memory_order_relaxed) % workers.size()],
          std::move(req), std::move(done));
}

// The synchronous path: the request's coroutine runs on a caller worker's io_context, driven
// by this thread, so sending, waiting and reading involve no other thread (an asynchronous
// request costs a wake-up of the I/O thread and one of the caller per request). Cancellation
// and Shutdown post to that io_context as they do to an I/O thread's.
Result ClientCore::Impl::RunOnCaller(PreparedRequest req) {
  std::unique_ptr<Worker> w;
  {
    std::lock_guard lock(callers_mu);
    if (!callers_idle.empty()) {
      w = std::move(callers_idle.back());
      callers_idle.pop_back();
    }
    ++callers_out;
  }
  if (!w) w = std::make_unique<Worker>(/*io_thread=*/false);
  std::optional<Result> out;
  StartOn(*w, std::move(req), [&out](Result r) { out.emplace(std::move(r)); });
  w->ioc.restart();
  w->ioc.run();  // returns once the request and everything it started are done
  {
    std::lock_guard lock(callers_mu);
    callers_idle.push_back(std::move(w));
    --callers_out;
  }
  callers_cv.notify_all();
  return std::move(*out);
}

void ClientCore::Impl::StartOn(Worker& worker, PreparedRequest req,
                               std::function<void(Result)> done) {
  auto op = std::make_shared<Op>();
  op->req = std::move(req);
  op->done = std::move(done);
  const auto timeout = op->req.timeout.value_or(config.timeout);
  if (timeout.count() > 0) op->deadline = SteadyClock::now() + timeout;
  op->worker = &worker;
  {
    std::unique_lock lock(ops_mu);
    if (shut_down) {
      lock.unlock();
      op->done(Result(TransportError(StatusCode::kCancelled, "the REST client is shut down")));
      return;
    }
    active.insert(op);
  }
  if (op->req.cancel.stop_possible()) {
    std::weak_ptr<Op> weak = op;
    op->stop_cb.emplace(op->req.cancel, std::function<void()>([weak] {
                          auto self = weak.lock();
                          if (!self) return;
                          asio::post(self->worker->ioc, [self] {
                            self->cancelled = true;
                            self->CancelIo();
                          });
                        }));
  }
  asio::co_spawn(op->worker->ioc, Execute(op), [this, op](std::exception_ptr e, Result result) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        result = Result(InternalError(std::string("REST client: ") + ex.what()));
      }
    }
    Finish(op, std::move(result));
  });
}

void ClientCore::Impl::Finish(const std::shared_ptr<Op>& op, Result result) {
  auto done = std::move(op->done);
  op->stop_cb.reset();
  done(std::move(result));
  std::lock_guard lock(ops_mu);
  active.erase(op);
  if (active.empty()) ops_cv.notify_all();
}

awaitable<Status> ClientCore::Impl::Sleep(Op& op, std::chrono::nanoseconds d) {
  if (op.deadline && SteadyClock::now() + d > *op.deadline) {
    co_return TransportError(
        StatusCode::kDeadlineExceeded,
        "waiting " + std::to_string(d.count() / 1000000) + "ms would exceed the request deadline");
  }
  if (op.cancelled) co_return TransportError(StatusCode::kCancelled, "request cancelled");
  asio::steady_timer timer(op.worker->ioc);
  timer.expires_after(d);
  op.current_timer = &timer;
  beast::error_code ec;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  op.current_timer = nullptr;
  if (op.cancelled || op.shutdown) {
    co_return TransportError(StatusCode::kCancelled,
                             op.shutdown ? "the REST client is shut down" : "request cancelled");
  }
  co_return Status();
}

awaitable<Status> ClientCore::Impl::Throttle(Op& op) {
  if (!limiter) co_return Status();
  const auto wait = limiter->Reserve();
  if (wait.count() <= 0) co_return Status();
  if (op.deadline && SteadyClock::now() + wait > *op.deadline) {
    co_return TransportError(StatusCode::kDeadlineExceeded,
                             "client rate limiter Wait returned an error: rate: Wait(n=1) would "
                             "exceed context deadline");
  }
  Status s = co_await Sleep(op, wait);
  if (wait > std::chrono::milliseconds(50)) {
    logger->Info(wait > std::chrono::seconds(1) ? 1 : 3,
                 "Waited before sending request due to client-side throttling",
                 {{"delay", std::to_string(wait.count() / 1000000) + "ms"},
                  {"verb", op.req.method},
                  {"path", op.req.target}});
  }
  co_return s;
}

awaitable<Status> ClientCore::Impl::Socks5Handshake(Op& op, beast::tcp_stream& stream) {
  const std::string where = "socks5 proxy " + proxy->Authority();
  beast::error_code ec;
  auto fail = [&](std::string what) {
    return TransportError(StatusCode::kUnavailable, op.req.method + " " + config.host +
                                                        op.req.target + ": " + where + ": " + what);
  };
  std::string user, password;
  if (!proxy->userinfo.empty()) SplitUserinfo(proxy->userinfo, user, password);
  const std::string greeting = Socks5Greeting(!user.empty());
  co_await asio::async_write(stream, asio::buffer(greeting),
                             asio::redirect_error(use_awaitable, ec));
  std::uint8_t choice[2] = {0, 0};
  if (!ec) {
    co_await asio::async_read(stream, asio::buffer(choice),
                              asio::redirect_error(use_awaitable, ec));
  }
  if (ec) co_return ErrorFor(op, ec, where);
  if (choice[0] != 5)
    co_return fail("not a SOCKS5 proxy (version " + std::to_string(choice[0]) + ")");
  if (choice[1] == kSocks5Password && !user.empty()) {
    auto request = Socks5PasswordRequest(user, password);
    if (!request.ok()) co_return fail(request.status().message());
    co_await asio::async_write(stream, asio::buffer(*request),
                               asio::redirect_error(use_awaitable, ec));
    std::uint8_t answer[2] = {0, 0};
    if (!ec) {
      co_await asio::async_read(stream, asio::buffer(answer),
                                asio::redirect_error(use_awaitable, ec));
    }
    if (ec) co_return ErrorFor(op, ec, where);
    if (answer[1] != 0) co_return fail("username/password authentication failed");
  } else if (choice[1] != kSocks5NoAuth) {
    co_return fail(choice[1] == kSocks5NoAcceptableMethod
                       ? std::string(user.empty() ? "the proxy requires authentication"
                                                  : "no acceptable authentication method")
                       : "unsupported authentication method " + std::to_string(choice[1]));
  }
  auto connect = Socks5ConnectRequest(server.host, server.port);
  if (!connect.ok()) co_return fail(connect.status().message());
  co_await asio::async_write(stream, asio::buffer(*connect),
                             asio::redirect_error(use_awaitable, ec));
  std::uint8_t head[5] = {0, 0, 0, 0, 0};
  if (!ec) {
    co_await asio::async_read(stream, asio::buffer(head), asio::redirect_error(use_awaitable, ec));
  }
  if (ec) co_return ErrorFor(op, ec, where);
  if (head[1] != 0) {
    co_return fail("connect to " + server.Authority() + " failed: " + Socks5ReplyText(head[1]));
  }
  auto rest = Socks5ReplyRemainder(head[3], head[4]);
  if (!rest.ok()) co_return fail(rest.status().message());
  std::string bound(*rest, '\0');
  co_await asio::async_read(stream, asio::buffer(bound), asio::redirect_error(use_awaitable, ec));
  if (ec) co_return ErrorFor(op, ec, where);
  co_return Status();
}

Status ClientCore::Impl::ErrorFor(Op& op, const beast::error_code& ec, std::string_view what,
                                  SSL* ssl) {
  if (op.shutdown) return TransportError(StatusCode::kCancelled, "the REST client is shut down");
  if (op.cancelled) return TransportError(StatusCode::kCancelled, "request cancelled");
  const std::string target = config.host + op.req.target;
  if (ec == beast::error::timeout) {
    return TransportError(StatusCode::kDeadlineExceeded, op.req.method + " " + target + ": " +
                                                             std::string(what) +
                                                             ": i/o timeout (deadline exceeded)");
  }
  std::string detail = ec.message();
  if (std::string v = SslVerifyDetail(ssl); !v.empty()) {
    detail = "tls: failed to verify certificate: " + v;
  }
  return TransportError(StatusCode::kUnavailable,
                        op.req.method + " " + target + ": " + std::string(what) + ": " + detail);
}

std::unique_ptr<Connection> ClientCore::Impl::TakeIdle(Worker& w,
                                                       const std::shared_ptr<ssl::context>& ctx) {
  const auto now = SteadyClock::now();
  while (!w.idle.empty()) {
    std::unique_ptr<Connection> c = std::move(w.idle.back());
    w.idle.pop_back();
    if (now - c->idle_since > config.idle_connection_timeout) continue;
    if (https && c->ctx != ctx) continue;  // TLS material rotated
    // A server that closed an idle connection leaves EOF (or an alert) readable on it.
    char byte;
    const ssize_t n =
        ::recv(c->lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return c;
  }
  return nullptr;
}

void ClientCore::Impl::ReturnIdle(Worker& w, std::unique_ptr<Connection> conn) {
  conn->idle_since = SteadyClock::now();
  conn->lowest().expires_never();
  w.idle.push_back(std::move(conn));
  while (w.idle.size() > config.max_idle_connections) w.idle.pop_front();
}

awaitable<StatusOr<std::unique_ptr<Connection>>> ClientCore::Impl::Connect(
    Op& op, const Credentials& creds) {
  Worker& w = *op.worker;
  auto conn = std::make_unique<Connection>();
  std::shared_ptr<ssl::context> ctx;
  if (https) {
    auto c = CurrentTlsContext(creds.client_cert);
    if (!c.ok()) co_return Status(c.status().code(), c.status().message(), ErrorOrigin::kLocal);
    ctx = *c;
    conn->ctx = ctx;
    conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(w.ioc, *ctx);
  } else {
    conn->plain = std::make_unique<beast::tcp_stream>(w.ioc);
  }
  beast::tcp_stream& lowest = conn->lowest();
  const URL& dial = proxy ? *proxy : server;
  beast::error_code ec;
  // An IP literal needs no lookup. A name is looked up asynchronously on an I/O thread (asio
  // runs getaddrinfo on a helper thread it keeps for the io_context's lifetime) and in place
  // on a caller's thread, which is waiting for this request anyway (no thread left behind).
  std::vector<tcp::endpoint> endpoints;
  if (auto ip = asio::ip::make_address(dial.host, ec); !ec) {
    endpoints.emplace_back(ip, dial.port);
  } else {
    ec = {};
    tcp::resolver resolver(w.ioc);
    tcp::resolver::results_type found;
    if (w.io_thread) {
      found = co_await resolver.async_resolve(dial.host, std::to_string(dial.port),
                                              asio::redirect_error(use_awaitable, ec));
    } else {
      found = resolver.resolve(dial.host, std::to_string(dial.port), ec);
    }
    if (ec) co_return ErrorFor(op, ec, "dial tcp: lookup " + dial.host);
    for (const auto& entry : found) endpoints.push_back(entry.endpoint());
  }
  if (op.cancelled) co_return ErrorFor(op, asio::error::operation_aborted, "dial");
  auto limit = SteadyClock::now() + config.dial_timeout;
  lowest.expires_at(op.deadline ? std::min(*op.deadline, limit) : limit);
  op.current_stream = &lowest;
  co_await lowest.async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    op.current_stream = nullptr;
    co_return ErrorFor(op, ec, "dial tcp " + dial.Authority());
  }
  connections_opened.fetch_add(1, std::memory_order_relaxed);
  lowest.socket().set_option(tcp::no_delay(true), ec);
  if (proxy && proxy->scheme == "socks5") {
    // SOCKS5: the proxy connects to the server (resolving its name); TLS, or plain HTTP in
    // origin form, then runs through the tunnel as over a direct connection.
    lowest.expires_at(op.deadline ? std::min(*op.deadline, limit) : limit);
    Status tunnel = co_await Socks5Handshake(op, lowest);
    if (!tunnel.ok()) {
      op.current_stream = nullptr;
      co_return tunnel;
    }
  } else if (proxy && https) {
    // HTTP CONNECT tunnel.
    http::request<http::empty_body> req{http::verb::connect, server.Authority(), 11};
    req.set(http::field::host, server.Authority());
    req.set(http::field::user_agent, user_agent);
    if (!proxy->userinfo.empty()) {
      std::string userinfo = proxy->userinfo;
      req.set(http::field::proxy_authorization, "Basic " + EncodeBase64(userinfo));
    }
    lowest.expires_at(op.deadline ? std::min(*op.deadline, limit) : limit);
    co_await http::async_write(lowest, req, asio::redirect_error(use_awaitable, ec));
    http::response_parser<http::empty_body> parser;
    parser.skip(true);
    if (!ec) {
      co_await http::async_read_header(lowest, conn->buffer, parser,
                                       asio::redirect_error(use_awaitable, ec));
    }
    if (ec) {
      op.current_stream = nullptr;
      co_return ErrorFor(op, ec, "proxyconnect tcp " + proxy->Authority());
    }
    if (parser.get().result_int() != 200) {
      op.current_stream = nullptr;
      co_return TransportError(StatusCode::kUnavailable,
                               "proxyconnect " + proxy->Authority() + ": proxy refused CONNECT: " +
                                   std::to_string(parser.get().result_int()) + " " +
                                   std::string(parser.get().reason()));
    }
    conn->buffer.consume(conn->buffer.size());
  }
  if (https) {
    SSL* ssl = conn->tls->native_handle();
    if (send_sni) SSL_set_tlsext_host_name(ssl, verify_name.c_str());
    if (!config.tls.insecure) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (IsIPLiteral(verify_name)) {
        X509_VERIFY_PARAM_set1_ip_asc(param, verify_name.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(param, verify_name.c_str(), verify_name.size());
      }
    }
    auto hs_limit = SteadyClock::now() + config.tls_handshake_timeout;
    lowest.expires_at(op.deadline ? std::min(*op.deadline, hs_limit) : hs_limit);
    co_await conn->tls->async_handshake(ssl::stream_base::client,
                                        asio::redirect_error(use_awaitable, ec));
    if (ec) {
      op.current_stream = nullptr;
      co_return ErrorFor(op, ec, "tls handshake with " + server.Authority(), ssl);
    }
  }
  op.current_stream = nullptr;
  co_return std::move(conn);
}

// The request line and header fields as client-go's transport chain sends them: Host,
// User-Agent and Accept (unless the request sets its own), the request's headers, the
// credentials' Authorization (unless the request has one), impersonation (which replaces the
// request's Impersonate-User and -Uid; groups and extras add to its own), the proxy's
// Proxy-Authorization, Content-Type for a body without one, then Content-Length and the body.
// The request's Host, Content-Length, Transfer-Encoding and Trailer headers are ignored, as
// Go's client ignores them: the server's host is sent, and the body's own length.
StatusOr<std::string> ClientCore::Impl::BuildRequest(const Op& op, const Credentials& creds) {
  const bool http_proxy = proxy && proxy->scheme == "http" && !https;
  const auto& imp = config.impersonate;
  const bool proxy_auth = http_proxy && !proxy->userinfo.empty();
  bool has_user_agent = false;
  bool has_accept = false;
  bool has_auth = false;
  bool has_content_type = false;
  for (const auto& [k, v] : op.req.headers) {
    has_user_agent = has_user_agent || SameFieldName(k, "User-Agent");
    has_accept = has_accept || SameFieldName(k, "Accept");
    has_auth = has_auth || SameFieldName(k, "Authorization");
    has_content_type = has_content_type || SameFieldName(k, "Content-Type");
  }
  // The request line is checked like the fields: a verb that is not a token, or a path with a
  // space or a control byte (either could end the line early), is refused, not sent.
  if (!IsHeaderToken(op.req.method)) {
    return Status(StatusCode::kInvalidArgument,
                  "invalid HTTP method \"" + op.req.method + "\": it must be a token",
                  ErrorOrigin::kRequestBuilding);
  }
  if (std::any_of(op.req.target.begin(), op.req.target.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b <= 0x20 || b == 0x7f;
      })) {
    return Status(StatusCode::kInvalidArgument,
                  "invalid request path: it contains a space or a control character",
                  ErrorOrigin::kRequestBuilding);
  }
  RequestWire wire(op.req.method,
                   http_proxy ? "http://" + server.HostHeader() + op.req.target : op.req.target,
                   op.req.body.size());
  Status s = wire.Add("Host", server.HostHeader());
  if (s.ok() && !has_user_agent) s = wire.Add("User-Agent", user_agent);
  if (s.ok() && !has_accept) s = wire.Add("Accept", "application/json, */*");
  for (const auto& [k, v] : op.req.headers) {
    if (!s.ok()) break;
    if (SameFieldName(k, "Host") || IsFramingField(k) ||
        (proxy_auth && SameFieldName(k, "Proxy-Authorization")) ||
        (!imp.user_name.empty() && SameFieldName(k, "Impersonate-User")) ||
        (!imp.user_name.empty() && !imp.uid.empty() && SameFieldName(k, "Impersonate-Uid"))) {
      continue;
    }
    s = wire.Add(k, v);
  }
  if (s.ok() && !has_auth && !creds.authorization.empty()) {
    s = wire.Add("Authorization", creds.authorization);
  }
  if (s.ok() && !imp.user_name.empty()) {
    s = wire.Add("Impersonate-User", imp.user_name);
    if (s.ok() && !imp.uid.empty()) s = wire.Add("Impersonate-Uid", imp.uid);
    for (const auto& g : imp.groups) {
      if (s.ok()) s = wire.Add("Impersonate-Group", g);
    }
    for (const auto& [k, values] : imp.extra) {
      for (const auto& v : values) {
        if (s.ok()) s = wire.Add("Impersonate-Extra-" + EscapeHeaderKey(k), v);
      }
    }
  }
  if (s.ok() && proxy_auth) {
    s = wire.Add("Proxy-Authorization", "Basic " + EncodeBase64(proxy->userinfo));
  }
  if (s.ok() && !op.req.body.empty() && !has_content_type) {
    s = wire.Add("Content-Type", "application/json");
  }
  if (!s.ok()) return s;
  std::string bytes = std::move(wire).Finish(op.req.body);
  if (logger->Enabled(LogSeverity::kInfo, 8)) {
    RequestWire::ForEachField(bytes, [&](std::string_view name, std::string_view value) {
      std::string shown(value);
      if (SameFieldName(name, "Authorization") || SameFieldName(name, "Proxy-Authorization")) {
        auto sp = shown.find(' ');
        shown = (sp == std::string::npos ? std::string() : shown.substr(0, sp + 1)) + "<masked>";
      }
      logger->Info(8, "Request Header", {{"key", std::string(name)}, {"value", shown}});
    });
  }
  return bytes;
}

awaitable<ClientCore::Impl::Attempt> ClientCore::Impl::RunAttempt(Op& op,
                                                                  const Credentials& creds) {
  Attempt out;
  Worker& w = *op.worker;
  std::shared_ptr<ssl::context> ctx;
  if (https) {
    auto c = CurrentTlsContext(creds.client_cert);
    if (!c.ok()) {
      out.error = Status(c.status().code(), c.status().message(), ErrorOrigin::kLocal);
      co_return out;
    }
    ctx = *c;
  }
  // The request's bytes, built (and its header fields checked) before any connection is
  // taken or opened.
  auto wire = BuildRequest(op, creds);
  if (!wire.ok()) {
    out.error = wire.status();
    co_return out;
  }
  std::unique_ptr<Connection> conn = TakeIdle(w, ctx);
  if (!conn) {
    auto c = co_await Connect(op, creds);
    if (!c.ok()) {
      out.error = c.status();
      co_return out;
    }
    conn = *std::move(c);
  }
  beast::tcp_stream& lowest = conn->lowest();
  if (op.deadline) {
    lowest.expires_at(*op.deadline);
  } else {
    lowest.expires_never();
  }
  if (op.cancelled) {
    out.error = ErrorFor(op, asio::error::operation_aborted, "request");
    co_return out;
  }
  op.current_stream = &lowest;
  beast::error_code ec;
  if (op.req.on_body) {
    if (conn->tls) {
      co_await asio::async_write(*conn->tls, asio::buffer(*wire),
                                 asio::redirect_error(use_awaitable, ec));
      if (!ec) co_await ReadStreaming(op, *conn, *conn->tls, out);
    } else {
      co_await asio::async_write(*conn->plain, asio::buffer(*wire),
                                 asio::redirect_error(use_awaitable, ec));
      if (!ec) co_await ReadStreaming(op, *conn, *conn->plain, out);
    }
    op.current_stream = nullptr;
    if (ec) {
      out.ec = ec;
      out.error = ErrorFor(op, ec, "writing request");
    }
    co_return out;  // a streamed connection is not reused
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(config.max_response_bytes);
  parser.header_limit(1 << 20);
  if (conn->tls) {
    co_await asio::async_write(*conn->tls, asio::buffer(*wire),
                               asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      co_await http::async_read(*conn->tls, conn->buffer, parser,
                                asio::redirect_error(use_awaitable, ec));
    }
  } else {
    co_await asio::async_write(*conn->plain, asio::buffer(*wire),
                               asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      co_await http::async_read(*conn->plain, conn->buffer, parser,
                                asio::redirect_error(use_awaitable, ec));
    }
  }
  op.current_stream = nullptr;
  if (ec) {
    out.ec = ec;
    out.error = ErrorFor(
        op, ec,
        ec == http::error::body_limit ? "reading response (too large)" : "reading response");
    co_return out;
  }
  out.response = parser.release();
  if (out.response.keep_alive() && !op.cancelled) ReturnIdle(w, std::move(conn));
  co_return out;
}

// The streaming read: headers (under the request deadline), then the body piece by piece to
// on_body, each read bounded by the idle timeout only. Non-2xx bodies are collected instead.
template <class Stream>
awaitable<void> ClientCore::Impl::ReadStreaming(Op& op, Connection& conn, Stream& stream,
                                                Attempt& out) {
  beast::tcp_stream& lowest = conn.lowest();
  beast::error_code ec;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // a watch never ends
  parser.header_limit(1 << 20);
  co_await http::async_read_header(stream, conn.buffer, parser,
                                   asio::redirect_error(use_awaitable, ec));
  if (ec) {
    out.ec = ec;
    out.error = ErrorFor(op, ec, "reading response headers");
    co_return;
  }
  const int code = static_cast<int>(parser.get().result_int());
  const bool success = code >= 200 && code < 300;
  std::string collected;  // a non-2xx body
  if (success) {
    out.streamed = true;
    op.deadline.reset();
    op.req.on_stream_start(code);
  }
  std::array<char, 16384> buf;
  while (!parser.is_done()) {
    if (op.cancelled) {
      out.ec = asio::error::operation_aborted;
      out.error = ErrorFor(op, out.ec, "reading watch stream");
      co_return;
    }
    parser.get().body().data = buf.data();
    parser.get().body().size = buf.size();
    if (!success && op.deadline) {
      lowest.expires_at(*op.deadline);
    } else if (op.req.idle_timeout.count() > 0) {
      lowest.expires_after(op.req.idle_timeout);
    } else {
      lowest.expires_never();
    }
    co_await http::async_read_some(stream, conn.buffer, parser,
                                   asio::redirect_error(use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      out.ec = ec;
      out.error = ErrorFor(op, ec, success ? "reading watch stream" : "reading response");
      co_return;
    }
    const std::size_t n = buf.size() - parser.get().body().size;
    if (n == 0) continue;
    if (success) {
      op.req.on_body(std::string_view(buf.data(), n));
    } else {
      if (collected.size() + n > config.max_response_bytes) {
        out.error = ErrorFor(op, http::error::body_limit, "reading response (too large)");
        co_return;
      }
      collected.append(buf.data(), n);
    }
  }
  auto& header = parser.get();
  out.response.result(header.result_int());
  out.response.version(header.version());
  for (const auto& field : header) out.response.insert(field.name_string(), field.value());
  out.response.body() = std::move(collected);
}

Result ClientCore::Impl::ToResult(Op& op, http::response<http::string_body>& res,
                                  SteadyClock::time_point start) {
  const int code = static_cast<int>(res.result_int());
  std::vector<std::string> warnings;
  for (const auto& field : res) {
    if (field.name() == http::field::warning) {
      std::string text = ParseWarning(std::string_view(field.value().data(), field.value().size()));
      logger->Warning(text, {});
      warnings.push_back(std::move(text));
    }
  }
  std::string content_type(res[http::field::content_type]);
  if (logger->Enabled(LogSeverity::kInfo, 6)) {
    logger->Info(
        6, "HTTP request",
        {{"verb", op.req.method},
         {"url", config.host + op.req.target},
         {"status", std::to_string(code)},
         {"milliseconds", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             SteadyClock::now() - start)
                                             .count())}});
  }
  Result result(code, std::move(res.body()), std::move(content_type), std::move(warnings));
  auto decode_status = [&]() -> std::optional<api::meta::v1::Status> {
    if (result.body().empty() || result.body().front() != '{') return std::nullopt;
    auto s = api::FromJson<api::meta::v1::Status>(result.body());
    if (!s.ok() || s->type_meta.kind != "Status") return std::nullopt;
    return *std::move(s);
  };
  if (code >= 200 && code < 300) {
    // client-go: a 2xx whose body is a Status with status Failure is still an error.
    if (result.body().find("\"Status\"") != std::string::npos) {
      if (auto s = decode_status(); s && s->status == "Failure") {
        result.set_status(Status::FromAPIStatus(*std::move(s), code));
      }
    }
    return result;
  }
  auto status = decode_status();
  if (!status) {
    status = GenericStatus(code, op.req.method, result.body(), RetryAfterSeconds(res).value_or(0));
  }
  result.set_status(Status::FromAPIStatus(*std::move(status), code));
  return result;
}

awaitable<Result> ClientCore::Impl::Execute(std::shared_ptr<Op> op_ptr) {
  Op& op = *op_ptr;
  const auto start = SteadyClock::now();
  if (op.req.cancel.stop_requested()) op.cancelled = true;
  if (Status s = co_await Throttle(op); !s.ok()) co_return Result(s);
  int retries = 0;
  bool auth_retried = false;
  for (;;) {
    // Credentials; an exec plugin that must run does so on the blocking pool.
    Credentials creds;
    if (auth->WouldBlock()) {
      struct Fetched {
        Status status;
        Credentials creds;
      };
      Fetched f = co_await asio::co_spawn(
          blocking,
          [this]() -> awaitable<Fetched> {
            auto c = auth->Get();
            if (!c.ok()) co_return Fetched{c.status(), {}};
            co_return Fetched{Status(), *std::move(c)};
          },
          use_awaitable);
      if (!f.status.ok()) co_return Result(f.status);
      creds = std::move(f.creds);
    } else {
      auto c = auth->Get();
      if (!c.ok()) co_return Result(c.status());
      creds = *std::move(c);
    }
    if (op.cancelled || op.shutdown) {
      co_return Result(ErrorFor(op, asio::error::operation_aborted, "request"));
    }
    Attempt a = co_await RunAttempt(op, creds);
    if (!a.error.ok()) {
      // client-go retries GETs on connection reset / EOF (the request is idempotent).
      if (op.req.method == "GET" && !op.cancelled && !a.streamed &&
          IsRetriableTransportError(a.ec) && retries < op.req.max_retries) {
        ++retries;
        logger->Info(4, "Retrying GET after a connection error",
                     {{"err", a.error.message()}, {"attempt", std::to_string(retries)}});
        if (Status s = co_await Sleep(op, std::chrono::seconds(1)); !s.ok()) co_return Result(s);
        if (Status s = co_await Throttle(op); !s.ok()) co_return Result(s);
        continue;
      }
      co_return Result(a.error);
    }
    const int code = static_cast<int>(a.response.result_int());
    if (code == 401 && !auth_retried && auth->OnUnauthorized(creds.generation)) {
      auth_retried = true;
      logger->Info(4, "Got 401; refreshed credentials, retrying once",
                   {{"verb", op.req.method}, {"path", op.req.target}});
      continue;
    }
    if (code == 429 || code >= 500) {
      if (auto wait = RetryAfterSeconds(a.response); wait && retries < op.req.max_retries) {
        ++retries;
        logger->Info(4, "Got a Retry-After response",
                     {{"delay", std::to_string(*wait) + "s"},
                      {"attempt", std::to_string(retries)},
                      {"url", config.host + op.req.target}});
        const auto d = std::chrono::seconds(std::max(0, *wait));
        if (!op.deadline || SteadyClock::now() + d <= *op.deadline) {
          if (Status s = co_await Sleep(op, d); !s.ok()) co_return Result(s);
          if (Status s = co_await Throttle(op); !s.ok()) co_return Result(s);
          continue;
        }
      }
    }
    co_return ToResult(op, a.response, start);
  }
}

void ClientCore::Impl::Shutdown() {
  std::vector<std::shared_ptr<Op>> ops;
  {
    std::lock_guard lock(ops_mu);
    if (shut_down) return;
    shut_down = true;
    ops.assign(active.begin(), active.end());
  }
  for (auto& op : ops) {
    asio::post(op->worker->ioc, [op] {
      op->shutdown = true;
      op->cancelled = true;
      op->CancelIo();
    });
  }
  ops.clear();
  {
    std::unique_lock lock(ops_mu);
    ops_cv.wait(lock, [&] { return active.empty(); });
  }
  for (auto& w : workers) {
    w->guard.reset();
    asio::post(w->ioc, [raw = w.get()] { raw->idle.clear(); });
  }
  for (auto& w : workers) {
    if (w->thread.joinable()) w->thread.join();
  }
  {
    // A caller whose request has finished may still be returning its worker.
    std::unique_lock lock(callers_mu);
    callers_cv.wait(lock, [&] { return callers_out == 0; });
    callers_idle.clear();
  }
  blocking.join();
}

// ------------------------------------------------------------------------------ ClientCore

ClientCore::ClientCore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ClientCore::~ClientCore() {
  if (impl_) impl_->Shutdown();
}

StatusOr<std::shared_ptr<ClientCore>> ClientCore::Create(Config config) {
  auto impl = std::make_unique<Impl>();
  impl->logger = config.logger;
  impl->clock = config.clock;
  impl->config = std::move(config);
  if (Status s = impl->Init(); !s.ok()) {
    impl->Shutdown();
    return s;
  }
  impl->config.logger = impl->logger;
  impl->config.clock = impl->clock;
  return std::shared_ptr<ClientCore>(new ClientCore(std::move(impl)));
}

const Config& ClientCore::config() const { return impl_->config; }
const std::string& ClientCore::path_prefix() const { return impl_->server.path; }

void ClientCore::Start(PreparedRequest request, std::function<void(Result)> done) {
  impl_->Start(std::move(request), std::move(done));
}

Result ClientCore::Run(PreparedRequest request) {
  if (tls_current_core == impl_.get()) {
    return Result(Status(StatusCode::kFailedPrecondition,
                         "Do() called on one of the client's own I/O threads (from a DoAsync "
                         "callback); use DoAsync there",
                         ErrorOrigin::kRequestBuilding));
  }
  return impl_->RunOnCaller(std::move(request));
}

void ClientCore::Shutdown() { impl_->Shutdown(); }

bool ClientCore::OnOwnThread() const { return tls_current_core == impl_.get(); }

int ClientCore::connections_opened() const { return impl_->connections_opened.load(); }
int ClientCore::exec_runs() const { return impl_->auth ? impl_->auth->exec_runs() : 0; }

}  // namespace kube::rest::internal
