#include "kubeevents/tools/events/field_selector.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace kube::events {
namespace {

std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

StatusOr<std::string> GetFieldSelector(std::string_view events_group_version,
                                       const GroupVersionKind& regarding, std::string_view name,
                                       std::string_view uid) {
  std::string prefix;
  if (events_group_version == "events.k8s.io/v1" ||
      events_group_version == "events.k8s.io/v1beta1") {
    prefix = "regarding";
  } else if (events_group_version == "v1") {
    prefix = "involvedObject";
  } else {
    return InvalidArgumentError("unknown version " + std::string(events_group_version));
  }
  std::vector<std::pair<std::string, std::string>> terms;
  if (!name.empty()) terms.emplace_back(prefix + ".name", std::string(name));
  if (!regarding.kind.empty()) terms.emplace_back(prefix + ".kind", regarding.kind);
  std::string api_version =
      regarding.group.empty() ? regarding.version : regarding.group + "/" + regarding.version;
  if (!regarding.version.empty()) terms.emplace_back(prefix + ".apiVersion", api_version);
  if (!uid.empty()) terms.emplace_back(prefix + ".uid", std::string(uid));
  std::sort(terms.begin(), terms.end());
  std::string out;
  for (const auto& [k, v] : terms) {
    if (!out.empty()) out += ',';
    out += k + "=" + Escape(v);
  }
  return out;
}

}  // namespace kube::events
