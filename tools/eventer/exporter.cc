#include "kubeevents/tools/eventer/exporter.h"

#include <utility>

#include "kubeevents/api/json.h"
#include "kubeevents/tools/eventer/checkpoint.h"
#include "kubeevents/tools/eventer/file_receiver.h"
#include "kubeevents/tools/eventer/postgres_receiver.h"
#include "kubeevents/tools/eventer/syslog_receiver.h"
#include "kubeevents/tools/eventer/webhook_receiver.h"

namespace kube::eventer {

namespace {

StatusOr<Template> TemplateFor(const ReceiverConfig& rc) {
  if (!rc.layout.empty()) return Template::Compile(rc.layout);
  if (rc.kind == "syslog") return Template::Compile("{{ .Message }}");
  return Template();
}

// When the event was last observed: lastTimestamp, else series/eventTime, else creation.
api::meta::v1::TimePoint LastSeen(const api::core::v1::Event& ev) {
  if (!ev.last_timestamp.IsZero()) return ev.last_timestamp.time();
  if (ev.series && !ev.series->last_observed_time.IsZero())
    return ev.series->last_observed_time.time();
  if (!ev.event_time.IsZero()) return ev.event_time.time();
  return ev.metadata.creation_timestamp.time();
}

}  // namespace

StatusOr<std::unique_ptr<Receiver>> MakeReceiver(const ReceiverConfig& rc,
                                                 std::shared_ptr<Logger> logger) {
  auto layout = TemplateFor(rc);
  if (!layout.ok()) return layout.status();
  if (rc.kind == "stdout" || rc.kind == "file") {
    FileReceiverConfig fc = rc.file;
    if (rc.kind == "stdout") fc.path.clear();
    return std::unique_ptr<Receiver>(std::make_unique<FileReceiver>(fc, *layout, logger));
  }
  if (rc.kind == "webhook") {
    auto r = WebhookReceiver::Create(rc.webhook, *layout, logger);
    if (!r.ok()) return r.status();
    return std::unique_ptr<Receiver>(*std::move(r));
  }
  if (rc.kind == "syslog") {
    auto r = SyslogReceiver::Create(rc.syslog, *layout, logger);
    if (!r.ok()) return r.status();
    return std::unique_ptr<Receiver>(*std::move(r));
  }
  if (rc.kind == "postgres") {
    return std::unique_ptr<Receiver>(std::make_unique<PostgresReceiver>(rc.postgres, logger));
  }
  return InvalidArgumentError("receiver " + rc.name + ": unknown kind \"" + rc.kind + "\"");
}

StatusOr<std::unique_ptr<Exporter>> Exporter::Create(
    Config config, std::shared_ptr<Logger> logger, std::vector<std::unique_ptr<Receiver>> receivers,
    LabelCache::Fetch fetch_labels) {
  std::unique_ptr<Exporter> x(new Exporter());
  x->logger_ = logger ? std::move(logger) : MakeDefaultLogger();
  std::vector<std::string> names;
  for (const auto& rc : config.receivers) names.push_back(rc.name);
  auto router = Router::Compile(config.route, names);
  if (!router.ok()) return router.status();
  x->router_ = *std::move(router);
  x->needs_labels_ = x->router_.uses_labels();
  for (const auto& rc : config.receivers) {
    auto t = TemplateFor(rc);
    if (!t.ok()) return InvalidArgumentError("receiver " + rc.name + ": " + t.status().message());
    x->needs_labels_ = x->needs_labels_ || t->uses_labels();
    x->templates_.push_back(*std::move(t));
  }
  if (!receivers.empty() && receivers.size() != config.receivers.size()) {
    return InvalidArgumentError("Exporter::Create: one injected receiver per configured receiver");
  }
  if (receivers.empty()) {
    for (const auto& rc : config.receivers) {
      auto r = MakeReceiver(rc, x->logger_);
      if (!r.ok()) return InvalidArgumentError("receiver " + rc.name + ": " + r.status().message());
      receivers.push_back(*std::move(r));
    }
  }
  x->metrics_ = std::make_unique<Metrics>(names);
  if (x->needs_labels_ && fetch_labels) {
    x->labels_ =
        std::make_unique<LabelCache>(std::move(fetch_labels), config.label_cache_ttl, x->logger_);
  }
  x->dedupe_ = DedupeCache(config.dedupe_cache_size);
  x->targets_.assign(names.size(), false);
  for (std::size_t i = 0; i < config.receivers.size(); ++i) {
    const auto& rc = config.receivers[i];
    Exporter* self = x.get();
    x->workers_.push_back(std::make_unique<ReceiverWorker>(
        rc.name, std::move(receivers[i]), rc.queue, rc.batch, rc.retry,
        [self, i](const ExportedEvent& e, Outcome o, const std::string&) { self->OnDone(i, e, o); },
        x->logger_));
  }
  x->metrics_->SetLeader(-1);
  x->config_ = std::move(config);
  return x;
}

Exporter::~Exporter() { Shutdown(std::chrono::milliseconds(0)); }

Status Exporter::StartWatches(std::vector<Watch> watches) {
  StopWatches();
  CheckpointState state;
  if (!config_.checkpoint_path.empty()) {
    auto read = ReadCheckpoint(config_.checkpoint_path);
    if (read.ok()) {
      state = *std::move(read);
    } else {
      logger_->Warning(
          "ignoring the checkpoint: listing every watch from scratch (events "
          "within maxEventAge may be exported again)",
          {{"error", read.status().message()}});
    }
  }
  {
    // Both locks: the checkpointer reads watches_ under dispatch_mu_, /readyz under state_mu_.
    std::scoped_lock lock(dispatch_mu_, state_mu_);
    for (const auto& [k, v] : checkpoint_) {
      if (!state.contains(k)) state[k] = v;  // versions reached by an earlier leadership term
    }
    checkpoint_ = state;
    watches_.clear();
    for (auto& w : watches) {
      WatchState ws;
      ws.key = w.checkpoint_key;
      ws.source = std::move(w.source);
      if (auto it = state.find(ws.key); it != state.end()) ws.resume_version = it->second;
      watches_.push_back(std::move(ws));
    }
  }
  for (std::size_t i = 0; i < watches_.size(); ++i) {
    SourceHandlers h;
    h.on_change = [this, i](SourceChange&& c) { OnChange(i, std::move(c)); };
    h.on_progress = [this, i](const std::string& rv) { OnProgress(i, rv); };
    logger_->Info(
        0, "starting watch",
        {{"watch", watches_[i].key},
         {"resourceVersion", watches_[i].resume_version.empty() ? std::string("(list from scratch)")
                                                                : watches_[i].resume_version}});
    if (Status s = watches_[i].source->Start(watches_[i].resume_version, std::move(h)); !s.ok()) {
      return s;
    }
  }
  if (!checkpointer_.joinable() && !config_.checkpoint_path.empty()) {
    checkpointer_ = std::jthread([this](std::stop_token st) {
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock lock(m);
      while (!st.stop_requested()) {
        cv.wait_for(lock, st, config_.checkpoint_interval, [] { return false; });
        FlushCheckpoint();
      }
    });
  }
  return Status();
}

void Exporter::StopWatches() {
  for (auto& w : watches_) {
    if (w.source) w.source->Stop();
  }
  FlushCheckpoint();
}

void Exporter::Shutdown(std::chrono::milliseconds drain) {
  StopWatches();
  for (auto& w : workers_) w->Stop(drain);
  checkpointer_.request_stop();
  if (checkpointer_.joinable()) checkpointer_.join();
  FlushCheckpoint();
}

void Exporter::FlushCheckpoint() {
  {
    // Sources that report progress by polling (the Reflector): their delivered version goes
    // into the tracker behind everything dispatched so far.
    std::lock_guard lock(dispatch_mu_);
    for (auto& w : watches_) {
      if (!w.source) continue;
      std::string rv = w.source->DeliveredVersion();
      if (!rv.empty() && rv != w.polled) {
        w.polled = rv;
        w.tracker->Add(std::move(rv), 0);
      }
    }
  }
  if (config_.checkpoint_path.empty()) return;
  std::lock_guard write_lock(checkpoint_write_mu_);
  CheckpointState next;
  {
    std::lock_guard lock(state_mu_);
    next = checkpoint_;
    for (const auto& w : watches_) {
      std::string rv = w.tracker->Committed();
      if (!rv.empty()) next[w.key] = rv;
    }
    if (next == checkpoint_ && !next.empty()) return;
  }
  if (next.empty()) return;
  Status s = WriteCheckpoint(config_.checkpoint_path, next);
  metrics_->CheckpointWritten(s.ok());
  if (!s.ok()) {
    logger_->Error("checkpoint write failed", {{"error", s.message()}});
    return;
  }
  std::lock_guard lock(state_mu_);
  checkpoint_ = std::move(next);
}

CheckpointState Exporter::checkpoint() const {
  std::lock_guard lock(state_mu_);
  return checkpoint_;
}

void Exporter::OnProgress(std::size_t index, const std::string& rv) {
  std::lock_guard lock(dispatch_mu_);
  WatchState& w = watches_.at(index);
  w.listed = true;
  if (!rv.empty()) w.tracker->Add(rv, 0);
}

void Exporter::OnChange(std::size_t index, SourceChange&& change) {
  std::lock_guard lock(dispatch_mu_);
  WatchState& w = watches_.at(index);
  metrics_->Seen();
  const std::string& rv = change.event.metadata.resource_version;
  // List items carry no order, so only watch events (and list markers) move the checkpoint.
  const std::string progress_rv = change.from_relist ? std::string() : rv;
  auto skip = [&](const char* reason) {
    metrics_->Filtered(reason);
    w.tracker->Add(progress_rv, 0);
  };
  if (change.type == ChangeType::kDeleted && !config_.export_deleted) return skip("deleted");
  if (change.from_relist) {
    if (!w.resume_version.empty()) {
      const int c = CompareResourceVersions(rv, w.resume_version);
      if (c == 0 || c == -1) return skip("already_exported");
    } else if (!w.listed && !w.source->HasSynced() && config_.max_event_age.count() > 0) {
      const auto age = std::chrono::system_clock::now() - LastSeen(change.event);
      if (age > config_.max_event_age) return skip("too_old");
    }
  }
  if (dedupe_.SeenOrRecord(change.event.metadata.uid, rv)) return skip("duplicate");

  auto e = std::make_shared<ExportedEvent>();
  e->change = change.type;
  e->event = std::move(change.event);
  if (needs_labels_ && labels_) e->labels = labels_->Get(e->event.involved_object);
  targets_.assign(targets_.size(), false);
  router_.Route(*e, targets_);
  int n = 0;
  for (bool t : targets_) n += t ? 1 : 0;
  if (n == 0) return skip("route");
  e->source = index;
  e->tracker = w.tracker;
  e->sequence = w.tracker->Add(progress_rv, n);
  std::shared_ptr<const ExportedEvent> shared = std::move(e);
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i]) workers_[i]->Offer(shared);
  }
}

