#include "kubeevents/tools/eventer/runner.h"

#include <unistd.h>

#include <random>
#include <utility>

#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/eventer/checkpoint.h"
#include "kubeevents/tools/eventer/exporter.h"
#include "kubeevents/tools/eventer/health_server.h"
#include "kubeevents/tools/eventer/watch_source.h"
#include "kubeevents/tools/leaderelection/leader_election.h"
#include "kubeevents/tools/leaderelection/resourcelock/lease_lock.h"

namespace kube::eventer {

void ApplyOverrides(const Overrides& o, Config& c) {
  if (o.kubeconfig) c.kubeconfig = *o.kubeconfig;
  if (!o.namespaces.empty()) c.namespaces = o.namespaces;
  if (o.field_selector) c.field_selector = *o.field_selector;
  if (o.checkpoint_path) c.checkpoint_path = *o.checkpoint_path;
  if (o.listen_address) c.listen_address = *o.listen_address;
  if (o.max_event_age) c.max_event_age = *o.max_event_age;
}

namespace {

std::string DefaultIdentity() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string suffix;
  for (int i = 0; i < 8; ++i) suffix += kHex[rd() % 16];
  return std::string(host) + "_" + suffix;
}

std::vector<Watch> MakeWatches(const Config& c, const std::shared_ptr<rest::RESTClient>& client,
                               const std::shared_ptr<Logger>& logger) {
  std::vector<std::string> namespaces = c.namespaces;
  if (namespaces.empty()) namespaces.push_back("");
  std::vector<Watch> watches;
  for (const auto& ns : namespaces) {
    watches.push_back(Watch{CheckpointKey(ns, c.field_selector),
                            MakeWatchSource(client, ns, c.field_selector, logger)});
  }
  return watches;
}

}  // namespace

int RunExporter(Config config, std::shared_ptr<Logger> logger,
                const std::function<void()>& wait_for_stop) {
  StatusOr<rest::Config> rc = config.kubeconfig.empty()
                                  ? rest::LoadDefaultConfig()
                                  : rest::LoadKubeconfigFile(config.kubeconfig, {}, logger);
  if (!rc.ok()) {
    logger->Error("cannot load the cluster configuration", {{"error", rc.status().message()}});
    return 1;
  }
  rc->logger = logger;
  rc->qps = -1;  // a watch and an occasional label GET: no client-side throttling
  auto client = rest::RESTClient::Create(*std::move(rc));
  if (!client.ok()) {
    logger->Error("cannot create the REST client", {{"error", client.status().message()}});
    return 1;
  }
  std::shared_ptr<rest::RESTClient> shared_client = *std::move(client);
  auto exporter = Exporter::Create(config, logger, {},
                                   [shared_client](const api::core::v1::ObjectReference& ref) {
                                     return FetchLabels(*shared_client, ref);
                                   });
  if (!exporter.ok()) {
    logger->Error("cannot start the exporter", {{"error", exporter.status().message()}});
    return 1;
  }
  Exporter& x = **exporter;
  std::unique_ptr<HealthServer> health;
  if (!config.listen_address.empty()) {
    health = std::make_unique<HealthServer>(
        config.listen_address, [&x] { return x.Ready(); }, [&x] { return x.RenderMetrics(); });
    if (Status s = health->Start(); !s.ok()) {
      logger->Error("cannot serve /metrics", {{"error", s.message()}});
      return 1;
    }
    logger->Info(0, "serving /healthz, /readyz and /metrics",
                 {{"address", config.listen_address.substr(0, config.listen_address.rfind(':')) +
                                  ":" + std::to_string(health->port())}});
  }

  std::unique_ptr<leaderelection::LeaderElector> elector;
  std::jthread election;
  if (config.leader_election.enabled) {
    const auto& le = config.leader_election;
    const std::string identity = le.identity.empty() ? DefaultIdentity() : le.identity;
    leaderelection::LeaderElectionConfig lc;
    lc.lock = std::make_shared<leaderelection::resourcelock::LeaseLock>(
        shared_client, le.namespace_, le.name, identity);
    lc.lease_duration = le.lease_duration;
    lc.renew_deadline = le.renew_deadline;
    lc.retry_period = le.retry_period;
    lc.release_on_cancel = true;
    lc.logger = logger;
    lc.callbacks.on_started_leading = [&x, &config, shared_client, logger](std::stop_token st) {
      logger->Info(0, "became leader: exporting");
      x.SetLeaderState(1);
      if (Status s = x.StartWatches(MakeWatches(config, shared_client, logger)); !s.ok()) {
        logger->Error("cannot start the watches", {{"error", s.message()}});
      }
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock lock(m);
      cv.wait(lock, st, [] { return false; });
      x.StopWatches();
      x.SetLeaderState(0);
      logger->Info(0, "leadership lost: standing by (checkpoint written)");
    };
    lc.callbacks.on_stopped_leading = [&x] { x.SetLeaderState(0); };
    lc.callbacks.on_new_leader = [logger, identity](const std::string& holder) {
      if (holder != identity)
        logger->Info(0, "standby: another replica leads", {{"leader", holder}});
    };
    auto made = leaderelection::LeaderElector::Create(std::move(lc));
    if (!made.ok()) {
      logger->Error("invalid leader election settings", {{"error", made.status().message()}});
      return 2;
    }
    elector = *std::move(made);
    x.SetLeaderState(0);
    election = std::jthread([&elector](std::stop_token st) {
      // client-go's Run does not stand again after losing the lease; the exporter does, so a
      // replica that lost it (e.g. during an apiserver outage) becomes a standby, not a zombie.
      while (!st.stop_requested()) elector->Run(st);
    });
  } else {
    if (Status s = x.StartWatches(MakeWatches(config, shared_client, logger)); !s.ok()) {
      logger->Error("cannot start the watches", {{"error", s.message()}});
      return 1;
    }
  }

  wait_for_stop();
  if (election.joinable()) {
    election.request_stop();
    election.join();
  }
  x.Shutdown(std::chrono::seconds(10));
  if (health) health->Stop();
  logger->Info(0, "stopped",
               {{"seen", std::to_string(static_cast<long long>(
                             x.metrics().Value("kube_eventer_events_seen_total")))},
                {"exported", std::to_string(static_cast<long long>(
                                 x.metrics().Value("kube_eventer_events_exported_total")))}});
  return 0;
}

}  // namespace kube::eventer
