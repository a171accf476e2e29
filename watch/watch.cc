#include "kubeevents/watch/watch.h"

namespace kube::watch {

std::string_view ToString(EventType type) {
  switch (type) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
    case EventType::kBookmark:
      return "BOOKMARK";
    case EventType::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

namespace {

class EmptyWatch final : public Interface {
 public:
  EmptyWatch() : chan_(1) { chan_.Close(); }
  void Stop() override {}
  Chan<Event>& ResultChan() override { return chan_; }

 private:
  Chan<Event> chan_;
};

}  // namespace

std::shared_ptr<Interface> NewEmptyWatch() { return std::make_shared<EmptyWatch>(); }

}  // namespace kube::watch
