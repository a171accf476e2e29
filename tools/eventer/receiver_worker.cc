#include "kubeevents/tools/eventer/receiver_worker.h"

#include <algorithm>
#include <utility>

namespace kube::eventer {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kExported:
      return "exported";
    case Outcome::kDroppedFull:
      return "queue_full";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kDroppedShutdown:
      return "shutdown";
  }
  return "unknown";
}

ReceiverWorker::ReceiverWorker(std::string name, std::unique_ptr<Receiver> receiver,
                               QueueConfig queue, BatchConfig batch, RetryConfig retry,
                               DoneCallback on_done, std::shared_ptr<Logger> logger)
    : name_(std::move(name)),
      receiver_(std::move(receiver)),
      queue_cfg_(queue),
      batch_cfg_(batch),
      retry_cfg_(retry),
      on_done_(std::move(on_done)),
      logger_(logger ? std::move(logger) : MakeDefaultLogger()) {
  thread_ = std::jthread([this](std::stop_token st) { Run(st); });
}

ReceiverWorker::~ReceiverWorker() { Stop(std::chrono::milliseconds(0)); }

std::size_t ReceiverWorker::queue_length() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

bool ReceiverWorker::Offer(std::shared_ptr<const ExportedEvent> e) {
  std::unique_lock lock(mu_);
  if (overflowing_ && queue_.size() <= queue_cfg_.size / 2) overflowing_ = false;
  bool full = queue_.size() >= queue_cfg_.size;
  if (full && queue_cfg_.when_full == WhenFull::kBlock && !overflowing_ &&
      queue_cfg_.block_timeout.count() > 0) {
    const auto deadline = std::chrono::steady_clock::now() + queue_cfg_.block_timeout;
    std::stop_token st = thread_.get_stop_token();
    not_full_.wait_until(lock, st, deadline, [&] { return queue_.size() < queue_cfg_.size; });
    full = queue_.size() >= queue_cfg_.size;
    if (full) {
      overflowing_ = true;
      logger_->Warning("receiver queue stayed full: dropping new events until it drains to half",
                       {{"receiver", name_},
                        {"queue_size", std::to_string(queue_cfg_.size)},
                        {"block_timeout_ms", std::to_string(queue_cfg_.block_timeout.count())}});
    }
  }
  if (!full && !thread_.get_stop_token().stop_requested()) {
    queue_.push_back(std::move(e));
    const bool wake = waiting_ == Waiting::kAnyEvent ||
                      (waiting_ == Waiting::kFullBatch && queue_.size() >= batch_cfg_.max_events);
    if (wake) waiting_ = Waiting::kNothing;  // one wake-up per wait, not one per event
    lock.unlock();
    if (wake) not_empty_.notify_one();
    return true;
  }
  // Dropped: counted by on_done; logged per event at verbosity 1 and summarized once a second.
  ++dropped_since_log_;
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t summary = 0;
  if (now - last_drop_log_ >= std::chrono::seconds(1)) {
    summary = dropped_since_log_;
    dropped_since_log_ = 0;
    last_drop_log_ = now;
  }
  lock.unlock();
  if (summary > 0) {
    logger_->Warning("receiver queue full: events dropped",
                     {{"receiver", name_},
                      {"dropped", std::to_string(summary)},
                      {"last_event", e->event.metadata.namespace_ + "/" + e->event.metadata.name},
                      {"resourceVersion", e->event.metadata.resource_version}});
  }
  logger_->Info(1, "dropped event: receiver queue full",
                {{"receiver", name_},
                 {"event", e->event.metadata.namespace_ + "/" + e->event.metadata.name},
                 {"resourceVersion", e->event.metadata.resource_version}});
  on_done_(*e, Outcome::kDroppedFull, "queue full");
  return false;
}

void ReceiverWorker::Run(std::stop_token st) {
  std::vector<std::shared_ptr<const ExportedEvent>> batch;
  while (!st.stop_requested()) {
    {
      std::unique_lock lock(mu_);
      waiting_ = Waiting::kAnyEvent;
      const bool woken = not_empty_.wait(lock, st, [&] { return !queue_.empty(); });
      waiting_ = Waiting::kNothing;
      if (!woken) break;
      if (batch_cfg_.max_wait.count() > 0 && queue_.size() < batch_cfg_.max_events) {
        const auto deadline = std::chrono::steady_clock::now() + batch_cfg_.max_wait;
        waiting_ = Waiting::kFullBatch;
        not_empty_.wait_until(lock, st, deadline,
                              [&] { return queue_.size() >= batch_cfg_.max_events; });
        waiting_ = Waiting::kNothing;
      }
      const std::size_t n = std::min(queue_.size(), batch_cfg_.max_events);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      in_flight_ = true;
    }
    not_full_.notify_all();
    DeliverBatch(st, batch);
    {
      std::lock_guard lock(mu_);
      in_flight_ = false;
    }
    drained_.notify_all();
  }
}

