// meta/v1 ListMeta: the metadata of a list response.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kube::api::meta::v1 {

/// metav1.ListMeta: resourceVersion and pagination token of a list (all omitempty).
struct ListMeta {
  std::string self_link;
  std::string resource_version;
  std::string continue_token;  ///< JSON `continue`.
  std::optional<std::int64_t> remaining_item_count;
  friend bool operator==(const ListMeta&, const ListMeta&) = default;
};

}  // namespace kube::api::meta::v1
