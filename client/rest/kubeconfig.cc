// Kubeconfig loading: clientcmd's loader.go (files, merge, relative paths), validation.go
// (error messages) and client_config.go (context selection, overrides, rest.Config).
#include "kubeevents/client/rest/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <utility>

#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/client/rest/internal/url.h"

namespace kube::rest {

namespace {

namespace fs = std::filesystem;
using internal::DecodeBase64;

struct ClusterEntry {
  std::string name;
  std::string origin;  // file that defined it
  std::string server;
  std::string tls_server_name;
  bool insecure = false;
  std::string ca_file;
  std::string ca_data;
  std::string proxy_url;
  bool disable_compression = false;
  std::string exec_extension_json;
};

struct UserEntry {
  std::string name;
  std::string origin;
  std::string cert_file, cert_data, key_file, key_data;
  std::string token, token_file;
  std::string as, as_uid;
  std::vector<std::string> as_groups;
  std::map<std::string, std::vector<std::string>> as_extra;
  std::string username, password;
  bool has_password = false;
  std::string auth_provider;  // name, when present
  bool has_auth_provider = false;
  std::optional<ExecConfig> exec;
  bool exec_interactive_mode_set = false;
  std::string exec_path;  // for error messages
};

struct ContextEntry {
  std::string name;
  std::string origin;
  std::string cluster, user, namespace_;
};

struct Merged {
  std::vector<ClusterEntry> clusters;
  std::vector<UserEntry> users;
  std::vector<ContextEntry> contexts;
  std::string current_context;
  std::string current_context_origin;
  int files_read = 0;
};

Status FieldError(const std::string& origin, const std::string& path, const std::string& what) {
  std::string prefix = origin.empty() ? std::string("kubeconfig") : origin;
  return InvalidArgumentError(prefix + ": " + path + ": " + what);
}

std::string Where(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return "";
  return " (line " + std::to_string(m.line + 1) + ")";
}

// Reads a scalar string field; absent/null → "".
Status GetString(const YAML::Node& parent, const char* key, const std::string& origin,
                 const std::string& path, std::string& out) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return Status();
  if (!n.IsScalar()) {
    return FieldError(origin, path + "." + key, "expected a string" + Where(n));
  }
  out = n.Scalar();
  return Status();
}

Status GetBool(const YAML::Node& parent, const char* key, const std::string& origin,
               const std::string& path, bool& out) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return Status();
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") {
      out = true;
      return Status();
    }
    if (s == "false" || s == "False" || s == "FALSE") {
      out = false;
      return Status();
    }
  }
  return FieldError(origin, path + "." + key, "expected a boolean" + Where(n));
}

Status GetStringList(const YAML::Node& parent, const char* key, const std::string& origin,
                     const std::string& path, std::vector<std::string>& out) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return Status();
  if (!n.IsSequence()) return FieldError(origin, path + "." + key, "expected a list" + Where(n));
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      return FieldError(origin, path + "." + key + "[" + std::to_string(i) + "]",
                        "expected a string" + Where(n[i]));
    }
    out.push_back(n[i].Scalar());
  }
  return Status();
}

Status GetBase64(const YAML::Node& parent, const char* key, const std::string& origin,
                 const std::string& path, std::string& out) {
  std::string text;
  if (Status s = GetString(parent, key, origin, path, text); !s.ok()) return s;
  if (text.empty()) return Status();
  auto decoded = DecodeBase64(text);
  if (!decoded.ok()) {
    return FieldError(origin, path + "." + key, decoded.status().message() + Where(parent[key]));
  }
  out = *std::move(decoded);
  return Status();
}

