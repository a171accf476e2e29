#include "kubeevents/client/rest/internal/exec_plugin.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/client/rest/internal/url.h"

extern char** environ;

namespace kube::rest::internal {

namespace {

Status ExecError(std::string message) {
  return Status(StatusCode::kUnauthenticated, std::move(message), ErrorOrigin::kLocal);
}

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    Reset();
    fd_ = std::exchange(o.fd_, -1);
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace

std::string StripControlSequences(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b) {
      // ESC [ params final-byte  (CSI), or ESC + one char.
      if (i + 1 < text.size() && text[i + 1] == '[') {
        i += 2;
        while (i < text.size() && !(text[i] >= 0x40 && text[i] <= 0x7e)) ++i;
      } else {
        ++i;
      }
      continue;
    }
    if (c < 0x20 && c != '\n' && c != '\t') continue;
    if (c == 0x7f) continue;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string BuildExecInfo(const ExecConfig& exec, const ExecClusterInfo& cluster) {
  std::string out;
  api::internal::JsonWriter w(out);
  w.StartObject();
  w.Key("kind");
  w.String("ExecCredential");
  w.Key("apiVersion");
  w.String(exec.api_version);
  w.Key("spec");
  w.StartObject();
  if (exec.provide_cluster_info) {
    w.Key("cluster");
    w.StartObject();
    w.Key("server");
    w.String(cluster.server);
    if (!cluster.tls_server_name.empty()) {
      w.Key("tls-server-name");
      w.String(cluster.tls_server_name);
    }
    if (cluster.insecure_skip_tls_verify) {
      w.Key("insecure-skip-tls-verify");
      w.Bool(true);
    }
    if (!cluster.ca_data.empty()) {
      w.Key("certificate-authority-data");
      w.String(EncodeBase64(cluster.ca_data));
    }
    if (!cluster.proxy_url.empty()) {
      w.Key("proxy-url");
      w.String(cluster.proxy_url);
    }
    if (cluster.disable_compression) {
      w.Key("disable-compression");
      w.Bool(true);
    }
    if (!exec.cluster_config_json.empty()) {
      w.Key("config");
      w.Raw(exec.cluster_config_json);
    }
    w.EndObject();
  }
  w.Key("interactive");
  w.Bool(false);
  w.EndObject();
  w.EndObject();
  return out;
}

StatusOr<ExecCredentialStatus> ParseExecCredential(std::string_view json,
                                                   const std::string& api_version) {
  auto doc = api::internal::ParseDocument(json);
  if (!doc.ok() || !doc->IsObject()) {
    return ExecError("exec plugin: decoding stdout: " +
                     (doc.ok() ? std::string("expected a JSON object") : doc.status().message()));
  }
  auto str = [&](const rapidjson::Value& obj, const char* key) -> std::string {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) return "";
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  const std::string kind = str(*doc, "kind");
  const std::string version = str(*doc, "apiVersion");
  if (kind != "ExecCredential") {
    return ExecError("exec plugin: decoding stdout: expected kind ExecCredential, got \"" + kind +
                     "\"");
  }
  if (version != api_version) {
    return ExecError("exec plugin is configured to use API version " + api_version +
                     ", plugin returned version " + version);
  }
  auto st = doc->FindMember("status");
  if (st == doc->MemberEnd() || !st->value.IsObject()) {
    return ExecError("exec plugin didn't return a status field");
  }
  ExecCredentialStatus out;
  out.token = str(st->value, "token");
  out.client_certificate_pem = str(st->value, "clientCertificateData");
  out.client_key_pem = str(st->value, "clientKeyData");
  if (out.token.empty() && out.client_certificate_pem.empty() && out.client_key_pem.empty()) {
    return ExecError("exec plugin didn't return a token or cert/key pair");
  }
  if (out.client_certificate_pem.empty() != out.client_key_pem.empty()) {
    return ExecError("exec plugin returned only certFile or keyFile, not both");
  }
  const std::string expiry = str(st->value, "expirationTimestamp");
  if (!expiry.empty()) {
    auto t = api::meta::v1::ParseRFC3339(expiry);
    if (!t.ok()) {
      return ExecError("exec plugin: invalid expirationTimestamp \"" + expiry +
                       "\": " + t.status().message());
    }
    out.expiration = *t;
  }
  return out;
}

StatusOr<ExecCredentialStatus> RunExecPlugin(const ExecConfig& exec,
                                             const ExecClusterInfo& cluster) {
  if (exec.interactive_mode == ExecInteractiveMode::kAlways) {
    return ExecError(
        "exec plugin cannot support interactive mode: standard input is not a "
        "terminal (interactiveMode Always)");
  }
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return ExecError("exec plugin: pipe: " + std::string(std::strerror(errno)));
  Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0)
    return ExecError("exec plugin: pipe: " + std::string(std::strerror(errno)));
  Fd err_r(err_pipe[0]), err_w(err_pipe[1]);

