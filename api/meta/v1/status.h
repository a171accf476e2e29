// meta/v1 Status: the body kube-apiserver returns with every error response.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kubeevents/api/meta/v1/list_meta.h"
#include "kubeevents/api/meta/v1/type_meta.h"

namespace kube::api::meta::v1 {

/// One reason a request failed, e.g. a field that did not validate. JSON: `reason` holds `type`.
struct StatusCause {
  std::string type;     ///< JSON `reason`, e.g. "FieldValueRequired" or "NamespaceTerminating".
  std::string message;  ///< Human-readable description.
  std::string field;    ///< JSON path of the offending field, e.g. "involvedObject.namespace".
  friend bool operator==(const StatusCause&, const StatusCause&) = default;
};

/// Extra data about the object a Status talks about (name, kind, causes, retry hint).
struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;
  std::string uid;
  std::vector<StatusCause> causes;
  std::int32_t retry_after_seconds = 0;
  friend bool operator==(const StatusDetails&, const StatusDetails&) = default;
};

/// metav1.Status. `status` is "Success" or "Failure"; `reason` a machine-readable
/// StatusReason ("NotFound", "AlreadyExists", "Invalid", ...); `code` the HTTP status.
struct Status {
  TypeMeta type_meta{"v1", "Status"};
  ListMeta metadata;
  std::string status;
  std::string message;
  std::string reason;
  bool has_details = false;  ///< JSON `details` present (it is a pointer in Go).
  StatusDetails details;
  std::int32_t code = 0;
  friend bool operator==(const Status&, const Status&) = default;
};

}  // namespace kube::api::meta::v1
