// A check for fuzz targets: on failure prints what broke (and the values involved) and aborts,
// so libFuzzer records the input as a crash. Works in any build mode (unlike assert).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define KUBEEVENTS_FUZZ_CHECK(cond, ...)                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      ::kube::fuzz::PrintValues(__VA_ARGS__);                                            \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace kube::fuzz {

inline void PrintValues() {}
template <typename... Rest>
void PrintValues(std::string_view first, Rest... rest) {
  std::fprintf(stderr, "  %.*s\n", static_cast<int>(first.size()), first.data());
  PrintValues(rest...);
}

}  // namespace kube::fuzz