// YAML → JSON for extension payloads (plain scalars that look like JSON literals stay so).
void YamlToJson(const YAML::Node& n, api::internal::JsonWriter& w) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      w.StartObject();
      for (const auto& kv : n) {
        w.Key(kv.first.Scalar());
        YamlToJson(kv.second, w);
      }
      w.EndObject();
      return;
    case YAML::NodeType::Sequence:
      w.StartArray();
      for (const auto& item : n) YamlToJson(item, w);
      w.EndArray();
      return;
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "?") {
        if (s == "true" || s == "false") {
          w.Bool(s == "true");
          return;
        }
        if (s == "null" || s == "~") {
          w.Null();
          return;
        }
        char* end = nullptr;
        if (!s.empty()) {
          const long long v = std::strtoll(s.c_str(), &end, 10);
          if (end && *end == '\0') {
            w.Int(v);
            return;
          }
          const double d = std::strtod(s.c_str(), &end);
          if (end && *end == '\0') {
            w.Double(d);
            return;
          }
        }
      }
      w.String(s);
      return;
    }
    default:
      w.Null();
  }
}

std::string ResolvePath(const std::string& path, const std::string& origin) {
  if (path.empty() || fs::path(path).is_absolute() || origin.empty()) return path;
  return (fs::path(origin).parent_path() / path).lexically_normal().string();
}

Status ParseCluster(const YAML::Node& item, const std::string& origin, const std::string& path,
                    ClusterEntry& c) {
  YAML::Node cl = item["cluster"];
  if (!cl || cl.IsNull()) return Status();
  if (!cl.IsMap()) return FieldError(origin, path + ".cluster", "expected a mapping" + Where(cl));
  const std::string p = path + ".cluster";
  Status s;
  if (!(s = GetString(cl, "server", origin, p, c.server)).ok()) return s;
  if (!(s = GetString(cl, "tls-server-name", origin, p, c.tls_server_name)).ok()) return s;
  if (!(s = GetBool(cl, "insecure-skip-tls-verify", origin, p, c.insecure)).ok()) return s;
  if (!(s = GetString(cl, "certificate-authority", origin, p, c.ca_file)).ok()) return s;
  if (!(s = GetBase64(cl, "certificate-authority-data", origin, p, c.ca_data)).ok()) return s;
  if (!(s = GetString(cl, "proxy-url", origin, p, c.proxy_url)).ok()) return s;
  if (!(s = GetBool(cl, "disable-compression", origin, p, c.disable_compression)).ok()) return s;
  c.ca_file = ResolvePath(c.ca_file, origin);
  YAML::Node ext = cl["extensions"];
  if (ext && ext.IsSequence()) {
    for (const auto& e : ext) {
      if (e.IsMap() && e["name"] && e["name"].IsScalar() &&
          e["name"].Scalar() == "client.authentication.k8s.io/exec" && e["extension"]) {
        std::string json;
        api::internal::JsonWriter w(json);
        YamlToJson(e["extension"], w);
        c.exec_extension_json = std::move(json);
      }
    }
  }
  return Status();
}

