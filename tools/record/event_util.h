// Helpers shared by the event recorders (client-go tools/record/util).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "kubeevents/api/common/status.h"
#include "kubeevents/api/common/uuid.h"

namespace kube::record {

/// True only for "Normal" and "Warning" (util.ValidateEventType).
bool ValidateEventType(std::string_view type);

/// True when the error is an apiserver response with HTTP 404, whatever its reason
/// (util.IsKeyNotFoundError).
bool IsKeyNotFoundError(const Status& status);

/// True when `name` is a DNS-1123 subdomain: at most 253 characters of lower-case
/// alphanumerics, '-' and '.', each dot-separated label starting and ending alphanumeric.
bool IsDNS1123Subdomain(std::string_view name);

/// A random (version 4) UUID in canonical lower-case form (util/uuid.NewUUID).
using kube::NewUUID;

/// `<ref_name>.<lower-case hex of unix_nanos>`; a random UUID when that is not a DNS-1123
/// subdomain (util.GenerateEventName).
std::string GenerateEventName(std::string_view ref_name, std::int64_t unix_nanos);
/// GenerateEventName into `name`, reusing its buffer.
void AssignEventName(std::string& name, std::string_view ref_name, std::int64_t unix_nanos);

/// Go's fmt.Sprint of a map[string]string: "map[k1:v1 k2:v2]" (keys sorted), as the fake
/// recorders print annotations.
std::string GoMapString(const std::map<std::string, std::string>& m);

}  // namespace kube::record
