#include "kubeevents/tools/eventer/progress_tracker.h"

#include <utility>

namespace kube::eventer {

std::uint64_t ProgressTracker::Add(std::string resource_version, int pending) {
  std::lock_guard lock(mu_);
  entries_.push_back(Entry{std::move(resource_version), pending});
  const std::uint64_t seq = next_++;
  Advance();
  return seq;
}

void ProgressTracker::Done(std::uint64_t seq) {
  std::lock_guard lock(mu_);
  if (seq < base_ || seq >= next_) return;
  Entry& e = entries_[static_cast<std::size_t>(seq - base_)];
  if (e.pending > 0) --e.pending;
  Advance();
}

void ProgressTracker::Advance() {
  while (!entries_.empty() && entries_.front().pending == 0) {
    if (!entries_.front().rv.empty()) committed_ = std::move(entries_.front().rv);
    entries_.pop_front();
    ++base_;
  }
}

std::string ProgressTracker::Committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

std::size_t ProgressTracker::outstanding() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace kube::eventer
