#include "kubeevents/client/rest/rest_client.h"

#include "kubeevents/client/rest/internal/client_core.h"

#include <thread>

namespace kube::rest {

StatusOr<std::shared_ptr<RESTClient>> RESTClient::Create(Config config) {
  auto core = internal::ClientCore::Create(std::move(config));
  if (!core.ok()) return core.status();
  return std::shared_ptr<RESTClient>(new RESTClient(*std::move(core)));
}

RESTClient::RESTClient(std::shared_ptr<internal::ClientCore> core) : core_(std::move(core)) {}

RESTClient::~RESTClient() {
  if (!core_) return;
  if (core_->OnOwnThread()) {
    // Destroyed from inside one of its own callbacks: this thread cannot join itself, so a
    // helper thread finishes the shutdown (cancel, wait, join) once the callback returns.
    std::thread([core = std::move(core_)] { core->Shutdown(); }).detach();
    return;
  }
  core_->Shutdown();
}

Request RESTClient::Verb(std::string_view verb) { return Request(core_, std::string(verb)); }

const Config& RESTClient::config() const { return core_->config(); }

}  // namespace kube::rest
