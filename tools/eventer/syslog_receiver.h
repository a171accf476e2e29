// kube::eventer::SyslogReceiver: RFC 5424 messages over UDP (one datagram each) or TCP
// (RFC 6587 octet counting), e.g. to rsyslog's imudp/imtcp.
#pragma once

#include <memory>
#include <string>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/tools/eventer/config.h"
#include "kubeevents/tools/eventer/receiver.h"
#include "kubeevents/tools/eventer/template.h"

namespace kube::eventer {

/// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [kube@32473 ...] MSG`: severity warning (4)
/// for Warning events, informational (6) otherwise; MSGID the reason; the structured data
/// names namespace, kind, name, uid, resourceVersion, type and count; MSG the template's output
/// (default `{{ .Message }}`). An event is acknowledged once its datagram or TCP frame is
/// written to the socket.
class SyslogReceiver final : public Receiver {
 public:
  static StatusOr<std::unique_ptr<SyslogReceiver>> Create(SyslogReceiverConfig config,
                                                          Template layout,
                                                          std::shared_ptr<Logger> logger);
  ~SyslogReceiver() override;
  SendResult Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) override;

  /// Formats one RFC 5424 message (exposed for tests).
  std::string Format(const ExportedEvent& e) const;

 private:
  SyslogReceiver();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kube::eventer
