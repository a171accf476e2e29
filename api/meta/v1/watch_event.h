// meta/v1 WatchEvent: one frame of a `?watch=true` response stream.
#pragma once

#include <string>

namespace kube::api::meta::v1 {

/// metav1.WatchEvent: `type` is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR; `object` is the
/// raw JSON of the object (an Event, or a Status for ERROR). Decode it with FromJson<T>.
struct WatchEvent {
  std::string type;
  std::string object;  ///< raw JSON text
  friend bool operator==(const WatchEvent&, const WatchEvent&) = default;
};

}  // namespace kube::api::meta::v1
