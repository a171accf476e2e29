// kube-local-apiserver: runs kube::localapiserver::Server until SIGINT/SIGTERM, printing its
// URL and the path of a kubeconfig that kubectl and this library accept.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include <pthread.h>

#include "kubeevents/tools/localapiserver/server.h"

namespace {

constexpr std::string_view kUsage = R"(Usage: kube-local-apiserver [flags]

A small events-only Kubernetes API server on 127.0.0.1 (core/v1 and events.k8s.io/v1 Events).

Flags:
  --bind-address=IP          address of the API listeners (default 127.0.0.1); a non-loopback
                             address is refused unless --allow-non-loopback is given
  --allow-non-loopback       permit a non-loopback --bind-address (reachable from the network)
  --https-port=N             HTTPS port (default 0 = pick a free one)
  --no-https                 do not serve HTTPS
  --http                     also serve plain HTTP
  --http-port=N              plain HTTP port (implies --http; 0 = pick)
  --admin-port=N             serve the fault-injection admin endpoint on this port (0 = pick)
  --cert-dir=DIR             keep ca.crt/ca.key/server.crt/server.key here (reused if present)
  --kubeconfig=PATH          where to write the kubeconfig (default ./kube-local-apiserver.kubeconfig)
  --token=TOKEN              bearer token (default: random)
  --event-ttl=DURATION       event TTL, e.g. 1h, 30m, 90s (default 1h)
  --terminating-namespace=NS mark NS terminating (repeatable)
  --no-events-v1             do not serve events.k8s.io/v1 (core/v1 only)
  --fail-next=N              fail the next N event requests ...
  --fail-code=CODE           ... with this HTTP status (default 503)
  --fail-retry-after=SECONDS ... and this Retry-After
  --latency=DURATION         add latency to every event request (e.g. 200ms)
  --reset-next=N             reset the connection of the next N event requests
                             (more faults at run time through the admin endpoint)
  --threads=N                I/O threads (default 2)
  -v=N                       log requests at verbosity >= 4
  --help                     this text
)";

// Parses Go-style durations: 1h, 30m, 90s, 250ms, 1h30m.
bool ParseDuration(std::string_view s, std::chrono::milliseconds& out) {
  using namespace std::chrono;
  milliseconds total{0};
  if (s.empty()) return false;
  while (!s.empty()) {
    std::size_t i = 0;
    long long n = 0;
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') n = n * 10 + (s[i++] - '0');
    std::size_t j = i;
    while (j < s.size() && (s[j] < '0' || s[j] > '9')) ++j;
    const auto unit = s.substr(i, j - i);
    if (unit == "h")
      total += hours(n);
    else if (unit == "m")
      total += minutes(n);
    else if (unit == "s")
      total += seconds(n);
    else if (unit == "ms")
      total += milliseconds(n);
    else
      return false;
    s.remove_prefix(j);
  }
  out = total;
  return true;
}

bool ParseInt(std::string_view s, int& out) {
  try {
    std::size_t pos = 0;
    out = std::stoi(std::string(s), &pos);
    return pos == s.size();
  } catch (...) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  kube::localapiserver::ServerOptions options;
  std::string kubeconfig = "kube-local-apiserver.kubeconfig";
  int verbosity = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view key = arg, value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      key = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    auto bad = [&] {
      std::cerr << "kube-local-apiserver: invalid flag " << arg << "\n\n" << kUsage;
      return 2;
    };
    int n = 0;
    std::chrono::milliseconds d{};
    if (key == "--help" || key == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (key == "--bind-address" && !value.empty()) {
      options.bind_address = value;
    } else if (key == "--allow-non-loopback") {
      options.allow_non_loopback = true;
    } else if (key == "--https-port" && ParseInt(value, n)) {
      options.https_port = static_cast<std::uint16_t>(n);
    } else if (key == "--no-events-v1") {
      options.serve_events_v1 = false;
    } else if (key == "--no-https") {
      options.https = false;
    } else if (key == "--http") {
      options.http = true;
    } else if (key == "--http-port" && ParseInt(value, n)) {
      options.http = true;
      options.http_port = static_cast<std::uint16_t>(n);
    } else if (key == "--admin-port" && ParseInt(value, n)) {
      options.admin = true;
      options.admin_port = static_cast<std::uint16_t>(n);
    } else if (key == "--cert-dir" && !value.empty()) {
      options.cert_dir = value;
    } else if (key == "--kubeconfig" && !value.empty()) {
      kubeconfig = value;
    } else if (key == "--token" && !value.empty()) {
      options.token = value;
    } else if (key == "--event-ttl" && ParseDuration(value, d)) {
      options.event_ttl = std::chrono::duration_cast<std::chrono::seconds>(d);
    } else if (key == "--terminating-namespace" && !value.empty()) {
      options.terminating_namespaces.insert(std::string(value));
    } else if (key == "--fail-next" && ParseInt(value, n)) {
      options.fail_next = n;
    } else if (key == "--fail-code" && ParseInt(value, n)) {
      options.fail_code = n;
    } else if (key == "--fail-retry-after" && ParseInt(value, n)) {
      options.fail_retry_after = std::chrono::seconds(n);
    } else if (key == "--latency" && ParseDuration(value, d)) {
      options.latency = d;
    } else if (key == "--reset-next" && ParseInt(value, n)) {
      options.reset_next = n;
    } else if (key == "--threads" && ParseInt(value, n) && n > 0) {
      options.threads = n;
    } else if ((key == "-v" || key == "--v") && ParseInt(value, n)) {
      verbosity = n;
    } else {
      return bad();
    }
  }
  if (verbosity > 0) options.logger = std::make_shared<kube::StderrLogger>(verbosity);

  // Block the termination signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  kube::localapiserver::Server server(options);
  if (auto st = server.Start(); !st.ok()) {
    std::cerr << "kube-local-apiserver: " << st << "\n";
    return 1;
  }
  if (auto st = server.WriteKubeconfig(kubeconfig); !st.ok()) {
    std::cerr << "kube-local-apiserver: " << st << "\n";
    return 1;
  }
  std::cout << "kube-local-apiserver listening on " << server.URL() << "\n";
  if (!server.HttpURL().empty() && server.HttpURL() != server.URL()) {
    std::cout << "plain HTTP on " << server.HttpURL() << "\n";
  }
  if (!server.AdminURL().empty()) std::cout << "admin endpoint on " << server.AdminURL() << "\n";
  std::cout << "serves: events (v1), events.events.k8s.io (events.k8s.io/v1), "
               "leases.coordination.k8s.io (coordination.k8s.io/v1); no pods, nodes or other "
               "resources\n";
  std::cout << "kubeconfig: " << std::filesystem::absolute(kubeconfig).string() << "\n"
            << "try: kubectl --kubeconfig " << kubeconfig << " get events -A" << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "kube-local-apiserver: received signal " << sig << ", shutting down" << std::endl;
  server.Stop();
  return 0;
}