  // Environment: ours, then the plugin's env entries (overriding), then the exec info.
  std::vector<std::string> env_strings;
  auto set_env = [&](const std::string& name, const std::string& value) {
    const std::string prefix = name + "=";
    for (auto& e : env_strings) {
      if (e.compare(0, prefix.size(), prefix) == 0) {
        e = prefix + value;
        return;
      }
    }
    env_strings.push_back(prefix + value);
  };
  for (char** e = environ; e && *e; ++e) env_strings.emplace_back(*e);
  for (const auto& var : exec.env) set_env(var.name, var.value);
  set_env("KUBERNETES_EXEC_INFO", BuildExecInfo(exec, cluster));
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_strings;
  arg_strings.push_back(exec.command);
  for (const auto& a : exec.args) arg_strings.push_back(a);
  std::vector<char*> argv;
  for (auto& a : arg_strings) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2);
  pid_t pid = 0;
  const bool has_slash = exec.command.find('/') != std::string::npos;
  int rc =
      has_slash
          ? posix_spawn(&pid, exec.command.c_str(), &actions, nullptr, argv.data(), envp.data())
          : posix_spawnp(&pid, exec.command.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  out_w.Reset();
  err_w.Reset();
  if (rc != 0) {
    if (rc == ENOENT || rc == EACCES || rc == ENOTDIR) {
      std::string msg = "exec: executable " + exec.command + " not found";
      if (rc == EACCES) msg = "exec: executable " + exec.command + " is not executable";
      msg +=
          "\n\nIt looks like you are trying to use a client-go credential plugin that is not "
          "installed.";
      if (!exec.install_hint.empty()) msg += "\n\n" + StripControlSequences(exec.install_hint);
      return ExecError(std::move(msg));
    }
    return ExecError("exec: starting " + exec.command + ": " + std::strerror(rc));
  }

  std::string out, err;
  const auto deadline = std::chrono::steady_clock::now() + exec.timeout;
  bool timed_out = false;
  bool out_open = true, err_open = true;
  constexpr std::size_t kMaxOutput = 1 << 20;
  while (out_open || err_open) {
    pollfd fds[2];
    nfds_t n = 0;
    if (out_open) fds[n++] = {out_r.get(), POLLIN, 0};
    if (err_open) fds[n++] = {err_r.get(), POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int pr = ::poll(fds, n, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    for (nfds_t i = 0; i < n; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      const bool is_out = fds[i].fd == out_r.get();
      if (got <= 0) {
        (is_out ? out_open : err_open) = false;
        continue;
      }
      std::string& dst = is_out ? out : err;
      if (dst.size() < kMaxOutput) dst.append(buf, static_cast<std::size_t>(got));
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return ExecError("exec: executable " + exec.command + " did not finish within " +
                     std::to_string(exec.timeout.count()) + "ms and was killed");
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    std::string msg = "exec: executable " + exec.command + " failed with exit code " +
                      std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    // What the plugin printed is not shown: it may hold the credential (client-go leaves the
    // plugin's stderr on the terminal; a library has none).
    if (!err.empty()) {
      msg += " (" + std::to_string(err.size()) +
             " bytes on stderr, not shown: plugin output may contain credentials)";
    }
    return ExecError(std::move(msg));
  }
  auto parsed = ParseExecCredential(out, exec.api_version);
  if (!parsed.ok()) {
    return ExecError("exec: executable " + exec.command + ": " + parsed.status().message());
  }
  return parsed;
}

}  // namespace kube::rest::internal
