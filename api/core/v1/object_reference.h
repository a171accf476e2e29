// core/v1 ObjectReference: which object an event is about.
#pragma once

#include <string>

namespace kube::api::core::v1 {

/// corev1.ObjectReference (all fields omitempty). Built from an object with
/// kube::api::GetReference; `field_path` points inside it, e.g. "spec.containers{app}".
struct ObjectReference {
  std::string kind;
  std::string namespace_;  ///< JSON `namespace`.
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
  std::string field_path;

  friend bool operator==(const ObjectReference&, const ObjectReference&) = default;
};

}  // namespace kube::api::core::v1