Status ParseExec(const YAML::Node& ex, const std::string& origin, const std::string& p,
                 UserEntry& u) {
  if (!ex.IsMap()) return FieldError(origin, p, "expected a mapping" + Where(ex));
  ExecConfig e;
  e.api_version.clear();
  Status s;
  if (!(s = GetString(ex, "command", origin, p, e.command)).ok()) return s;
  if (!(s = GetStringList(ex, "args", origin, p, e.args)).ok()) return s;
  if (!(s = GetString(ex, "apiVersion", origin, p, e.api_version)).ok()) return s;
  if (!(s = GetString(ex, "installHint", origin, p, e.install_hint)).ok()) return s;
  if (!(s = GetBool(ex, "provideClusterInfo", origin, p, e.provide_cluster_info)).ok()) return s;
  YAML::Node env = ex["env"];
  if (env && !env.IsNull()) {
    if (!env.IsSequence()) return FieldError(origin, p + ".env", "expected a list" + Where(env));
    for (std::size_t i = 0; i < env.size(); ++i) {
      const std::string ep = p + ".env[" + std::to_string(i) + "]";
      if (!env[i].IsMap()) return FieldError(origin, ep, "expected a mapping" + Where(env[i]));
      ExecEnvVar var;
      if (!(s = GetString(env[i], "name", origin, ep, var.name)).ok()) return s;
      if (!(s = GetString(env[i], "value", origin, ep, var.value)).ok()) return s;
      if (var.name.empty()) return FieldError(origin, ep + ".name", "must not be empty");
      e.env.push_back(std::move(var));
    }
  }
  std::string mode;
  if (!(s = GetString(ex, "interactiveMode", origin, p, mode)).ok()) return s;
  if (mode.empty()) {
    u.exec_interactive_mode_set = false;
  } else if (mode == "Never") {
    e.interactive_mode = ExecInteractiveMode::kNever;
    u.exec_interactive_mode_set = true;
  } else if (mode == "IfAvailable") {
    e.interactive_mode = ExecInteractiveMode::kIfAvailable;
    u.exec_interactive_mode_set = true;
  } else if (mode == "Always") {
    e.interactive_mode = ExecInteractiveMode::kAlways;
    u.exec_interactive_mode_set = true;
  } else {
    return FieldError(origin, p + ".interactiveMode",
                      "invalid interactiveMode \"" + mode +
                          "\": must be Never, IfAvailable or Always" +
                          Where(ex["interactiveMode"]));
  }
  if (e.command.empty()) return FieldError(origin, p + ".command", "command must be specified");
  if (e.command.find('/') != std::string::npos) e.command = ResolvePath(e.command, origin);
  u.exec_path = p;
  u.exec = std::move(e);
  return Status();
}

Status ParseUser(const YAML::Node& item, const std::string& origin, const std::string& path,
                 UserEntry& u) {
  YAML::Node us = item["user"];
  if (!us || us.IsNull()) return Status();
  if (!us.IsMap()) return FieldError(origin, path + ".user", "expected a mapping" + Where(us));
  const std::string p = path + ".user";
  Status s;
  if (!(s = GetString(us, "client-certificate", origin, p, u.cert_file)).ok()) return s;
  if (!(s = GetBase64(us, "client-certificate-data", origin, p, u.cert_data)).ok()) return s;
  if (!(s = GetString(us, "client-key", origin, p, u.key_file)).ok()) return s;
  if (!(s = GetBase64(us, "client-key-data", origin, p, u.key_data)).ok()) return s;
  if (!(s = GetString(us, "token", origin, p, u.token)).ok()) return s;
  if (!(s = GetString(us, "tokenFile", origin, p, u.token_file)).ok()) return s;
  if (!(s = GetString(us, "as", origin, p, u.as)).ok()) return s;
  if (!(s = GetString(us, "as-uid", origin, p, u.as_uid)).ok()) return s;
  if (!(s = GetStringList(us, "as-groups", origin, p, u.as_groups)).ok()) return s;
  if (!(s = GetString(us, "username", origin, p, u.username)).ok()) return s;
  if (!(s = GetString(us, "password", origin, p, u.password)).ok()) return s;
  YAML::Node extra = us["as-user-extra"];
  if (extra && !extra.IsNull()) {
    if (!extra.IsMap()) {
      return FieldError(origin, p + ".as-user-extra", "expected a mapping" + Where(extra));
    }
    for (const auto& kv : extra) {
      std::vector<std::string> values;
      const std::string key = kv.first.Scalar();
      if (kv.second.IsSequence()) {
        for (const auto& v : kv.second) values.push_back(v.Scalar());
      } else if (kv.second.IsScalar()) {
        values.push_back(kv.second.Scalar());
      }
      u.as_extra[key] = std::move(values);
    }
  }
  YAML::Node ap = us["auth-provider"];
  if (ap && !ap.IsNull()) {
    u.has_auth_provider = true;
    if (ap.IsMap() && ap["name"] && ap["name"].IsScalar()) u.auth_provider = ap["name"].Scalar();
  }
  YAML::Node ex = us["exec"];
  if (ex && !ex.IsNull()) {
    if (Status st = ParseExec(ex, origin, p + ".exec", u); !st.ok()) return st;
  }
  u.cert_file = ResolvePath(u.cert_file, origin);
  u.key_file = ResolvePath(u.key_file, origin);
  u.token_file = ResolvePath(u.token_file, origin);
  return Status();
}

