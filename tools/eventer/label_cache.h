// kube::eventer::LabelCache: the involved objects' labels, fetched with a GET and cached, for
// rules and templates that look at them.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/core/v1/object_reference.h"
#include "kubeevents/client/rest/rest_client.h"

namespace kube::eventer {

using Labels = std::map<std::string, std::string>;

/// The REST path of an object reference: /api/v1/namespaces/ns/pods/name or
/// /apis/<group>/<version>/..., the resource guessed from the kind the way kubectl's
/// unsafe guess does (lower case, plural: y → ies, s/x/ch/sh → es, else s).
std::string ObjectPath(const api::core::v1::ObjectReference& ref);

/// GETs the object and returns metadata.labels; a 404 is an empty set (the object is gone).
StatusOr<Labels> FetchLabels(rest::RESTClient& client, const api::core::v1::ObjectReference& ref);

/// Caches labels per (apiVersion, kind, namespace, name) for `ttl` (errors for ttl/10, so a
/// flaky apiserver is not hammered). Thread-safe.
class LabelCache {
 public:
  using Fetch = std::function<StatusOr<Labels>(const api::core::v1::ObjectReference&)>;
  LabelCache(Fetch fetch, std::chrono::milliseconds ttl, std::shared_ptr<Logger> logger);
  /// The labels (empty when unknown). Blocks on a GET when not cached.
  std::shared_ptr<const Labels> Get(const api::core::v1::ObjectReference& ref);
  std::uint64_t fetches() const;

 private:
  struct Entry {
    std::shared_ptr<const Labels> labels;
    std::chrono::steady_clock::time_point expires;
  };
  Fetch fetch_;
  std::chrono::milliseconds ttl_;
  std::shared_ptr<Logger> logger_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t fetches_ = 0;
};

}  // namespace kube::eventer
