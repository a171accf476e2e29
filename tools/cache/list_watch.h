// kube::cache::ListWatch: how a Reflector lists and watches one resource (client-go
// tools/cache ListWatch / NewFilteredListWatchFromClient).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/client/rest/request.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/client/rest/watch.h"

namespace kube::cache {

/// metav1.ListOptions, the parts a reflector sends.
struct ListOptions {
  std::string resource_version;        ///< "" = most recent (quorum read); "0" = any
  std::int64_t limit = 0;              ///< page size; 0 = everything in one response
  std::string continue_token;          ///< from the previous page
  int timeout_seconds = 0;             ///< watch only: server ends the watch after this
  bool allow_watch_bookmarks = false;  ///< watch only
  /// watch only: the client's limit on silence between reads (0 = none).
  std::chrono::milliseconds idle_timeout{0};
};

/// Lists and watches `resource` of `group_version` in `namespace_` ("" = all namespaces),
/// filtered by field and label selectors, over a RESTClient. Cheap to copy; thread-safe.
class ListWatch {
 public:
  ListWatch(std::shared_ptr<rest::RESTClient> client, std::string group_version,
            std::string resource, std::string namespace_ = "", std::string field_selector = "",
            std::string label_selector = "");

  /// GET the collection with `options` (one page when limit > 0); cancelled by `stop`.
  rest::Result List(const ListOptions& options, std::stop_token stop) const;
  /// GET ?watch=true with `options`; see rest::Request::Watch().
  StatusOr<rest::WatchStream> Watch(const ListOptions& options, std::stop_token stop) const;

  const std::string& group_version() const { return group_version_; }
  const std::string& resource() const { return resource_; }
  const std::string& namespace_name() const { return ns_; }

 private:
  rest::Request Base(std::stop_token stop) const;
  std::shared_ptr<rest::RESTClient> client_;
  std::string group_version_;
  std::string resource_;
  std::string ns_;
  std::string field_selector_;
  std::string label_selector_;
};

}  // namespace kube::cache
