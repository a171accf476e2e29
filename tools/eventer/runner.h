// kube::eventer::RunExporter: the kube-eventer program without its flag parsing — client,
// watches, receivers, /metrics server and (optionally) leader election — so the end-to-end
// tests and the binary share one code path.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/eventer/config.h"

namespace kube::eventer {

/// Command-line values that replace the file's.
struct Overrides {
  std::optional<std::string> kubeconfig;
  std::vector<std::string> namespaces;
  std::optional<std::string> field_selector;
  std::optional<std::string> checkpoint_path;
  std::optional<std::string> listen_address;
  std::optional<std::chrono::milliseconds> max_event_age;
};
void ApplyOverrides(const Overrides& o, Config& config);

/// Runs until `wait_for_stop` returns, then shuts down (drains the queues for up to 10 s and
/// writes the checkpoint). Returns the process exit status: 0, or 1 when the exporter could
/// not start (unreachable cluster, unusable receiver, busy metrics port) — logged.
int RunExporter(Config config, std::shared_ptr<Logger> logger,
                const std::function<void()>& wait_for_stop);

}  // namespace kube::eventer