// Parses one document and merges it into `m` (first definition wins).
Status ParseInto(std::string_view text, const std::string& origin, Merged& m) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string where = e.mark.is_null() ? std::string()
                                         : " at line " + std::to_string(e.mark.line + 1) +
                                               ", column " + std::to_string(e.mark.column + 1);
    return InvalidArgumentError((origin.empty() ? std::string("kubeconfig") : origin) +
                                ": invalid YAML" + where + ": " + e.msg);
  }
  if (!root || root.IsNull()) return Status();  // an empty file is an empty config
  if (!root.IsMap()) return FieldError(origin, "(root)", "expected a mapping" + Where(root));
  try {
    std::string kind;
    if (Status s = GetString(root, "kind", origin, "", kind); !s.ok()) return s;
    if (!kind.empty() && kind != "Config") {
      return FieldError(origin, "kind", "expected \"Config\", got \"" + kind + "\"");
    }
    std::set<std::string> seen;
    auto list = [&](const char* key, auto&& fn) -> Status {
      YAML::Node n = root[key];
      if (!n || n.IsNull()) return Status();
      if (!n.IsSequence()) return FieldError(origin, key, "expected a list" + Where(n));
      seen.clear();
      for (std::size_t i = 0; i < n.size(); ++i) {
        const std::string path = std::string(key) + "[" + std::to_string(i) + "]";
        if (!n[i].IsMap()) return FieldError(origin, path, "expected a mapping" + Where(n[i]));
        std::string name;
        if (Status s = GetString(n[i], "name", origin, path, name); !s.ok()) return s;
        if (name.empty()) return FieldError(origin, path + ".name", "name must not be empty");
        if (!seen.insert(name).second) {
          return FieldError(origin, path + ".name", "duplicate name \"" + name + "\"");
        }
        if (Status s = fn(n[i], path, name); !s.ok()) return s;
      }
      return Status();
    };
    Status s = list("clusters",
                    [&](const YAML::Node& item, const std::string& path, const std::string& name) {
                      ClusterEntry c;
                      c.name = name;
                      c.origin = origin;
                      if (Status st = ParseCluster(item, origin, path, c); !st.ok()) return st;
                      if (std::none_of(m.clusters.begin(), m.clusters.end(),
                                       [&](const ClusterEntry& e) { return e.name == name; })) {
                        m.clusters.push_back(std::move(c));
                      }
                      return Status();
                    });
    if (!s.ok()) return s;
    s = list("users",
             [&](const YAML::Node& item, const std::string& path, const std::string& name) {
               UserEntry u;
               u.name = name;
               u.origin = origin;
               if (Status st = ParseUser(item, origin, path, u); !st.ok()) return st;
               if (std::none_of(m.users.begin(), m.users.end(),
                                [&](const UserEntry& e) { return e.name == name; })) {
                 m.users.push_back(std::move(u));
               }
               return Status();
             });
    if (!s.ok()) return s;
    s = list(
        "contexts", [&](const YAML::Node& item, const std::string& path, const std::string& name) {
          ContextEntry c;
          c.name = name;
          c.origin = origin;
          YAML::Node ctx = item["context"];
          if (ctx && !ctx.IsNull()) {
            if (!ctx.IsMap()) {
              return FieldError(origin, path + ".context", "expected a mapping" + Where(ctx));
            }
            Status st;
            if (!(st = GetString(ctx, "cluster", origin, path + ".context", c.cluster)).ok())
              return st;
            if (!(st = GetString(ctx, "user", origin, path + ".context", c.user)).ok()) return st;
            if (!(st = GetString(ctx, "namespace", origin, path + ".context", c.namespace_)).ok()) {
              return st;
            }
          }
          if (std::none_of(m.contexts.begin(), m.contexts.end(),
                           [&](const ContextEntry& e) { return e.name == name; })) {
            m.contexts.push_back(std::move(c));
          }
          return Status();
        });
    if (!s.ok()) return s;
    std::string current;
    if (Status st = GetString(root, "current-context", origin, "", current); !st.ok()) return st;
    if (m.current_context.empty() && !current.empty()) {
      m.current_context = current;
      m.current_context_origin = origin;
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError((origin.empty() ? std::string("kubeconfig") : origin) + ": " +
                                e.what());
  }
  ++m.files_read;
  return Status();
}

