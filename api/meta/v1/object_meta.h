// meta/v1 ObjectMeta: the metadata every persisted Kubernetes object carries.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kubeevents/api/meta/v1/time.h"

namespace kube::api::meta::v1 {

/// metav1.ObjectMeta. Every field is `omitempty` except creationTimestamp, which Go
/// renders as `null` when zero. Fields this library does not model (ownerReferences,
/// finalizers, managedFields, ...) are kept verbatim in `unknown_fields` so that a decoded
/// object re-encodes without loss.
struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;  ///< JSON `namespace`.
  std::string self_link;
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  Time creation_timestamp;
  std::optional<Time> deletion_timestamp;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  /// Unmodelled metadata fields: (JSON key, raw JSON value), in input order.
  std::vector<std::pair<std::string, std::string>> unknown_fields;

  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

}  // namespace kube::api::meta::v1
