// kube::localapiserver::Server: a small, faithful, events-only Kubernetes API server on
// 127.0.0.1 for the demo and for integration tests. It serves core/v1 and events.k8s.io/v1
// Events from one store (with kube-apiserver's conversions, validation, errors, resource
// versions, TTL and watch), enough discovery for kubectl, bearer-token auth over HTTPS with a
// generated CA, and fault injection for reliability tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status.h"
#include "kubeevents/tools/localapiserver/faults.h"

namespace kube::localapiserver {

/// How to run the server. Defaults: HTTPS on a free port, in-memory certificates, a random
/// token, kube-apiserver's 1 h event TTL.
struct ServerOptions {
  bool https = true;             ///< serve HTTPS (CA + server cert for 127.0.0.1/localhost)
  std::uint16_t https_port = 0;  ///< 0 = pick a free port
  bool http = false;             ///< also serve plain HTTP
  std::uint16_t http_port = 0;   ///< 0 = pick a free port
  /// Loopback admin endpoint (plain HTTP, same bearer token) for fault injection.
  bool admin = false;
  std::uint16_t admin_port = 0;
  /// Where ca.crt, ca.key, server.crt, server.key live: reused when all four exist, generated
  /// and written otherwise. Empty = generated in memory only.
  std::string cert_dir;
  /// The bearer token clients must send. Empty = a random 32-hex-digit token.
  std::string token;
  /// kube-apiserver --event-ttl: an event disappears this long after its last write.
  std::chrono::seconds event_ttl = std::chrono::hours(1);
  /// Serve the events.k8s.io/v1 API (false: only core/v1, like a pre-1.19 apiserver; lets
  /// tests exercise the events adapter's fallback).
  bool serve_events_v1 = true;
  /// Namespaces that are terminating: creates there fail (403, cause NamespaceTerminating).
  std::set<std::string> terminating_namespaces;
  /// Time source for creationTimestamp and TTL expiry. Null = the real clock.
  std::shared_ptr<Clock> clock;
  /// Request log (verbosity 4). Null = no logging.
  std::shared_ptr<Logger> logger;
  int threads = 2;                               ///< I/O threads
  std::size_t max_body_bytes = 3 * 1024 * 1024;  ///< larger bodies get 413
  std::size_t watch_history = 10000;             ///< changes kept for watch resumption
  /// How often watches that set allowWatchBookmarks get a BOOKMARK with the current
  /// resourceVersion (kube-apiserver: about once a minute). Measured on `clock`; 0 = never
  /// (SendBookmarks() still works).
  std::chrono::milliseconds watch_bookmark_interval = std::chrono::seconds(60);
  /// How often expired events are swept (on `clock`); reads also expire lazily.
  std::chrono::milliseconds expiry_sweep_interval{1000};
  /// Faults armed at start (as the program's flags do).
  int fail_next = 0;
  int fail_code = 503;
  std::chrono::seconds fail_retry_after{0};
  std::chrono::milliseconds latency{0};
  int reset_next = 0;
};

/// The server. Owns its threads and sockets; Stop (or destruction) joins them.
class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Generates or loads the certificates, binds the listeners and starts serving.
  Status Start();
  /// Closes every connection and watch and joins the threads. Idempotent.
  void Stop();
  bool running() const;

  /// The URL clients should use: the HTTPS one when HTTPS is on, else the HTTP one.
  std::string URL() const;
  std::string HttpsURL() const;  ///< "https://127.0.0.1:<port>" ("" when off)
  std::string HttpURL() const;   ///< "http://127.0.0.1:<port>" ("" when off)
  std::string AdminURL() const;  ///< "http://127.0.0.1:<port>" ("" when off)
  std::uint16_t https_port() const;
  std::uint16_t http_port() const;
  std::uint16_t admin_port() const;

  /// PEM of the CA that signed the server certificate (after Start; "" without HTTPS).
  const std::string& ca_pem() const;
  const std::string& token() const;

  /// A kubeconfig (cluster with server URL and CA data, user with the token, current
  /// context) that kubectl and kube::rest accept.
  std::string KubeconfigYAML() const;
  Status WriteKubeconfig(const std::string& path) const;

  /// Fault injection switchboard (usable before Start).
  FaultInjector& faults();
  /// Closes the API listeners and drops their connections (connection refused) / re-opens.
  void StopAccepting();
  Status ResumeAccepting();
  /// Marks a namespace terminating or clears the mark, at run time.
  void SetNamespaceTerminating(const std::string& ns, bool terminating);
  /// Watch control for tests (also on the admin endpoint: POST /watches/bookmark,
  /// /watches/compact, /watches/cut and /watches/inject with the bytes as body).
  /// SendBookmarks: a BOOKMARK at the current resourceVersion to every bookmark-enabled watch.
  void SendBookmarks();
  /// Forgets the change history, so a watch from any older resourceVersion gets a 410 Gone
  /// ERROR frame ("too old resource version: X (Y)") — as after an etcd compaction.
  void CompactHistory();
  /// Drops the connection of every open watch without ending its chunked body (a network
  /// failure, seen by clients as a broken stream).
  void CutWatches();
  /// Writes `bytes` verbatim into every open watch stream (garbage, ERROR frames, ...).
  void InjectWatchBytes(std::string bytes);
  /// Number of stored (unexpired) events.
  std::size_t EventCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kube::localapiserver
