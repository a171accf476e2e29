#include "kubeevents/tools/cache/list_watch.h"

#include <utility>

namespace kube::cache {

ListWatch::ListWatch(std::shared_ptr<rest::RESTClient> client, std::string group_version,
                     std::string resource, std::string namespace_, std::string field_selector,
                     std::string label_selector)
    : client_(std::move(client)),
      group_version_(std::move(group_version)),
      resource_(std::move(resource)),
      ns_(std::move(namespace_)),
      field_selector_(std::move(field_selector)),
      label_selector_(std::move(label_selector)) {}

rest::Request ListWatch::Base(std::stop_token stop) const {
  rest::Request r = client_->Get();
  r.GroupVersion(group_version_).Resource(resource_).Cancellation(std::move(stop));
  if (!ns_.empty()) r.Namespace(ns_);
  if (!field_selector_.empty()) r.Param("fieldSelector", field_selector_);
  if (!label_selector_.empty()) r.Param("labelSelector", label_selector_);
  return r;
}

rest::Result ListWatch::List(const ListOptions& options, std::stop_token stop) const {
  rest::Request r = Base(std::move(stop));
  if (!options.resource_version.empty()) r.Param("resourceVersion", options.resource_version);
  if (options.limit > 0) r.Param("limit", std::to_string(options.limit));
  if (!options.continue_token.empty()) r.Param("continue", options.continue_token);
  return r.Do();
}

StatusOr<rest::WatchStream> ListWatch::Watch(const ListOptions& options,
                                             std::stop_token stop) const {
  rest::Request r = Base(std::move(stop));
  r.Param("watch", "true");
  if (!options.resource_version.empty()) r.Param("resourceVersion", options.resource_version);
  if (options.allow_watch_bookmarks) r.Param("allowWatchBookmarks", "true");
  if (options.timeout_seconds > 0) {
    r.Param("timeoutSeconds", std::to_string(options.timeout_seconds));
  }
  if (options.idle_timeout.count() > 0) r.IdleTimeout(options.idle_timeout);
  return r.Watch();
}

}  // namespace kube::cache