void Exporter::OnDone(std::size_t receiver, const ExportedEvent& e, Outcome outcome) {
  metrics_->Record(receiver, outcome);
  if (outcome == Outcome::kExported) {
    const std::chrono::duration<double> lag = std::chrono::system_clock::now() - LastSeen(e.event);
    metrics_->ObserveLag(receiver, lag.count());
  }
  // Events abandoned at shutdown stay unsettled: the checkpoint does not pass them, so they
  // are delivered again by the next run.
  if (outcome != Outcome::kDroppedShutdown && e.tracker) e.tracker->Done(e.sequence);
}

void Exporter::SetLeaderState(int state) {
  leader_ = state;
  metrics_->SetLeader(state);
}

std::pair<bool, std::string> Exporter::Ready() const {
  if (leader_ == 0) return {true, "ready: standby (another replica holds the lease)"};
  std::lock_guard lock(state_mu_);
  if (watches_.empty()) return {false, "not ready: no watch started"};
  for (const auto& w : watches_) {
    if (!w.source->HasSynced()) return {false, "not ready: watch " + w.key + " has not synced"};
  }
  return {true, leader_ == 1 ? "ready: synced, leader" : "ready: synced"};
}

std::string Exporter::RenderMetrics() {
  SourceStats total;
  bool synced = true;
  {
    std::lock_guard lock(state_mu_);
    for (const auto& w : watches_) {
      total += w.source->Stats();
      synced = synced && w.source->HasSynced();
    }
    synced = synced && !watches_.empty();
  }
  metrics_->SetSourceStats(total);
  metrics_->SetSynced(synced);
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    metrics_->SetQueueLength(i, workers_[i]->queue_length());
  }
  return metrics_->Render();
}

}  // namespace kube::eventer
