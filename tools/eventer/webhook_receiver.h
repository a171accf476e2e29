// kube::eventer::WebhookReceiver: HTTP/HTTPS POST of each event (or of a JSON array per
// batch) to a URL, on the project's own REST client (Boost.Beast + OpenSSL).
#pragma once

#include <memory>
#include <string>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/eventer/config.h"
#include "kubeevents/tools/eventer/receiver.h"
#include "kubeevents/tools/eventer/template.h"

namespace kube::eventer {

/// A batch of one is sent as the template's output; a larger batch as `[item,item,...]`
/// (each item the template's output, so the template must render JSON then). 2xx
/// acknowledges the whole request; 408/429/5xx and transport errors are retried by the
/// worker; any other status is a permanent failure whose body is logged.
class WebhookReceiver final : public Receiver {
 public:
  static StatusOr<std::unique_ptr<WebhookReceiver>> Create(WebhookReceiverConfig config,
                                                           Template layout,
                                                           std::shared_ptr<Logger> logger);
  SendResult Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) override;

 private:
  WebhookReceiver() = default;
  WebhookReceiverConfig config_;
  Template layout_;
  std::shared_ptr<rest::RESTClient> client_;
  std::string path_;
  std::vector<std::pair<std::string, std::string>> query_;
};

}  // namespace kube::eventer