bool IsDNS1123Label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-'; });
}

StatusOr<Config> Build(const Merged& m, const KubeconfigOverrides& ov,
                       const std::shared_ptr<Logger>& logger) {
  const std::string context_name = !ov.context.empty() ? ov.context : m.current_context;
  if (context_name.empty()) {
    if (m.contexts.empty() && m.clusters.empty()) {
      return NotFoundError(
          "invalid configuration: no configuration has been provided, try setting "
          "KUBECONFIG or creating ~/.kube/config");
    }
    return Status(StatusCode::kFailedPrecondition,
                  "invalid configuration: no current context is set (set current-context or "
                  "choose a context)");
  }
  auto ctx_it = std::find_if(m.contexts.begin(), m.contexts.end(),
                             [&](const ContextEntry& c) { return c.name == context_name; });
  if (ctx_it == m.contexts.end()) {
    return Status(StatusCode::kInvalidArgument,
                  "invalid configuration: context \"" + context_name + "\" not found");
  }
  const ContextEntry& ctx = *ctx_it;
  const std::string where = ctx.origin.empty() ? std::string("kubeconfig") : ctx.origin;
  if (ctx.cluster.empty()) {
    return FieldError(ctx.origin, "context \"" + ctx.name + "\"", "no cluster is set");
  }
  auto cl_it = std::find_if(m.clusters.begin(), m.clusters.end(),
                            [&](const ClusterEntry& c) { return c.name == ctx.cluster; });
  if (cl_it == m.clusters.end()) {
    return Status(
        StatusCode::kInvalidArgument,
        where + ": cluster \"" + ctx.cluster + "\" not found for context \"" + ctx.name + "\"");
  }
  const ClusterEntry& cl = *cl_it;
  const UserEntry* user = nullptr;
  UserEntry empty_user;
  if (!ctx.user.empty()) {
    auto u_it = std::find_if(m.users.begin(), m.users.end(),
                             [&](const UserEntry& u) { return u.name == ctx.user; });
    if (u_it == m.users.end()) {
      return Status(
          StatusCode::kInvalidArgument,
          where + ": user \"" + ctx.user + "\" not found for context \"" + ctx.name + "\"");
    }
    user = &*u_it;
  } else {
    user = &empty_user;
  }
  const std::string corigin = cl.origin.empty() ? std::string("kubeconfig") : cl.origin;
  const std::string cpath = "cluster \"" + cl.name + "\"";

  Config config;
  config.logger = logger;
  config.host = !ov.server.empty() ? ov.server : cl.server;
  if (config.host.empty()) {
    return InvalidArgumentError(corigin + ": " + cpath + ": cluster has no server defined");
  }
  {
    const bool tls = !cl.ca_file.empty() || !cl.ca_data.empty() || cl.insecure;
    auto url = internal::ParseURL(config.host, tls ? "https" : "http");
    if (!url.ok()) {
      return InvalidArgumentError(corigin + ": " + cpath + ": server: " + url.status().message());
    }
    if (url->scheme != "https" && url->scheme != "http") {
      return InvalidArgumentError(corigin + ": " + cpath + ": server: unsupported scheme \"" +
                                  url->scheme + "\"");
    }
  }
  config.tls.insecure = cl.insecure;
  config.tls.server_name = cl.tls_server_name;
  if (!cl.ca_data.empty()) {
    config.tls.ca_data = cl.ca_data;
    if (!cl.ca_file.empty() && logger) {
      logger->Warning(
          "certificate-authority-data and certificate-authority are both specified; "
          "certificate-authority-data will override",
          {{"cluster", cl.name}, {"file", corigin}});
    }
  } else if (!cl.ca_file.empty()) {
    auto ca = internal::ReadFile(cl.ca_file);
    if (!ca.ok()) {
      return InvalidArgumentError(corigin + ": " + cpath +
                                  ": certificate-authority: unable to read " +
                                  ca.status().message());
    }
    config.tls.ca_file = cl.ca_file;
  }
  if (cl.insecure && (!cl.ca_data.empty() || !cl.ca_file.empty())) {
    return InvalidArgumentError(
        corigin + ": " + cpath +
        ": specifying a root certificates file with the insecure flag is "
        "not allowed (insecure-skip-tls-verify with certificate-authority)");
  }
  // insecure-skip-tls-verify is warned about once, by the RESTClient that skips verification
  // (every way of turning it off goes through it), not here as well.
  if (!cl.proxy_url.empty()) {
    auto p = internal::ParseURL(cl.proxy_url);
    if (!p.ok()) {
      return InvalidArgumentError(corigin + ": " + cpath +
                                  ": proxy-url: failed to parse proxy URL \"" + cl.proxy_url +
                                  "\": " + p.status().message());
    }
    if (p->scheme != "http" && p->scheme != "https" && p->scheme != "socks5") {
      return InvalidArgumentError(
          corigin + ": " + cpath + ": proxy-url: failed to parse proxy URL \"" + cl.proxy_url +
          "\": unsupported scheme \"" + p->scheme + "\", must be http, https, or socks5");
    }
    config.proxy_url = cl.proxy_url;
  }
  config.disable_compression = cl.disable_compression;

  // ---- user
  const UserEntry& u = *user;
  const std::string uorigin = u.origin.empty() ? std::string("kubeconfig") : u.origin;
  const std::string upath = "user \"" + u.name + "\"";
  if (u.has_auth_provider && u.exec) {
    return InvalidArgumentError(uorigin + ": " + upath +
                                ": authProvider cannot be provided in combination with an exec "
                                "plugin");
  }
  if (u.has_auth_provider) {
    return Status(StatusCode::kUnimplemented,
                  uorigin + ": " + upath + ": auth-provider \"" + u.auth_provider +
                      "\" is not supported (client-go removed the in-tree providers): configure "
                      "an exec credential plugin instead (kubelogin for OIDC/Azure, "
                      "gke-gcloud-auth-plugin for GKE, aws eks get-token for EKS)");
  }
  std::vector<std::string> methods;
  if (!u.token.empty() || !u.token_file.empty()) methods.push_back("token");
  if (!u.username.empty() || !u.password.empty()) methods.push_back("basicAuth");
  if (u.exec) methods.push_back("exec");
  if (methods.size() > 1) {
    std::string list;
    for (const auto& x : methods) list += (list.empty() ? "" : " ") + x;
    return InvalidArgumentError(uorigin + ": " + upath +
                                ": more than one authentication method found; found [" + list +
                                "], only one is allowed");
  }
  const bool has_cert = !u.cert_file.empty() || !u.cert_data.empty();
  const bool has_key = !u.key_file.empty() || !u.key_data.empty();
  if (has_cert && !has_key) {
    return InvalidArgumentError(uorigin + ": " + upath +
                                ": client-key-data or client-key must be specified to use the "
                                "clientCert authentication method");
  }
  if (has_key && !has_cert) {
    return InvalidArgumentError(uorigin + ": " + upath +
                                ": client-certificate-data or client-certificate must be "
                                "specified to use the clientCert authentication method");
  }
  auto pick = [&](const std::string& data, const std::string& file, const char* field,
                  std::string& out_data, std::string& out_file) -> Status {
    if (!data.empty()) {
      out_data = data;
      if (!file.empty() && logger) {
        logger->Warning(std::string(field) + "-data and " + field +
                            " are both specified; the data will override",
                        {{"user", u.name}, {"file", uorigin}});
      }
      return Status();
    }
    if (file.empty()) return Status();
    auto content = internal::ReadFile(file);
    if (!content.ok()) {
      return InvalidArgumentError(uorigin + ": " + upath + ": " + field + ": unable to read " +
                                  content.status().message());
    }
    out_file = file;
    return Status();
  };
  if (Status s = pick(u.cert_data, u.cert_file, "client-certificate", config.tls.cert_data,
                      config.tls.cert_file);
      !s.ok())
    return s;
  if (Status s =
          pick(u.key_data, u.key_file, "client-key", config.tls.key_data, config.tls.key_file);
      !s.ok())
    return s;
  // Data for one half and a file for the other: load the file half into memory.
  // (Read again: the file may have changed or gone since `pick` checked it.)
  auto load = [&](std::string& file, std::string& data, const char* field) -> Status {
    auto content = internal::ReadFile(file);
    if (!content.ok()) {
      return InvalidArgumentError(uorigin + ": " + upath + ": " + field + ": unable to read " +
                                  content.status().message());
    }
    data = *std::move(content);
    file.clear();
    return Status();
  };
  if (!config.tls.cert_data.empty() && !config.tls.key_file.empty()) {
    if (Status s = load(config.tls.key_file, config.tls.key_data, "client-key"); !s.ok()) return s;
  }
  if (!config.tls.key_data.empty() && !config.tls.cert_file.empty()) {
    if (Status s = load(config.tls.cert_file, config.tls.cert_data, "client-certificate"); !s.ok())
      return s;
  }
  config.bearer_token = u.token;
  if (!u.token_file.empty()) {
    auto token = internal::ReadFile(u.token_file);
    if (!token.ok()) {
      return InvalidArgumentError(uorigin + ": " + upath + ": tokenFile: unable to read " +
                                  token.status().message());
    }
    config.bearer_token_file = u.token_file;
    config.bearer_token = *token;
    while (!config.bearer_token.empty() &&
           (config.bearer_token.back() == '\n' || config.bearer_token.back() == '\r')) {
      config.bearer_token.pop_back();
    }
  }
  config.username = u.username;
  config.password = u.password;
  if (u.as.empty() && (!u.as_uid.empty() || !u.as_groups.empty() || !u.as_extra.empty())) {
    return InvalidArgumentError(uorigin + ": " + upath +
                                ": as-uid, as-groups and as-user-extra require as (the user to "
                                "impersonate)");
  }
  config.impersonate.user_name = u.as;
  config.impersonate.uid = u.as_uid;
  config.impersonate.groups = u.as_groups;
  config.impersonate.extra = u.as_extra;
  if (u.exec) {
    ExecConfig e = *u.exec;
    if (e.api_version != "client.authentication.k8s.io/v1" &&
        e.api_version != "client.authentication.k8s.io/v1beta1") {
      return InvalidArgumentError(
          uorigin + ": " + u.exec_path + ".apiVersion: " +
          (e.api_version.empty() ? std::string("apiVersion must be specified")
                                 : "unsupported exec plugin apiVersion \"" + e.api_version +
                                       "\" (use client.authentication.k8s.io/v1 or v1beta1)"));
    }
    if (!u.exec_interactive_mode_set) {
      if (e.api_version == "client.authentication.k8s.io/v1") {
        return InvalidArgumentError(uorigin + ": " + u.exec_path +
                                    ".interactiveMode: interactiveMode must be specified for " +
                                    u.name + " to use exec authentication plugin");
      }
      e.interactive_mode = ExecInteractiveMode::kIfAvailable;
    }
    e.cluster_config_json = cl.exec_extension_json;
    config.exec_provider = std::move(e);
  }

  // ---- namespace
  std::string ns = !ov.namespace_.empty() ? ov.namespace_ : ctx.namespace_;
  if (ns.empty()) ns = "default";
  if (!IsDNS1123Label(ns)) {
    return InvalidArgumentError(where + ": context \"" + ctx.name + "\": namespace \"" + ns +
                                "\" is not a valid DNS-1123 label");
  }
  config.default_namespace = ns;
  return config;
}

}  // namespace

