#include "kubeevents/api/common/random.h"

#include <openssl/rand.h>

#include <climits>
#include <cstddef>
#include <random>

namespace kube {

void FillRandomBytes(std::span<unsigned char> out) {
  // RAND_bytes takes an int length: large requests go in int-sized pieces.
  std::span<unsigned char> rest = out;
  while (!rest.empty()) {
    const std::size_t n = std::min<std::size_t>(rest.size(), INT_MAX);
    if (RAND_bytes(rest.data(), static_cast<int>(n)) != 1) break;
    rest = rest.subspan(n);
  }
  if (rest.empty()) return;
  std::random_device device;
  for (auto& b : rest) b = static_cast<unsigned char>(device());
}

}  // namespace kube
