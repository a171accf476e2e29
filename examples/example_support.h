// Shared by the examples: the --kubeconfig/--namespace flags and config loading. Copy what
// you need; nothing here is part of the library.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kubeevents/client/rest/config.h"
#include "kubeevents/client/rest/kubeconfig.h"

namespace examples {

struct Flags {
  std::string kubeconfig;  // --kubeconfig PATH (default: KUBECONFIG, ~/.kube/config, in-cluster)
  std::string namespace_ = "default";  // --namespace NS
  int iterations = 0;                  // --iterations N (controller_loop; 0 = until SIGTERM)
  int interval_ms = 1000;              // --interval-ms N (controller_loop)
};

inline Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string value;
    std::string_view key = arg;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      key = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    if (key == "--kubeconfig") {
      f.kubeconfig = value;
    } else if (key == "--namespace" || key == "-n") {
      f.namespace_ = value;
    } else if (key == "--iterations") {
      f.iterations = std::atoi(value.c_str());
    } else if (key == "--interval-ms") {
      f.interval_ms = std::atoi(value.c_str());
    } else {
      std::fprintf(stderr,
                   "usage: %s [--kubeconfig PATH] [--namespace NS] [--iterations N] "
                   "[--interval-ms N]\n",
                   argv[0]);
      std::exit(2);
    }
  }
  return f;
}

/// --kubeconfig PATH, else the usual discovery (KUBECONFIG, ~/.kube/config, in-cluster).
inline kube::rest::Config LoadConfigOrExit(const Flags& flags) {
  auto config = flags.kubeconfig.empty() ? kube::rest::LoadDefaultConfig()
                                         : kube::rest::LoadKubeconfigFile(flags.kubeconfig);
  if (!config.ok()) {
    std::fprintf(stderr, "cannot load a cluster configuration: %s\n",
                 config.status().ToString().c_str());
    std::exit(2);
  }
  return *std::move(config);
}

}  // namespace examples
