// Lists the events of a cluster the way `kubectl events -A` does (core/v1 view, which
// includes events written through events.k8s.io/v1), for machines without kubectl.
//   list_events [--kubeconfig PATH] [--namespace NS]   (namespace "" or "all" lists all)
#include <cstdio>

#include "example_support.h"
#include "kubeevents/client/rest/events_client.h"

int main(int argc, char** argv) {
  auto flags = examples::ParseFlags(argc, argv);
  const auto config = examples::LoadConfigOrExit(flags);
  auto client = kube::rest::RESTClient::Create(config);
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.status().ToString().c_str());
    return 2;
  }
  const std::string ns = flags.namespace_ == "all" ? "" : flags.namespace_;
  kube::rest::CoreV1EventsClient events(*client, ns);
  auto list = events.List();
  if (!list.ok()) {
    std::fprintf(stderr, "%s\n", list.status().ToString().c_str());
    return 1;
  }
  std::printf("%-12s %-8s %-20s %-32s %-6s %s\n", "NAMESPACE", "TYPE", "REASON", "OBJECT", "COUNT",
              "MESSAGE");
  for (const auto& e : list->items) {
    const int count = e.series ? e.series->count : (e.count > 0 ? e.count : 1);
    const std::string object = e.involved_object.kind + "/" + e.involved_object.name;
    std::printf("%-12s %-8s %-20s %-32s %-6d %s\n", e.metadata.namespace_.c_str(), e.type.c_str(),
                e.reason.c_str(), object.c_str(), count, e.message.c_str());
  }
  return 0;
}
