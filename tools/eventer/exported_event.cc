#include "kubeevents/tools/eventer/exported_event.h"

#include "kubeevents/api/json.h"

namespace kube::eventer {

const char* ChangeTypeName(ChangeType type) {
  switch (type) {
    case ChangeType::kAdded:
      return "ADDED";
    case ChangeType::kModified:
      return "MODIFIED";
    case ChangeType::kDeleted:
      return "DELETED";
  }
  return "UNKNOWN";
}

const std::string& ExportedEvent::Json() const {
  std::call_once(json_.once, [this] { json_.text = api::ToJson(event); });
  return json_.text;
}

}  // namespace kube::eventer