void ReceiverWorker::DeliverBatch(std::stop_token st,
                                  std::vector<std::shared_ptr<const ExportedEvent>>& batch) {
  std::size_t done = 0;
  int attempt = 0;
  auto backoff = retry_cfg_.initial_backoff;
  while (done < batch.size()) {
    ++attempt;
    std::span<const std::shared_ptr<const ExportedEvent>> rest(batch.data() + done,
                                                               batch.size() - done);
    SendResult r = receiver_->Send(rest);
    const std::size_t written = std::min(r.written, rest.size());
    for (std::size_t i = 0; i < written; ++i) on_done_(*rest[i], Outcome::kExported, "");
    done += written;
    if (done == batch.size()) break;
    if (r.error.ok()) r.error = InternalError("receiver wrote only part of the batch");
    if (written > 0) attempt = 0;  // progress: a fresh retry budget for the rest
    const bool give_up = r.permanent || attempt >= retry_cfg_.max_attempts;
    if (give_up) {
      const std::string why = r.permanent ? "rejected" : "retries exhausted";
      logger_->Error("receiver failed events",
                     {{"receiver", name_},
                      {"events", std::to_string(batch.size() - done)},
                      {"first_event", batch[done]->event.metadata.namespace_ + "/" +
                                          batch[done]->event.metadata.name},
                      {"reason", why},
                      {"attempts", std::to_string(attempt)},
                      {"error", r.error.message()}});
      for (std::size_t i = done; i < batch.size(); ++i) {
        on_done_(*batch[i], Outcome::kFailed, r.error.message());
      }
      done = batch.size();
      break;
    }
    // Full jitter on an exponential backoff.
    std::uniform_int_distribution<long long> jitter(backoff.count() / 2, backoff.count());
    const auto wait = std::chrono::milliseconds(jitter(rng_));
    // The first failure of a batch is a warning; further attempts are logged at -v=2 (the
    // final outcome is an error line either way).
    if (attempt == 1) {
      logger_->Warning("receiver send failed, retrying",
                       {{"receiver", name_},
                        {"attempt", std::to_string(attempt)},
                        {"retry_in_ms", std::to_string(wait.count())},
                        {"error", r.error.message()}});
    } else {
      logger_->Info(2, "receiver send failed, retrying",
                    {{"receiver", name_},
                     {"attempt", std::to_string(attempt)},
                     {"retry_in_ms", std::to_string(wait.count())},
                     {"error", r.error.message()}});
    }
    {
      std::mutex sleep_mu;  // an interruptible sleep; mu_ stays free for Offer()
      std::unique_lock lock(sleep_mu);
      std::condition_variable_any cv;
      cv.wait_for(lock, st, wait, [] { return false; });
    }
    if (st.stop_requested()) break;
    backoff = std::min(backoff * 2, retry_cfg_.max_backoff);
  }
  for (std::size_t i = done; i < batch.size(); ++i) {
    on_done_(*batch[i], Outcome::kDroppedShutdown, "stopped while retrying");
  }
  batch.clear();
}

void ReceiverWorker::Stop(std::chrono::milliseconds drain) {
  if (!thread_.joinable()) return;
  {
    std::unique_lock lock(mu_);
    drained_.wait_for(lock, drain, [&] { return queue_.empty() && !in_flight_; });
  }
  thread_.request_stop();
  not_full_.notify_all();
  thread_.join();
  std::deque<std::shared_ptr<const ExportedEvent>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
  if (!left.empty()) {
    logger_->Warning(
        "receiver stopped with events still queued; they were not acknowledged and "
        "will be delivered again after a restart",
        {{"receiver", name_}, {"events", std::to_string(left.size())}});
  }
  for (const auto& e : left) on_done_(*e, Outcome::kDroppedShutdown, "exporter stopped");
}

}  // namespace kube::eventer
