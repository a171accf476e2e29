// An EventSource the test drives by hand: it records the version it was started from and
// hands the test its handlers.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "kubeevents/tools/eventer/event_source.h"

namespace kube::eventer::testing {

class FakeSource final : public EventSource {
 public:
  struct Shared {
    std::mutex mu;
    std::string started_from = "<not started>";
    SourceHandlers handlers;
    std::atomic<bool> synced{false};
    std::atomic<int> starts{0};
    std::atomic<bool> running{false};
    SourceStats stats;
  };
  explicit FakeSource(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
  Status Start(const std::string& resume_version, SourceHandlers handlers) override {
    std::lock_guard l(s_->mu);
    s_->started_from = resume_version;
    s_->handlers = std::move(handlers);
    ++s_->starts;
    s_->running = true;
    return Status();
  }
  void Stop() override { s_->running = false; }
  bool HasSynced() const override { return s_->synced; }
  SourceStats Stats() const override {
    std::lock_guard l(s_->mu);
    return s_->stats;
  }

 private:
  std::shared_ptr<Shared> s_;
};

}  // namespace kube::eventer::testing
