// Internal: copy-assigning a core/v1 Event out of line.
#pragma once

#include "kubeevents/api/core/v1/event.h"

namespace kube::record::internal {

/// `to = from`, compiled in a file of its own. Inlined into a large caller (the dedup logger's
/// Observe), the thirty-odd string assignments exceed the compiler's inlining budget and each
/// becomes a call; on its own the function keeps each assignment's fast path inline
/// (`Correlate` of a repeat into a spare event: 3 325 → 2 981 instructions, callgrind). The
/// file is kept out of unity batches for the same reason (tools/record/CMakeLists.txt).
void AssignEvent(api::core::v1::Event& to, const api::core::v1::Event& from);

}  // namespace kube::record::internal
