#include "test_support.h"

#include <filesystem>

namespace kube::record::testing_support {

int ThreadCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

}  // namespace kube::record::testing_support
