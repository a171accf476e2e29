#include "kubeevents/tools/record/internal/event_copy.h"

namespace kube::record::internal {

void AssignEvent(api::core::v1::Event& to, const api::core::v1::Event& from) { to = from; }

}  // namespace kube::record::internal
