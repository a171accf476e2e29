#include "test_support.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace kube::record::testing_support {

api::core::v1::ObjectReference ALongReference() {
  return {"Deployment",
          "a-long-namespace",
          "a-very-long-deployment-name",
          "0b5c3c5e-1111-4222-8333-444455556666",
          "apps/v1",
          "987654",
          "spec.template.spec.containers{sidecar}"};
}

int ThreadCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

std::string ThreadNames() {
  std::string out;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(e.path() / "comm");
    std::string name;
    std::getline(in, name);
    out += name + " ";
  }
  return out;
}

void SettleRuntimeThreads() {
  std::thread([] {}).join();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace kube::record::testing_support