KubeconfigLoadingRules KubeconfigLoadingRules::FromEnvironment() {
  KubeconfigLoadingRules rules;
  const char* env = std::getenv("KUBECONFIG");
  if (env && *env) {
    std::string_view list(env);
    std::set<std::string> seen;
    while (true) {
      auto pos = list.find(':');
      std::string_view item = list.substr(0, pos);
      if (!item.empty() && seen.insert(std::string(item)).second) {
        rules.precedence.emplace_back(item);
      }
      if (pos == std::string_view::npos) break;
      list.remove_prefix(pos + 1);
    }
    return rules;
  }
  const char* home = std::getenv("HOME");
  if (home && *home) rules.precedence.push_back(std::string(home) + "/.kube/config");
  return rules;
}

StatusOr<Config> ParseKubeconfig(std::string_view text, const std::string& origin,
                                 const KubeconfigOverrides& overrides,
                                 std::shared_ptr<Logger> logger) {
  if (!logger) logger = MakeDefaultLogger();
  Merged m;
  std::string abs_origin = origin;
  if (!origin.empty()) abs_origin = fs::absolute(origin).lexically_normal().string();
  if (Status s = ParseInto(text, abs_origin, m); !s.ok()) return s;
  return Build(m, overrides, logger);
}

StatusOr<Config> LoadKubeconfigFile(const std::string& path, const KubeconfigOverrides& overrides,
                                    std::shared_ptr<Logger> logger) {
  KubeconfigLoadingRules rules;
  rules.explicit_path = path;
  return LoadKubeconfig(rules, overrides, std::move(logger));
}

