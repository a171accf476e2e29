#include "kubeevents/tools/eventer/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <utility>

#include "kubeevents/client/rest/internal/url.h"
#include "kubeevents/tools/eventer/route.h"
#include "kubeevents/tools/eventer/template.h"

namespace kube::eventer {

std::string ConfigError::ToString() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": ";
  if (!key.empty()) s += key + ": ";
  return s + message;
}

StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view s) {
  using namespace std::chrono;
  if (s == "0") return milliseconds(0);
  if (s.empty()) return InvalidArgumentError("empty duration");
  const std::string text(s);
  milliseconds total{0};
  while (!s.empty()) {
    std::size_t i = 0;
    long long n = 0;
    if (s[0] < '0' || s[0] > '9') break;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      n = n * 10 + (s[i++] - '0');
      if (n > 1'000'000'000) return InvalidArgumentError("duration \"" + text + "\" too large");
    }
    std::size_t j = i;
    while (j < s.size() && (s[j] < '0' || s[j] > '9')) ++j;
    const auto unit = s.substr(i, j - i);
    if (unit == "h") {
      total += hours(n);
    } else if (unit == "m") {
      total += minutes(n);
    } else if (unit == "s") {
      total += seconds(n);
    } else if (unit == "ms") {
      total += milliseconds(n);
    } else {
      return InvalidArgumentError("bad duration \"" + text + "\" (use e.g. 1h30m, 90s, 250ms)");
    }
    s.remove_prefix(j);
  }
  if (!s.empty()) {
    return InvalidArgumentError("bad duration \"" + text + "\" (use e.g. 1h30m, 90s, 250ms)");
  }
  return total;
}

