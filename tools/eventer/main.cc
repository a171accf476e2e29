// kube-eventer: exports Kubernetes events (core/v1) from a cluster to stdout, files, webhooks,
// syslog and PostgreSQL, resuming from a checkpoint so nothing is lost or exported twice.
// Configuration reference: docs/eventer.md.
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/client/rest/config.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/eventer/config.h"
#include "kubeevents/tools/eventer/exporter.h"
#include "kubeevents/tools/eventer/health_server.h"
#include "kubeevents/tools/eventer/runner.h"

namespace {

constexpr std::string_view kUsage = R"(Usage: kube-eventer --config=FILE [flags]

Watches Kubernetes events and exports every change exactly once per receiver: stdout, files
(JSON lines, rotated), webhooks, syslog (RFC 5424) and PostgreSQL. See docs/eventer.md.

Flags (override the file):
  --config=FILE            YAML configuration (required)
  --kubeconfig=PATH        kubeconfig to use (default: KUBECONFIG, ~/.kube/config, in-cluster)
  --namespace=NS           watch only NS (repeatable; default: all namespaces)
  --field-selector=SEL     field selector for the watch, e.g. type=Warning
  --checkpoint=PATH        checkpoint file (the last exported resourceVersion per watch)
  --metrics-address=ADDR   /healthz, /readyz and /metrics on ADDR (host:port, "" = off)
  --max-event-age=DUR      on a start without checkpoint, skip events older than DUR (e.g. 1h)
  --check-config           validate the configuration and exit
  -v=N                     log verbosity (0..10)
  --version                print the version
  --help                   this text

Exit status: 0 after SIGINT/SIGTERM, 1 on a runtime failure (e.g. the cluster is unreachable at
start), 2 on a usage or configuration error (the message names the file, line and key).
)";

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  kube::eventer::Overrides overrides;
  bool check_only = false;
  int verbosity = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view key = arg, value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      key = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    } else if (arg.starts_with("--") && arg != "--help" && arg != "--version" &&
               arg != "--check-config" && i + 1 < argc) {
      value = argv[++i];
      has_value = true;
    }
    auto bad = [&](const std::string& why) {
      std::cerr << "kube-eventer: " << why << "\n\n" << kUsage;
      return 2;
    };
    if (key == "--help" || key == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (key == "--version") {
      std::cout << "kube-eventer " << KUBEEVENTS_VERSION << "\n";
      return 0;
    } else if (key == "--check-config") {
      check_only = true;
    } else if (key == "--config" && has_value) {
      config_path = value;
    } else if (key == "--kubeconfig" && has_value) {
      overrides.kubeconfig = std::string(value);
    } else if (key == "--namespace" && has_value) {
      overrides.namespaces.emplace_back(value);
    } else if (key == "--field-selector" && has_value) {
      overrides.field_selector = std::string(value);
    } else if (key == "--checkpoint" && has_value) {
      overrides.checkpoint_path = std::string(value);
    } else if (key == "--metrics-address" && has_value) {
      overrides.listen_address = std::string(value);
    } else if (key == "--max-event-age" && has_value) {
      auto d = kube::eventer::ParseDuration(value);
      if (!d.ok()) return bad("--max-event-age: " + d.status().message());
      overrides.max_event_age = *d;
    } else if ((key == "-v" || key == "--v") && has_value) {
      try {
        verbosity = std::stoi(std::string(value));
      } catch (...) {
        return bad("invalid -v value");
      }
    } else {
      return bad("unknown or incomplete flag " + std::string(arg));
    }
  }
  if (config_path.empty()) {
    std::cerr << "kube-eventer: --config=FILE is required\n\n" << kUsage;
    return 2;
  }
  auto config = kube::eventer::LoadConfigFile(config_path);
  if (!config.ok()) {
    std::cerr << "kube-eventer: " << config.status().message() << "\n";
    return 2;
  }
  kube::eventer::ApplyOverrides(overrides, *config);
  if (check_only) {
    std::cout << "kube-eventer: " << config_path << ": OK (" << config->receivers.size()
              << " receivers)\n";
    return 0;
  }

  // Signals are taken by a dedicated wait, so every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto logger = std::make_shared<kube::StderrLogger>(verbosity);
  return kube::eventer::RunExporter(*std::move(config), logger, [&] {
    int sig = 0;
    sigwait(&signals, &sig);
    logger->Info(0, "signal received, shutting down", {{"signal", std::to_string(sig)}});
  });
}
