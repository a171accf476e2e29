// kube::eventer::Config: the kube-eventer configuration file (YAML) and its loader.
//
// Every key is documented with its default in docs/eventer.md. Unknown keys, wrong types, bad
// regular expressions, bad templates and routes naming receivers that do not exist are errors
// that name the file, the line and the key (`eventer.yaml:12: route.match[0].kindd: unknown
// key`); the program exits with code 2 on them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/status_or.h"

namespace kube::eventer {

/// One match or drop rule. Every string field is a regular expression (ECMAScript) that must
/// match the whole value; an empty field matches anything. A rule matches when all of its
/// non-empty fields match.
struct RuleConfig {
  std::string namespace_;  ///< YAML `namespace`: the event's namespace
  std::string kind;        ///< involvedObject.kind
  std::string name;        ///< involvedObject.name
  std::string reason;
  std::string type;       ///< Normal / Warning
  std::string component;  ///< source.component, or reportingComponent when that is empty
  std::string message;
  /// involvedObject's labels (fetched with a cached GET): key → regex; all must match.
  std::map<std::string, std::string> labels;
  std::int32_t min_count = 0;  ///< YAML `minCount`: the event's count must be >= this
  std::string receiver;        ///< match rules: where a matching event goes
  int line = 0;                ///< where the rule starts in the file (for messages)
};

/// A node of the route tree (kubernetes-event-exporter's semantics): an event that matches
/// any `drop` rule stops here; each matching `match` rule sends it to that rule's receiver;
/// when every match rule matched, the child `routes` are evaluated too.
struct RouteConfig {
  std::vector<RuleConfig> drop;
  std::vector<RuleConfig> match;
  std::vector<RouteConfig> routes;
};

/// What a receiver does when its queue is full.
enum class WhenFull {
  kBlock,  ///< wait up to block_timeout (backpressure on the watch), then drop and count
  kDrop,   ///< drop at once and count
};

/// The bounded queue in front of each receiver.
struct QueueConfig {
  std::size_t size = 10000;
  WhenFull when_full = WhenFull::kBlock;
  std::chrono::milliseconds block_timeout = std::chrono::seconds(5);
};

/// Batching: a receiver is handed up to max_events at once, waiting up to max_wait to fill.
struct BatchConfig {
  std::size_t max_events = 100;
  std::chrono::milliseconds max_wait{0};
};

/// Retries of a failed batch (transport errors, 5xx, 429): exponential backoff with jitter.
struct RetryConfig {
  int max_attempts = 5;  ///< total attempts, first included; then the events count as failed
  std::chrono::milliseconds initial_backoff = std::chrono::milliseconds(500);
  std::chrono::milliseconds max_backoff = std::chrono::seconds(30);
};

/// stdout / file receiver: one line per event (the template, default the event's JSON).
struct FileReceiverConfig {
  std::string path;                                     ///< empty for stdout
  std::size_t max_size_bytes = std::size_t{100} << 20;  ///< YAML `maxSizeMB` (default 100)
  int max_backups = 3;                                  ///< path.1 ... path.N kept
  bool fsync = false;  ///< fsync after every batch (flushed to the kernel always)
};

/// HTTP(S) webhook receiver.
struct WebhookReceiverConfig {
  std::string url;
  std::string method = "POST";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string ca_file;
  bool insecure_skip_verify = false;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

/// RFC 5424 syslog receiver over UDP (one datagram per event) or TCP (octet counting).
struct SyslogReceiverConfig {
  std::string network = "udp";  ///< udp | tcp
  std::string address;          ///< host:port
  std::string facility = "local0";
  std::string app_name = "kube-eventer";
  std::string hostname;  ///< default: this host's name
  /// tcp: bound on connecting and on writing one batch; past it the connection is dropped and
  /// the batch retried like any failed send, so a peer that stops reading cannot hang the
  /// receiver's thread. Default 10 s.
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

/// PostgreSQL receiver (libpqxx): one row per (uid, resourceVersion), upserted.
struct PostgresReceiverConfig {
  std::string url;  ///< libpq connection string or postgresql:// URI
  std::string table = "kube_events";
  bool create_table = true;
};

/// One named receiver: exactly one of the kinds, plus queue/batch/retry/template.
struct ReceiverConfig {
  std::string name;
  std::string kind;  ///< stdout | file | webhook | syslog | postgres
  FileReceiverConfig file;
  WebhookReceiverConfig webhook;
  SyslogReceiverConfig syslog;
  PostgresReceiverConfig postgres;
  std::string layout;  ///< YAML `template`: body template; empty = the event's JSON
  QueueConfig queue;
  BatchConfig batch;
  RetryConfig retry;
  int line = 0;
};

/// Optional leader election on a coordination.k8s.io/v1 Lease (client-go's defaults).
struct LeaderElectionConfig {
  bool enabled = false;
  std::string namespace_ = "default";
  std::string name = "kube-eventer";
  std::string identity;  ///< default: hostname + "_" + a random suffix
  std::chrono::milliseconds lease_duration = std::chrono::seconds(15);
  std::chrono::milliseconds renew_deadline = std::chrono::seconds(10);
  std::chrono::milliseconds retry_period = std::chrono::seconds(2);
};

/// The whole file.
struct Config {
  std::string kubeconfig;               ///< empty: KUBECONFIG, ~/.kube/config, in-cluster
  std::vector<std::string> namespaces;  ///< one watch each; empty = all namespaces
  std::string field_selector;
  /// On a start without checkpoint, events last seen longer ago than this are not exported.
  std::chrono::milliseconds max_event_age = std::chrono::hours(1);
  bool export_deleted = false;  ///< YAML `exportDeleted`: also export DELETED changes
  std::string checkpoint_path;  ///< YAML `checkpoint.path`; empty = no checkpoint
  std::chrono::milliseconds checkpoint_interval = std::chrono::seconds(1);
  std::string listen_address = "127.0.0.1:9102";  ///< YAML `metrics.address`; "" = off
  std::size_t dedupe_cache_size = 100000;         ///< YAML `dedupe.cacheSize`
  std::chrono::milliseconds label_cache_ttl = std::chrono::minutes(5);
  LeaderElectionConfig leader_election;
  RouteConfig route;
  std::vector<ReceiverConfig> receivers;
};

/// A config error: `file:line: key: message`.
struct ConfigError {
  std::string file;
  int line = 0;
  std::string key;
  std::string message;
  std::string ToString() const;
};

/// Parses YAML text (`file` names it in errors). Validates receiver references, regexes and
/// templates. On error returns kInvalidArgument whose message is ConfigError::ToString().
StatusOr<Config> ParseConfig(std::string_view yaml, const std::string& file);
/// Reads and parses a file.
StatusOr<Config> LoadConfigFile(const std::string& path);

/// Go-style durations: "1h30m", "90s", "250ms", "0".
StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace kube::eventer
