// meta/v1 TypeMeta: apiVersion and kind of a serialized object.
#pragma once

#include <string>

namespace kube::api::meta::v1 {

/// The `apiVersion` and `kind` of an object (both omitted from JSON when empty).
struct TypeMeta {
  std::string api_version;
  std::string kind;
  friend bool operator==(const TypeMeta&, const TypeMeta&) = default;
};

}  // namespace kube::api::meta::v1
