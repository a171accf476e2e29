#include "kubeevents/tools/record/internal/sharded_sink_writer.h"

#include <string>
#include <utility>

#include "kubeevents/tools/record/internal/key_hash.h"

namespace kube::record::internal {

using api::core::v1::Event;

ShardedSinkWriter::ShardedSinkWriter(std::vector<std::unique_ptr<SinkWriter>> writers,
                                     std::size_t queue_capacity, EventSpamKeyFunc spam_key,
                                     std::shared_ptr<Logger> logger,
                                     std::atomic<std::uint64_t>& abandoned)
    : spam_key_(spam_key ? std::move(spam_key) : EventSpamKeyFunc(GetSpamKey)),
      logger_(std::move(logger)),
      abandoned_(abandoned) {
  shards_.reserve(writers.size());
  for (auto& writer : writers) {
    auto shard = std::make_unique<Shard>(queue_capacity);
    shard->writer = std::move(writer);
    shards_.push_back(std::move(shard));
  }
  // Started once every shard exists: Run only touches its own.
  for (auto& shard : shards_) {
    shard->thread = std::jthread([this, s = shard.get()](std::stop_token stop) { Run(*s, stop); });
  }
}

ShardedSinkWriter::~ShardedSinkWriter() { Stop(); }

void ShardedSinkWriter::Dispatch(const watch::Event& item, std::stop_token stop) {
  const auto* event = item.As<Event>();
  if (event == nullptr) return;
  Shard& shard = *shards_[HashKey(spam_key_(*event)) % shards_.size()];
  shard.dispatched.fetch_add(1, std::memory_order_relaxed);
  if (!shard.queue.Send(item, stop)) {
    // Stopped (or the writers are): never reaches a writer.
    abandoned_.fetch_add(1, std::memory_order_relaxed);
    shard.finished.fetch_add(1, std::memory_order_release);
  }
}

void ShardedSinkWriter::Run(Shard& shard, std::stop_token stop) {
  while (auto item = shard.queue.Receive(stop)) {
    if (stop.stop_requested()) {
      // Received as the stop came: not written, counted with the rest of the queue.
      ++shard.abandoned_at_stop;
      break;
    }
    shard.writer->RecordToSink(*item->As<Event>(), stop);
    shard.finished.fetch_add(1, std::memory_order_release);
    if (idle_waiters_.load(std::memory_order_acquire) > 0) {
      { std::lock_guard lock(idle_mu_); }
      idle_cv_.notify_all();
    }
  }
}

bool ShardedSinkWriter::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  std::vector<std::uint64_t> targets;
  targets.reserve(shards_.size());
  for (const auto& shard : shards_) {
    targets.push_back(shard->dispatched.load(std::memory_order_relaxed));
  }
  const auto done = [&] {
    for (std::size_t i = 0; i < shards_.size(); ++i) {
      if (shards_[i]->finished.load(std::memory_order_acquire) < targets[i]) return false;
    }
    return true;
  };
  std::unique_lock lock(idle_mu_);
  idle_waiters_.fetch_add(1, std::memory_order_acq_rel);
  const bool idle = idle_cv_.wait_until(lock, deadline, done);
  idle_waiters_.fetch_sub(1, std::memory_order_acq_rel);
  return idle;
}

void ShardedSinkWriter::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  for (auto& shard : shards_) {
    shard->thread.request_stop();
    shard->queue.Close();
  }
  std::uint64_t abandoned = 0;
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
    abandoned += shard->abandoned_at_stop;
    shard->finished.fetch_add(shard->abandoned_at_stop, std::memory_order_release);
    while (shard->queue.TryReceive()) {
      ++abandoned;
      shard->finished.fetch_add(1, std::memory_order_release);
    }
  }
  { std::lock_guard lock(idle_mu_); }
  idle_cv_.notify_all();
  if (abandoned > 0) {
    abandoned_.fetch_add(abandoned, std::memory_order_relaxed);
    logger_->Error("Dropped queued events: the sink's writers stopped before handling them",
                   {{"count", std::to_string(abandoned)}});
  }
}

}  // namespace kube::record::internal
