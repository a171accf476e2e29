// A scripted loopback HTTP/HTTPS responder for the client tests and benchmark: records every
// request and answers from a handler (status, headers, body, delay, connection reset/close).
// Real sockets and real TLS (OpenSSL), bound to 127.0.0.1 (or ::1) only.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kube::rest::testing {

/// One request as the server saw it.
struct RecordedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  std::string client_cert_cn;  ///< subject CN of the verified client certificate, if any
  int connection = 0;          ///< 1-based index of the connection it came on
  /// First value of a header (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  /// All values of a header.
  std::vector<std::string> Headers(std::string_view name) const;
};

/// What to answer.
struct ScriptedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  std::string content_type = "application/json";
  std::chrono::milliseconds delay{0};  ///< wait before answering
  bool reset = false;                  ///< send a TCP RST instead of a response
  bool close = false;                  ///< close the connection after answering
};

/// TLS identity and client-certificate policy of the server.
struct ServerTLS {
  std::string certificate_pem{};
  std::string private_key_pem{};
  std::string client_ca_pem{};  ///< verify client certificates against this CA
  bool require_client_cert = false;
};

class ScriptedServer {
 public:
  using Handler = std::function<ScriptedResponse(const RecordedRequest&)>;

  /// Starts listening on `bind_address`:0. `record` false skips keeping requests (benchmarks).
  explicit ScriptedServer(Handler handler, std::optional<ServerTLS> tls = std::nullopt,
                          std::string bind_address = "127.0.0.1", bool record = true);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const;
  /// "http://127.0.0.1:<port>" or "https://...".
  std::string url() const;
  std::vector<RecordedRequest> requests() const;
  int connections() const;
  int handshake_failures() const;
  long long requests_served() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kube::rest::testing
