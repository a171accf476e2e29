// kube::eventer::Receiver: where exported events are written (stdout, file, webhook, syslog,
// PostgreSQL). A receiver is driven by exactly one ReceiverWorker thread.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "kubeevents/api/common/status.h"
#include "kubeevents/tools/eventer/exported_event.h"

namespace kube::eventer {

/// The outcome of one Send: the first `written` events of the batch are durably handed over
/// (file flushed, row committed, 2xx received, datagram/segment sent) and acknowledged; when
/// `error` is set, the rest were not, and `permanent` says whether retrying could help (a 4xx
/// answer, a row the database rejects) — permanent failures are counted, not retried.
struct SendResult {
  std::size_t written = 0;
  Status error;
  bool permanent = false;
};

/// A sink for batches of events. Called from one thread at a time; may block (with its own
/// timeouts) but must return.
class Receiver {
 public:
  virtual ~Receiver() = default;
  /// Writes the batch (in order).
  virtual SendResult Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) = 0;
};

}  // namespace kube::eventer
