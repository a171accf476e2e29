// kube::eventer::HealthServer: the exporter's HTTP endpoint — /healthz, /readyz and /metrics
// on one loopback (or configured) address, served with Boost.Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "kubeevents/api/common/status.h"

namespace kube::eventer {

/// /healthz: 200 "ok" while the process runs. /readyz: the `ready` callback's answer (200 when
/// true, else 503), its text as the body. /metrics: the `metrics` callback's text, as
/// Prometheus' text format 0.0.4. Anything else is 404. One I/O thread, owned and joined.
class HealthServer {
 public:
  using ReadyFn = std::function<std::pair<bool, std::string>()>;
  using MetricsFn = std::function<std::string()>;

  /// `address` is host:port; port 0 picks a free one (see port()).
  HealthServer(std::string address, ReadyFn ready, MetricsFn metrics);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  /// Binds and starts serving; errors name the address.
  Status Start();
  void Stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace kube::eventer
