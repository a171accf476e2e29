#include "kubeevents/tools/eventer/webhook_receiver.h"

#include <utility>

namespace kube::eventer {

StatusOr<std::unique_ptr<WebhookReceiver>> WebhookReceiver::Create(WebhookReceiverConfig config,
                                                                   Template layout,
                                                                   std::shared_ptr<Logger> logger) {
  std::unique_ptr<WebhookReceiver> r(new WebhookReceiver());
  const std::string& url = config.url;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    return InvalidArgumentError("webhook url: no scheme: " + url);
  const std::size_t path_start = url.find('/', scheme_end + 3);
  rest::Config rc;
  rc.host = url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (auto q = path.find('?'); q != std::string::npos) {
    std::string query = path.substr(q + 1);
    path.resize(q);
    std::size_t pos = 0;
    while (pos <= query.size() && !query.empty()) {
      std::size_t amp = query.find('&', pos);
      if (amp == std::string::npos) amp = query.size();
      std::string kv = query.substr(pos, amp - pos);
      if (!kv.empty()) {
        const std::size_t eq = kv.find('=');
        r->query_.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
      }
      pos = amp + 1;
    }
  }
  r->path_ = path;
  rc.tls.ca_file = config.ca_file;
  rc.tls.insecure = config.insecure_skip_verify;
  rc.qps = -1;  // no client-side rate limit: the worker's batching and backoff pace requests
  rc.max_retries = 0;
  rc.timeout = config.timeout;
  rc.user_agent = "kube-eventer";
  rc.logger = std::move(logger);
  auto client = rest::RESTClient::Create(std::move(rc));
  if (!client.ok())
    return InvalidArgumentError("webhook " + url + ": " + client.status().message());
  r->client_ = *std::move(client);
  r->config_ = std::move(config);
  r->layout_ = std::move(layout);
  return r;
}

SendResult WebhookReceiver::Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) {
  SendResult result;
  std::string body;
  if (batch.size() == 1) {
    layout_.Render(*batch[0], body);
  } else {
    body += '[';
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (i > 0) body += ',';
      layout_.Render(*batch[i], body);
    }
    body += ']';
  }
  rest::Request req = client_->Verb(config_.method).AbsPath(path_).MaxRetries(0);
  for (const auto& [k, v] : query_) req.Param(k, v);
  for (const auto& [k, v] : config_.headers) req.SetHeader(k, v);
  rest::Result res = req.Body(std::move(body)).Do();
  if (res.status_code() >= 200 && res.status_code() < 300) {
    result.written = batch.size();
    return result;
  }
  const int code = res.status_code();
  if (code == 0) {
    result.error = res.status();
    return result;
  }
  std::string shown = res.body().substr(0, 1024);
  if (res.body().size() > 1024) shown += "...";
  result.error = Status(StatusCode::kUnavailable,
                        "HTTP " + std::to_string(code) + " from " + config_.url + ": " + shown);
  result.permanent = code != 408 && code != 429 && code < 500;
  return result;
}

}  // namespace kube::eventer
