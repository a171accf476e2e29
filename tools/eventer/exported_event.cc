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
  if (json_.ready.load(std::memory_order_acquire)) return json_.text;
  std::lock_guard lock(json_.mu);
  if (!json_.ready.load(std::memory_order_relaxed)) {
    json_.text = api::ToJson(event);
    json_.ready.store(true, std::memory_order_release);
  }
  return json_.text;
}

}  // namespace kube::eventer