StatusOr<Config> LoadKubeconfig(const KubeconfigLoadingRules& rules,
                                const KubeconfigOverrides& overrides,
                                std::shared_ptr<Logger> logger) {
  if (!logger) logger = MakeDefaultLogger();
  Merged m;
  auto load = [&](const std::string& path, bool must_exist) -> Status {
    const std::string abs = fs::absolute(path).lexically_normal().string();
    auto text = internal::ReadFile(abs);
    if (!text.ok()) {
      if (!must_exist && text.status().code() == StatusCode::kNotFound) return Status();
      return Status(text.status().code(),
                    "error loading kubeconfig " + abs + ": " + text.status().message());
    }
    return ParseInto(*text, abs, m);
  };
  if (!rules.explicit_path.empty()) {
    if (Status s = load(rules.explicit_path, true); !s.ok()) return s;
  } else {
    for (const auto& path : rules.precedence) {
      if (Status s = load(path, false); !s.ok()) return s;
    }
    if (m.files_read == 0 && !rules.precedence.empty() && rules.precedence.size() > 1) {
      logger->Warning("none of the files named by KUBECONFIG exist",
                      {{"KUBECONFIG", [&] {
                          std::string s;
                          for (const auto& p : rules.precedence) s += (s.empty() ? "" : ":") + p;
                          return s;
                        }()}});
    }
  }
  return Build(m, overrides, logger);
}

}  // namespace kube::rest