namespace {

struct Failure {
  ConfigError error;
};

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const YAML::Node& n, const std::string& key, const std::string& msg) {
    const int line = n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
    throw Failure{ConfigError{file_, line, key, msg}};
  }

  // Rejects keys not in `allowed`, naming the key's own line.
  void Keys(const YAML::Node& map, const std::string& path,
            std::initializer_list<std::string_view> allowed) {
    if (!map.IsMap()) Fail(map, path, "expected a mapping");
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string k = it->first.Scalar();
      bool ok = false;
      for (auto a : allowed) ok = ok || a == k;
      if (!ok) Fail(it->first, Join(path, k), "unknown key");
    }
  }

  static std::string Join(const std::string& path, std::string_view k) {
    return path.empty() ? std::string(k) : path + "." + std::string(k);
  }

  std::string String(const YAML::Node& n, const std::string& key) {
    if (!n.IsScalar()) Fail(n, key, "expected a string");
    return n.Scalar();
  }
  bool Bool(const YAML::Node& n, const std::string& key) {
    const std::string s = n.IsScalar() ? n.Scalar() : "";
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    Fail(n, key, "expected true or false");
  }
  long long Int(const YAML::Node& n, const std::string& key, long long min, long long max) {
    const std::string s = n.IsScalar() ? n.Scalar() : "";
    long long v = 0;
    std::size_t pos = 0;
    try {
      v = std::stoll(s, &pos);
    } catch (...) {
      pos = std::string::npos;
    }
    if (s.empty() || pos != s.size()) Fail(n, key, "expected an integer");
    if (v < min || v > max) {
      Fail(n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return v;
  }
  std::chrono::milliseconds Duration(const YAML::Node& n, const std::string& key) {
    auto d = ParseDuration(String(n, key));
    if (!d.ok()) Fail(n, key, d.status().message());
    return *d;
  }
  std::vector<std::string> Strings(const YAML::Node& n, const std::string& key) {
    std::vector<std::string> out;
    if (n.IsNull()) return out;
    if (!n.IsSequence()) Fail(n, key, "expected a list of strings");
    for (std::size_t i = 0; i < n.size(); ++i) {
      out.push_back(String(n[i], key + "[" + std::to_string(i) + "]"));
    }
    return out;
  }

  RuleConfig Rule(const YAML::Node& n, const std::string& path) {
    Keys(n, path,
         {"namespace", "kind", "name", "reason", "type", "component", "message", "labels",
          "minCount", "receiver"});
    RuleConfig r;
    r.line = n.Mark().line + 1;
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string k = it->first.Scalar();
      const std::string key = Join(path, k);
      const YAML::Node v = it->second;  // a copy: it-> yields a temporary
      std::string* target = nullptr;
      if (k == "namespace") target = &r.namespace_;
      if (k == "kind") target = &r.kind;
      if (k == "name") target = &r.name;
      if (k == "reason") target = &r.reason;
      if (k == "type") target = &r.type;
      if (k == "component") target = &r.component;
      if (k == "message") target = &r.message;
      if (k == "receiver") target = &r.receiver;
      if (target) {
        *target = String(v, key);
        if (k != "receiver") Regex(v, key, *target);
      } else if (k == "minCount") {
        r.min_count = static_cast<std::int32_t>(Int(v, key, 0, 1 << 30));
      } else if (k == "labels") {
        if (!v.IsMap()) Fail(v, key, "expected a mapping of label → regex");
        for (auto l = v.begin(); l != v.end(); ++l) {
          const std::string lk = Join(key, l->first.Scalar());
          r.labels[l->first.Scalar()] = String(l->second, lk);
          Regex(l->second, lk, r.labels[l->first.Scalar()]);
        }
      }
    }
    return r;
  }

  void Regex(const YAML::Node& n, const std::string& key, const std::string& pattern) {
    auto m = ValueMatcher::Compile(pattern);
    if (!m.ok()) Fail(n, key, m.status().message());
  }

  RouteConfig Route(const YAML::Node& n, const std::string& path) {
    Keys(n, path, {"drop", "match", "routes"});
    RouteConfig r;
    auto list = [&](const char* k) -> std::vector<YAML::Node> {
      std::vector<YAML::Node> out;
      const YAML::Node v = n[k];
      if (!v || v.IsNull()) return out;
      if (!v.IsSequence()) Fail(v, Join(path, k), "expected a list");
      for (std::size_t i = 0; i < v.size(); ++i) out.push_back(v[i]);
      return out;
    };
    auto drops = list("drop");
    for (std::size_t i = 0; i < drops.size(); ++i) {
      const std::string p = path + ".drop[" + std::to_string(i) + "]";
      r.drop.push_back(Rule(drops[i], p));
      if (!r.drop.back().receiver.empty()) {
        Fail(drops[i]["receiver"], p + ".receiver", "drop rules take no receiver");
      }
    }
    auto matches = list("match");
    for (std::size_t i = 0; i < matches.size(); ++i) {
      const std::string p = path + ".match[" + std::to_string(i) + "]";
      r.match.push_back(Rule(matches[i], p));
      if (!r.match.back().receiver.empty()) {
        receiver_refs_.push_back(
            {r.match.back().receiver, p + ".receiver", matches[i]["receiver"].Mark().line + 1});
      }
    }
    auto routes = list("routes");
    for (std::size_t i = 0; i < routes.size(); ++i) {
      r.routes.push_back(Route(routes[i], path + ".routes[" + std::to_string(i) + "]"));
    }
    return r;
  }

  ReceiverConfig Receiver(const YAML::Node& n, const std::string& path) {
    Keys(n, path,
         {"name", "stdout", "file", "webhook", "syslog", "postgres", "template", "queue", "batch",
          "retry"});
    ReceiverConfig r;
    r.line = n.Mark().line + 1;
    if (!n["name"]) Fail(n, path + ".name", "missing (every receiver needs a name)");
    r.name = String(n["name"], path + ".name");
    if (r.name.empty()) Fail(n["name"], path + ".name", "must not be empty");
    int kinds = 0;
    for (const char* k : {"stdout", "file", "webhook", "syslog", "postgres"}) {
      if (n[k]) {
        ++kinds;
        r.kind = k;
      }
    }
    if (kinds != 1) {
      Fail(n, path, "needs exactly one of stdout, file, webhook, syslog, postgres");
    }
    const YAML::Node body = n[r.kind];
    const std::string bp = Join(path, r.kind);
    auto each = [&](const YAML::Node& m, const std::string& p, auto&& f) {
      if (m.IsNull()) return;
      if (!m.IsMap()) Fail(m, p, "expected a mapping");
      for (auto it = m.begin(); it != m.end(); ++it) {
        f(it->first.Scalar(), it->second, Join(p, it->first.Scalar()));
      }
    };
    if (r.kind == "stdout") {
      if (!body.IsNull()) Keys(body, bp, {});
    } else if (r.kind == "file") {
      Keys(body, bp, {"path", "maxSizeMB", "maxBackups", "fsync"});
      each(body, bp, [&](const std::string& k, const YAML::Node& v, const std::string& key) {
        if (k == "path") r.file.path = String(v, key);
        if (k == "maxSizeMB")
          r.file.max_size_bytes = static_cast<std::size_t>(Int(v, key, 1, 1 << 20)) << 20;
        if (k == "maxBackups") r.file.max_backups = static_cast<int>(Int(v, key, 0, 1000));
        if (k == "fsync") r.file.fsync = Bool(v, key);
      });
      if (r.file.path.empty()) Fail(body, bp + ".path", "missing (the file to write)");
    } else if (r.kind == "webhook") {
      Keys(body, bp, {"url", "method", "headers", "caFile", "insecureSkipVerify", "timeout"});
      each(body, bp, [&](const std::string& k, const YAML::Node& v, const std::string& key) {
        if (k == "url") r.webhook.url = String(v, key);
        if (k == "method") r.webhook.method = String(v, key);
        if (k == "caFile") r.webhook.ca_file = String(v, key);
        if (k == "insecureSkipVerify") r.webhook.insecure_skip_verify = Bool(v, key);
        if (k == "timeout") r.webhook.timeout = Duration(v, key);
        if (k == "headers") {
          each(v, key, [&](const std::string& hk, const YAML::Node& hv, const std::string& hkey) {
            r.webhook.headers.emplace_back(hk, String(hv, hkey));
          });
        }
      });
      const auto& u = r.webhook.url;
      if (!u.starts_with("http://") && !u.starts_with("https://")) {
        Fail(body["url"] ? body["url"] : body, bp + ".url", "must be an http:// or https:// URL");
      }
    } else if (r.kind == "syslog") {
      Keys(body, bp, {"network", "address", "facility", "appName", "hostname", "timeout"});
      each(body, bp, [&](const std::string& k, const YAML::Node& v, const std::string& key) {
        if (k == "network") r.syslog.network = String(v, key);
        if (k == "address") r.syslog.address = String(v, key);
        if (k == "facility") r.syslog.facility = String(v, key);
        if (k == "appName") r.syslog.app_name = String(v, key);
        if (k == "hostname") r.syslog.hostname = String(v, key);
        if (k == "timeout") r.syslog.timeout = Duration(v, key);
      });
      if (r.syslog.network != "udp" && r.syslog.network != "tcp") {
        Fail(body["network"], bp + ".network", "must be udp or tcp");
      }
      if (r.syslog.address.find(':') == std::string::npos) {
        Fail(body["address"] ? body["address"] : body, bp + ".address", "must be host:port");
      }
      static const std::set<std::string> kFacilities{
          "kern",   "user",   "mail",   "daemon",   "auth",   "syslog", "lpr",
          "news",   "uucp",   "cron",   "authpriv", "ftp",    "local0", "local1",
          "local2", "local3", "local4", "local5",   "local6", "local7"};
      if (!kFacilities.contains(r.syslog.facility)) {
        Fail(body["facility"], bp + ".facility", "unknown facility \"" + r.syslog.facility + "\"");
      }
    } else if (r.kind == "postgres") {
      Keys(body, bp, {"url", "table", "createTable"});
      each(body, bp, [&](const std::string& k, const YAML::Node& v, const std::string& key) {
        if (k == "url") r.postgres.url = String(v, key);
        if (k == "table") r.postgres.table = String(v, key);
        if (k == "createTable") r.postgres.create_table = Bool(v, key);
      });
      if (r.postgres.url.empty()) Fail(body, bp + ".url", "missing (a libpq connection string)");
      for (char c : r.postgres.table) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
          Fail(body["table"], bp + ".table", "only letters, digits and _ are allowed");
        }
      }
    }
    if (const YAML::Node t = n["template"]) {
      r.layout = String(t, path + ".template");
      auto compiled = Template::Compile(r.layout);
      if (!compiled.ok()) Fail(t, path + ".template", compiled.status().message());
    }
    if (const YAML::Node q = n["queue"]) {
      Keys(q, path + ".queue", {"size", "whenFull", "blockTimeout"});
      each(q, path + ".queue",
           [&](const std::string& k, const YAML::Node& v, const std::string& key) {
             if (k == "size") r.queue.size = static_cast<std::size_t>(Int(v, key, 1, 100'000'000));
             if (k == "blockTimeout") r.queue.block_timeout = Duration(v, key);
             if (k == "whenFull") {
               const std::string w = String(v, key);
               if (w == "block") {
                 r.queue.when_full = WhenFull::kBlock;
               } else if (w == "drop") {
                 r.queue.when_full = WhenFull::kDrop;
               } else {
                 Fail(v, key, "must be block or drop");
               }
             }
           });
    }
    if (r.kind == "webhook") r.batch.max_events = 1;  // one request per event unless told
    if (const YAML::Node b = n["batch"]) {
      Keys(b, path + ".batch", {"maxEvents", "maxWait"});
      each(b, path + ".batch",
           [&](const std::string& k, const YAML::Node& v, const std::string& key) {
             if (k == "maxEvents")
               r.batch.max_events = static_cast<std::size_t>(Int(v, key, 1, 100000));
             if (k == "maxWait") r.batch.max_wait = Duration(v, key);
           });
    }
    if (const YAML::Node rt = n["retry"]) {
      Keys(rt, path + ".retry", {"maxAttempts", "initialBackoff", "maxBackoff"});
      each(rt, path + ".retry",
           [&](const std::string& k, const YAML::Node& v, const std::string& key) {
             if (k == "maxAttempts") r.retry.max_attempts = static_cast<int>(Int(v, key, 1, 1000));
             if (k == "initialBackoff") r.retry.initial_backoff = Duration(v, key);
             if (k == "maxBackoff") r.retry.max_backoff = Duration(v, key);
           });
    }
    return r;
  }

  Config Root(const YAML::Node& root) {
    Config c;
    if (root.IsNull()) Fail(root, "", "empty configuration (at least one receiver is needed)");
    Keys(root, "",
         {"kubeconfig", "namespaces", "fieldSelector", "maxEventAge", "exportDeleted", "checkpoint",
          "metrics", "dedupe", "labelCache", "leaderElection", "route", "receivers"});
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string k = it->first.Scalar();
      const YAML::Node v = it->second;  // a copy: it-> yields a temporary
      if (k == "kubeconfig") c.kubeconfig = String(v, k);
      if (k == "namespaces") c.namespaces = Strings(v, k);
      if (k == "fieldSelector") c.field_selector = String(v, k);
      if (k == "maxEventAge") c.max_event_age = Duration(v, k);
      if (k == "exportDeleted") c.export_deleted = Bool(v, k);
      if (k == "checkpoint") {
        Keys(v, k, {"path", "interval"});
        if (v["path"]) c.checkpoint_path = String(v["path"], "checkpoint.path");
        if (v["interval"]) c.checkpoint_interval = Duration(v["interval"], "checkpoint.interval");
      }
      if (k == "metrics") {
        Keys(v, k, {"address"});
        if (v["address"]) c.listen_address = String(v["address"], "metrics.address");
      }
      if (k == "dedupe") {
        Keys(v, k, {"cacheSize"});
        if (v["cacheSize"]) {
          c.dedupe_cache_size =
              static_cast<std::size_t>(Int(v["cacheSize"], "dedupe.cacheSize", 0, 100'000'000));
        }
      }
      if (k == "labelCache") {
        Keys(v, k, {"ttl"});
        if (v["ttl"]) c.label_cache_ttl = Duration(v["ttl"], "labelCache.ttl");
      }
      if (k == "leaderElection") {
        Keys(v, k,
             {"enabled", "namespace", "name", "identity", "leaseDuration", "renewDeadline",
              "retryPeriod"});
        auto& le = c.leader_election;
        for (auto l = v.begin(); l != v.end(); ++l) {
          const std::string lk = l->first.Scalar();
          const std::string key = "leaderElection." + lk;
          if (lk == "enabled") le.enabled = Bool(l->second, key);
          if (lk == "namespace") le.namespace_ = String(l->second, key);
          if (lk == "name") le.name = String(l->second, key);
          if (lk == "identity") le.identity = String(l->second, key);
          if (lk == "leaseDuration") le.lease_duration = Duration(l->second, key);
          if (lk == "renewDeadline") le.renew_deadline = Duration(l->second, key);
          if (lk == "retryPeriod") le.retry_period = Duration(l->second, key);
        }
        if (le.lease_duration <= le.renew_deadline) {
          Fail(v, "leaderElection.leaseDuration", "must be greater than renewDeadline");
        }
        if (le.renew_deadline <= le.retry_period) {
          Fail(v, "leaderElection.renewDeadline", "must be greater than retryPeriod");
        }
      }
      if (k == "route") c.route = Route(v, "route");
      if (k == "receivers") {
        if (!v.IsSequence()) Fail(v, k, "expected a list");
        std::set<std::string> names;
        for (std::size_t i = 0; i < v.size(); ++i) {
          const std::string p = "receivers[" + std::to_string(i) + "]";
          c.receivers.push_back(Receiver(v[i], p));
          if (!names.insert(c.receivers.back().name).second) {
            Fail(v[i]["name"], p + ".name",
                 "duplicate receiver \"" + c.receivers.back().name + "\"");
          }
        }
      }
    }
    if (c.receivers.empty()) Fail(root, "receivers", "missing (at least one receiver is needed)");
    for (const auto& ref : receiver_refs_) {
      bool found = false;
      for (const auto& r : c.receivers) found = found || r.name == ref.name;
      if (!found) {
        throw Failure{
            ConfigError{file_, ref.line, ref.key, "unknown receiver \"" + ref.name + "\""}};
      }
    }
    return c;
  }

 private:
  struct Ref {
    std::string name, key;
    int line;
  };
  std::string file_;
  std::vector<Ref> receiver_refs_;
};

}  // namespace

StatusOr<Config> ParseConfig(std::string_view yaml, const std::string& file) {
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return Parser(file).Root(root);
  } catch (const Failure& f) {
    return InvalidArgumentError(f.error.ToString());
  } catch (const YAML::Exception& e) {
    ConfigError err{file, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg};
    return InvalidArgumentError(err.ToString());
  }
}

StatusOr<Config> LoadConfigFile(const std::string& path) {
  auto text = rest::internal::ReadFile(path);
  if (!text.ok())
    return InvalidArgumentError(path + ": cannot read the file: " + text.status().message());
  return ParseConfig(*text, path);
}

}  // namespace kube::eventer
