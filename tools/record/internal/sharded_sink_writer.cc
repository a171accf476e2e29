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
    : sinks_(std::move(writers)),
      spam_key_(spam_key ? std::move(spam_key) : EventSpamKeyFunc(GetSpamKey)),
      logger_(std::move(logger)),
      abandoned_(abandoned),
      writers_(sinks_.size(), queue_capacity * sinks_.size()) {
  // Each writer thread uses only its own SinkWriter.
  writers_.Start([this](std::size_t writer, watch::Event&& item, std::stop_token stop) {
    if (stop.stop_requested()) {
      CountAbandoned(1);  // received as the stop came: not written
      return;
    }
    sinks_[writer]->RecordToSink(*item.As<Event>(), stop);
  });
}

ShardedSinkWriter::~ShardedSinkWriter() { Stop(); }

void ShardedSinkWriter::Dispatch(const watch::Event& item, std::stop_token stop) {
  const auto* event = item.As<Event>();
  if (event == nullptr) return;
  const std::size_t writer = HashKey(spam_key_(*event)) % sinks_.size();
  if (!writers_.Send(writer, item, std::move(stop))) CountAbandoned(1);
}

void ShardedSinkWriter::Stop() {
  std::uint64_t left = 0;
  // Counted as each leaves its queue: before a Flush that the emptied queues wake returns.
  writers_.Stop([&](watch::Event&&) {
    abandoned_.fetch_add(1, std::memory_order_relaxed);
    ++left;
  });
  LogAbandoned(left);
}

void ShardedSinkWriter::CountAbandoned(std::uint64_t n) {
  abandoned_.fetch_add(n, std::memory_order_relaxed);
  LogAbandoned(n);
}

void ShardedSinkWriter::LogAbandoned(std::uint64_t n) {
  if (n == 0) return;
  logger_->Error("Dropped queued events: the sink's writers stopped before handling them",
                 {{"count", std::to_string(n)}});
}

}  // namespace kube::record::internal
