// Internal: applying PATCH bodies to the JSON of a stored event, as kube-apiserver does for
// application/merge-patch+json (RFC 7386) and application/strategic-merge-patch+json
// (apimachinery strategicpatch for the Event schema: `$patch` replace/delete/merge,
// `$retainKeys`, `$deleteFromPrimitiveList/…`, `$setElementOrder/…`, ownerReferences merged by
// uid, finalizers merged as a set, every other list replaced).
#pragma once

#include <string>
#include <string_view>

#include "kubeevents/api/common/status_or.h"

namespace kube::localapiserver::internal {

/// RFC 7386 JSON merge patch. Errors (malformed patch JSON) are kInvalidArgument.
StatusOr<std::string> ApplyMergePatch(std::string_view original_json, std::string_view patch_json);

/// Strategic merge patch for Events. The patch must be a JSON object.
StatusOr<std::string> ApplyStrategicMergePatch(std::string_view original_json,
                                               std::string_view patch_json);

}  // namespace kube::localapiserver::internal
