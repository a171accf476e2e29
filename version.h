// kubeevents version (semantic versioning). The CMake project version is read from here.
#pragma once

#define KUBEEVENTS_VERSION_MAJOR 0
#define KUBEEVENTS_VERSION_MINOR 1
#define KUBEEVENTS_VERSION_PATCH 0
#define KUBEEVENTS_VERSION_STRING "0.1.0"

namespace kube {

/// The library version, e.g. "0.1.0" (used in the default user agent).
inline constexpr const char* kVersion = KUBEEVENTS_VERSION_STRING;

}  // namespace kube
