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
    CountAbandoned(1);
    Finished(shard, 1);
  }
}

void ShardedSinkWriter::Run(Shard& shard, std::stop_token stop) {
  std::uint64_t abandoned = 0;
  while (auto item = shard.queue.Receive(stop)) {
    if (stop.stop_requested()) {
      abandoned = 1;  // received as the stop came: not written
      break;
    }
    shard.writer->RecordToSink(*item->As<Event>(), stop);
    Finished(shard, 1);
  }
  // Stopped: the queue is closed (RequestStop closes it first), so what is left in it is all
  // that will ever be; this writer counts it. Dispatch counts what it could not queue.
  while (shard.queue.TryReceive()) ++abandoned;
  CountAbandoned(abandoned);
  Finished(shard, abandoned);  // after counting: a Flush it wakes sees the count
}

void ShardedSinkWriter::CountAbandoned(std::uint64_t n) {
  if (n == 0) return;
  abandoned_.fetch_add(n, std::memory_order_relaxed);
  logger_->Error("Dropped queued events: the sink's writers stopped before handling them",
                 {{"count", std::to_string(n)}});
}

void ShardedSinkWriter::Finished(Shard& shard, std::uint64_t n) {
  if (n == 0) return;
  // Sequentially consistent, with WaitIdle's count of waiters: either this sees the waiter,
  // or the waiter's check sees this count.
  shard.finished.fetch_add(n);
  if (idle_waiters_.load() == 0) return;
  { std::lock_guard lock(idle_mu_); }
  idle_cv_.notify_all();
}

bool ShardedSinkWriter::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  std::vector<std::uint64_t> targets;
  targets.reserve(shards_.size());
  for (const auto& shard : shards_) {
    targets.push_back(shard->dispatched.load(std::memory_order_relaxed));
  }
  const auto done = [&] {
    for (std::size_t i = 0; i < shards_.size(); ++i) {
      if (shards_[i]->finished.load() < targets[i]) return false;
    }
    return true;
  };
  std::unique_lock lock(idle_mu_);
  idle_waiters_.fetch_add(1);
  const bool idle = idle_cv_.wait_until(lock, deadline, done);
  idle_waiters_.fetch_sub(1);
  return idle;
}

void ShardedSinkWriter::RequestStop() {
  stop_requested_.store(true, std::memory_order_release);
  for (auto& shard : shards_) {
    shard->queue.Close();  // first: a writer that sees the stop finds its queue final
    shard->thread.request_stop();
  }
}

void ShardedSinkWriter::Stop() {
  RequestStop();
  std::lock_guard lock(join_mu_);
  for (auto& shard : shards_) {
    // A sink's method that shuts the broadcaster down runs on a writer: that one ends by
    // itself once the method returns, and is joined when this object is destroyed.
    if (shard->thread.joinable() && shard->thread.get_id() != std::this_thread::get_id()) {
      shard->thread.join();
    }
  }
}

}  // namespace kube::record::internal
